"""Per-conversation locks that hold across several Rasa servers, configured by one URL.

Rasa handles one conversation's messages one at a time: the agent, the processor (reminders) and
the HTTP API's tracker endpoints each run ``async with lock_store.lock(conversation_id)``. Rasa
3.6's ``RedisLockStore`` keeps a ticket queue that it reads, changes and writes back with no atomic
step, so two Rasa servers taking a ticket at the same moment can both be served at once
(benchmarks/lock_race.py counts how often); it also polls once a second.

``UrlLockStore`` (endpoints.yml) reads ``MIGRANT_BOT_LOCK_STORE_URL`` from the settings:

- empty (the default): Rasa's own ``InMemoryLockStore`` does the work, unchanged; enough for one
  Rasa server;
- ``redis://[:password@]host:port/db`` or ``rediss://``: ``RedisUrlLockStore``, one Redis key per
  conversation, atomic between servers, that frees itself when a server dies holding it.

Rasa lets ``SANIC_WORKERS`` above 1 through for any lock store named in endpoints.yml: with the
in-memory default, each worker would have locks of its own, so leave it unset there.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from contextlib import asynccontextmanager
from typing import AsyncContextManager, AsyncIterator

import redis.asyncio
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig
from redis.asyncio.lock import Lock
from redis.exceptions import LockNotOwnedError, RedisError

from bot.core.settings import load_settings

logger = logging.getLogger(__name__)

#: a conversation's lock is the Redis key ``KEY_PREFIX + conversation_id``
KEY_PREFIX = "migrant-bot:lock:"
#: a waiting handler tries again this often (Rasa's stores wait a second)
POLL_S = 0.02
#: a Redis server that does not answer within this is a LockError, not a hung message
SOCKET_TIMEOUT_S = 2.0


def shown_url(url: str) -> str:
    """``url`` without its user, password and options, for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def held_ticket(conversation_id: str, lock_lifetime: float) -> TicketLock:
    """What ``lock()`` yields: a ticket lock serving one ticket, the base class's type (Rasa's callers ignore it)."""
    ticket_lock = TicketLock(conversation_id)
    ticket_lock.issue_ticket(lock_lifetime)
    return ticket_lock


class RedisUrlLockStore(LockStore):
    """Per-conversation locks in Redis, each taken atomically and freed by its holder or its lifetime.

    redis-py's ``redis.asyncio.lock.Lock`` does the work: it takes the key with one
    ``SET key token NX PX lifetime`` (whoever's SET lands first holds the conversation; the others
    try again every ``POLL_S``) and releases it with a Lua script that deletes the key only while
    it still holds this holder's token. So a Rasa server killed while it holds a lock (SIGKILL, a
    lost machine) blocks the conversation for the rest of the lifetime only, and a holder that
    outlived its lifetime cannot delete the lock its successor took (it logs a warning instead).
    A handler cancelled during the one round trip of its SET may likewise leave the key to expire.

    The lifetime is Rasa's ``lock_lifetime`` (60 s unless ``TICKET_LOCK_LIFETIME`` says otherwise),
    counted from the moment the lock is taken; a handler waits at most as long, then gets Rasa's
    ``LockError``, as with Rasa's stores. A Redis server that cannot be reached, or does not answer
    within ``SOCKET_TIMEOUT_S``, or refuses the password, is a ``LockError`` naming its address
    (without the password).

    Unlike Rasa's ticket lock, waiters are not served in the order they arrived. That is
    acceptable: one person's messages come one at a time, from a client that waits for each reply,
    so two rarely wait at once; when they do (a double tap, a platform redelivering a webhook),
    they are handled in the order they take the lock, one after the other, each seeing the other's
    turn in the conversation, which is what the lock is for.

    The ticket methods (``get_lock``, ``save_lock``, ``delete_lock`` and those built on them) are
    the base class's, which raise ``NotImplementedError``: there are no tickets here, and Rasa 3.6
    calls nothing but ``lock()``.

    The Redis client is made on first use, in the running event loop: the store may be built where
    no loop runs (``Agent(lock_store=...)``), and redis.asyncio's connections belong to the loop
    that made them.
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._client: redis.asyncio.Redis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        logger.info("conversation locks are kept in Redis at %s", shown_url(url))

    def client(self) -> redis.asyncio.Redis:
        """The Redis client of the running event loop, made when first needed."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = redis.asyncio.from_url(self.url, socket_timeout=SOCKET_TIMEOUT_S, socket_connect_timeout=SOCKET_TIMEOUT_S)
            self._loop = loop
        return self._client

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        """Holds ``conversation_id``'s lock for the block, at most ``lock_lifetime`` seconds.

        Waits at most ``lock_lifetime`` seconds for it, trying every ``POLL_S`` (or every
        ``wait_time_in_seconds``, Rasa's interval, when shorter), then raises ``LockError``.
        """
        held = Lock(
            self.client(),
            KEY_PREFIX + conversation_id,
            timeout=lock_lifetime,
            sleep=min(wait_time_in_seconds, POLL_S),
            blocking_timeout=lock_lifetime,
            thread_local=False,  # one Lock object per acquisition, in one task
        )
        await self._acquire(held, conversation_id)
        try:
            yield held_ticket(conversation_id, lock_lifetime)
        finally:
            await self._release(held)

    async def _acquire(self, held: Lock, conversation_id: str) -> None:
        try:
            acquired = await held.acquire()
        except RedisError as error:
            raise LockError(f"The lock store {shown_url(self.url)} cannot be used: {error}") from error
        if not acquired:
            raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}' within {held.timeout} s.")

    async def _release(self, held: Lock) -> None:
        """Frees the lock if this holder still has it; never raises, so that a message handled is not reported as failed.

        A lock this holder no longer has expired while its message was handled, and may be
        another's now; a lock Redis could not be asked to free expires at the end of its lifetime.
        """
        try:
            await held.release()
        except LockNotOwnedError:
            logger.warning(
                "a conversation's lock expired (after %s s) before its message was handled: another may have been handled alongside",
                held.timeout,
            )
        except RedisError as error:
            logger.warning("the lock store %s did not free a lock (%s): it expires after %s s", shown_url(self.url), error, held.timeout)


class UrlLockStore(LockStore):
    """The lock store of endpoints.yml: Rasa's in-memory one, or ``RedisUrlLockStore`` when a URL is set.

    Every method goes to that store, so without a URL this behaves exactly as Rasa's default.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        """Rasa passes its ``lock_store`` endpoint configuration, which holds nothing more than this class's name."""
        super().__init__()
        url = load_settings().rasa_server.lock_store_url
        self.store: LockStore = RedisUrlLockStore(url) if url else InMemoryLockStore()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)

    def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncContextManager[TicketLock]:
        """The store's lock of ``conversation_id`` (see ``LockStore.lock``)."""
        return self.store.lock(conversation_id, lock_lifetime, wait_time_in_seconds)
