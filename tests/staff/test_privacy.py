"""Privacy in the staff app: deleting a conversation by id, the retention job and its inbox archive, masking in the inbox.

The conversation store is a real SQLite database with Rasa's ``events`` table
and the channels' ``channel_seen_updates`` (declared in bot.core.privacy.erase),
filled as the Rasa server and the channels fill them, with the event broker's
database beside it (bot.core.event_log, where the inbox reads the questions); the staff app runs as a
real process over HTTP, and the retention command as an operator runs it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import time
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert

from bot.core import event_log
from bot.core.privacy.erase import events, metadata, seen_updates
from bot.core.privacy.masking import Masked
from bot.staff import inbox
from tests.staff.harness import ADMIN_EMAIL, Browser, add_staff

DAY = 86400.0
OLD = "telegram:4242"  # last message 40 days ago
OLD_QUIET = "web:0f3a"  # last message 35 days ago, nothing for the inbox
ACTIVE = "telegram:4242_1"  # old messages, and one yesterday; its id starts like OLD's
OLD_QUESTION = "kā pagarināt uzturēšanās atļauju, mans tālrunis +371 29 123 456"
UNHELPED_QUESTION = "vai varu strādāt ar studentu vīzu? anna.berzina@inbox.lv"


def _user(sender: str, at: float, text: str, intent: str, entities: list | None = None) -> dict:
    data = {
        "event": "user",
        "timestamp": at,
        "text": text,
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": 0.3}, "entities": entities or []},
        "metadata": {"lang": "lv"},
    }
    return {"sender_id": sender, "type_name": "user", "timestamp": at, "intent_name": intent, "action_name": None, "data": json.dumps(data)}


def _bot(sender: str, at: float) -> dict:
    data = {"event": "bot", "timestamp": at, "text": "Atbilde."}
    return {"sender_id": sender, "type_name": "bot", "timestamp": at, "intent_name": None, "action_name": None, "data": json.dumps(data)}


def conversation_store(path: Path, now: float | None = None) -> str:
    """A conversation store with three conversations (see the constants above); its URL."""
    now = time.time() if now is None else now
    mark = [{"entity": "feedback", "value": "unhelpful", "start": 0, "end": 0}]
    rows = [
        _user(OLD, now - 41 * DAY, OLD_QUESTION, "nlu_fallback"),
        _bot(OLD, now - 41 * DAY + 1),
        _user(OLD, now - 40 * DAY, UNHELPED_QUESTION, "work_permit"),
        _user(OLD, now - 40 * DAY + 600, '/ask_human{"feedback":"unhelpful"}', "ask_human", mark),  # pressed 10 minutes later
        _bot(OLD, now - 40 * DAY + 601),
        _user(OLD_QUIET, now - 35 * DAY, "sveiki", "greet"),
        _bot(OLD_QUIET, now - 35 * DAY + 1),
        _user(ACTIVE, now - 50 * DAY, "kur ir tuvākā bibliotēka", "out_of_scope"),
        _user(ACTIVE, now - 1 * DAY, "paldies", "thank"),
    ]
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    metadata.create_all(engine)
    keys = [f"{OLD}#telegram:1", f"{OLD}#telegram:2", f"{ACTIVE}#telegram:3", f"{OLD_QUIET}#web:4", "telegram:42420#telegram:5"]
    with engine.begin() as conn:
        conn.execute(insert(events), rows)
        conn.execute(insert(seen_updates), [{"key": key, "seen_at": now} for key in keys])
    engine.dispose()
    # the same events as Rasa's event broker publishes them, beside the store (the default MIGRANT_BOT_EVENTS_URL)
    broker = create_engine(f"sqlite:///{path.parent / 'events.db'}")
    event_log.metadata.create_all(broker)
    with broker.begin() as conn:
        conn.execute(insert(event_log.broker_events), [event_log.row({**json.loads(r["data"]), "sender_id": r["sender_id"]}) for r in rows])
    broker.dispose()
    return url


def _senders(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("select sender_id, count(*) from events group by sender_id").fetchall())


def _keys(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return sorted(row[0] for row in db.execute("select key from channel_seen_updates"))


def _stored_anywhere(root: Path, text: str) -> bool:
    """Whether ``text`` is in any file of the staff database (free pages and journals included)."""
    return any(text.encode() in path.read_bytes() for path in root.glob("staff.db*"))


def _retention_recorded(root: Path) -> bool:
    """Whether a run of the retention job has finished: its audit record is the last thing it writes."""
    with sqlite3.connect(root / "staff.db") as db:
        return db.execute("select count(*) from staff_audit_log where action = 'retention'").fetchone()[0] > 0


def _archive(root: Path) -> list[tuple]:
    with sqlite3.connect(root / "staff.db") as db:
        return db.execute("select text, lang, reason, at from staff_inbox_archive order by at").fetchall()


# --- an admin deletes a conversation by id -------------------------------------------------------------------------


@pytest.fixture
def with_conversations(fresh_server, tmp_path):
    """A staff app (SQLite) reading a conversation store with the three conversations; the store's path."""
    path = tmp_path / "tracker.db"
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=conversation_store(path))
    return server, path


