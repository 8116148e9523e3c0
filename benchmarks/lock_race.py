"""How often two Rasa servers handle one conversation at once: Rasa's RedisLockStore against ours.

    .venv/bin/python benchmarks/lock_race.py [--rounds 20] [--messages 40] [--lifetime 2] [--redis-url redis://...]

Two threads stand for two Rasa servers ("replicas"): each runs an event loop of its own with a
lock store of its own on one Redis server (a throw-away redis-server unless ``--redis-url``), and
handles half of ``--messages`` messages of one conversation at once, each holding the lock for
5 ms (``async with store.lock(conversation_id)``, as Rasa's agent does). Per store it prints:

- overlaps: messages whose handler got in while another was inside (the lock failed);
- lock errors: handlers that gave up with Rasa's ``LockError``;
- stuck: handlers still waiting after twice the lifetime (then cancelled).

Rasa 3.6's ``RedisLockStore`` reads the conversation's ticket queue, adds a ticket and writes it
back with no atomic step: two servers that take a ticket at the same moment get the same number
and are served together, or one server's write drops the other's ticket; a handler whose ticket
is gone waits until the queue is deleted, which only the end of another message of the
conversation does. It runs here polling every 10 ms instead of every second, and with a 2 s
lifetime instead of 60 s, so that a run takes a minute; neither changes how tickets are issued.
The locks of bot/rasa_server/lock_store.py take one Redis key with ``SET NX PX``.
In one event loop (one thread), Rasa's store does not overlap: its Redis calls block the loop, so
nothing runs between its read and its write.

Measured on the development container (2 cores, redis-server 7.0.15, the defaults: 20 rounds of
40 messages, lifetime 2 s), three runs:

    RedisLockStore (Rasa 3.6): 124 / 102 / 68 overlaps, 159 / 283 / 357 lock errors, 384 / 315 / 283 stuck of 800 messages, 64-66 s
    RedisUrlLockStore:         0 / 0 / 0 overlaps, 0 lock errors, 0 stuck of 800 messages, 9.4-9.6 s

(800 messages of 5 ms one after another take 4 s; the rest is Redis round trips and the 20 ms polls.)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
import urllib.parse
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rasa.core.lock_store import LockError, LockStore, RedisLockStore

from bot.rasa_server.lock_store import RedisUrlLockStore
from tests.redis_server import throwaway_redis

HOLD_S = 0.005


@dataclass
class Tally:
    """What the handlers of both "servers" saw, counted under one thread lock."""

    inside: int = 0
    overlaps: int = 0
    errors: int = 0
    stuck: int = 0
    guard: threading.Lock = field(default_factory=threading.Lock)

    def enter(self) -> None:
        with self.guard:
            self.overlaps += self.inside > 0
            self.inside += 1

    def leave(self) -> None:
        with self.guard:
            self.inside -= 1


def rasa_store(url: str) -> LockStore:
    """Rasa's own RedisLockStore on ``url``'s server and database, with its password."""
    parts = urllib.parse.urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return RedisLockStore(host=parts.hostname or "localhost", port=parts.port or 6379, db=database, password=parts.password)


async def hold(store: LockStore, conversation_id: str, lifetime: float, tally: Tally) -> None:
    async with store.lock(conversation_id, lock_lifetime=lifetime, wait_time_in_seconds=0.01):
        tally.enter()
        await asyncio.sleep(HOLD_S)
        tally.leave()


async def handle(store: LockStore, conversation_id: str, lifetime: float, tally: Tally) -> None:
    """One message: holds the lock, or gives up with a LockError, or is stuck (still waiting after twice the lifetime)."""
    try:
        await asyncio.wait_for(hold(store, conversation_id, lifetime, tally), timeout=2 * lifetime + 1)
    except LockError:
        with tally.guard:
            tally.errors += 1
    except asyncio.TimeoutError:
        with tally.guard:
            tally.stuck += 1


@dataclass(frozen=True)
class Round:
    """One round: one conversation, ``messages`` handlers of it at once, half on each "server"."""

    make_store: Callable[[str], LockStore]
    url: str
    messages: int
    lifetime: float
    conversation_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def replica(round_: Round, tally: Tally) -> None:
    """One "server": its own event loop and lock store, half the round's handlers."""

    async def run() -> None:
        store = round_.make_store(round_.url)
        await asyncio.gather(*(handle(store, round_.conversation_id, round_.lifetime, tally) for _ in range(round_.messages // 2)))

    asyncio.run(run())


def race(make_store: Callable[[str], LockStore], url: str, *, rounds: int, messages: int, lifetime: float) -> Tally:
    """Runs ``rounds`` rounds, each on two threads ("servers") with a store of ``make_store(url)`` each."""
    tally = Tally()
    for _ in range(rounds):
        round_ = Round(make_store, url, messages, lifetime)
        threads = [threading.Thread(target=replica, args=(round_, tally)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--messages", type=int, default=40, help="messages per round, half on each server")
    parser.add_argument("--lifetime", type=float, default=2, help="lock lifetime and longest wait, seconds (Rasa's: 60)")
    parser.add_argument("--redis-url", default="", help="default: a throw-away redis-server")
    options = parser.parse_args()
    total = options.rounds * options.messages
    with ExitStack() as stack:
        url = options.redis_url or stack.enter_context(throwaway_redis())
        for name, make_store in (("RedisLockStore (Rasa 3.6)", rasa_store), ("RedisUrlLockStore", RedisUrlLockStore)):
            started = time.monotonic()
            tally = race(make_store, url, rounds=options.rounds, messages=options.messages, lifetime=options.lifetime)
            took = time.monotonic() - started
            print(f"{name}: {tally.overlaps} overlaps, {tally.errors} lock errors, {tally.stuck} stuck of {total} messages, {took:.1f} s")


if __name__ == "__main__":
    main()
