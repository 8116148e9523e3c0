"""The session cache stores and returns exactly what Rasa's SQL tracker store does."""

from __future__ import annotations

import asyncio

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.rasa_server.tracker_cache import SessionCachingSQLTrackerStore, latest_session

DOMAIN = Domain.from_dict(
    {"slots": {"language": {"type": "text", "mappings": [{"type": "custom"}]}}, "actions": ["action_answer"], "intents": ["greet"]}
)


def _turn(tracker: DialogueStateTracker, text_: str, now: float) -> None:
    tracker.update(UserUttered(text_, {"name": "greet", "confidence": 1.0}, timestamp=now))
    tracker.update(ActionExecuted("action_answer", timestamp=now + 0.1))
    tracker.update(BotUttered(f"re: {text_}", timestamp=now + 0.2))
    tracker.update(SlotSet("language", "lv", timestamp=now + 0.3))
    tracker.update(ActionExecuted("action_listen", timestamp=now + 0.4))


async def _conversation(store: SQLTrackerStore) -> list[list[dict]]:
    """Three turns, a new session, two more turns; what retrieve returns after each save."""
    seen = []
    tracker = DialogueStateTracker("user-1", DOMAIN.slots)  # no wall-clock timestamps
    for number in range(6):
        if number == 3:
            tracker.update(ActionExecuted("action_session_start", timestamp=100.0 + number))
            tracker.update(SessionStarted(timestamp=100.5 + number))
            tracker.update(ActionExecuted("action_listen", timestamp=100.6 + number))
        _turn(tracker, f"message {number}", 101.0 + number)
        await store.save(tracker)
        retrieved = await store.retrieve("user-1")
        seen.append([event.as_dict() for event in retrieved.events])
        tracker = retrieved
    return seen


def _rows(store: SQLTrackerStore) -> list[tuple]:
    with store.engine.connect() as connection:
        query = "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        return list(connection.execute(text(query)))


def test_the_cache_stores_and_returns_what_rasa_does(tmp_path):
    plain = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "plain.db"))
    cached = SessionCachingSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "cached.db"))
    cached.enable_session_cache()
    assert asyncio.run(_conversation(cached)) == asyncio.run(_conversation(plain))
    assert _rows(cached) == _rows(plain)
    # a store started later reads the same session back from the database
    fresh = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "cached.db"))
    from_disk = asyncio.run(fresh.retrieve("user-1"))
    from_memory = asyncio.run(cached.retrieve("user-1"))
    assert [e.as_dict() for e in from_memory.events] == [e.as_dict() for e in from_disk.events]
    assert from_memory.events[0] == SessionStarted(timestamp=103.5)


def test_evicted_conversations_are_read_back_from_the_database(tmp_path):
    store = SessionCachingSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    store.enable_session_cache(conversations=1)

    async def talk() -> None:
        for sender in ("a", "b", "a"):
            tracker = await store.get_or_create_tracker(sender)
            _turn(tracker, f"hello from {sender}", 1.0 + len(tracker.events))
            await store.save(tracker)

    asyncio.run(talk())
    assert list(store._sessions) == ["a"]
    texts = [e.text for e in asyncio.run(store.retrieve("a")).events if isinstance(e, UserUttered)]
    assert texts == ["hello from a", "hello from a"]
    assert asyncio.run(store.retrieve("nobody")) is None


def test_latest_session_compares_timestamps_like_rasas_query():
    rows = [(1.0, "user", "a"), (2.0, "action", "b"), (3.0, "session_started", "c"), (4.0, "user", "d"), (None, "slot", "e")]
    assert latest_session(rows) == [(3.0, "session_started", "c"), (4.0, "user", "d")]
    assert latest_session(rows[:2]) == rows[:2]


def test_a_conversation_deleted_elsewhere_is_not_kept_alive_by_the_cache(tmp_path, monkeypatch):
    """The staff app or the retention job deletes rows directly: the cache reads again after CACHE_SECONDS."""
    from bot.rasa_server import tracker_cache

    store = SessionCachingSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    store.enable_session_cache()
    clock = [1000.0]
    monkeypatch.setattr(tracker_cache.time, "monotonic", lambda: clock[0])

    async def say(text_: str) -> DialogueStateTracker:
        tracker = await store.get_or_create_tracker("a")
        _turn(tracker, text_, 1.0 + len(tracker.events))
        await store.save(tracker)
        return await store.retrieve("a")

    assert asyncio.run(say("my question")) is not None
    with store.engine.begin() as connection:  # as bot.core.privacy.erase does it, from another process
        connection.execute(text("DELETE FROM events WHERE sender_id = 'a'"))
    assert asyncio.run(store.retrieve("a")) is not None, "within the cache period the copy in memory answers"
    clock[0] += tracker_cache.CACHE_SECONDS + 1
    assert asyncio.run(store.retrieve("a")) is None
