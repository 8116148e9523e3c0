"""Rasa's SQL event broker (bot/rasa_server/event_broker.py) against the running assistant: what reaches it, and deletion.

The assistant of tests/e2e/conftest.py runs with the repository's
endpoints.yml and no ``MIGRANT_BOT_EVENTS_URL``: the broker writes
``events.db`` beside the conversation store, a database of its own.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import requests

from tests.e2e.platforms import next_id, post_telegram, telegram_message


def broker_events(workdir: Path, sender: str) -> list[dict]:
    """The events the broker stored for ``sender``, oldest first (each with its row's ``type_name``)."""
    with sqlite3.connect(workdir / "events.db") as db:
        rows = db.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [{**json.loads(data), "_type_name": type_name} for type_name, data in rows]


def test_the_broker_has_its_own_database_beside_the_conversation_store(assistant):
    assistant.send(f"broker-{next_id()}", "hello")
    with sqlite3.connect(assistant.workdir / "events.db") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(events)")]
        schema = db.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    assert columns == ["id", "sender_id", "data", "type_name", "timestamp", "intent_name"]  # Rasa's three, and three to query by
    assert "AUTOINCREMENT" in schema  # an id is never used twice
    with sqlite3.connect(assistant.workdir / "tracker.db") as db:
        assert "type_name" in [row[1] for row in db.execute("PRAGMA table_info(events)")]  # the tracker store's table, apart


def test_rest_user_and_bot_events_reach_the_broker_with_the_reply_meta(assistant):
    sender = f"broker-{next_id()}"
    replies = assistant.send(sender, "How much does a residence permit cost?", metadata={"lang": "en"})
    events = broker_events(assistant.workdir, sender)
    kinds = [e["event"] for e in events]
    assert kinds.index("session_started") < kinds.index("user") < kinds.index("bot")
    assert all(e["_type_name"] == e["event"] and e["sender_id"] == sender for e in events)
    user = next(e for e in events if e["event"] == "user")
    assert user["input_channel"] == "rest" and user["metadata"]["lang"] == "en"
    assert user["parse_data"]["intent"]["name"] == "residence_permit"
    with sqlite3.connect(assistant.workdir / "events.db") as db:
        intents = db.execute("SELECT intent_name FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)).fetchall()
    assert intents == [("residence_permit",)]
    metas = [e["data"]["custom"]["meta"] for e in events if e["event"] == "bot" and (e["data"].get("custom") or {}).get("meta")]
    sent = [m["custom"]["meta"] for m in replies if "custom" in m]
    assert metas == sent and metas[0]["label"] == "residence_permit" and metas[0]["lang"] == "en"


def test_a_messenger_turn_keeps_its_meta_in_the_bot_event_and_never_sends_it(assistant, fake_platform):
    chat = next_id()
    assert post_telegram(assistant.url, telegram_message(chat, "Як отримати посвідку на проживання?")).status_code == 200
    events = broker_events(assistant.workdir, f"telegram:{chat}")
    user = next(e for e in events if e["event"] == "user")
    assert user["input_channel"] == "telegram"
    metas = [e["metadata"]["meta"] for e in events if e["event"] == "bot" and "meta" in (e.get("metadata") or {})]
    assert len(metas) == 1 and metas[0]["label"] == "residence_permit" and metas[0]["lang"] == "uk"
    sent = fake_platform.telegram_sent(chat)
    assert sent and not any("meta" in s or "residence_permit" in s["text"] for s in sent)


def test_deleting_a_conversation_deletes_its_broker_events_too(assistant):
    sender = f"broker-{next_id()}"
    assistant.send(sender, "hello")
    assert broker_events(assistant.workdir, sender)
    other = f"broker-{next_id()}"
    assistant.send(other, "hello")
    url = f"{assistant.url}/webhooks/rest/conversations/{sender}"
    answer = requests.delete(url, headers={"Authorization": f"Bearer {assistant.token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert broker_events(assistant.workdir, sender) == []
    assert broker_events(assistant.workdir, other), "only that conversation"
