"""The base of every answering action: language, reply contract, the conversation's state.

A subclass implements ``respond(turn)`` and returns a ``Reply``. The base:

- decides the reply language once per turn (``bot.core.language.choose``);
- answers a message with no words (emoji, junk, empty, a lone letter) with a
  request to write in words, whatever the model guessed;
- answers what Rasa predicted: the action is the one the rules chose (a
  city given when asked is its own intent and action, ``actions.city``;
  the state machine is in ``actions.state``);
- when the message holds a danger phrase (``actions.safety``: violence,
  trafficking, self-harm ...), starts the reply with that emergency entry's
  answer (112 and the right hotline), whatever the model guessed: here, so
  that every answering action, the city answer included, gets the net;
- adds a "this did not help" button to a topic's answer (the staff inbox
  lists the questions whose answer was marked so);
- sends the reply (docs/reply-contract-draft.md): the answer, "where to go",
  the sources line, the city question, buttons on the last message; then,
  on the web channels only, exactly one custom message with ``meta`` and
  the office cards (messenger channels never get the JSON);
- sets the slots of ``bot.core.dialogue.SLOTS`` (``actions.state.slot_events``).

Domain needs: the slots of ``bot.core.dialogue.SLOTS``.
"""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.safety import safety_first
from actions.services import services
from actions.state import slot_events
from actions.turn import Button, Reply, Turn
from bot.core.content.model import FALLBACK_LABEL, Pack
from bot.core.dialogue import ENTITY_LANGUAGE, INTENT_INFORM_CITY, SLOT_CHOSEN_LANGUAGE, SLOT_LANGUAGE, Label
from bot.core.language.choose import LanguageChoice, choose_reply_language
from bot.core.payloads import button_payload, feedback_payload
from bot.core.render import sources_line, topic_title
from bot.core.text import has_words

#: Channels that show the web widget's JSON (the reply contract's ``custom.meta``).
WIDGET_CHANNELS = frozenset({"rest", "socketio"})


def requested_language(tracker: Tracker, pack: Pack, text: str) -> str | None:
    """A language the user asks for in this message, if they ask for one."""
    latest = tracker.latest_message
    for entity in latest.get("entities") or []:
        if entity.get("entity") == ENTITY_LANGUAGE and entity.get("value") in pack.languages:
            return entity["value"]
    if (latest.get("intent") or {}).get("name") != Label.CHANGE_LANGUAGE:
        return None
    lowered = text.lower()
    found = [code for code, lang in pack.languages.items() if any(alias in lowered for alias in lang.aliases)]
    return found[0] if len(found) == 1 else None


def decide_language(tracker: Tracker, pack: Pack, text: str) -> LanguageChoice:
    """Gathers what the turn says about language and lets choose_reply_language decide."""
    metadata = tracker.latest_message.get("metadata") or {}
    client = metadata.get("lang") if metadata.get("lang") in pack.languages else None
    # the user's app language (Telegram): used only when nothing else tells (bot.core.language.choose)
    hint = metadata.get("lang_hint") if metadata.get("lang_hint") in pack.languages else None
    # a button payload ("/residence_permit") says nothing about language, nor does a place alone ("Liepāja", "Rīgā")
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    says_language = text and not text.startswith("/") and intent != INTENT_INFORM_CITY
    return choose_reply_language(
        requested=requested_language(tracker, pack, text),
        client=client,
        chosen=tracker.get_slot(SLOT_CHOSEN_LANGUAGE),
        detection=services().detector().detect(text) if says_language else None,
        conversation=tracker.get_slot(SLOT_LANGUAGE),
        default=pack.default_language,
        hint=hint,
    )


class AnsweringAction(Action, abc.ABC):
    """An action that answers the user's message (see the module docstring)."""

    @abc.abstractmethod
    def respond(self, turn: Turn) -> Reply:
        """The reply to this turn."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        pack = services().pack()
        text = tracker.latest_message.get("text") or ""
        choice = decide_language(tracker, pack, text)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        turn = Turn(tracker=tracker, pack=pack, lang=choice.lang, choice=choice, text=text, intent=intent)
        reply = self._reply(turn)
        self._send(dispatcher, tracker, turn, reply)
        return slot_events(tracker, turn, reply)

    def _reply(self, turn: Turn) -> Reply:
        if not has_words(turn.text):
            return unreadable_reply(turn)
        reply = self.respond(turn)
        return with_feedback_button(turn, safety_first(turn, reply))

    @staticmethod
    def _send(dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, reply: Reply) -> None:
        texts, where_index = reply_texts(reply, turn.lang)
        meta = {"label": reply.label, "entry": reply.entry, "lang": turn.lang, "offices": reply.offices, "sources": reply.sources}
        widget = tracker.get_latest_input_channel() in WIDGET_CHANNELS
        for i, text in enumerate(texts):
            last = i == len(texts) - 1
            buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons] if last else []
            # ``lang`` reaches the output channel (messengers label a list of choices with it); on a messenger
            # the last message carries ``meta`` too, kept in the bot event's metadata for the staff app's
            # figures (docs/insights.md) and never sent: messenger output channels use ``lang`` only
            extra = {"meta": meta} if last and not widget else {}
            dispatcher.utter_message(text=text, buttons=buttons, lang=turn.lang, **extra)
        if widget:
            language = turn.pack.languages[turn.lang]
            custom = {**reply.custom, "meta": meta, "direction": language.direction}
            if reply.cards and where_index is not None:
                custom.update(office_cards=reply.cards, cards_replace_text=where_index)
            dispatcher.utter_message(json_message=custom)


def reply_texts(reply: Reply, lang: str) -> tuple[list[str], int | None]:
    """The reply's text messages in the contract's order, and the index of "where to go" among them (None without it)."""
    texts = [text for text in reply.messages if text]
    where_index = None
    if reply.where:
        where_index = len(texts)
        texts.append(reply.where)
    if reply.reviewed and reply.sources:
        texts.append(sources_line(reply.sources, reply.reviewed, lang))
    if reply.question:
        texts.append(reply.question)
    return texts, where_index


def menu_buttons(turn: Turn, topic_ids: list[str] | tuple[str, ...]) -> list[Button]:
    """Buttons that choose topics, titled in the reply language."""
    return [Button(topic_title(turn.pack.topics[t], turn.lang), button_payload(t)) for t in topic_ids if t in turn.pack.topics]


def with_feedback_button(turn: Turn, reply: Reply) -> Reply:
    """A topic's full answer gets "this did not help" (not one that still waits for the user's city)."""
    if reply.label in turn.pack.topics and not reply.awaiting_city:
        reply.buttons.append(Button(turn._("This did not help"), feedback_payload()))
    return reply


def unreadable_reply(turn: Turn) -> Reply:
    """The reply to a message with no words in it."""
    _ = turn._
    return Reply(
        label=FALLBACK_LABEL,
        messages=[_("I could not read a question in that message. Please write it in words, or choose a topic:")],
        buttons=menu_buttons(turn, turn.pack.menu),
    )
