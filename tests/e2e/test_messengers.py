"""Telegram, Messenger and WhatsApp over HTTP against the running assistant.

Webhook requests are built as the platforms document them; replies go to
``FakePlatform``, which stands in for the platforms' APIs.
"""

from __future__ import annotations

import requests

from bot.rasa_server.channels.limits import ELLIPSIS
from tests.e2e.platforms import (
    MESSENGER_APP_SECRET,
    MESSENGER_VERIFY_TOKEN,
    TELEGRAM_SECRET,
    WHATSAPP_APP_SECRET,
    WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_VERIFY_TOKEN,
    messenger_payload,
    messenger_postback,
    messenger_text,
    next_id,
    post_meta,
    post_telegram,
    telegram_button_press,
    telegram_message,
    whatsapp_message,
    whatsapp_payload,
)

UKRAINIAN_ONLY = set("іїєґІЇЄҐ")


def user_events(assistant, sender: str) -> list[dict]:
    return [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]


def last_intent(assistant, sender: str) -> str:
    return user_events(assistant, sender)[-1]["parse_data"]["intent"]["name"]


# --- Telegram


def test_telegram_message_is_answered_with_an_inline_keyboard(assistant, fake_platform, pack):
    chat = next_id()
    response = post_telegram(assistant.url, telegram_message(chat, "hello"))
    assert response.status_code == 200
    sent = fake_platform.telegram_sent(chat)
    assert sent and all(s["method"] == "sendMessage" for s in sent)
    keyboard = sent[-1]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [f"/{t}" for t in pack.menu]
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in keyboard)
    assert not any("custom" in s or "meta" in s["text"] for s in sent)
    assert user_events(assistant, f"telegram:{chat}")[0]["input_channel"] == "telegram"


def test_telegram_button_press_answers_the_chosen_topic(assistant, fake_platform):
    chat = next_id()
    press = telegram_button_press(chat, "/residence_permit")
    assert post_telegram(assistant.url, press).status_code == 200
    assert len(fake_platform.telegram_answered(press["callback_query"]["id"])) == 1, "the button stops spinning"
    assert fake_platform.telegram_sent(chat)
    assert last_intent(assistant, f"telegram:{chat}") == "residence_permit"


def test_telegram_ukrainian_is_answered_in_ukrainian(assistant, fake_platform):
    chat = next_id()
    post_telegram(assistant.url, telegram_message(chat, "Як отримати посвідку на проживання?"))
    text = " ".join(s["text"] for s in fake_platform.telegram_sent(chat))
    assert UKRAINIAN_ONLY & set(text), text
    assert last_intent(assistant, f"telegram:{chat}") == "residence_permit"


def test_telegram_forged_or_missing_secret_is_refused_and_not_handled(assistant, fake_platform):
    chat = next_id()
    for secret in ["wrong-secret", None, ""]:
        response = post_telegram(assistant.url, telegram_message(chat, "hello"), secret=secret)
        assert response.status_code == 403
    assert fake_platform.telegram_sent(chat) == []
    assert user_events(assistant, f"telegram:{chat}") == []


def test_telegram_redelivered_update_is_answered_once(assistant, fake_platform):
    chat = next_id()
    update = telegram_message(chat, "How do I get a residence permit?")
    assert post_telegram(assistant.url, update).status_code == 200
    first = len(fake_platform.telegram_sent(chat))
    assert first >= 1
    assert post_telegram(assistant.url, update).status_code == 200
    assert len(fake_platform.telegram_sent(chat)) == first
    assert len(user_events(assistant, f"telegram:{chat}")) == 1


def test_telegram_start_greets_and_a_sticker_asks_for_words(assistant, fake_platform):
    chat = next_id()
    post_telegram(assistant.url, telegram_message(chat, "/start"))
    assert last_intent(assistant, f"telegram:{chat}") == "greet"
    post_telegram(assistant.url, telegram_message(chat, None, sticker={"file_id": "x", "file_unique_id": "y", "width": 512, "height": 512}))
    sent = fake_platform.telegram_sent(chat)
    assert sent[-1]["reply_markup"]["inline_keyboard"], "the request for words offers topics"
    assert len(user_events(assistant, f"telegram:{chat}")) == 2


