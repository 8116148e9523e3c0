"""Messenger channels: platform payloads in, native buttons out, limits kept, widget JSON dropped."""

from __future__ import annotations

import pytest

from bot.channels import telegram
from bot.channels.limits import ELLIPSIS, distinct_titles, shorten, split_text
from bot.channels.messenger import MessengerOutput, page_messages, quick_replies
from bot.channels.platform import ApiCall, Incoming
from bot.channels.telegram import TelegramOutput, callback_data, inline_keyboard, payload_of, updates
from bot.channels.whatsapp import WhatsAppOutput, account_messages, interactive_messages


def buttons(n: int, title: str = "Topic number {i} with a long title") -> list[dict[str, str]]:
    return [{"title": title.format(i=i), "payload": f"/topic_{i}"} for i in range(n)]


# --- limits


def test_shorten_cuts_after_a_word_with_an_ellipsis():
    assert shorten("Residence permit", 20) == "Residence permit"
    assert shorten("Recognition of qualifications", 20) == "Recognition of" + ELLIPSIS
    assert shorten("Uzturēšanās atļauja Latvijā", 20) == "Uzturēšanās atļauja" + ELLIPSIS
    assert shorten("Donaudampfschifffahrtsgesellschaft", 10) == "Donaudamp" + ELLIPSIS
    assert all(len(shorten("word " * 20, n)) <= n for n in range(2, 40))


def test_titles_made_equal_by_the_cut_are_told_apart():
    titles = distinct_titles(["Social insurance for workers", "Social insurance for children", "Other"], 20)
    assert len(set(titles)) == 3 and all(len(t) <= 20 for t in titles)


def test_split_text_at_paragraphs_then_words():
    text = "First paragraph.\n\nSecond paragraph is longer than the first one."
    assert split_text(text, 30) == ["First paragraph.", "Second paragraph is longer", "than the first one."]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("  ", 10) == []


# --- Telegram


def private(text: str | None = None, chat_type: str = "private", **extra) -> dict:
    message = {"message_id": 1, "from": {"id": 5, "is_bot": False, "first_name": "A"}, "chat": {"id": 5, "type": chat_type}, "date": 1}
    if text is not None:
        message["text"] = text
    return {"update_id": 100, "message": {**message, **extra}}


def test_telegram_text_message():
    assert updates(private("hello")) == [Incoming("update:100", "5", "hello")]


def test_telegram_start_is_the_greeting_and_media_has_no_words():
    assert updates(private("/start"))[0].text == "/greet"
    assert updates(private("/start@MigrantBot ref"))[0].text == "/greet"
    assert updates(private(None, sticker={"file_id": "x"}))[0].text == ""
    assert updates(private(None, photo=[{"file_id": "x"}], caption="Is this my permit?"))[0].text == "Is this my permit?"


@pytest.mark.parametrize(
    "update",
    [
        private("hello", chat_type="group"),
        private("hello", chat_type="supergroup"),
        {"update_id": 1, "edited_message": private("hello")["message"]},
        {"update_id": 1, "channel_post": {"message_id": 1, "chat": {"id": -1, "type": "channel"}, "date": 1, "text": "x"}},
        {"update_id": 1, "my_chat_member": {}},
        {"update_id": "1", "message": private("hello")["message"]},
        {"update_id": True, "message": private("hello")["message"]},
        {"message": private("hello")["message"]},
        {"update_id": 1, "message": {**private("hi")["message"], "from": {"id": 5, "is_bot": True, "first_name": "B"}}},
        {"update_id": 1, "message": "nonsense"},
        {"update_id": 1, "callback_query": {"id": "q", "data": "/greet"}},  # an inline-mode press: no chat
    ],
)
def test_telegram_updates_without_a_private_user_message_are_ignored(update):
    assert updates(update) == []


