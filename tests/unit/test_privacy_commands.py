"""The privacy commands: whole-message phrases in four languages, never a question that only mentions deleting."""

from __future__ import annotations

import pytest

from bot.core.privacy.commands import DELETE_PAYLOAD, PRIVACY_PAYLOAD, Command, command_language, command_of
from bot.core.privacy.notice import privacy_notice, privacy_summary
from tests.conftest import real_languages

DELETE = [
    ("delete my conversation", "en"),
    ("Delete my conversation!", "en"),
    ("please delete my data", "en"),
    ("remove my chat history", "en"),
    ("forget me", "en"),
    ("dzēst manu sarunu", "lv"),
    ("Lūdzu, izdzēsiet manu sarunu", "lv"),
    ("izdzest manu sarunu", "lv"),  # typed without diacritics
    ("удалите мою переписку", "ru"),
    ("Удалить историю", "ru"),
    ("удалить мою переписку", "ru"),
    ("видаліть мою розмову", "uk"),
    ("Видалити мої дані, будь ласка", "uk"),
    ("видалити мою розмову", "uk"),
]
PRIVACY = [("privacy", "en"), ("Privacy policy", "en"), ("privātums", "lv"), ("конфиденциальность", "ru"), ("приватність", "uk")]
NOT_COMMANDS = [
    "how do I delete my bank account?",
    "delete",
    "can I delete my declared address online?",
    "удалить прописку",
    "kā dzēst deklarēto adresi",
    "what does the privacy of my medical data mean in Latvia",
    "",
    "x" * 500,
]


@pytest.mark.parametrize(("text", "lang"), DELETE)
def test_delete_phrases(text, lang):
    assert command_of(text) is Command.DELETE
    assert command_language(text) == lang


@pytest.mark.parametrize(("text", "lang"), PRIVACY)
def test_privacy_phrases(text, lang):
    assert command_of(text) is Command.PRIVACY
    assert command_language(text) == lang


@pytest.mark.parametrize("text", NOT_COMMANDS)
def test_questions_are_not_commands(text):
    assert command_of(text) is None


def test_payloads_and_telegram_commands():
    assert command_of(DELETE_PAYLOAD) is Command.DELETE and command_of("/delete") is Command.DELETE
    assert command_of(PRIVACY_PAYLOAD) is Command.PRIVACY
    assert command_language(DELETE_PAYLOAD) is None
    assert command_of(None) is None and command_of(42) is None


@pytest.mark.parametrize("lang", real_languages())
def test_the_notice_says_the_configured_periods_in_each_language(lang, monkeypatch):
    monkeypatch.setenv("MIGRANT_BOT_RETENTION_DAYS", "14")
    monkeypatch.setenv("MIGRANT_BOT_INBOX_RETENTION_DAYS", "90")
    notice = "\n".join(privacy_notice(lang))
    assert "14" in notice and "90" in notice and "/delete" in notice
    assert "14" in privacy_summary(lang)
    if lang != "en":
        assert "days" not in notice, "translated"


@pytest.mark.parametrize("lang", real_languages())
def test_the_phrases_the_notice_quotes_are_the_commands_it_promises(lang):
    """The greeting tells users what to write: those very words must work."""
    summary = privacy_summary(lang)
    quoted = summary.split('"')[1::2]
    assert [command_of(q) for q in quoted] == [Command.PRIVACY, Command.DELETE], quoted


def test_a_retention_period_that_is_not_a_number_is_a_clear_error(monkeypatch):
    from bot.core.settings import load_settings

    monkeypatch.setenv("MIGRANT_BOT_RETENTION_DAYS", "a month")
    with pytest.raises(ValueError, match="MIGRANT_BOT_RETENTION_DAYS"):
        load_settings()
