"""Turning content into message text in the reply language.

No user-facing sentence is assembled from English fragments: whole sentences
with placeholders come from the gettext catalogs, content from the pack, and
dates are written by Babel in the reply's locale. Every text is in the reply
contract's Markdown subset (docs/reply-contract-draft.md, 2): links are short
``[label](url)``, never raw addresses.

An answer is at most three messages (the contract's item 1): the answer text,
"where to go" (the offices, each once, as cards and as the cards' text) and
one line of sources. This module writes the pieces; ``actions.routing``
chooses the offices, ``actions.base`` sends the pieces in that order.

Plain Python, no Rasa SDK: the staff app's preview renders answers with
``topic_answer``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.content.model import Answer, Office, Pack
from bot.core.i18n import translator
from bot.core.offices.dates import checked_on
from bot.core.offices.render import host_label, markdown_link, national_card, office_card_text

#: How many offices "where to go" lists at most (the answer's first ones, as the content orders them).
MAX_OFFICES = 2


def office_contact(office: Office, lang: str) -> str:
    """An office's name and national contacts, one per line (the text of its ``national_card``)."""
    return office_card_text(national_card(office, lang), lang)


def reachable_offices(pack: Pack, answer: Answer) -> list[Office]:
    """The offices of an answer a user can reach nationally (a phone or a website), in the content's order."""
    known = [pack.offices[o] for o in answer.offices if o in pack.offices]
    return [o for o in known if o.phone or o.website]


def where_to_go(cards: list[dict[str, Any]], lang: str, heading: bool = True) -> str:
    """The "where to go" message: the cards' text, one paragraph per office, under "Where to turn:" for an answer."""
    _ = translator(lang)
    text = "\n\n".join(office_card_text(card, lang) for card in cards)
    return _("Where to turn:") + "\n" + text if heading else text


def source_links(sources: list[str] | tuple[str, ...]) -> list[str]:
    """One short link per web site: labelled by its host name, the first address of a host kept."""
    first: dict[str, str] = {}
    for url in sources:
        first.setdefault(host_label(url), url)
    return [markdown_link(url, label) for label, url in first.items()]


def sources_line(sources: list[str] | tuple[str, ...], reviewed: date, lang: str) -> str:
    """Where the facts come from and when they were last checked: one short line of named links and the date.

    The date is Babel's, in the form "checked on" needs in the language
    (``bot.core.offices.dates``: the long date, the numeric one in Latvian).
    """
    _ = translator(lang)
    links = source_links(sources)
    when = checked_on(reviewed, lang)
    if len(links) == 1:
        return _("Source: {links} · checked on {date}").format(links=links[0], date=when)
    return _("Sources: {links} · checked on {date}").format(links=", ".join(links), date=when)


def topic_answer(pack: Pack, topic: Answer, lang: str) -> list[str]:
    """The messages of a topic's overview or an entry, routed nowhere: the answer, where to go, the sources.

    What a user gets before naming a city; the staff app's preview shows it.
    """
    messages = [topic.text_in(lang).answer or ""]
    offices = reachable_offices(pack, topic)[:MAX_OFFICES]
    if offices:
        messages.append(where_to_go([national_card(o, lang) for o in offices], lang))
    if topic.sources:
        messages.append(sources_line(topic.sources, topic.reviewed, lang))
    return messages


def topic_title(topic: Answer, lang: str) -> str:
    """The short title of a topic or entry in ``lang``."""
    return topic.text_in(lang).title or topic.id
