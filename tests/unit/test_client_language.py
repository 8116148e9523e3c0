"""The language a client tells: ``lang``, rasa-webchat's ``language``, Telegram's ``lang_hint``; and the socket.io text."""

from __future__ import annotations

import pytest

from bot.core.language.choose import choose_reply_language
from bot.core.language.detect import Detection
from bot.rasa_server.channels.guard import clean_metadata
from bot.rasa_server.channels.socketio import ContractSocketIOOutput


@pytest.mark.parametrize(
    ("metadata", "cleaned"),
    [
        ({"lang": "uk"}, {"lang": "uk"}),
        ({"lang": "UK"}, {"lang": "uk"}),
        ({"lang": "uk-UA"}, {"lang": "uk"}),
        ({"language": "uk"}, {"lang": "uk"}),  # rasa-webchat's customData
        ({"language": "lv_LV"}, {"lang": "lv"}),
        ({"lang": "ru", "language": "uk"}, {"lang": "ru"}),  # the widget's own key wins
        ({"lang": "de", "language": "uk"}, {"lang": "uk"}),
        ({"lang_hint": "ru"}, {"lang_hint": "ru"}),
        ({"lang_hint": "pt"}, {}),  # only the pack's languages
        ({"lang": "xx", "language": 7, "lang_hint": ["uk"]}, {}),
        ({"lang": "uk" * 40}, {}),
        ({"lang": "en", "lang_hint": "uk", "session_id": "x", "sender": "telegram:1"}, {"lang": "en", "lang_hint": "uk"}),
        ("lang=uk", {}),
        (None, {}),
    ],
)
def test_clean_metadata_keeps_the_languages_the_pack_speaks(pack, metadata, cleaned):
    assert clean_metadata(metadata, pack) == cleaned


UNSURE_RU = Detection("ru", False, "statistical", 0.6)
SURE_RU = Detection("ru", True, "unique letters", 1.0)


@pytest.mark.parametrize(
    ("kwargs", "lang", "reason"),
    [
        # a first "/start" or button press: nothing but the hint tells
        ({"detection": None, "conversation": None}, "uk", "hint"),
        # a first message that is unsure: the hint decides before a guess
        ({"detection": UNSURE_RU, "conversation": None}, "uk", "hint"),
        # a message clearly in another language: answered in that language
        ({"detection": SURE_RU, "conversation": None}, "ru", "message"),
        # the conversation already has a language: a button keeps it
        ({"detection": None, "conversation": "lv"}, "lv", "conversation"),
    ],
)
def test_a_language_hint_decides_only_what_nothing_else_tells(kwargs, lang, reason):
    choice = choose_reply_language(requested=None, client=None, chosen=None, default="en", hint="uk", **kwargs)
    assert (choice.lang, choice.reason) == (lang, reason)


def test_a_client_choice_beats_the_hint():
    choice = choose_reply_language(requested=None, client="lv", chosen=None, detection=None, conversation=None, default="en", hint="uk")
    assert (choice.lang, choice.reason) == ("lv", "client")


class Emitted:
    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def emit(self, event: str, data: dict, room: str) -> None:
        self.messages.append(data)


ANSWER = "You need:\n- a passport\n- a photo\n\n**PMLP**\nČiekurkalna 1. līnija 1\nPhone: +371 67219191"


async def test_socketio_sends_our_widget_each_text_as_one_message_as_it_is():
    sio = Emitted()
    output = ContractSocketIOOutput(sio, "bot_uttered")
    await output.send_text_message("room", ANSWER)
    await output.send_text_with_buttons("room", "Which city?", [{"title": "Rīga", "payload": "/city"}, {"title": None}])
    assert sio.messages == [
        {"text": ANSWER},
        {"text": "Which city?", "quick_replies": [{"content_type": "text", "title": "Rīga", "payload": "/city"}]},
    ]


async def test_socketio_sends_a_markdown_client_commonmark_with_hard_line_breaks():
    sio = Emitted()
    await ContractSocketIOOutput(sio, "bot_uttered", markdown=True).send_text_message("room", ANSWER)
    assert sio.messages == [{"text": "You need:\n\n- a passport\n- a photo\n\n**PMLP**  \nČiekurkalna 1. līnija 1  \nPhone: +371 67219191"}]
