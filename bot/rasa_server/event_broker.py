"""Rasa's SQL event broker configured by one URL from the environment.

``MIGRANT_BOT_EVENTS_URL`` (default: ``events.db`` beside a SQLite
conversation store, so ``sqlite:///var/events.db``; or
``postgresql://user:password@host:5432/events``, a database of its own: the
tracker store's database has a table called ``events`` too). Every event the
tracker store saves is published here (Rasa's ``TrackerStore.stream_events``),
and the staff app reads them: the insights job turns them into daily counts
(docs/insights.md). The messages in them are masked already
(bot/rasa_server/channels/guard.py masks before Rasa sees a message).

Differences from Rasa's ``SQLEventBroker`` (``event_broker: type: SQL``): one
URL instead of five fields, like the tracker store; the table has two more
columns and never reuses an id (bot/core/event_log.py); SQLite gets the tracker
store's pooled write-ahead-log engine (bot/rasa_server/patches.py) instead of a new
connection per event, and a turn's events are written in one transaction
(``publish_many``, called by bot/rasa_server/tracker_store.py); and a conversation's
events can be deleted with it (``erase``).
"""

from __future__ import annotations

from asyncio import AbstractEventLoop
from pathlib import Path
from typing import Any

from rasa.core.brokers.sql import SQLEventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot.core import event_log
from bot.core.settings import load_settings
from bot.rasa_server import patches


class DatabaseUrlEventBroker(SQLEventBroker):
    """``SQLEventBroker`` whose database comes from ``MIGRANT_BOT_EVENTS_URL``."""

    def __init__(self, url: str | None = None, **_: Any) -> None:
        """Opens the database (``url``, else the setting) and makes the table; SQLEventBroker's own takes five fields."""
        settings = load_settings()
        parsed = make_url(url or settings.events_url)
        sqlite = parsed.get_backend_name() == "sqlite"
        if sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if sqlite and settings.rasa_speedups:
            self.engine = patches.fast_sqlite_engine(parsed)
        else:
            self.engine = create_engine(parsed, future=True)
        event_log.create_tables(self.engine)
        self.sessionmaker = sessionmaker(bind=self.engine)

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: AbstractEventLoop | None = None
    ) -> DatabaseUrlEventBroker:
        """The broker of endpoints.yml's ``event_broker`` (it has no settings there)."""
        return cls()

    def publish(self, event: dict[str, Any]) -> None:
        """Stores one event (committed at once, as Rasa's broker does)."""
        self.publish_many([event])

    def publish_many(self, events: list[dict[str, Any]]) -> None:
        """Stores a turn's events in one transaction (bot/rasa_server/tracker_store.py hands them over together)."""
        if events:
            with self.engine.begin() as connection:
                connection.execute(insert(event_log.broker_events), [event_log.row(event) for event in events])

    def erase(self, sender_id: str) -> int:
        """Deletes every event of ``sender_id`` (its user or an operator deleted the conversation); returns how many."""
        with self.engine.begin() as connection:
            return event_log.erase_sender(connection, sender_id)

    async def close(self) -> None:
        self.engine.dispose()
