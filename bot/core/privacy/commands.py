"""The two privacy commands every channel understands: delete my conversation, and privacy.

They are recognised before Rasa sees the message, by fixed phrases rather than
the classifier: deleting is not something to guess, and a deleted
conversation must not first be stored as a new turn. A command is the whole
message ("delete my conversation", "izdzēst manu sarunu", "удалите мою
переписку", "/delete"), so a question that only mentions deleting ("how do I
delete my bank account?") stays a question.
"""

from __future__ import annotations

import re
from enum import Enum

from bot.core.offices.places import plain


class Command(Enum):
    """What the user asked for."""

    DELETE = "delete"
    PRIVACY = "privacy"


#: The widget's menu item and a Telegram command send these.
DELETE_PAYLOAD = "/delete_conversation"
PRIVACY_PAYLOAD = "/privacy"

_POLITE_WORDS = r"(?:please|pls|ludzu|пожалуйста|будь ласка)"
_POLITE = rf"(?:{_POLITE_WORDS} )?"
_MY = (
    r"(?:(?:all )?(?:my|this|the|our) |(?:visu )?(?:manu|musu|so) "
    r"|(?:всю |все )?(?:мою|мой|мои|эту|этот|нашу|наш|свою|свой|свои) "
    r"|(?:всю |всі )?(?:мою|мої|мій|цю|цей|нашу|свою|свої) )?"
)
_THINGS = (
    r"(?:conversation|conversations|chat|chats|chat history|history|messages|data|personal data"
    r"|sarunu|sarunas|saraksti|vesturi|zinas|datus|personas datus|terzesanu"
    r"|переписку|беседу|разговор|историю|чат|сообщения|данные|диалог"
    r"|розмову|історію|повідомлення|дані|діалог)"
)
_DELETE_VERBS = (
    r"(?:delete|erase|remove|clear|forget|wipe"
    r"|dzest|izdzest|izdzes|izdzesiet|dzesiet|dzes|nodzest|nodzes"
    r"|удалить|удали|удалите|стереть|сотри|сотрите|очистить|очисти|очистите"
    r"|видалити|видали|видаліть|стерти|зітри|зітріть|очистити|очисти|очистіть)"
)
# the phrases are folded as the messages are (``_fold``), so they may be written with their diacritics
_DELETE = re.compile(plain(rf"^{_POLITE}{_DELETE_VERBS} {_POLITE}{_MY}{_THINGS}(?: {_POLITE_WORDS})?$"))
_FORGET_ME = re.compile(r"^(?:please )?forget (?:me|about me)$")
_PRIVACY = re.compile(
    plain(
        r"^(?:privacy|privacy policy|privacy notice|data protection|privatums|privatuma politika|datu aizsardziba"
        r"|конфиденциальность|политика конфиденциальности|защита данных|приватность"
        r"|приватність|конфіденційність|політика конфіденційності|захист даних)$"
    )
)
_TRAILING = re.compile(r"[\s.!?…]+$")


def _fold(text: str) -> str:
    """The text as phrases are matched: ``plain``, commas and trailing punctuation dropped, spaces folded.

    ``plain`` is how the project compares words (lowercase, no diacritics:
    Latvian is often typed without them).
    """
    return " ".join(_TRAILING.sub("", plain(text).replace(",", " ")).split())


def command_of(text: object) -> Command | None:
    """The privacy command ``text`` is, or None for anything else."""
    if not isinstance(text, str) or len(text) > 80:
        return None
    raw = text.strip()
    if raw in (DELETE_PAYLOAD, "/delete"):
        return Command.DELETE
    if raw == PRIVACY_PAYLOAD:
        return Command.PRIVACY
    folded = _fold(raw)
    if _DELETE.match(folded) or _FORGET_ME.match(folded):
        return Command.DELETE
    if _PRIVACY.match(folded):
        return Command.PRIVACY
    return None


_UKRAINIAN_LETTERS = frozenset("іїєґ")
#: Ukrainian command words without a letter Russian lacks ("видалити мою розмову")
_UKRAINIAN_WORDS = re.compile(r"\b(?:видал\w*|розмов\w*|зітр\w*|стерти|будь ласка)")
_LATVIAN_WORDS = re.compile(
    r"\b(?:dzest|izdzest|izdzes|izdzesiet|dzesiet|dzes|nodzest|nodzes|sarun\w*|manu|privatum\w*|datu|datus|ludzu|vesturi)\b"
)


def command_language(text: str) -> str | None:
    """The language a typed command is written in (en, lv, ru, uk), or None for a payload."""
    folded = _fold(text)
    if folded.startswith("/"):
        return None
    letters = [c for c in folded if c.isalpha()]
    if any("\u0400" <= c <= "\u04ff" for c in letters):
        return "uk" if _UKRAINIAN_LETTERS & set(folded) or _UKRAINIAN_WORDS.search(folded) else "ru"
    return "lv" if _LATVIAN_WORDS.search(folded) else "en"
