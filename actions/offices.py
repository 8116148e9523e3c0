"""Where an office is, when it is open and how to reach it.

With a city in the message (or named earlier), the answer is the office's
branch in or nearest to that city; otherwise the office's national contacts.
Either way the reply is one "where to go" message and its card (the reply
contract's 1b and 3).
"""

from __future__ import annotations

from actions.base import AnsweringAction
from actions.routing import routed_branch
from actions.services import services
from actions.turn import Button, Reply, Turn
from bot.core.content.model import Pack
from bot.core.dialogue import ACTION_FOR_LABEL, ENTITY_OFFICE, SLOT_CITY, SLOT_TOPIC, Label
from bot.core.offices.places import plain
from bot.core.payloads import button_payload
from bot.core.render import national_card, where_to_go


def find_office(pack: Pack, text: str) -> str | None:
    """The office a message names, by its aliases (longest alias wins)."""
    words = f" {plain(text)} "
    best: tuple[int, str] | None = None
    for office in pack.offices.values():
        for alias in (*office.aliases, office.short.lower()):
            form = plain(alias)
            if form and (f" {form}" in words if len(form) <= 4 else form in words):
                if best is None or len(form) > best[0]:
                    best = (len(form), office.id)
    return best[1] if best else None


def office_reply(turn: Turn, office_id: str, city: str | None) -> Reply:
    """The office's branch nearest to ``city`` if the directory has one, else its national contacts: one card."""
    office = turn.pack.offices[office_id]
    routed = routed_branch(turn, office_id, city)
    card = routed.card if routed else national_card(office, turn.lang)
    return Reply(
        label=Label.OFFICE_LOOKUP,
        messages=[],
        offices=[office_id],
        sources=list(routed.sources if routed else office.sources),
        city=city,
        where=where_to_go([card], turn.lang, heading=False),
        cards=[card],
    )


class ActionOfficeLookup(AnsweringAction):
    """Gives an office's branch or contacts; asks which office when none was named."""

    def name(self) -> str:
        return ACTION_FOR_LABEL[Label.OFFICE_LOOKUP]

    def respond(self, turn: Turn) -> Reply:
        pack = turn.pack
        office_id = turn.entity(ENTITY_OFFICE) or find_office(pack, turn.text)
        topic = pack.topics.get(turn.tracker.get_slot(SLOT_TOPIC) or "")
        if office_id is None and topic and topic.offices:
            office_id = topic.offices[0]
        if office_id not in pack.offices:
            reachable = [o for o in pack.offices.values() if o.phone or o.email]
            buttons = [Button(o.short, button_payload(Label.OFFICE_LOOKUP, **{ENTITY_OFFICE: o.id})) for o in reachable]
            return Reply(label=Label.OFFICE_LOOKUP, messages=[turn._("Which office do you need?")], buttons=buttons)
        city = services().places().find(turn.text) or turn.tracker.get_slot(SLOT_CITY)
        return office_reply(turn, office_id, city)
