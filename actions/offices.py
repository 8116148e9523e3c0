"""Where an office is and how to reach it (national contacts; city branches come with the office directory)."""

from __future__ import annotations

import unicodedata

from actions.base import AnsweringAction, Button, Reply, Turn
from actions.render import office_contact
from bot.channels.payloads import button_payload
from bot.content.model import Pack
from bot.dialogue import ACTION_FOR_LABEL, ENTITY_OFFICE, SLOT_TOPIC


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find_office(pack: Pack, text: str) -> str | None:
    """The office a message names, by its aliases (longest alias wins)."""
    words = f" {_plain(text)} "
    best: tuple[int, str] | None = None
    for office in pack.offices.values():
        for alias in (*office.aliases, office.short.lower()):
            plain = _plain(alias)
            if plain and (f" {plain}" in words if len(plain) <= 4 else plain in words):
                if best is None or len(plain) > best[0]:
                    best = (len(plain), office.id)
    return best[1] if best else None


class ActionOfficeLookup(AnsweringAction):
    """Gives an office's contacts; asks which office when none was named."""

    def name(self) -> str:
        return ACTION_FOR_LABEL["office_lookup"]

    def respond(self, turn: Turn) -> Reply:
        pack = turn.pack
        office_id = turn.entity(ENTITY_OFFICE) or find_office(pack, turn.text)
        topic = pack.topics.get(turn.tracker.get_slot(SLOT_TOPIC) or "")
        if office_id is None and topic and topic.offices:
            office_id = topic.offices[0]
        if office_id not in pack.offices:
            buttons = [
                Button(o.short, button_payload("office_lookup", **{ENTITY_OFFICE: o.id}))
                for o in pack.offices.values()
                if o.phone or o.email
            ]
            return Reply(label="office_lookup", messages=[turn._("Which office do you need?")], buttons=buttons)
        office = pack.offices[office_id]
        return Reply(
            label="office_lookup",
            messages=[office_contact(office, turn.lang)],
            offices=[office.id],
            sources=list(office.sources),
        )
