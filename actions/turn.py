"""What an action knows about a turn (``Turn``) and what it answers (``Reply``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rasa_sdk import Tracker

from bot.core.content.model import Pack
from bot.core.i18n import Translate, translator
from bot.core.language.choose import LanguageChoice


@dataclass
class Button:
    """A quick reply: what it says and the payload it sends."""

    title: str
    payload: str


@dataclass
class Reply:
    """What one turn answers, before it is sent.

    Sent as at most three text messages (docs/reply-contract-draft.md, 1), in
    this order: ``messages`` (the answer), ``where`` (where to go), the
    sources line (written from ``sources`` when ``reviewed`` is set), and
    ``question`` (the city prompt, which takes the place of ``where``); the
    buttons go on the last one. Only a danger phrase beside another question
    makes ``messages`` two (``actions.safety``: the safety answer stays a
    message of its own).
    """

    label: str
    #: the answer's text: one message (a two-part question's entries are one message, a paragraph each)
    messages: list[str]
    #: the id of the knowledge-base entry that answered (``residence_permit.fee``), None for an overview or a label
    entry: str | None = None
    buttons: list[Button] = field(default_factory=list)
    offices: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    topic: str | None = None
    city: str | None = None
    #: the answer (topic or entry id) that waits for the user's city (the reply asked for it)
    awaiting_city: str | None = None
    #: the entry ids this answer offers as buttons once the user has given the city (the city prompt's buttons are the cities)
    entries_after_city: list[str] = field(default_factory=list)
    #: "where to go": the offices' text, one paragraph per office, each office once
    where: str | None = None
    #: the same offices as the web widget's cards (``custom.office_cards``), shown instead of ``where``
    cards: list[dict[str, Any]] = field(default_factory=list)
    #: when the answer's facts were last checked: a reply with this date ends with the sources line
    reviewed: date | None = None
    #: a question that closes the reply (the city prompt), after the sources
    question: str | None = None
    #: more for the web widget, sent beside ``meta`` in the same custom message
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class Turn:
    """What an action knows about the current user message."""

    tracker: Tracker
    pack: Pack
    lang: str
    choice: LanguageChoice
    text: str
    intent: str | None

    @property
    def _(self) -> Translate:
        """Gettext for the reply language."""
        return translator(self.lang)

    def intent_ranking(self) -> list[dict[str, Any]]:
        """The model's ranking of intents for this message."""
        return list(self.tracker.latest_message.get("intent_ranking") or [])

    def entry_ranking(self) -> list[tuple[str, float]]:
        """The entry selector's ranking for this message: (``topic/key``, confidence), best first.

        Within the message's topic when the intent is a topic, over every entry
        otherwise (``bot.rasa_server.components.entry_selector``).
        """
        return self._selected("ranking")

    def entry_parts(self) -> list[tuple[str, float]]:
        """The entries the parts of a two-part question ask for, as the entry selector split it (empty otherwise)."""
        return self._selected("parts")

    def _selected(self, key: str) -> list[tuple[str, float]]:
        selector = (self.tracker.latest_message.get("response_selector") or {}).get("default") or {}
        items = selector.get(key) or []
        return [(r["intent_response_key"], float(r.get("confidence") or 0.0)) for r in items if r.get("intent_response_key")]

    def entity(self, name: str) -> str | None:
        """The value of a button payload's entity, if any."""
        for entity in self.tracker.latest_message.get("entities") or []:
            if entity.get("entity") == name and isinstance(entity.get("value"), str):
                return entity["value"]
        return None