def test_telegram_button_press_is_its_payload():
    query = {
        "id": "q1",
        "from": {"id": 5, "is_bot": False, "first_name": "A"},
        "message": {
            "message_id": 9,
            "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
            "chat": {"id": 5, "type": "private"},
            "date": 1,
        },
        "chat_instance": "1",
        "data": "/residence_permit",
    }
    assert updates({"update_id": 7, "callback_query": query}) == [Incoming("update:7", "5", "/residence_permit", callback_id="q1")]


def test_telegram_callback_data_keeps_the_64_byte_limit_and_finds_the_payload_again(pack):
    short = '/change_language{"language":"uk"}'
    assert callback_data(short) == short
    long_text = "Я все ще перебуваю за кордоном і хочу знати більше"  # a text payload over 64 bytes
    data = callback_data(long_text)
    assert len(data.encode()) <= 64 and payload_of(data) == long_text


def test_telegram_hashed_payload_is_found_after_a_restart(monkeypatch, pack):
    monkeypatch.setattr(telegram, "CALLBACK_DATA_BYTES", 10)  # make a real payload "too long"
    payload = '/office_lookup{"office":"ocma"}'
    data = callback_data(payload)
    assert data.startswith("#")
    telegram._sent_hashes.clear()
    assert payload_of(data) == payload
    assert payload_of("#0000") == ""


def test_telegram_inline_keyboard_one_button_a_row_with_full_titles():
    keyboard = inline_keyboard(buttons(9))
    assert len(keyboard["inline_keyboard"]) == 9
    assert keyboard["inline_keyboard"][0] == [{"text": "Topic number 0 with a long title", "callback_data": "/topic_0"}]


def test_telegram_long_text_is_split_and_the_keyboard_goes_last():
    calls = TelegramOutput(client=None).calls("5", "word " * 1000, buttons(2), "en")
    assert len(calls) == 2 and all(len(c.body["text"]) <= 4096 for c in calls)
    assert "reply_markup" in calls[-1].body and "reply_markup" not in calls[0].body
    assert {c.path for c in calls} == {"sendMessage"} and {c.body["chat_id"] for c in calls} == {"5"}


# --- Messenger


def event(**content) -> dict:
    return {"sender": {"id": "PSID"}, "recipient": {"id": "PAGE"}, "timestamp": 1, **content}


def page(*events) -> dict:
    return {"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": list(events)}]}


def test_messenger_text_quick_reply_and_postback():
    got = page_messages(
        page(
            event(message={"mid": "m1", "text": "hello"}),
            event(message={"mid": "m2", "text": "Work permit", "quick_reply": {"payload": "/work_permit"}}),
            event(postback={"mid": "m3", "title": "Get Started", "payload": "/greet"}),
            event(postback={"title": "Old", "payload": "/healthcare"}),
            event(message={"mid": "m4", "attachments": [{"type": "image", "payload": {"url": "https://x"}}]}),
        )
    )
    assert [(i.user_id, i.text) for i in got] == [
        ("PSID", "hello"),
        ("PSID", "/work_permit"),
        ("PSID", "/greet"),
        ("PSID", "/healthcare"),
        ("PSID", ""),
    ]
    assert [i.key for i in got[:3]] == ["mid:m1", "mid:m2", "postback:m3"]
    assert got[3].key.startswith("postback:PSID:1:")


@pytest.mark.parametrize(
    "payload",
    [
        page(event(message={"mid": "m1", "text": "our answer", "is_echo": True})),
        page(event(delivery={"mids": ["m1"], "watermark": 1})),
        page(event(read={"watermark": 1})),
        page(event(reaction={"mid": "m1", "action": "react", "emoji": "👍"})),
        page({"recipient": {"id": "PAGE"}, "message": {"mid": "m", "text": "no sender"}}),
        {"object": "page", "entry": [{"id": "PAGE", "standby": [event(message={"mid": "m", "text": "x"})]}]},
        {"object": "instagram", "entry": [{"messaging": [event(message={"mid": "m", "text": "x"})]}]},
        {"object": "page", "entry": "nonsense"},
        {"object": "page", "entry": [None, {"messaging": [None, 1]}]},
    ],
)
def test_messenger_events_without_a_user_message_are_ignored(payload):
    assert page_messages(payload) == []