def test_telegram_groups_and_edits_are_acknowledged_not_answered(assistant, fake_platform):
    chat = next_id()
    group = telegram_message(chat, "How do I get a residence permit?", chat_type="group")
    edited = telegram_message(chat, "hello")
    edited["edited_message"] = edited.pop("message")
    for update in [group, edited, {"update_id": next_id(), "my_chat_member": {"chat": {"id": chat}}}]:
        assert post_telegram(assistant.url, update).status_code == 200
    assert fake_platform.telegram_sent(chat) == [] and fake_platform.telegram_sent(-chat) == []
    assert user_events(assistant, f"telegram:{chat}") == []


def test_telegram_odd_bodies_get_400_not_500(assistant):
    for body in [b"not json", b"[1, 2]"]:
        response = requests.post(
            f"{assistant.url}/webhooks/telegram/webhook",
            data=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            timeout=30,
        )
        assert response.status_code == 400


# --- Facebook Messenger


def test_messenger_subscription_check(assistant):
    url = f"{assistant.url}/webhooks/messenger/webhook"
    params = {"hub.mode": "subscribe", "hub.verify_token": MESSENGER_VERIFY_TOKEN, "hub.challenge": "1158201444"}
    ok = requests.get(url, params=params, timeout=30)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    bad = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}, timeout=30)
    assert bad.status_code == 403


def test_messenger_message_is_answered_with_quick_replies(assistant, fake_platform, pack):
    psid = str(next_id())
    response = post_meta(assistant.url, "messenger", messenger_payload(messenger_text(psid, "hello")), MESSENGER_APP_SECRET)
    assert response.status_code == 200
    sent = fake_platform.messenger_sent(psid)
    replies = sent[-1]["quick_replies"]
    assert [r["payload"] for r in replies] == [f"/{t}" for t in pack.menu]
    assert all(r["content_type"] == "text" and len(r["title"]) <= 20 for r in replies)
    long_titles = [pack.topics[t].translations["en"].title for t in pack.menu if len(pack.topics[t].translations["en"].title) > 20]
    assert not long_titles or any(r["title"].endswith(ELLIPSIS) for r in replies)
    assert all(set(m) <= {"text", "quick_replies"} for m in sent), "no widget JSON"


def test_messenger_quick_reply_and_postback_answer_the_chosen_topic(assistant, fake_platform):
    psid = str(next_id())
    pressed = messenger_text(psid, "Work permit", quick_reply="/work_permit")
    post_meta(assistant.url, "messenger", messenger_payload(pressed), MESSENGER_APP_SECRET)
    assert last_intent(assistant, f"messenger:{psid}") == "work_permit"
    post_meta(assistant.url, "messenger", messenger_payload(messenger_postback(psid, "/healthcare", "Health care")), MESSENGER_APP_SECRET)
    assert last_intent(assistant, f"messenger:{psid}") == "healthcare"
    assert len(fake_platform.messenger_sent(psid)) >= 2


def test_messenger_ukrainian_is_answered_in_ukrainian_with_ukrainian_quick_replies(assistant, fake_platform, pack):
    psid = str(next_id())
    post_meta(assistant.url, "messenger", messenger_payload(messenger_text(psid, "Привіт! Які є теми?")), MESSENGER_APP_SECRET)
    sent = fake_platform.messenger_sent(psid)
    assert UKRAINIAN_ONLY & set(" ".join(m["text"] for m in sent))
    titles = [r["title"] for r in sent[-1]["quick_replies"]]
    full = [pack.topics[t].translations["uk"].title for t in pack.menu]
    for title, name in zip(titles, full, strict=True):
        assert title == name or (title.endswith(ELLIPSIS) and name.startswith(title[:-1])), (title, name)


def test_messenger_forged_or_missing_signature_is_refused_and_not_handled(assistant, fake_platform):
    psid = str(next_id())
    payload = messenger_payload(messenger_text(psid, "hello"))
    assert post_meta(assistant.url, "messenger", payload, "not-the-app-secret").status_code == 403
    assert post_meta(assistant.url, "messenger", payload, None).status_code == 403
    assert fake_platform.messenger_sent(psid) == []
    assert user_events(assistant, f"messenger:{psid}") == []


