"""How many messages one sender may send a minute: a sliding window in memory.

Why: one client (a script, a stuck key, a loop in an integrating backend)
could otherwise keep a Rasa server busy for every other user, and grow one
conversation without bound. ``bot.rasa_server.channels.guard`` asks ``allow`` for every
message and answers a polite "please wait" when it says no.

- **Sliding window.** A message is allowed when fewer than ``limit`` of the
  sender's *allowed* messages fall within the last ``window_seconds``.
  Refused messages are not counted, so a sender who keeps writing is let
  through again as soon as their oldest message leaves the window.
- **Bounded memory.** Senders are kept in order of their last allowed
  message; every call drops the senders idle for a whole window (they could
  not be refused anyway), and above ``max_senders`` the least recently seen
  are dropped too (they start again with a clean slate: the cost of a bound).
  Each sender keeps at most ``limit`` times.
- **One process.** The record lives in the Rasa server's memory: each server
  counts on its own, and a restart forgets it. That is enough against a
  flood; it is not an accounting of anything. The server runs one event
  loop, so there is no lock.

``MIGRANT_BOT_RATE_LIMIT_PER_MINUTE`` sets the limit (default 30); ``0``
turns the limit off.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque

from bot.core.settings import load_settings

WINDOW_SECONDS = 60.0
MAX_SENDERS = 50_000


class SenderRateLimiter:
    """At most ``limit`` messages per sender in any ``window_seconds`` (see the module docstring)."""

    def __init__(self, limit: int, window_seconds: float = WINDOW_SECONDS, max_senders: int = MAX_SENDERS) -> None:
        if limit < 0 or window_seconds <= 0 or max_senders < 1:
            raise ValueError("limit must be >= 0 (0: off), window_seconds > 0 and max_senders >= 1")
        self.limit = limit
        self.window_seconds = window_seconds
        self.max_senders = max_senders
        self._senders: OrderedDict[str, deque[float]] = OrderedDict()  # least recently allowed first

    @classmethod
    def from_settings(cls) -> SenderRateLimiter:
        """The limiter ``MIGRANT_BOT_RATE_LIMIT_PER_MINUTE`` asks for."""
        return cls(load_settings().rate_limit_per_minute)

    def __len__(self) -> int:
        """How many senders are remembered now."""
        return len(self._senders)

    def allow(self, sender_id: str, now: float | None = None) -> bool:
        """True when ``sender_id`` may send a message now (and counts it); False when they must wait."""
        if self.limit == 0:
            return True
        now = time.monotonic() if now is None else now
        self._forget_idle(now)
        times = self._senders.get(sender_id)
        if times is None:
            times = self._senders[sender_id] = deque(maxlen=self.limit)
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        self._senders.move_to_end(sender_id)
        while len(self._senders) > self.max_senders:
            self._senders.popitem(last=False)
        return True

    def _forget_idle(self, now: float) -> None:
        """Drops the senders whose last allowed message left the window (they are first in the order)."""
        cutoff = now - self.window_seconds
        while self._senders:
            sender_id, times = next(iter(self._senders.items()))
            if times and times[-1] > cutoff:
                return
            del self._senders[sender_id]
