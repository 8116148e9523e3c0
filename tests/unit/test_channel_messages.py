"""Messenger channels: platform payloads in, native buttons out, limits kept, widget JSON dropped."""

from __future__ import annotations

import logging

import pytest

from bot.rasa_server.channels import telegram
from bot.rasa_server.channels.limits import ELLIPSIS, distinct_titles, shorten
from bot.rasa_server.channels.messenger import MessengerOutput, page_messages, quick_replies
from bot.rasa_server.channels.platform import ApiCall, Incoming
from bot.rasa_server.channels.telegram import Ignored, TelegramOutput, callback_data, inline_keyboard, payload_of, read_update, updates
from bot.rasa_server.channels.whatsapp import WhatsAppOutput, account_messages, interactive_messages
from tests.e2e.platforms import TELEGRAM_GUIDE_IGNORED, telegram_guide_updates


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


def test_telegram_language_code_is_a_hint_from_the_message_or_the_button():
    update = private("/start")
    update["message"]["from"]["language_code"] = "uk"
    assert updates(update)[0].lang_hint == "uk"
    update["message"]["from"]["language_code"] = "pt-BR"
    assert updates(update)[0].lang_hint == "pt", "the guard keeps it only when the pack speaks it"
    for odd in [None, 7, "", "not a language tag", "u"]:
        update["message"]["from"]["language_code"] = odd
        assert updates(update)[0].lang_hint is None
    press = guide_samples()["callback query without message"]
    press["callback_query"]["from"]["language_code"] = "ru"
    assert updates(press)[0].lang_hint == "ru"
    assert Incoming("k", "5", "x", lang_hint="uk").metadata() == {"lang_hint": "uk"}
    assert Incoming("k", "5", "x").metadata() is None


def guide_samples() -> dict[str, dict]:
    return telegram_guide_updates(1111111)


@pytest.mark.parametrize("name", sorted(guide_samples()))
def test_telegram_webhook_guide_samples_are_answered_or_logged_with_a_reason(name, caplog):
    update = guide_samples()[name]
    with caplog.at_level(logging.INFO, logger="bot.rasa_server.channels.telegram"):
        found = updates(update)
    if name in TELEGRAM_GUIDE_IGNORED:
        assert found == []
        (record,) = caplog.records
        assert record.levelno == logging.INFO
        assert f"update {update['update_id']} acknowledged, not answered: {TELEGRAM_GUIDE_IGNORED[name]}" in record.getMessage()
        for personal in ["1111111", "Test", "Edited text", "1234csdbsk4839"]:  # ids, names, words, message ids
            assert personal not in record.getMessage()
        return
    assert caplog.records == []
    (incoming,) = found
    assert incoming.user_id == "1111111" and incoming.key == f"update:{update['update_id']}"
    expected = {"entities": "Bold and italics", "audio": "", "voice": "", "document": ""}
    if name == "callback query without message":
        assert (incoming.text, incoming.callback_id) == ("Data from button callback", "4382bfdwdsb323b2d9")
    else:
        assert incoming.text == expected.get(name, "/greet")


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        (private("hello", chat_type="group"), "a message in a group chat (the assistant answers private chats only)"),
        ({"update_id": 1, "my_chat_member": {}}, "the bot's membership in a chat changed"),
        ({"update_id": 1, "channel_post": {"chat": {"id": -1, "type": "channel"}, "text": "x"}}, "a channel post"),
        ({"update_id": 1, "poll": {}}, "a poll update"),
        ({"update_id": 1, "something_new": {}}, "an update of a kind this channel does not handle (something_new)"),
        ({"update_id": 1, "Ünïcode <kind>": {}}, "an update of a kind this channel does not handle (unknown)"),
        ({"update_id": 1}, "an update with nothing in it"),
        ({"update_id": "1", "message": {}}, "an update without a valid update_id"),
        ({"update_id": 1, "message": {**private("hi")["message"], "from": {"id": 5, "is_bot": True}}}, "a message from a bot"),
        ({"update_id": 1, "message": {**private("hi")["message"], "chat": {"id": -5}}}, "a message in a unknown chat"),
        ({"update_id": 1, "message": {**private("hi")["message"], "chat": {"id": 5, "type": "Sécret"}}}, "a message in a unknown chat"),
        ({"update_id": 1, "callback_query": {"id": "q", "from": {"id": 5}}}, "a button press without data"),
        ({"update_id": 1, "callback_query": "x"}, "a button press that is not an object"),
    ],
)
def test_telegram_ignored_updates_say_why(update, reason, caplog):
    found = read_update(update)
    assert isinstance(found, Ignored) and found.reason.startswith(reason)
    with caplog.at_level(logging.INFO, logger="bot.rasa_server.channels.telegram"):
        assert updates(update) == []
    assert reason in caplog.text and "Sécret" not in caplog.text and "Ünïcode" not in caplog.text