def test_messenger_redelivery_is_answered_once_and_echoes_are_ignored(assistant, fake_platform):
    psid = str(next_id())
    event = messenger_text(psid, "How do I get a residence permit?")
    echo = {**messenger_text("PAGE_ID", "an answer"), "sender": {"id": psid}}
    echo["message"]["is_echo"] = True
    delivery = {"sender": {"id": psid}, "recipient": {"id": "PAGE_ID"}, "delivery": {"mids": ["m_1"], "watermark": 1}}
    assert post_meta(assistant.url, "messenger", messenger_payload(event), MESSENGER_APP_SECRET).status_code == 200
    first = len(fake_platform.messenger_sent(psid))
    for payload in [messenger_payload(event), messenger_payload(echo, delivery)]:
        assert post_meta(assistant.url, "messenger", payload, MESSENGER_APP_SECRET).status_code == 200
    assert len(fake_platform.messenger_sent(psid)) == first >= 1
    assert len(user_events(assistant, f"messenger:{psid}")) == 1


# --- WhatsApp Cloud API


def test_whatsapp_subscription_check(assistant):
    url = f"{assistant.url}/webhooks/whatsapp/webhook"
    ok = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": WHATSAPP_VERIFY_TOKEN, "hub.challenge": "42"}, timeout=30)
    assert (ok.status_code, ok.text) == (200, "42")
    assert requests.get(url, params={"hub.mode": "subscribe", "hub.challenge": "42"}, timeout=30).status_code == 403


def test_whatsapp_message_is_answered_with_an_interactive_list(assistant, fake_platform, pack):
    wa_id = f"3712{next_id()}"
    response = post_meta(assistant.url, "whatsapp", whatsapp_message(wa_id, "text", {"body": "hello"}), WHATSAPP_APP_SECRET)
    assert response.status_code == 200
    sent = fake_platform.whatsapp_sent(wa_id)
    interactive = sent[-1]["interactive"]
    assert interactive["type"] == "list"  # 8 topics: more than 3 reply buttons allow
    rows = [r for s in interactive["action"]["sections"] for r in s["rows"]]
    assert [r["id"] for r in rows] == [f"/{t}" for t in pack.menu]
    assert all(len(r["title"]) <= 24 for r in rows) and len(interactive["action"]["button"]) <= 20
    assert all(m["messaging_product"] == "whatsapp" and m["type"] in ("text", "interactive") for m in sent)


def test_whatsapp_list_reply_answers_the_chosen_topic(assistant, fake_platform):
    wa_id = f"3712{next_id()}"
    reply = {"type": "list_reply", "list_reply": {"id": "/language_courses", "title": "Latvian courses"}}
    post_meta(assistant.url, "whatsapp", whatsapp_message(wa_id, "interactive", reply), WHATSAPP_APP_SECRET)
    assert last_intent(assistant, f"whatsapp:{wa_id}") == "language_courses"
    assert fake_platform.whatsapp_sent(wa_id)


def test_whatsapp_language_buttons_are_reply_buttons_and_a_press_switches(assistant, fake_platform):
    wa_id = f"3712{next_id()}"
    post_meta(assistant.url, "whatsapp", whatsapp_message(wa_id, "text", {"body": "change language"}), WHATSAPP_APP_SECRET)
    last = fake_platform.whatsapp_sent(wa_id)[-1]["interactive"]
    assert last["type"] == "list"  # four languages
    press = {"type": "button_reply", "button_reply": {"id": '/change_language{"language":"uk"}', "title": "Українська"}}
    post_meta(assistant.url, "whatsapp", whatsapp_message(wa_id, "interactive", press), WHATSAPP_APP_SECRET)
    post_meta(assistant.url, "whatsapp", whatsapp_message(wa_id, "text", {"body": "hello"}), WHATSAPP_APP_SECRET)
    menu = fake_platform.whatsapp_sent(wa_id)[-1]["interactive"]
    assert menu["action"]["button"] == "Вибрати"


def test_whatsapp_ukrainian_is_answered_in_ukrainian(assistant, fake_platform):
    wa_id = f"3712{next_id()}"
    question = whatsapp_message(wa_id, "text", {"body": "Як отримати посвідку на проживання?"})
    post_meta(assistant.url, "whatsapp", question, WHATSAPP_APP_SECRET)
    sent = fake_platform.whatsapp_sent(wa_id)
    text = " ".join(m["text"]["body"] if m["type"] == "text" else m["interactive"]["body"]["text"] for m in sent)
    assert UKRAINIAN_ONLY & set(text), text


