"""A topic's answer and "where to go" for it, routed to the user's city.

"Where to go" (``office_cards``) lists the answer's offices, each once and at
most ``MAX_OFFICES``, in the content's order: the main (first) office, when
the directory has branches for it, as its branch in or nearest to the user's
city (named now or earlier), or as the country's embassies (the pack's
``settings.consular_office``) when the user is still abroad; every other
office (and the main one while the city is unknown) with its national
contacts.

With the city unknown and the main office in several cities, the answer asks
for the city once instead of listing offices (buttons for the largest cities
and "I am still abroad"; free text works too). What the next message does
then is the conversation's state (``actions.state``): a city gets only "where
to go" for that city (``office_message``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from actions.services import services
from actions.turn import Button, Reply, Turn
from bot.core import city_reply
from bot.core.content.model import Answer, Entry, Pack
from bot.core.dialogue import SLOT_CITY, SLOT_CITY_ASKED
from bot.core.offices.render import office_card
from bot.core.plan.present import abroad_card
from bot.core.render import MAX_OFFICES, national_card, where_to_go

ABROAD = city_reply.ABROAD


def routed_office(pack: Pack, topic: Answer) -> str | None:
    """The main (first) office of a topic or entry, when the directory has branches for it.

    Only the main office: an emergency answer that names 112 first must not
    ask "which city?" for its second office.
    """
    main = topic.offices[0] if topic.offices else None
    return main if main and pack.directory.branches_of(main) else None


def place_named(text: str) -> str | None:
    """The city ``text`` names, or ``ABROAD``, or None."""
    return city_reply.place_named(text, services().places())


def place_in(turn: Turn) -> str | None:
    """The city this message names, or ``ABROAD``, or None."""
    return place_named(turn.text)


def known_place(turn: Turn, city: str | None) -> bool:
    """True for a city of the directory or ``ABROAD`` (a place the offices can be chosen for)."""
    return city == ABROAD or city in turn.pack.directory.cities


@dataclass(frozen=True)
class RoutedBranch:
    """The branch chosen for the user: its card (with the distance as its ``note`` when it is in another town), its sources."""

    card: dict[str, Any]
    sources: tuple[str, ...]


def routed_branch(turn: Turn, office_id: str, city: str | None, topic_id: str | None = None) -> RoutedBranch | None:
    """The card of the branch of ``office_id`` in or nearest to ``city``, if the directory has one."""
    route = turn.pack.directory.route(office_id, city, topic_id)
    if route is None:
        return None
    office = turn.pack.offices[office_id]
    card = office_card(route.branch, turn.lang, services().now())
    if office.website:
        card.setdefault("website", office.website)
    if city in turn.pack.directory.cities and not route.in_city:
        city_name = turn.pack.directory.cities[city].name_in(turn.lang)
        lead = turn._("The nearest branch is {distance} km from {city}:").format(distance=round(route.distance_km), city=city_name)
        card = {"note": lead, **card}
    return RoutedBranch(card=card, sources=route.branch.sources or office.sources)


@dataclass(frozen=True)
class OfficeCards:
    """Where to go for one answer: a card per office (each office once) and the sources of their facts."""

    cards: list[dict[str, Any]]
    sources: list[str]

    @property
    def offices(self) -> list[str]:
        """The office ids of the cards, in order."""
        return [card["office"] for card in self.cards]


def office_cards(turn: Turn, answer: Answer, topic_id: str, city: str | None) -> OfficeCards:
    """The offices of ``answer`` for a user in ``city`` (a city id, ``ABROAD`` or None): see the module docstring."""
    pack = turn.pack
    main = routed_office(pack, answer)
    chosen: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}  # office id -> (card, its sources)
    for office_id in answer.offices:
        office = pack.offices.get(office_id)
        if office is None:
            continue
        card: tuple[dict[str, Any], tuple[str, ...]] | None = None
        if office_id == main and city == ABROAD:
            abroad = abroad_card(pack, turn.lang)
            card = (abroad, pack.offices[abroad["office"]].sources) if abroad else None
        elif office_id == main and city:
            routed = routed_branch(turn, office_id, city, topic_id)
            card = (routed.card, routed.sources) if routed else None
        card = card or (national_card(office, turn.lang), office.sources)
        chosen.setdefault(card[0]["office"], card)
    kept = list(chosen.values())[:MAX_OFFICES]
    return OfficeCards(cards=[card for card, _s in kept], sources=list(dict.fromkeys(u for _c, urls in kept for u in urls)))


def _ask_city(turn: Turn, reply: Reply, answer_id: str) -> None:
    largest = [c for c in turn.pack.directory.cities.values() if c.largest]
    reply.question = turn._("In which city are you? I will show you the nearest office.")
    names = [c.name_in(turn.lang) for c in largest]
    abroad = turn._("I am still abroad")
    reply.buttons = [Button(name, name) for name in names] + [Button(abroad, abroad)]
    reply.awaiting_city = answer_id


def answer_topic(turn: Turn, topic_id: str, city: str | None = None, entry: Entry | None = None, also: Entry | None = None) -> Reply:
    """The answer to ``topic_id`` (its ``entry``, or its overview) in the turn's language, routed to ``city`` when known.

    ``also``: a second entry of the same topic, for a two-part question (its
    text is a second paragraph of the one answer message).
    """
    topic = turn.pack.topics[topic_id]
    answer = entry or topic
    answers = [answer, also] if entry and also else [answer]
    sources = list(dict.fromkeys(u for a in answers for u in a.sources))
    reply = Reply(
        label=topic.id,
        entry=entry.id if entry else None,
        messages=["\n\n".join(a.text_in(turn.lang).answer or "" for a in answers)],
        offices=list(dict.fromkeys(o for a in answers for o in a.offices)),
        sources=sources,
        topic=topic.id,
        reviewed=min(a.reviewed for a in answers) if sources else None,
    )
    city = city or place_in(turn) or turn.tracker.get_slot(SLOT_CITY)
    main = routed_office(turn.pack, answer)
    asked = turn.tracker.get_slot(SLOT_CITY_ASKED)
    if main and not known_place(turn, city) and turn.pack.directory.needs_city(main, topic_id) and not asked:
        _ask_city(turn, reply, answer.id)
    else:
        where = office_cards(turn, answer, topic_id, city)
        if where.cards:
            reply.where, reply.cards = where_to_go(where.cards, turn.lang), where.cards
        consular = turn.pack.settings.consular_office
        if consular and consular in where.offices and consular not in reply.offices:
            reply.offices.append(consular)
    reply.city = city if known_place(turn, city) else None
    return reply


def office_message(turn: Turn, answer_id: str, city: str) -> Reply | None:
    """Only "where to go" of the answer ``answer_id`` (a topic or entry id), for a user in ``city``.

    The reply to the city the answer asked for: the answer itself was given
    already. None when the answer no longer exists (the content changed).
    """
    found = turn.pack.topic_and_entry(answer_id)
    if not found:
        return None
    topic_id, entry = found
    answer = entry or turn.pack.topics[topic_id]
    where = office_cards(turn, answer, topic_id, city)
    if not where.cards:
        return None
    return Reply(
        label=topic_id,
        entry=entry.id if entry else None,
        messages=[],
        offices=where.offices,
        sources=where.sources,
        topic=topic_id,
        city=city,
        where=where_to_go(where.cards, turn.lang),
        cards=where.cards,
    )