def test_telegram_private_chat_without_a_type_is_the_senders_own():
    message = private("hello")["message"]
    untyped = {"update_id": 3, "message": {**message, "chat": {"id": 5}, "from": {"id": 5, "first_name": "A"}}}
    assert updates(untyped) == [Incoming("update:3", "5", "hello")]
    someone_else = {"update_id": 3, "message": {**message, "chat": {"id": 6}, "from": {"id": 5, "first_name": "A"}}}
    assert updates(someone_else) == []


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


def test_telegram_sends_html_without_link_previews_and_plain_text_to_fall_back_on():
    (call,) = TelegramOutput(client=None).calls("5", "**Bring** <this>:\n- a [form](https://www.pmlp.gov.lv/x)", buttons(1), "en")
    assert call.body["parse_mode"] == "HTML" and call.body["link_preview_options"] == {"is_disabled": True}
    assert call.body["text"] == '<b>Bring</b> &lt;this&gt;:\n• a <a href="https://www.pmlp.gov.lv/x">form</a>'
    assert call.fallback is not None and "parse_mode" not in call.fallback.body
    assert call.fallback.body["text"] == "Bring <this>:\n• a form: https://www.pmlp.gov.lv/x"
    assert call.fallback.body["reply_markup"] == call.body["reply_markup"], "the fallback keeps the buttons"


def test_telegram_long_answer_is_split_at_paragraphs_with_every_part_balanced():
    paragraph = "**Step {i}.** Fill in the [form](https://www.pmlp.gov.lv/form-{i}) & sign it.\n- first\n- second"
    text = "\n\n".join(paragraph.format(i=i) for i in range(60))
    calls = TelegramOutput(client=None).calls("5", text, [], "en")
    assert len(calls) >= 2
    for call in calls:
        html_text = call.body["text"]
        assert html_text.count("<b>") == html_text.count("</b>") and html_text.count("<a ") == html_text.count("</a>")
        assert html_text.startswith("<b>Step ") and html_text.endswith("• second"), "cut between paragraphs"
        assert len(call.fallback.body["text"]) <= 4096


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


def test_messenger_text_is_plain_with_bullets_and_named_links():
    (call,) = MessengerOutput(client=None).calls("PSID", "**Bring:**\n- a [form](https://www.pmlp.gov.lv/x)", [], "en")
    assert call.body["message"] == {"text": "Bring:\n• a form: https://www.pmlp.gov.lv/x"}


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


def test_whatsapp_three_buttons_with_short_titles_are_reply_buttons():
    (message,) = interactive_messages("Which language?", buttons(3, "Button {i} of twenty"), "en")
    interactive = message["interactive"]
    assert interactive["type"] == "button"
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [r["id"] for r in replies] == ["/topic_0", "/topic_1", "/topic_2"]
    assert [r["title"] for r in replies] == ["Button 0 of twenty", "Button 1 of twenty", "Button 2 of twenty"]


def test_whatsapp_three_buttons_with_a_title_too_long_for_a_reply_button_are_a_list():
    # "Documents for school…" would hide what the button offers; a list row shows the whole title
    long_one = [*buttons(2, "Short {i}"), {"title": "Documents for school enrolment", "payload": "/topic_2"}]
    (message,) = interactive_messages("The answer", long_one, "en")
    interactive = message["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["/topic_0", "/topic_1", "/topic_2"]
    assert rows[2]["description"] == "Documents for school enrolment"


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


def test_whatsapp_text_has_its_own_bold_bullets_and_named_links():
    text = "**Bring:**\n- a [form](https://www.pmlp.gov.lv/x)"
    assert interactive_messages(text, [], "en") == [{"type": "text", "text": {"body": "*Bring:*\n• a form: https://www.pmlp.gov.lv/x"}}]
    (message,) = interactive_messages(text, buttons(2), "en")
    assert message["interactive"]["body"]["text"] == "*Bring:*\n• a form: https://www.pmlp.gov.lv/x"


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


class Refusing(Recorder):
    """A platform that refuses formatted text (as Telegram does HTML it cannot parse)."""

    async def post(self, call: ApiCall) -> bool:
        self.calls.append(call)
        return "parse_mode" not in call.body


async def test_a_refused_formatted_message_is_sent_again_as_plain_text():
    recorder = Refusing()
    await TelegramOutput(recorder).send_text_message("telegram:5", "**Hello** & welcome")
    assert [c.body.get("parse_mode") for c in recorder.calls] == ["HTML", None]
    assert recorder.calls[1].body["text"] == "Hello & welcome"


async def test_a_platform_that_cannot_be_reached_is_logged_not_raised(caplog):
    from bot.rasa_server.channels.platform import PlatformClient
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

    from bot.rasa_server.channels.platform import PlatformClient

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
