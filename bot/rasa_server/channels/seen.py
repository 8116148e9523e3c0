"""Which platform updates were handled already, so a redelivered one is handled once.

Platforms redeliver a webhook when the answer is late or lost (Telegram by
``update_id``, Meta by message id, for hours to days). The first delivery
claims the update's key (``<sender id>#<channel>:<update id>``, so that
deleting a conversation also deletes its records) in a table of the conversations' database
(``MIGRANT_BOT_DATABASE_URL``), so the record survives a restart and is
shared by several Rasa processes on PostgreSQL. Keys older than
``TTL_SECONDS`` are deleted now and then: no platform redelivers that late.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import cache
from pathlib import Path

from sqlalchemy import Column, Float, MetaData, String, Table, create_engine, delete, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError

from bot.core import schema
from bot.core.settings import load_settings

logger = logging.getLogger(__name__)

#: Meta retries for up to 7 days (WhatsApp), Telegram keeps updates 24 hours.
TTL_SECONDS = 8 * 24 * 3600
#: Old keys are deleted once every so many claims.
PRUNE_EVERY = 500
KEY_MAX_CHARS = 255

_metadata = MetaData()
_table = Table(
    "channel_seen_updates",
    _metadata,
    Column("key", String(KEY_MAX_CHARS), primary_key=True),
    Column("seen_at", Float, nullable=False, index=True),
)


class SeenUpdates:
    """Claims update keys once; blocking database calls run in a worker thread."""

    def __init__(self, engine: Engine, ttl_seconds: float = TTL_SECONDS) -> None:
        self._engine = engine
        self._ttl = ttl_seconds
        self._claims = 0
        schema.create_tables(engine, _metadata)  # replicas starting together take turns

    @classmethod
    def from_url(cls, url: str, ttl_seconds: float = TTL_SECONDS) -> SeenUpdates:
        """A store in the database at ``url`` (SQLite folders are created)."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return cls(create_engine(url, future=True), ttl_seconds)

    def claim_now(self, key: str, now: float | None = None) -> bool:
        """True the first time ``key`` is claimed (within the TTL), False after."""
        now = time.time() if now is None else now
        self._claims += 1
        if self._claims % PRUNE_EVERY == 1:
            self.prune(now)
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(_table).values(key=key[:KEY_MAX_CHARS], seen_at=now))
        except IntegrityError:
            return False
        return True

    def release_now(self, key: str) -> None:
        """Forgets ``key`` (its handling failed, so a redelivery should be handled)."""
        with self._engine.begin() as connection:
            connection.execute(delete(_table).where(_table.c.key == key[:KEY_MAX_CHARS]))

    def prune(self, now: float | None = None) -> int:
        """Deletes keys older than the TTL; returns how many."""
        now = time.time() if now is None else now
        with self._engine.begin() as connection:
            return connection.execute(delete(_table).where(_table.c.seen_at < now - self._ttl)).rowcount

    async def claim(self, key: str) -> bool:
        """``claim_now`` off the event loop."""
        return await asyncio.to_thread(self.claim_now, key)

    async def release(self, key: str) -> None:
        """``release_now`` off the event loop."""
        await asyncio.to_thread(self.release_now, key)


@cache
def seen_updates() -> SeenUpdates:
    """The process's store, in the conversations' database."""
    return SeenUpdates.from_url(load_settings().database_url)
