"""What a messenger user sees: each platform's own formatting, Telegram's app language, the guide's sample updates.

Requests go to the running assistant as the platforms send them; replies go
to ``FakePlatform``, which records the API calls.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest

from tests.e2e.platforms import (
    MESSENGER_APP_SECRET,
    TELEGRAM_GUIDE_IGNORED,
    WHATSAPP_APP_SECRET,
    messenger_payload,
    messenger_text,
    next_id,
    post_meta,
    post_telegram,
    telegram_button_press,
    telegram_guide_updates,
    telegram_message,
    whatsapp_message,
)

UKRAINIAN_ONLY = set("іїєґІЇЄҐ")
RUSSIAN_ONLY = set("ыэёъЫЭЁЪ")
QUESTION = "How do I get a residence permit?"  # its answer has a list ("- ") and links
#: what must never reach a messenger user: Markdown marks and HTML other than Telegram's
MARKDOWN_LEFT = re.compile(r"\*\*|\]\(https?://|^- ", re.MULTILINE)


class TelegramHtml(HTMLParser):
    """Fails on a tag Telegram's HTML mode would refuse or an unbalanced one; keeps the visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.visible = ""
        self.feed(text)
        self.close()
        assert self.open == [], text

    def handle_starttag(self, tag, attrs):
        assert tag in ("b", "a"), tag
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open.pop() == tag

    def handle_data(self, data):
        self.visible += data


def telegram_texts(fake_platform, chat: int) -> list[dict]:
    return [c for c in fake_platform.telegram_sent(chat) if c["method"] == "sendMessage"]


def rasa_log(assistant) -> str:
    return (assistant.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")


# --- formatting


def test_telegram_answer_is_html_with_bullets_and_no_markdown_left(assistant, fake_platform):
    chat = next_id()
    assert post_telegram(assistant.url, telegram_message(chat, QUESTION, language_code="en")).status_code == 200
    sent = telegram_texts(fake_platform, chat)
    assert sent and all(s["parse_mode"] == "HTML" and s["link_preview_options"] == {"is_disabled": True} for s in sent)
    visible = [TelegramHtml(s["text"]).visible for s in sent]
    assert any(line.startswith("• ") for text in visible for line in text.splitlines()), visible
    assert not any(MARKDOWN_LEFT.search(text) for text in visible), visible
    assert all(len(text) <= 4096 for text in visible)


def test_whatsapp_answer_has_its_own_bullets_and_no_markdown_left(assistant, fake_platform):
    wa_id = f"3712{next_id()}"
    post_meta(assistant.url, "whatsapp", whatsapp_message(wa_id, "text", {"body": QUESTION}), WHATSAPP_APP_SECRET)
    sent = fake_platform.whatsapp_sent(wa_id)
    bodies = [m["text"]["body"] if m["type"] == "text" else m["interactive"]["body"]["text"] for m in sent]
    assert any(line.startswith("• ") for body in bodies for line in body.splitlines()), bodies
    assert not any(MARKDOWN_LEFT.search(body) or "<b>" in body for body in bodies), bodies


def test_messenger_answer_is_plain_text_with_bullets(assistant, fake_platform):
    psid = str(next_id())
    post_meta(assistant.url, "messenger", messenger_payload(messenger_text(psid, QUESTION)), MESSENGER_APP_SECRET)
    texts = [m["text"] for m in fake_platform.messenger_sent(psid)]
    assert any(line.startswith("• ") for text in texts for line in text.splitlines()), texts
    assert not any(MARKDOWN_LEFT.search(text) or "<b>" in text or re.search(r"(?<!\*)\*[^*\s]", text) for text in texts), texts


# --- Telegram's language_code


def test_telegram_start_greets_in_the_users_app_language(assistant, fake_platform):
    chat = next_id()
    post_telegram(assistant.url, telegram_message(chat, "/start", language_code="uk"))
    text = " ".join(TelegramHtml(s["text"]).visible for s in telegram_texts(fake_platform, chat))
    assert UKRAINIAN_ONLY & set(text), text
    buttons = telegram_texts(fake_platform, chat)[-1]["reply_markup"]["inline_keyboard"]
    assert UKRAINIAN_ONLY & set(" ".join(row[0]["text"] for row in buttons)), "the topics too"


def test_telegram_first_button_press_is_answered_in_the_users_app_language(assistant, fake_platform):
    chat = next_id()
    post_telegram(assistant.url, telegram_button_press(chat, "/residence_permit", language_code="ru-RU"))
    text = " ".join(TelegramHtml(s["text"]).visible for s in telegram_texts(fake_platform, chat))
    assert RUSSIAN_ONLY & set(text), text


def test_a_message_clearly_in_another_language_is_answered_in_that_language(assistant, fake_platform):
    chat = next_id()
    post_telegram(assistant.url, telegram_message(chat, QUESTION, language_code="uk"))
    sent = telegram_texts(fake_platform, chat)
    text = " ".join(TelegramHtml(s["text"]).visible for s in sent)
    assert sent and not UKRAINIAN_ONLY & set(text) and "residence permit" in text.lower(), text
    # and the hint never pins the conversation: the next button keeps its language (English)
    post_telegram(assistant.url, telegram_button_press(chat, "/work_permit", language_code="uk"))
    later = " ".join(TelegramHtml(s["text"]).visible for s in telegram_texts(fake_platform, chat)[len(sent) :])
    assert later and not UKRAINIAN_ONLY & set(later), later


def test_a_language_the_pack_does_not_speak_is_not_a_hint(assistant, fake_platform):
    chat = next_id()
    post_telegram(assistant.url, telegram_message(chat, "/start", language_code="de"))
    events = [e for e in assistant.tracker(f"telegram:{chat}")["events"] if e["event"] == "user"]
    assert events[-1].get("metadata", {}).get("lang_hint") is None
    text = " ".join(TelegramHtml(s["text"]).visible for s in telegram_texts(fake_platform, chat))
    assert text and not (UKRAINIAN_ONLY | RUSSIAN_ONLY) & set(text), "the pack's default, English"


# --- the sample updates of Telegram's webhook guide


@pytest.mark.parametrize("name", sorted(telegram_guide_updates(1)))
def test_telegram_guide_sample_is_answered_or_logged(assistant, fake_platform, name):
    user = next_id()
    update = telegram_guide_updates(user)[name]
    assert post_telegram(assistant.url, update).status_code == 200
    sent = telegram_texts(fake_platform, user)
    if name in TELEGRAM_GUIDE_IGNORED:
        assert sent == []
        line = f"telegram: update {update['update_id']} acknowledged, not answered: {TELEGRAM_GUIDE_IGNORED[name]}"
        deadline = time.monotonic() + 10
        while line not in rasa_log(assistant) and time.monotonic() < deadline:
            time.sleep(0.2)
        logged = [text for text in rasa_log(assistant).splitlines() if f"update {update['update_id']} " in text]
        assert len(logged) == 1 and line in logged[0], logged
        assert "Test Firstname" not in logged[0] and str(user) not in logged[0]
        return
    assert sent, f"the guide's {name!r} sample was not answered"
    if name == "callback query without message":
        assert fake_platform.telegram_answered(update["callback_query"]["id"]), "the button stops spinning"
