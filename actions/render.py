"""Turning content into message text in the reply language.

No user-facing sentence is assembled from English fragments: whole sentences
with placeholders come from the gettext catalogs, content from the pack, and
dates are written by Babel in the reply's locale.
"""

from __future__ import annotations

from babel.dates import format_date

from bot.content.model import Answer, Office, Pack
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


def answer_messages(pack: Pack, answers: list[Answer], lang: str) -> list[str]:
    """The messages of one or more answers (an overview, an entry, or the entries of a two-part question).

    Each answer's text, then where to turn (the first answer's offices), then
    the sources of all of them with the oldest reviewed date.
    """
    _ = translator(lang)
    messages = [answer.text_in(lang).answer or "" for answer in answers]
    known = [pack.offices[o] for o in answers[0].offices if o in pack.offices]
    offices = [o for o in known if o.phone or o.website]
    if offices:
        messages.append(_("Where to turn:") + "\n" + "\n\n".join(office_contact(o, lang) for o in offices[:2]))
    sources = tuple(dict.fromkeys(url for answer in answers for url in answer.sources))
    if sources:
        messages.append(sources_line(sources, min(answer.reviewed for answer in answers), lang))
    return messages


def topic_answer(pack: Pack, topic: Answer, lang: str) -> list[str]:
    """The messages of a topic's overview or an entry: the answer, where to go, the sources."""
    return answer_messages(pack, [topic], lang)


def topic_title(topic: Answer, lang: str) -> str:
    """The short title of a topic or entry in ``lang``."""
    return topic.text_in(lang).title or topic.id
