"""The Rasa server speed-ups validate exactly as Rasa does and make SQLite commit in WAL mode."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from sqlalchemy import create_engine, text

from bot import rasa_speedups

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
    assert rasa_speedups.validate_action_result(None, VALID) is True


@pytest.mark.parametrize("reply", INVALID)
def test_an_invalid_reply_fails_with_rasas_error(reply):
    # Rasa's own check is jsonschema.validate against this schema
    with pytest.raises(ValidationError) as rasas:
        validate(reply, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response") as ours:
        rasa_speedups.validate_action_result(None, reply)
    assert ours.value.message.startswith(rasas.value.message)
    assert list(ours.value.path) == list(rasas.value.path)


def test_install_replaces_rasas_validation():
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is rasa_speedups.validate_action_result
    with pytest.raises(ValidationError):
        RemoteAction("action_x", None)._validate_action_result(INVALID[0])


def test_sqlite_engines_commit_in_wal_mode(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    rasa_speedups.sqlite_fast_commits(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_other_databases_are_left_alone(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    engine.dialect.name = "postgresql"  # pretend: no listener may be added
    rasa_speedups.sqlite_fast_commits(engine)
    engine.dialect.name = "sqlite"
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "delete"

