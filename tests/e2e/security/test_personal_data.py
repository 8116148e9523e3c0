"""Personal data never reaches storage or logs, and "delete my conversation" deletes everything, in every channel.

The review found "my name is Ivan Petrov, phone +371 20000000, personal code
010190-12345, passport LV1234567" word for word in ``tracker.db``, and no way
to delete a conversation. Each test sends through a real channel of the
running assistant, then searches the raw database files (with SQLite's
write-ahead log) and every server log for the details.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable

import pytest
import requests

from tests.e2e.platforms import (
    MESSENGER_APP_SECRET,
    WHATSAPP_APP_SECRET,
    messenger_payload,
    messenger_text,
    next_id,
    post_meta,
    post_telegram,
    telegram_message,
    whatsapp_message,
)
from tests.e2e.replies import meta
from tests.e2e.test_socketio import WidgetSocket

PERSONAL = ["Ivan Petrov", "+371 20000000", "20000000", "010190-12345", "LV1234567", "ivan.petrov@example.com"]
MESSAGE = (
    "my name is Ivan Petrov, phone +371 20000000, personal code 010190-12345, passport LV1234567, "
    "e-mail ivan.petrov@example.com. How do I register my address in Riga?"
)
#: the same kinds of details in the other languages (each must vanish too)
OTHER_LANGUAGES = {
    "lv": ("Mani sauc Jānis Bērziņš, tālr. 29123456. Kur deklarēt dzīvesvietu?", ["Jānis Bērziņš", "29123456"]),
    "ru": ("Меня зовут Ольга Смирнова, паспорт ab1234567. Как получить вид на жительство?", ["Ольга Смирнова", "ab1234567"]),
    "uk": (
        "Мене звати Тарас Шевчук, e-mail taras.shevchuk@example.com. Як записатися на курси латиської?",
        ["Тарас Шевчук", "taras.shevchuk@example.com"],
    ),
}


def stored_bytes(workdir: Path) -> bytes:
    """Every byte the servers wrote: the conversations' database (with its WAL) and the logs."""
    return b"".join(path.read_bytes() for path in sorted(workdir.iterdir()) if path.is_file())


def assert_nowhere(workdir: Path, details: list[str]) -> None:
    stored = stored_bytes(workdir)
    found = [d for d in details if d.encode() in stored]
    assert not found, f"stored verbatim: {found}"


def rows_of(workdir: Path, sender: str) -> tuple[int, int]:
    """(events, seen-update records) of ``sender``: events in the conversations' database and the event broker's."""
    with sqlite3.connect(workdir / "events.db") as db:  # bot/rasa_server/event_broker.py, beside the conversations
        broker = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]
    with sqlite3.connect(workdir / "tracker.db") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        events = broker + db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]
        if "channel_seen_updates" not in tables:  # no messenger update handled yet in this session
            return events, 0
        seen = db.execute("SELECT count(*) FROM channel_seen_updates WHERE key LIKE ?", (f"{sender}#%",)).fetchone()[0]
    return events, seen


# --- one way to send a message per channel: (assistant, fake_platform, text) -> (sender id, reply texts)


def via_rest(assistant, _platform, text: str, sender: str | None = None) -> tuple[str, list[str]]:
    sender = sender or f"privacy-{next_id()}"
    return sender, [r.get("text", "") for r in assistant.send(sender, text)]


async def _via_socket(assistant, texts: list[str]) -> tuple[str, list[str]]:
    async with WidgetSocket(assistant.url) as socket:
        replies: list[str] = []
        for text in texts:
            _ack, answered = await socket.ask(text)
            replies += [r.get("text", "") for r in answered]
        return socket.session_id, replies


def via_telegram(assistant, platform, text: str, chat: int | None = None) -> tuple[str, list[str]]:
    chat = chat or next_id()
    assert post_telegram(assistant.url, telegram_message(chat, text)).status_code == 200
    return f"telegram:{chat}", [s["text"] for s in platform.telegram_sent(chat)]


def via_messenger(assistant, platform, text: str, psid: str | None = None) -> tuple[str, list[str]]:
    psid = psid or str(next_id())
    response = post_meta(assistant.url, "messenger", messenger_payload(messenger_text(psid, text)), MESSENGER_APP_SECRET)
    assert response.status_code == 200
    return f"messenger:{psid}", [s.get("text", "") for s in platform.messenger_sent(psid)]


def via_whatsapp(assistant, platform, text: str, wa_id: str | None = None) -> tuple[str, list[str]]:
    wa_id = wa_id or f"3712{next_id()}"
    response = post_meta(assistant.url, "whatsapp", whatsapp_message(wa_id, "text", {"body": text}), WHATSAPP_APP_SECRET)
    assert response.status_code == 200
    return f"whatsapp:{wa_id}", [str(s.get("text", {}).get("body", "") or s) for s in platform.whatsapp_sent(wa_id)]


SYNC_CHANNELS: dict[str, Callable] = {"rest": via_rest, "telegram": via_telegram, "messenger": via_messenger, "whatsapp": via_whatsapp}


