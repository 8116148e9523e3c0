"""The privacy notice: what is stored, for how long, and how to delete it.

One text, in the interface catalogs (``locales/``), shown in three places:
the widget's privacy page (``/widget/privacy``), the answer to "privacy" in
every channel, and (its short form) the greeting. The periods come from the
settings, so the notice says what the retention job really does.
"""

from __future__ import annotations

from bot.core.i18n import translator
from bot.core.settings import load_settings


def privacy_notice(lang: str) -> list[str]:
    """The notice's paragraphs in ``lang`` (English where a string is not translated)."""
    _ = translator(lang)
    settings = load_settings()
    return [
        _("Privacy: what this assistant keeps about you"),
        _(
            "Your messages and the assistant's answers are kept so that the conversation can go on, "
            "and are deleted {days} days after your last message."
        ).format(days=settings.retention_days),
        _(
            "Before anything is stored, personal details in your messages are replaced by placeholders: names, "
            "phone numbers, e-mail addresses, personal codes, passport and other document numbers, bank account "
            "and card numbers, dates of birth and street addresses. The assistant never needs them, so please "
            "do not send them."
        ),
        _(
            "Questions the assistant could not answer are kept for up to {days} days without anything that "
            "links them to you, so that staff can add the missing answers."
        ).format(days=settings.inbox_retention_days),
        _(
            'You can delete your conversation at any time: write "delete my conversation" (in Telegram also '
            '/delete; in the web chat, the menu item "Delete my conversation"). Everything stored about it is '
            "removed at once."
        ),
        _(
            "The assistant gives general information from official sources. It is not an authority and does "
            "not decide anything about you; for decisions, contact the office it names."
        ),
    ]


def privacy_summary(lang: str) -> str:
    """One line for the greeting: how long messages are kept and how to learn more or delete them."""
    _ = translator(lang)
    return _(
        'Your messages are kept for {days} days, without personal details. Write "privacy" to learn more, '
        'or "delete my conversation" to delete them.'
    ).format(days=load_settings().retention_days)