def test_messenger_quick_replies_keep_13_and_20_characters():
    replies = quick_replies(buttons(15))
    assert len(replies) == 13
    assert all(len(r["title"]) <= 20 and r["content_type"] == "text" for r in replies)
    assert [r["payload"] for r in replies] == [f"/topic_{i}" for i in range(13)]


def test_messenger_long_text_is_split_and_quick_replies_go_last():
    calls = MessengerOutput(client=None).calls("PSID", "word " * 500, buttons(3), "en")
    assert len(calls) == 2 and all(len(c.body["message"]["text"]) <= 2000 for c in calls)
    assert "quick_replies" in calls[-1].body["message"] and calls[0].body["recipient"] == {"id": "PSID"}
    assert all(c.body["messaging_type"] == "RESPONSE" and c.path == "me/messages" for c in calls)


# --- WhatsApp


def wa(message: dict, phone_number_id: str = "PNID") -> dict:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "1", "phone_number_id": phone_number_id},
        "messages": [message],
    }
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"value": value, "field": "messages"}]}]}


def msg(kind: str, content: dict, mid: str = "wamid.1") -> dict:
    return {"from": "37120000000", "id": mid, "timestamp": "1", "type": kind, kind: content}


@pytest.mark.parametrize(
    ("message", "text"),
    [
        (msg("text", {"body": "hello"}), "hello"),
        (msg("interactive", {"type": "button_reply", "button_reply": {"id": "/greet", "title": "Menu"}}), "/greet"),
        (msg("interactive", {"type": "list_reply", "list_reply": {"id": "/healthcare", "title": "Health care"}}), "/healthcare"),
        (msg("button", {"payload": "/greet", "text": "Menu"}), "/greet"),
        (msg("image", {"id": "1", "mime_type": "image/jpeg", "caption": "my card"}), "my card"),
        (msg("sticker", {"id": "1", "mime_type": "image/webp"}), ""),
        (msg("audio", {"id": "1", "voice": True}), ""),
        (msg("location", {"latitude": 56.9, "longitude": 24.1}), ""),
        (msg("unsupported", {}) | {"errors": [{"code": 131051}]}, ""),
    ],
)
def test_whatsapp_messages(message, text):
    assert account_messages(wa(message), "PNID") == [Incoming("message:wamid.1", "37120000000", text)]


@pytest.mark.parametrize(
    "payload",
    [
        wa(msg("reaction", {"message_id": "wamid.0", "emoji": "👍"})),
        wa(msg("system", {"body": "changed number"})),
        wa(msg("text", {"body": "to another number"}), phone_number_id="OTHER"),
        wa({"id": "wamid.1", "type": "text", "text": {"body": "no sender"}}),
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"phone_number_id": "PNID"},
            "statuses": [{"id": "wamid.1", "status": "read", "timestamp": "1", "recipient_id": "371"}]}}]}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "account_update", "value": {}}]}]},
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": [{"changes": "x"}, None]},
    ],
)  # fmt: skip
def test_whatsapp_events_without_a_user_message_are_ignored(payload):
    assert account_messages(payload, "PNID") == []


def test_whatsapp_three_buttons_are_reply_buttons():
    (message,) = interactive_messages("Which language?", buttons(3, "Button {i} with a much too long title"), "en")
    interactive = message["interactive"]
    assert interactive["type"] == "button"
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [r["id"] for r in replies] == ["/topic_0", "/topic_1", "/topic_2"]
    assert all(len(r["title"]) <= 20 for r in replies) and len({r["title"] for r in replies}) == 3


