"""The Rasa server speed-ups validate exactly as Rasa does and make SQLite commit in WAL mode."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from bot.rasa_server import patches

VALID = {
    "events": [{"event": "slot", "timestamp": None, "name": "language", "value": "lv"}],
    "responses": [{"text": "Sveiki", "buttons": [{"title": "A", "payload": "/a"}]}, {"custom": {"meta": {"label": "greet"}}}],
}
INVALID = [
    {"events": [{"event": "slot", "name": 3}], "responses": []},
    {"events": "not a list"},
    {"events": [], "responses": ["not an object"]},
    {"events": [{"event": "no_such_event"}]},
]


def test_a_valid_reply_passes_both_validators():
    validate(VALID, RemoteAction.action_response_format_spec())
    assert patches.validate_action_result(None, VALID) is True


@pytest.mark.parametrize("reply", INVALID)
def test_an_invalid_reply_fails_with_rasas_error(reply):
    # Rasa's own check is jsonschema.validate against this schema
    with pytest.raises(ValidationError) as rasas:
        validate(reply, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response") as ours:
        patches.validate_action_result(None, reply)
    assert ours.value.message.startswith(rasas.value.message)
    assert list(ours.value.path) == list(rasas.value.path)


def test_install_replaces_rasas_validation():
    patches.install()
    assert RemoteAction._validate_action_result is patches.validate_action_result
    with pytest.raises(ValidationError):
        RemoteAction("action_x", None)._validate_action_result(INVALID[0])


def test_sqlite_engines_keep_connections_and_commit_in_wal_mode(tmp_path):
    engine = patches.fast_sqlite_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    assert engine.pool.checkedin() == 1  # kept open for the next turn
    with engine.connect() as connection:
        assert connection.execute(text("SELECT x FROM t")).scalar() == 1


def test_the_tracker_store_uses_the_fast_engine_for_sqlite(tmp_path, monkeypatch):
    from bot.rasa_server.tracker_store import DatabaseUrlTrackerStore

    monkeypatch.setenv("MIGRANT_BOT_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    store = DatabaseUrlTrackerStore()
    assert isinstance(store.engine.pool, QueuePool)
    assert store.sessionmaker.kw["bind"] is store.engine
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert RemoteAction._validate_action_result is patches.validate_action_result


def test_event_types_resolve_to_rasas_classes():
    from rasa.shared.core import events
    from rasa.shared.utils.common import all_subclasses

    patches.install()
    for cls in all_subclasses(events.Event):
        expected = next(c for c in all_subclasses(events.Event) if c.type_name == cls.type_name)
        assert events.Event.resolve_by_type(cls.type_name) is expected
        assert events.Event.resolve_by_type(cls.type_name) is expected  # remembered
    assert events.Event.resolve_by_type("no_such_event", default=events.SlotSet) is events.SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        events.Event.resolve_by_type("no_such_event")
    originals = [events.UserUttered("hi"), events.SlotSet("language", "lv"), events.ActionExecuted("action_listen")]
    assert events.deserialise_events([event.as_dict() for event in originals]) == originals


def test_the_speedups_can_be_turned_off(tmp_path, monkeypatch):
    from bot.rasa_server.tracker_store import DatabaseUrlTrackerStore

    monkeypatch.setenv("MIGRANT_BOT_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    monkeypatch.setenv("MIGRANT_BOT_RASA_SPEEDUPS", "0")
    store = DatabaseUrlTrackerStore()
    assert not isinstance(store.engine.pool, QueuePool)