async def test_an_admin_deletes_a_conversation_after_confirming_and_the_audit_log_keeps_no_id(with_conversations):
    server, path = with_conversations
    browsers = await add_staff(server)
    admin = browsers["admin"]
    status, page, _ = await admin.get("/privacy")
    assert status == 200 and "Conversations are deleted 30 days after their last message" in page
    status, page, _ = await admin.post("/privacy/conversation", {"conversation": f"  {OLD} "})
    shown = unescape(page)
    assert status == 200 and f"The conversation {OLD} has 5 events" in shown and 'id="confirm-delete"' in page
    assert "uzturēšanās" not in shown and "29 123 456" not in shown  # never a message
    status, page, _ = await admin.post("/privacy/conversation/delete", {"conversation": OLD})  # not confirmed
    assert status == 400 and "Tick the box" in page and _senders(path)[OLD] == 5
    status, page, _ = await admin.post("/privacy/conversation/delete", {"conversation": OLD}, token="")
    assert status == 403 and _senders(path)[OLD] == 5  # CSRF-protected like every form
    status, page, _ = await admin.post("/privacy/conversation/delete", {"conversation": OLD, "confirm": "yes"})
    label = "sha256:" + hashlib.sha256(OLD.encode()).hexdigest()[:12]
    assert status == 200 and f"The conversation was deleted (5 events). The audit log names it {label}." in unescape(page)
    assert _senders(path) == {OLD_QUIET: 2, ACTIVE: 2}  # the id's prefix matched no other conversation
    assert _senders(path.parent / "events.db") == {OLD_QUIET: 2, ACTIVE: 2}  # the event broker's copies went too
    assert _keys(path) == sorted([f"{OLD_QUIET}#web:4", f"{ACTIVE}#telegram:3", "telegram:42420#telegram:5"])
    with sqlite3.connect(server.root / "staff.db") as db:
        actor, target, before, after = db.execute(
            "select actor, target, before, after from staff_audit_log where action = 'conversation.delete'"
        ).fetchone()
    assert (actor, target, before, json.loads(after)) == (ADMIN_EMAIL, label, None, {"events": 5})
    assert not _stored_anywhere(server.root, OLD) and not _stored_anywhere(server.root, "29 123 456")
    _, audit_page, _ = await admin.get("/audit")
    assert label in audit_page and OLD not in audit_page
    status, page, _ = await admin.post("/privacy/conversation", {"conversation": OLD})
    assert status == 404 and "There is no conversation with this id" in unescape(page)
    for browser in browsers.values():
        await browser.close()


@pytest.mark.parametrize("role", ["editor", "translator", "publisher", "anonymous"])
async def test_only_an_admin_deletes_conversations(with_conversations, role):
    server, path = with_conversations
    browsers = await add_staff(server)
    browser = browsers[role]
    status, _, _ = await browser.get("/privacy")
    assert status == (303 if role == "anonymous" else 403)
    await browser.get("/" if role != "anonymous" else "/sign-in")
    for action in ("/privacy/conversation", "/privacy/conversation/delete"):
        status, _, _ = await browser.post(action, {"conversation": OLD, "confirm": "yes"})
        assert status == (401 if role == "anonymous" else 403)
    assert _senders(path)[OLD] == 5
    for browser in browsers.values():
        await browser.close()


