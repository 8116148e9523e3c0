"""Deleting conversations (bot.core.privacy.erase) on a real SQLite database, with this environment's SQLAlchemy.

The same module runs on SQLAlchemy 1.4 (here, Rasa's environment) and 2.0
(the staff app, tests/staff/test_privacy.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.engine import Engine

from bot.core.privacy.erase import count_events, erase_conversation, events, expired_senders, last_event_at, metadata, seen_updates

DAY = 86400.0
NOW = 1_800_000_000.0


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    made = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    yield made
    made.dispose()


def _event(sender: str, at: float, text: str = "hello") -> dict:
    data = {"event": "user", "timestamp": at, "text": text}
    return {"sender_id": sender, "type_name": "user", "timestamp": at, "intent_name": "greet", "data": json.dumps(data)}


def _fill(engine: Engine) -> None:
    metadata.create_all(engine)
    rows = [
        _event("telegram:1", NOW - 40 * DAY),
        _event("telegram:1", NOW - 31 * DAY),
        _event("telegram:2", NOW - 40 * DAY),
        _event("telegram:2", NOW - 1 * DAY),  # active again: its old events stay too
        _event("a_b", NOW - 50 * DAY),
        _event("axb", NOW - 2 * DAY),
        _event("50%", NOW - 2 * DAY),
    ]
    keys = [
        "telegram:1#telegram:10",
        "telegram:1#telegram:11",
        "telegram:2#telegram:12",
        "a_b#web:1",
        "axb#web:2",
        "50%#web:3",
        "5000#web:4",
    ]
    with engine.begin() as connection:
        connection.execute(insert(events), rows)
        connection.execute(insert(seen_updates), [{"key": key, "seen_at": NOW} for key in keys])


def _senders(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(row[0] for row in connection.execute(select(events.c.sender_id).distinct()))


def _keys(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(row[0] for row in connection.execute(select(seen_updates.c.key)))


def test_erasing_a_conversation_deletes_its_events_and_seen_updates_only(engine: Engine):
    _fill(engine)
    with engine.begin() as connection:
        assert count_events(connection, "telegram:1") == 2
        assert erase_conversation(connection, "telegram:1") == 2
        assert count_events(connection, "telegram:1") == 0
    assert _senders(engine) == ["50%", "a_b", "axb", "telegram:2"]
    assert _keys(engine) == ["50%#web:3", "5000#web:4", "a_b#web:1", "axb#web:2", "telegram:2#telegram:12"]


@pytest.mark.parametrize(("sender", "kept_key"), [("a_b", "axb#web:2"), ("50%", "5000#web:4")])
def test_like_wildcards_in_the_sender_id_match_only_themselves(engine: Engine, sender: str, kept_key: str):
    _fill(engine)
    with engine.begin() as connection:
        assert erase_conversation(connection, sender) == 1
    assert sender not in _senders(engine) and f"{sender}#" not in " ".join(_keys(engine))
    assert kept_key in _keys(engine)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(seen_updates)).scalar() == 6


def test_expired_senders_are_those_whose_last_event_is_older_than_the_cutoff(engine: Engine):
    _fill(engine)
    with engine.connect() as connection:
        assert expired_senders(connection, NOW - 30 * DAY) == ["a_b", "telegram:1"]  # oldest last event first
        assert expired_senders(connection, NOW - 30 * DAY, limit=1) == ["a_b"]
        assert expired_senders(connection, NOW - 60 * DAY) == []
        assert last_event_at(connection, "telegram:2") == NOW - 1 * DAY
        assert last_event_at(connection, "nobody") is None


def test_a_fresh_database_without_the_tables_has_nothing_to_delete(engine: Engine):
    with engine.begin() as connection:
        assert erase_conversation(connection, "telegram:1") == 0
        assert count_events(connection, "telegram:1") == 0
        assert expired_senders(connection, NOW) == []
        assert last_event_at(connection, "telegram:1") is None
    with engine.connect() as connection:  # nothing was created either
        assert connection.exec_driver_sql("select count(*) from sqlite_master").scalar() == 0


def test_only_the_seen_updates_table_exists(engine: Engine):
    seen_updates.create(engine)
    with engine.begin() as connection:
        connection.execute(insert(seen_updates), [{"key": "web:1#web:9", "seen_at": NOW}, {"key": "web:10#web:9", "seen_at": NOW}])
        assert erase_conversation(connection, "web:1") == 0
    assert _keys(engine) == ["web:10#web:9"]
