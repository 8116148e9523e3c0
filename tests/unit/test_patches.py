"""The Rasa server speed-ups validate exactly as Rasa does and make SQLite commit in WAL mode."""

from __future__ import annotations

import sqlite3
import threading

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


def test_the_installed_libraries_are_the_checked_versions():
    patches.check_versions()  # raises when requirements.txt moves Rasa or socket.io on


def test_another_rasa_version_is_refused_with_what_to_do():
    installed = {**patches.CHECKED_VERSIONS, "rasa": "3.6.22"}
    with pytest.raises(patches.UncheckedVersionError, match=r"rasa 3\.6\.22 \(checked: 3\.6\.21\).*PRIVATE_USES"):
        patches.check_versions(installed)
    with pytest.raises(patches.UncheckedVersionError, match="python-engineio None"):
        patches.check_versions({"rasa": "3.6.21", "python-socketio": "5.9.0"})


def test_every_private_use_names_a_test_that_exists():
    from bot.core.settings import PROJECT_ROOT

    for what, where, proof in patches.PRIVATE_USES:
        for path in proof.split(" and "):
            assert (PROJECT_ROOT / path).exists(), (what, where, path)


def test_the_server_start_installs_the_patches_before_rasa_runs(monkeypatch):
    import rasa.__main__
    from rasa.shared.core.events import Event

    from bot.rasa_server import serve

    seen = {}

    def fake_rasa_main() -> None:
        seen["validation"] = RemoteAction._validate_action_result
        seen["resolve"] = Event.resolve_by_type

    monkeypatch.setattr(rasa.__main__, "main", fake_rasa_main)
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    monkeypatch.setenv("MIGRANT_BOT_API_TOKEN", "t" * 32)
    monkeypatch.setattr("sys.argv", ["serve", "--port", "5999"])
    serve.main()
    assert seen["validation"] is patches.validate_action_result
    assert seen["resolve"] is patches.resolve_event_type


@pytest.mark.parametrize(("operator_says", "rasa_sees"), [(None, "false"), ("true", "true")])
def test_the_server_start_keeps_rasas_telemetry_off_unless_the_operator_asks(monkeypatch, operator_says, rasa_sees):
    """Rasa 3.6 reports usage and exceptions to its servers by default; nothing of a conversation may leave."""
    import os

    import rasa.__main__

    from bot.rasa_server import serve

    seen = {}
    monkeypatch.setattr(rasa.__main__, "main", lambda: seen.setdefault("telemetry", os.environ.get("RASA_TELEMETRY_ENABLED")))
    if operator_says is None:
        monkeypatch.delenv("RASA_TELEMETRY_ENABLED", raising=False)
    else:
        monkeypatch.setenv("RASA_TELEMETRY_ENABLED", operator_says)
    monkeypatch.setenv("MIGRANT_BOT_API_TOKEN", "t" * 32)
    monkeypatch.setattr("sys.argv", ["serve", "--port", "5999"])
    serve.main()
    assert seen["telemetry"] == rasa_sees


def test_a_second_server_waits_for_the_first_to_finish_with_a_new_database(tmp_path):
    """Blue and green start together on a new events.db: while one holds the file, the other's switch to WAL waits.

    SQLite refuses a change of journal mode at once ("database is locked") while another
    connection writes, without the busy timeout; CI saw the second server fail to start.
    """
    path = tmp_path / "events.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # the other server, creating its tables
    holder.execute("CREATE TABLE events (x INTEGER)")
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        engine = patches.fast_sqlite_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("SELECT count(*) FROM events")).scalar() == 0
    finally:
        release.join()
        holder.close()