@pytest.mark.parametrize("value", ["", " ", "x" * 256, "telegram:1\x00"])
async def test_a_conversation_id_that_cannot_be_one_is_refused(with_conversations, value):
    server, path = with_conversations
    browsers = await add_staff(server)
    status, page, _ = await browsers["admin"].post("/privacy/conversation/delete", {"conversation": value, "confirm": "yes"})
    assert status == 400 and "Enter the conversation id" in page
    assert sum(_senders(path).values()) == 9
    for browser in browsers.values():
        await browser.close()


# --- the retention job -----------------------------------------------------------------------------------------------


def _expected_archive() -> list[tuple[str, str, str]]:
    """What the archive holds of the old conversation: its two inbox questions, masked by the shared masking."""
    return [(inbox.mask(OLD_QUESTION), "lv", "nlu_fallback"), (inbox.mask(UNHELPED_QUESTION), "lv", "unhelpful")]


async def test_the_retention_command_deletes_idle_conversations_and_archives_their_questions_masked(fresh_server, tmp_path):
    path = tmp_path / "tracker.db"
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=conversation_store(path))
    with sqlite3.connect(server.root / "staff.db") as db:  # archived questions: one past its 180 days, one not
        add = "insert into staff_inbox_archive (text, lang, reason, at) values (?, 'lv', 'out_of_scope', ?)"
        db.execute(add, ("vecs", time.time() - 181 * DAY))
        db.execute(add, ("jauns", time.time() - 60 * DAY))
    ran = server.command("retention")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == (
        "Deleted 2 conversations (7 events) idle for more than 30 days; archived 2 unanswered questions from them "
        "(masked, without the sender); deleted 1 archived questions older than 180 days. "
        "Deleted 7 events of idle conversations from the event broker's database."
    )
    assert _senders(path) == {ACTIVE: 2}  # idle for 1 day: all of it stays, its 50-day-old message too
    assert _keys(path) == sorted([f"{ACTIVE}#telegram:3", "telegram:42420#telegram:5"])
    archived = _archive(server.root)
    assert [row[:3] for row in archived] == [("jauns", "lv", "out_of_scope"), *_expected_archive()]
    with sqlite3.connect(server.root / "staff.db") as db:
        columns = [row[1] for row in db.execute("pragma table_info(staff_inbox_archive)")]
        audit = db.execute("select actor, target, after from staff_audit_log where action = 'retention'").fetchall()
    assert columns == ["id", "text", "lang", "reason", "at"]  # nothing that links a question to a person
    assert not _stored_anywhere(server.root, OLD) and not _stored_anywhere(server.root, OLD_QUIET)
    summary = {"archive_deleted": 1, "archived": 2, "broker_events": 7, "conversations": 2, "events": 7}
    assert audit == [("retention job", "", json.dumps(summary))]
    again = server.command("retention")
    assert again.returncode == 0 and again.stdout.startswith("Deleted 0 conversations (0 events)")
    assert len(_archive(server.root)) == 3
    # the inbox shows the archived questions with the live ones
    browsers = await add_staff(server)
    _, page, _ = await browsers["editor"].get("/inbox")
    shown = unescape(page)
    assert all(text in shown for text, _, _ in _expected_archive()) and "kur ir tuvākā bibliotēka" in shown
    assert "Open questions: 4." in shown  # two archived, one archived 60 days ago, one live (the 50-day-old one)
    for browser in browsers.values():
        await browser.close()


