"""A value rebuilt in the background when what it is built from changes.

After a publish the content pack is read again (about 0.15 s) and the action
server's language detector is trained again on the new ways of asking (about
0.6 s on a quiet machine, over a second on a busy one). Done on the request
that notices the change, a user waits that long for an answer to "sveiki";
done in a thread, every user keeps the previous value for that moment and
nobody waits. Only the very first build happens on the caller's thread: there
is nothing to answer with before it.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Generic, TypeVar

logger = logging.getLogger(__name__)

Value = TypeVar("Value")
Key = TypeVar("Key")


class Rebuilt(Generic[Key, Value]):
    """``build(key)``, kept until a different key is asked for; then rebuilt in a thread while the old value serves.

    A build that fails keeps the last good value (and logs why); it is tried
    again only when the key changes again, so a broken edit does not cost a
    failed build on every message.
    """

    def __init__(self, build: Callable[[Key], Value], name: str) -> None:
        self._build = build
        self._name = name
        self._lock = threading.Lock()
        self._value: Value | None = None
        self._key: Key | None = None
        self._wanted: Key | None = None  # the key of the build under way or last tried
        self._thread: threading.Thread | None = None

    def get(self, key: Key) -> Value:
        """The value for ``key`` once it is built; until then the previous one."""
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value, self._key, self._wanted = self._build(key), key, key
            return self._value
        if key != self._key and key != self._wanted:
            with self._lock:
                if key != self._wanted:
                    self._wanted = key
                    self._thread = threading.Thread(target=self._rebuild, args=(key,), name=f"rebuild-{self._name}", daemon=True)
                    self._thread.start()
        return self._value

    def _rebuild(self, key: Key) -> None:
        try:
            value = self._build(key)
        except Exception:
            logger.exception("%s could not be rebuilt; the last good one stays in use", self._name)
            return
        with self._lock:
            if self._wanted == key:  # a newer key may have been asked for meanwhile; its build will land
                self._value, self._key = value, key

    def settle(self, timeout: float = 30.0) -> None:
        """Waits for a build under way (tests, and tools that must see the newest value)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