def test_whatsapp_more_buttons_are_a_list_with_full_titles_in_descriptions():
    (message,) = interactive_messages("Choose a topic", buttons(8), "uk")
    interactive = message["interactive"]
    assert interactive["type"] == "list" and interactive["action"]["button"] == "Вибрати"
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 8 and all(len(r["title"]) <= 24 for r in rows)
    assert rows[0]["description"] == "Topic number 0 with a long title"
    short = interactive_messages("x", buttons(4, "Short {i}"), "en")[0]["interactive"]["action"]["sections"][0]["rows"]
    assert "description" not in short[0]


def test_whatsapp_thirteen_buttons_are_two_lists_and_none_is_lost():
    messages = interactive_messages("Which office do you need?", buttons(13), "lv")
    assert len(messages) == 2
    rows = [r["id"] for m in messages for s in m["interactive"]["action"]["sections"] for r in s["rows"]]
    assert rows == [f"/topic_{i}" for i in range(13)]
    assert messages[0]["interactive"]["body"]["text"] == "Which office do you need?"
    assert messages[1]["interactive"]["body"]["text"] == "Vēl iespējas:"


def test_whatsapp_long_text_with_buttons_keeps_the_body_limit():
    messages = interactive_messages("word " * 1200, buttons(2), "en")
    assert [m["type"] for m in messages][-1] == "interactive"
    assert len(messages[-1]["interactive"]["body"]["text"]) <= 1024
    assert all(len(m["text"]["body"]) <= 4096 for m in messages if m["type"] == "text")
    assert interactive_messages("plain", [], "en") == [{"type": "text", "text": {"body": "plain"}}]


def test_whatsapp_calls_go_to_the_phone_number():
    (call,) = WhatsAppOutput(client=None, phone_number_id="PNID").calls("371", "hi", [], None)
    assert call.path == "PNID/messages"
    assert call.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "371",
        "type": "text",
        "text": {"body": "hi"},
    }


# --- the widget's JSON never goes out


class Recorder:
    def __init__(self) -> None:
        self.calls: list[ApiCall] = []

    async def post(self, call: ApiCall) -> bool:
        self.calls.append(call)
        return True


@pytest.mark.parametrize("output", [TelegramOutput, MessengerOutput, lambda client: WhatsAppOutput(client, "PNID")])
async def test_custom_json_is_dropped_text_and_buttons_sent(output):
    recorder = Recorder()
    channel = output(recorder)
    custom = {"meta": {"label": "greet", "entry": None, "lang": "en"}, "office_card": {"name": "OCMA"}, "direction": "ltr"}
    await channel.send_response("telegram:5", {"text": None, "custom": custom, "lang": "en"})
    assert recorder.calls == []
    await channel.send_response("x:5", {"text": "Hello", "buttons": buttons(2), "custom": {}, "lang": "en", "timestamp": 1})
    assert recorder.calls and "meta" not in str([c.body for c in recorder.calls])


async def test_a_platform_that_cannot_be_reached_is_logged_not_raised(caplog):
    from bot.channels.platform import PlatformClient
    from tests.e2e.servers import free_port

    client = PlatformClient(f"http://127.0.0.1:{free_port()}")
    try:
        assert await client.post(ApiCall("sendMessage", {"chat_id": "1", "text": "hi"})) is False
    finally:
        await client.close()
    assert "sendMessage failed" in caplog.text


async def test_a_refused_call_is_logged_with_the_platforms_answer(caplog):
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.channels.platform import PlatformClient

    async def refuse(request: web.Request) -> web.Response:
        assert request.query["access_token"] == "t" and (await request.json())["recipient"] == {"id": "1"}
        return web.json_response({"error": {"message": "Invalid OAuth access token", "code": 190}}, status=400)

    app = web.Application()
    app.router.add_post("/v1/me/messages", refuse)
    async with TestServer(app) as server:
        client = PlatformClient(str(server.make_url("/v1")), params={"access_token": "t"})
        try:
            assert await client.post(ApiCall("me/messages", {"recipient": {"id": "1"}, "message": {"text": "hi"}})) is False
        finally:
            await client.close()
    assert "messages answered 400" in caplog.text and "Invalid OAuth" in caplog.text
