"""Turning content into message text in the reply language.

No user-facing sentence is assembled from English fragments: whole sentences
with placeholders come from the gettext catalogs, content from the pack, and
dates are written by Babel in the reply's locale.
"""

from __future__ import annotations

from babel.dates import format_date

from bot.content.model import Office, Pack, Topic
from bot.i18n import translator


def office_contact(office: Office, lang: str) -> str:
    """An office's name and national contacts, one per line."""
    lines = [f"{office.name_in(lang)} ({office.short})" if office.short else office.name_in(lang)]
    if office.address:
        lines.append(f"📍 {office.address}")
    contacts = [f"☎ {office.phone}" if office.phone else "", f"✉ {office.email}" if office.email else ""]
    if any(contacts):
        lines.append("  ".join(c for c in contacts if c))
    if office.website:
        lines.append(f"🌐 {office.website}")
    return "\n".join(lines)


def sources_line(sources: tuple[str, ...], reviewed, lang: str) -> str:
    """Where the facts come from and when they were last checked."""
    _ = translator(lang)
    return _("Source: {sources} (checked {date})").format(
        sources=", ".join(sources), date=format_date(reviewed, format="long", locale=lang)
    )


def topic_answer(pack: Pack, topic: Topic, lang: str) -> list[str]:
    """The messages answering ``topic``: the answer, where to go, the sources."""
    _ = translator(lang)
    translation = topic.translations.get(lang) or topic.translations[topic.source_language]
    messages = [translation.answer or ""]
    known = [pack.offices[o] for o in topic.offices if o in pack.offices]
    offices = [o for o in known if o.phone or o.website]
    if offices:
        messages.append(_("Where to turn:") + "\n" + "\n\n".join(office_contact(o, lang) for o in offices[:2]))
    if topic.sources:
        messages.append(sources_line(topic.sources, topic.reviewed, lang))
    return messages


def topic_title(topic: Topic, lang: str) -> str:
    """The topic's short title in ``lang``."""
    translation = topic.translations.get(lang) or topic.translations[topic.source_language]
    return translation.title or topic.id
