"""Conversations are kept in SQLite by default and in PostgreSQL when configured.

PostgreSQL comes from Debian's package (scripts/test.sh installs it); the
test starts a throw-away cluster on a free port and stops it again.
"""

from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_server.tracker_store import DatabaseUrlTrackerStore


def _conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen"),
            UserUttered("Як отримати посвідку?", {"name": "residence_permit", "confidence": 0.9}),
            ActionExecuted("action_answer_topic"),
            SlotSet("topic", "residence_permit"),
        ],
    )
    return tracker


async def _round_trip(url: str, monkeypatch) -> list:
    monkeypatch.setenv("MIGRANT_BOT_DATABASE_URL", url)
    await DatabaseUrlTrackerStore(domain=Domain.empty()).save(_conversation("kept-1"))
    # a new store, as after a restart, reads what the first one wrote
    restored = await DatabaseUrlTrackerStore(domain=Domain.empty()).retrieve("kept-1")
    return [e.as_dict()["event"] for e in restored.events] if restored else []


async def test_sqlite_keeps_conversations(tmp_path, monkeypatch):
    events = await _round_trip(f"sqlite:///{tmp_path / 'sub' / 'tracker.db'}", monkeypatch)
    assert events == ["action", "user", "action", "slot"]


async def test_postgresql_keeps_conversations(postgres_url, monkeypatch):
    events = await _round_trip(postgres_url, monkeypatch)
    assert events == ["action", "user", "action", "slot"]


def test_handled_updates_are_shared_through_postgresql(postgres_url):
    from bot.rasa_server.channels.seen import SeenUpdates

    # two stores on one database: two Rasa processes, or one before and after a restart
    first, second = SeenUpdates.from_url(postgres_url), SeenUpdates.from_url(postgres_url)
    assert first.claim_now("telegram:update:1")
    assert not second.claim_now("telegram:update:1")
    second.release_now("telegram:update:1")
    assert first.claim_now("telegram:update:1")
