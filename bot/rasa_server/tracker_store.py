"""Rasa's SQL tracker store configured by one URL from the environment.

``MIGRANT_BOT_DATABASE_URL``: ``sqlite:///path/to/tracker.db`` (the default)
or ``postgresql://user:password@host:5432/dbname``. One variable, so that an
operator does not split a URL into Rasa's five endpoint fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot.core.privacy.erase import erase_conversation
from bot.core.settings import load_settings, refuse_unsafe
from bot.rasa_server import patches
from bot.rasa_server.tracker_cache import SessionCachingSQLTrackerStore

_process_store: DatabaseUrlTrackerStore | None = None


def process_tracker_store() -> DatabaseUrlTrackerStore | None:
    """The store this Rasa server process uses (None before Rasa made it).

    Rasa wraps its tracker store in ``AwaitableTrackerStore`` and offers no way
    to delete a conversation; the channels reach the store here to do that.
    """
    return _process_store


class DatabaseUrlTrackerStore(SessionCachingSQLTrackerStore):
    """``SQLTrackerStore`` whose connection comes from ``MIGRANT_BOT_DATABASE_URL``."""

    def delete_conversation(self, sender_id: str) -> int:
        """Deletes every stored event and seen-update record of ``sender_id``; returns the number of events.

        The event broker's copies of the events (bot/rasa_server/event_broker.py) go too.
        """
        with self.engine.begin() as connection:
            deleted = erase_conversation(connection, sender_id)
        self.forget(sender_id)
        erase = getattr(self.event_broker, "erase", None)
        if erase is not None:
            erase(sender_id)
        return deleted

    async def _stream_new_events(self, event_broker: Any, new_events: list[Any], sender_id: str) -> None:
        """Publishes a turn's new events, in one transaction when the broker can (bot/rasa_server/event_broker.py)."""
        publish_many = getattr(event_broker, "publish_many", None)
        if publish_many is None:
            return await super()._stream_new_events(event_broker, new_events, sender_id)
        publish_many([{"sender_id": sender_id, **event.as_dict()} for event in new_events])

    def __init__(self, domain: Any = None, host: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        patches.check_versions()  # this class overrides private methods of Rasa's SQLTrackerStore
        settings = load_settings()
        refuse_unsafe(settings)  # two Rasa servers must not each keep conversations in memory
        url = make_url(settings.database_url)
        dialect = url.get_backend_name()
        if dialect == "sqlite":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=dialect,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
        )
        global _process_store
        _process_store = self
        # this store is loaded in the Rasa server process only: see bot/rasa_server/patches.py
        if not settings.rasa_speedups:
            return
        if dialect == "sqlite":
            self.engine.dispose()
            self.engine = patches.fast_sqlite_engine(self.engine.url)
            self.sessionmaker = sessionmaker(bind=self.engine)
            if settings.tracker_cache:  # only one Rasa server writes this file
                self.enable_session_cache()
