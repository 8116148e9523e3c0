"""A topic's answer routed to the user's city: the nearest branch, the city asked for once, or the embassy from abroad.

The topic's main (first) office is the one routed, when the directory has
branches for it. With the city known (named now or earlier), the answer gains that
branch's office card. With the city unknown and the office in several
cities, the answer asks for it once (buttons for the largest cities and "I
am still abroad"; free text works too), and the next message that names a
place gets the routed answer (``answer_with_city``). From abroad, the answer
points to Latvia's embassies and consulates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from actions.render import answer_messages, office_contact
from actions.services import services
from actions.turn import Button, Reply, Turn
from bot.content.model import Answer, Entry, Pack
from bot.dialogue import SLOT_CITY, SLOT_CITY_ASKED
from bot.offices.render import office_card, office_card_text

ABROAD = "abroad"
CONSULAR_OFFICE = "mfa_consular"


def routed_office(pack: Pack, topic: Answer) -> str | None:
    """The main (first) office of a topic or entry, when the directory has branches for it.

    Only the main office: an emergency answer that names 112 first must not
    ask "which city?" for its second office.
    """
    main = topic.offices[0] if topic.offices else None
    return main if main and pack.directory.branches_of(main) else None


def place_in(turn: Turn) -> str | None:
    """The city this message names, or ``ABROAD``, or None."""
    places = services().places()
    return places.find(turn.text) or (ABROAD if places.is_abroad(turn.text) else None)


@dataclass(frozen=True)
class RoutedBranch:
    """The branch chosen for the user: its card, the card as text, its sources."""

    card: dict[str, Any]
    text: str
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
    text = office_card_text(card, turn.lang)
    if city in turn.pack.directory.cities and not route.in_city:
        city_name = turn.pack.directory.cities[city].name_in(turn.lang)
        lead = turn._("The nearest branch is {distance} km from {city}:").format(distance=round(route.distance_km), city=city_name)
        text = f"{lead}\n{text}"
    return RoutedBranch(card=card, text=text, sources=route.branch.sources or office.sources)


def _add_branch(turn: Turn, reply: Reply, office_id: str, topic_id: str, city: str) -> None:
    routed = routed_branch(turn, office_id, city, topic_id)
    if routed is None:
        return
    reply.messages.insert(-1 if reply.sources else len(reply.messages), routed.text)
    reply.custom["office_card"] = routed.card


def _add_abroad(turn: Turn, reply: Reply) -> None:
    consular = turn.pack.offices.get(CONSULAR_OFFICE)
    if consular is None:
        return
    text = turn._("From abroad, apply at a Latvian embassy or consulate, or online where an e-service exists:")
    reply.messages.insert(-1 if reply.sources else len(reply.messages), f"{text}\n{office_contact(consular, turn.lang)}")
    if CONSULAR_OFFICE not in reply.offices:
        reply.offices.append(CONSULAR_OFFICE)


def _ask_city(turn: Turn, reply: Reply, answer_id: str) -> None:
    largest = [c for c in turn.pack.directory.cities.values() if c.largest]
    reply.messages.append(turn._("In which city are you? I will show you the nearest office."))
    names = [c.name_in(turn.lang) for c in largest]
    abroad = turn._("I am still abroad")
    reply.buttons = [Button(name, name) for name in names] + [Button(abroad, abroad)]
    reply.awaiting_city = answer_id


def answer_topic(turn: Turn, topic_id: str, city: str | None = None, entry: Entry | None = None, also: Entry | None = None) -> Reply:
    """The answer to ``topic_id`` (its ``entry``, or its overview) in the turn's language, routed to ``city`` when known.

    ``also``: a second entry of the same topic, for a two-part question.
    """
    topic = turn.pack.topics[topic_id]
    answer = entry or topic
    answers = [answer, also] if entry and also else [answer]
    reply = Reply(
        label=topic.id,
        entry=entry.id if entry else None,
        messages=answer_messages(turn.pack, answers, turn.lang),
        offices=list(dict.fromkeys(o for a in answers for o in a.offices)),
        sources=list(dict.fromkeys(u for a in answers for u in a.sources)),
        topic=topic.id,
    )
    office_id = routed_office(turn.pack, answer)
    if office_id is None:
        return reply
    city = city or place_in(turn) or turn.tracker.get_slot(SLOT_CITY)
    if city == ABROAD:
        _add_abroad(turn, reply)
    elif city in turn.pack.directory.cities:
        _add_branch(turn, reply, office_id, topic_id, city)
    elif turn.pack.directory.needs_city(office_id, topic_id) and not turn.tracker.get_slot(SLOT_CITY_ASKED):
        _ask_city(turn, reply, answer.id)
    reply.city = city if city == ABROAD or city in turn.pack.directory.cities else None
    return reply


def answer_with_city(turn: Turn, answer_id: str) -> Reply | None:
    """The waiting answer (a topic's overview or an entry) routed, when this message names a place."""
    found = turn.pack.topic_and_entry(answer_id)
    city = place_in(turn)
    if not found or not city:
        return None
    topic_id, entry = found
    return answer_topic(turn, topic_id, city, entry)
