import pytest

from bot.core.text import MAX_MESSAGE_CHARS, has_words, normalize_user_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("м’ясо", "м'ясо"),
        ("мʼясо", "м'ясо"),
        ("м`ясо", "м'ясо"),
        ("«віза»", '"віза"'),
        ("  many   spaces\n\there ", "many spaces here"),
        ("/greet", "greet"),
        ('/change_language{"language":"ru"}', 'change_language{"language":"ru"}'),
        ("/ /restart", "restart"),
        ("bad\x00byte\x1b[31mred\x1b[0m", "bad byte red"),
        ("a\u0304", "ā"),  # combining macron composes to one letter
    ],
)
def test_normalize_user_text(raw, expected):
    assert normalize_user_text(raw) == expected


def test_normalize_cuts_very_long_messages():
    assert len(normalize_user_text("x" * 10_000)) == MAX_MESSAGE_CHARS


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["list"]])
def test_normalize_turns_non_text_into_empty(value):
    assert normalize_user_text(value) == ""


@pytest.mark.parametrize(
    ("text", "expected"), [("👍🎉", False), ("", False), ("123 !?", False), ("J", False), ("ok 👍", True), ("你好", True)]
)
def test_has_words(text, expected):
    assert has_words(text) is expected
