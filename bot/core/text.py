"""Cleaning of users' text before anything reads it.

Used on every incoming message by the channels and on every training example
by the builder, so that the model sees text the same way in both.
"""

from __future__ import annotations

import re
import unicodedata

#: Longest message the assistant reads; the rest is cut (Telegram's limit).
MAX_MESSAGE_CHARS = 4096

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u02b9\u0060\u00b4\u2032\u02bb"})
_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u00ab\u00bb\u2033"})
_SPACE = re.compile(r"\s+")
_LEADING_SLASHES = re.compile(r"^[\s/]+")
_TERMINAL_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _is_unreadable(char: str) -> bool:
    category = unicodedata.category(char)
    # control, surrogate, unassigned, private use, format (zero-width joiners stay
    # inside emoji sequences, which is harmless for the model, so they go too)
    return category in {"Cc", "Cs", "Cn", "Co"} or char == "\ufffd"


def normalize_user_text(text: object) -> str:
    """Returns ``text`` cleaned for understanding.

    - Unicode NFC, so "ā" typed as "a" + combining macron matches "ā";
    - one kind of apostrophe (Ukrainian м'ясо is written with five different
      ones) and of double quote, so tokens do not split on them;
    - terminal escape sequences, control characters and invalid code points
      removed, white space folded;
    - a leading "/" removed: Rasa reads "/intent{...}" as a forced intent, and
      no user text may do that (buttons go through ``bot.core.payloads``);
    - cut to ``MAX_MESSAGE_CHARS``.
    """
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text[: MAX_MESSAGE_CHARS * 2])
    text = _TERMINAL_ESCAPES.sub(" ", text.translate(_APOSTROPHES).translate(_QUOTES))
    text = "".join(" " if _is_unreadable(c) else c for c in text)
    text = _LEADING_SLASHES.sub("", _SPACE.sub(" ", text)).strip()
    return text[:MAX_MESSAGE_CHARS]


def has_words(text: str) -> bool:
    """True when ``text`` holds at least two letters (of any script): something to read."""
    return sum(unicodedata.category(c).startswith("L") for c in text) >= 2


def words_only(text: str) -> str:
    """``text`` lowercased with its punctuation dropped: how a held-out question is told from a training example.

    "Kas ir attaisnotie izdevumi?" and "kas ir attaisnotie izdevumi" are the same
    question to the classifier, whose features ignore punctuation.
    """
    return " ".join(re.findall(r"\w+", text.lower()))