def test_whatsapp_thirteen_offices_become_two_lists(assistant, fake_platform, pack):
    wa_id = f"3712{next_id()}"
    reply = {"type": "list_reply", "list_reply": {"id": "/office_lookup", "title": "Offices"}}
    post_meta(assistant.url, "whatsapp", whatsapp_message(wa_id, "interactive", reply), WHATSAPP_APP_SECRET)
    lists = [m["interactive"] for m in fake_platform.whatsapp_sent(wa_id) if m["type"] == "interactive"]
    rows = [r["id"] for li in lists for s in li["action"]["sections"] for r in s["rows"]]
    reachable = [o.id for o in pack.offices.values() if o.phone or o.email]
    assert rows == [f'/office_lookup{{"office":"{o}"}}' for o in reachable]
    assert all(sum(len(s["rows"]) for s in li["action"]["sections"]) <= 10 for li in lists)
    assert len(lists) == -(-len(reachable) // 10)


def test_whatsapp_forged_or_missing_signature_is_refused_and_not_handled(assistant, fake_platform):
    wa_id = f"3712{next_id()}"
    payload = whatsapp_message(wa_id, "text", {"body": "hello"})
    assert post_meta(assistant.url, "whatsapp", payload, MESSENGER_APP_SECRET).status_code == 403
    assert post_meta(assistant.url, "whatsapp", payload, None).status_code == 403
    assert fake_platform.whatsapp_sent(wa_id) == []
    assert user_events(assistant, f"whatsapp:{wa_id}") == []


def test_whatsapp_redelivery_once_and_statuses_ignored(assistant, fake_platform):
    wa_id = f"3712{next_id()}"
    payload = whatsapp_message(wa_id, "text", {"body": "How do I get a residence permit?"})
    assert post_meta(assistant.url, "whatsapp", payload, WHATSAPP_APP_SECRET).status_code == 200
    first = len(fake_platform.whatsapp_sent(wa_id))
    statuses = whatsapp_payload({"statuses": [{"id": "wamid.x", "status": "delivered", "timestamp": "1", "recipient_id": wa_id}]})
    other_number = whatsapp_message(wa_id, "text", {"body": "hello"})
    other_number["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999" + WHATSAPP_PHONE_NUMBER_ID
    reaction = whatsapp_message(wa_id, "reaction", {"message_id": "wamid.x", "emoji": "👍"})
    for body in [payload, statuses, other_number, reaction]:
        assert post_meta(assistant.url, "whatsapp", body, WHATSAPP_APP_SECRET).status_code == 200
    assert len(fake_platform.whatsapp_sent(wa_id)) == first >= 1
    assert len(user_events(assistant, f"whatsapp:{wa_id}")) == 1


def test_whatsapp_voice_note_is_asked_to_be_written(assistant, fake_platform):
    wa_id = f"3712{next_id()}"
    voice = whatsapp_message(wa_id, "audio", {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "1", "voice": True})
    assert post_meta(assistant.url, "whatsapp", voice, WHATSAPP_APP_SECRET).status_code == 200
    assert fake_platform.whatsapp_sent(wa_id)[-1]["type"] == "interactive", "the request for words offers topics"


# --- REST may not reach messenger conversations


def test_rest_refuses_messenger_sender_ids(assistant):
    chat = next_id()
    post_telegram(assistant.url, telegram_message(chat, "hello"))
    for sender in [f"telegram:{chat}", f"Telegram:{chat}", "whatsapp:37120000000", "messenger:1"]:
        response = requests.post(f"{assistant.url}/webhooks/rest/webhook", json={"sender": sender, "message": "hi"}, timeout=30)
        assert response.status_code == 400, sender
    assert len(user_events(assistant, f"telegram:{chat}")) == 1


def test_redelivery_after_a_restart_is_still_answered_once(assistant, fake_platform):
    chat = next_id()
    update = telegram_message(chat, "hello")
    assert post_telegram(assistant.url, update).status_code == 200
    first = len(fake_platform.telegram_sent(chat))
    assistant.stop("rasa")
    assistant.start_rasa()
    assert post_telegram(assistant.url, update).status_code == 200
    assert len(fake_platform.telegram_sent(chat)) == first >= 1
    assert len(user_events(assistant, f"telegram:{chat}")) == 1
