"""The event broker's database: where it is by default, and deleting a sender's events (bot/core/event_log.py, SQLAlchemy 1.4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, inspect, select

from bot.core import event_log
from bot.core.settings import default_events_url, load_settings


def test_the_default_is_beside_a_sqlite_conversation_store_and_never_the_same_database(monkeypatch, tmp_path):
    assert default_events_url("sqlite:///var/tracker.db", tmp_path) == "sqlite:///var/events.db"
    assert default_events_url("sqlite:////srv/bot/tracker.db", tmp_path) == "sqlite:////srv/bot/events.db"
    assert default_events_url("postgresql://u:p@db/bot", tmp_path) == f"sqlite:///{tmp_path / 'events.db'}"
    monkeypatch.setenv("MIGRANT_BOT_DATABASE_URL", "postgresql://u:p@db/bot")
    monkeypatch.setenv("MIGRANT_BOT_EVENTS_URL", "postgresql://u:p@db/bot")
    with pytest.raises(ValueError, match="MIGRANT_BOT_EVENTS_URL must name another database"):
        load_settings()
    monkeypatch.setenv("MIGRANT_BOT_EVENTS_URL", "postgresql://u:p@db/bot_events")
    assert load_settings().events_url == "postgresql://u:p@db/bot_events"


def test_a_sender_s_events_are_deleted_and_ids_are_never_used_again(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'events.db'}", future=True)
    with engine.begin() as connection:
        assert event_log.erase_sender(connection, "a") == 0 and event_log.expired_senders(connection, 10.0) == []  # no table yet
    event_log.metadata.create_all(engine)
    events = [("a", 1.0), ("a", 5.0), ("b", 2.0), ("c", 20.0)]
    with engine.begin() as connection:
        for sender, at in events:
            row = event_log.row({"sender_id": sender, "event": "user", "timestamp": at})
            connection.execute(insert(event_log.broker_events).values(**row))
        assert event_log.expired_senders(connection, 10.0) == ["b", "a"]  # newest event older than the cutoff, oldest first
        assert event_log.last_event_at(connection, "a") == 5.0 and event_log.last_event_at(connection, "z") is None
        assert event_log.erase_sender(connection, "c") == 1  # the newest row
        connection.execute(insert(event_log.broker_events).values(**event_log.row({"sender_id": "d", "event": "bot"})))
        ids = connection.execute(select(event_log.broker_events.c.id, event_log.broker_events.c.type_name)).all()
        assert ids[-1] == (5, "bot")  # not 4 again: AUTOINCREMENT
        assert event_log.erase_sender(connection, "a") == 2
        assert connection.execute(select(func.count()).select_from(event_log.broker_events)).scalar() == 2
    assert {ix["name"] for ix in inspect(engine).get_indexes("events")} == {"ix_events_sender_id", "ix_events_timestamp"}
    engine.dispose()