@pytest.mark.parametrize("channel", sorted(SYNC_CHANNELS))
def test_personal_data_is_masked_before_it_is_stored_or_logged(assistant, fake_platform, channel):
    sender, replies = SYNC_CHANNELS[channel](assistant, fake_platform, MESSAGE)
    assert replies, "the question is still answered"
    assert any("personal details" in r for r in replies), replies  # the user is told why
    user = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert user and "[name]" in user[-1]["text"] and "[phone]" in user[-1]["text"], user[-1]["text"]
    assert_nowhere(assistant.workdir, PERSONAL)


async def test_personal_data_over_socketio_is_masked_too(assistant):
    sender, replies = await _via_socket(assistant, [MESSAGE])
    assert any("personal details" in r for r in replies), replies
    assert_nowhere(assistant.workdir, PERSONAL)
    assert "[document]" in [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"][-1]["text"]


@pytest.mark.parametrize("lang", sorted(OTHER_LANGUAGES))
def test_personal_data_in_other_languages_is_masked(assistant, lang):
    text, details = OTHER_LANGUAGES[lang]
    replies = assistant.send(f"privacy-{lang}-{next_id()}", text)
    assert meta(replies)["lang"] == lang
    assert_nowhere(assistant.workdir, details)


def test_a_message_of_personal_details_only_is_not_an_emergency(assistant):
    replies = assistant.send(
        f"privacy-{next_id()}", "my name is Ivan Petrov, phone +371 20000000, personal code 010190-12345, passport LV1234567"
    )
    assert meta(replies)["label"] != "emergency"


@pytest.mark.parametrize("channel", sorted(SYNC_CHANNELS))
def test_delete_my_conversation_leaves_no_row_of_the_sender(assistant, fake_platform, channel):
    send = SYNC_CHANNELS[channel]
    sender, _ = send(assistant, fake_platform, "How do I get a residence permit?")
    platform_id = sender.split(":", 1)[1] if ":" in sender else sender  # telegram:123 -> 123
    if channel == "telegram":
        platform_id = int(platform_id)
    events, seen = rows_of(assistant.workdir, sender)
    assert events > 0 and (seen > 0 or channel == "rest"), "there is something to delete"
    _, replies = send(assistant, fake_platform, "delete my conversation", platform_id)
    assert any("deleted" in r for r in replies), replies
    assert rows_of(assistant.workdir, sender) == (0, 0)
    assert assistant.tracker(sender)["events"] in ([], None) or all(e["event"] != "user" for e in assistant.tracker(sender)["events"])


async def test_delete_over_socketio_and_the_widget_payload(assistant):
    sender, replies = await _via_socket(assistant, ["How do I get a residence permit?", "/delete_conversation"])
    assert any("deleted" in r for r in replies), replies
    assert rows_of(assistant.workdir, sender) == (0, 0)


@pytest.mark.parametrize(
    ("command", "expected"),
    [("izdzēst manu sarunu", "izdzēsta"), ("удалите мою переписку", "удален"), ("видаліть мою розмову", "видален")],
)
def test_delete_is_understood_and_confirmed_in_each_language(assistant, command, expected):
    sender = f"privacy-{next_id()}"
    assistant.send(sender, "hello")
    replies = [r.get("text", "") for r in assistant.send(sender, command)]
    assert any(expected in r.lower() for r in replies), replies
    assert rows_of(assistant.workdir, sender)[0] == 0


def test_telegram_delete_command(assistant, fake_platform):
    sender, _ = via_telegram(assistant, fake_platform, "hello")
    chat = int(sender.split(":")[1])
    via_telegram(assistant, fake_platform, "/delete", chat)
    assert rows_of(assistant.workdir, sender) == (0, 0)


def test_privacy_notice_is_answered_and_the_greeting_points_to_it(assistant):
    sender = f"privacy-{next_id()}"
    greeting = " ".join(r.get("text", "") for r in assistant.send(sender, "hello"))
    assert "delete my conversation" in greeting and "30 days" in greeting
    notice = " ".join(r.get("text", "") for r in assistant.send(sender, "privacy"))
    assert "30 days" in notice and "placeholders" in notice
    latvian = " ".join(r.get("text", "") for r in assistant.send(sender, "privātums"))
    assert "30 dien" in latvian


def test_an_integrating_backend_or_the_operator_deletes_over_rest(assistant):
    """Rasa's PUT .../tracker/events [] answered 200 and left every row: here a DELETE that deletes."""
    sender = f"privacy-{next_id()}"
    assistant.send(sender, "How do I get a residence permit?")
    url = f"{assistant.url}/webhooks/rest/conversations/{sender}"
    assert requests.delete(url, timeout=30).status_code == 401
    assert requests.delete(url, headers={"Authorization": "Bearer wrong"}, timeout=30).status_code == 401
    assert rows_of(assistant.workdir, sender)[0] > 0
    answer = requests.delete(url, headers={"Authorization": f"Bearer {assistant.token}"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["deleted_events"] > 0
    assert rows_of(assistant.workdir, sender) == (0, 0)