async def test_the_retention_periods_come_from_the_environment(fresh_server, tmp_path):
    path = tmp_path / "tracker.db"
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=conversation_store(path))
    ran = server.command("retention", extra={"MIGRANT_BOT_RETENTION_DAYS": "38", "MIGRANT_BOT_INBOX_RETENTION_DAYS": "40"})
    assert ran.returncode == 0, ran.stderr
    assert "Deleted 1 conversations (5 events) idle for more than 38 days" in ran.stdout  # OLD_QUIET (35 days) stays
    # a question older than the inbox's own period is not archived, only deleted: the fallback was 41 days ago
    assert [row[:3] for row in _archive(server.root)] == _expected_archive()[1:]
    assert set(_senders(path)) == {OLD_QUIET, ACTIVE}
    bad = server.command("retention", extra={"MIGRANT_BOT_RETENTION_DAYS": "a month"})
    assert bad.returncode != 0 and "MIGRANT_BOT_RETENTION_DAYS" in bad.stderr


async def test_retention_on_a_store_without_conversations_changes_nothing(fresh_server, tmp_path):
    missing = tmp_path / "never-created.db"
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=f"sqlite:///{missing}")
    ran = server.command("retention")
    assert ran.returncode == 0 and ran.stdout.startswith("Deleted 0 conversations (0 events)"), ran.stderr
    assert not missing.exists()  # the staff app never creates the assistant's database
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # a fresh store: the tables are not there yet
    ran = server.command("retention", extra={"MIGRANT_BOT_DATABASE_URL": f"sqlite:///{empty}"})
    assert ran.returncode == 0 and ran.stdout.startswith("Deleted 0 conversations (0 events)"), ran.stderr


async def test_the_staff_app_runs_the_retention_job_by_itself(fresh_server, tmp_path):
    path = tmp_path / "tracker.db"
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=conversation_store(path), MIGRANT_BOT_STAFF_HOUSEKEEPING_DELAY_S="1")
    deadline = time.monotonic() + 30
    # the job expires conversations one by one and writes its audit record last: wait for that, not for the first deletion
    while not _retention_recorded(server.root) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert _senders(path) == {ACTIVE: 2}
    assert [row[:3] for row in _archive(server.root)] == _expected_archive()


# --- masking in the inbox (bot.core.privacy.masking) -----------------------------------------------------------------------


def _fake_masking(text: str) -> Masked:
    """A stand-in for bot.core.privacy.masking: names "Anna" and tags nothing else."""
    return Masked(text.replace("Anna", "[name]"), ("name",) if "Anna" in text else ())


def test_the_inbox_masks_with_the_shared_masking(monkeypatch):
    monkeypatch.setattr(inbox, "mask_personal_data", _fake_masking)
    assert inbox.mask("Anna asks about a visa") == "[name] asks about a visa"
    row = {"data": json.dumps({"text": "Anna: vīza?", "metadata": {"lang": "lv"}}), "timestamp": 5.0, "intent_name": "nlu_fallback"}
    question = inbox._question(row)
    assert question is not None and (question.text, question.lang, question.reason) == ("[name]: vīza?", "lv", "nlu_fallback")


def test_a_question_with_personal_data_or_a_placeholder_is_not_safe_to_train_on(monkeypatch):
    monkeypatch.setattr(inbox, "mask_personal_data", _fake_masking)
    assert inbox.personal_data_tags("kā pagarināt vīzu") == []
    assert inbox.personal_data_tags("Anna grib pagarināt vīzu") == ["[name]"]  # unmasked data the staff member typed in
    assert inbox.personal_data_tags("zvaniet [phone] vai rakstiet [e-mail]") == ["[e-mail]", "[phone]"]
    assert inbox.personal_data_tags("dzimis [date of birth]") == ["[date of birth]"]


async def test_adding_an_inbox_question_that_still_holds_a_placeholder_is_refused(sqlite_staff):
    server, browsers = sqlite_staff
    editor: Browser = browsers["editor"]
    topic = (server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8")
    await editor.get("/inbox")
    status, page, _ = await editor.post("/inbox/example", {"example": "kā atvērt kontu, zvaniet [phone]", "topic": "banking", "lang": "lv"})
    assert status == 400 and "This question contains personal data or a placeholder for it ([phone])" in unescape(page)
    assert (server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8") == topic
    status, page, _ = await editor.post(
        "/inbox/example", {"example": "kā atvērt kontu bankā ātri", "topic": "banking", "lang": "lv", "confirm": "1"}
    )
    assert status == 303, page  # reworded: added
