"""Answers to topic questions, follow-up questions and unclear messages."""

from __future__ import annotations

from actions.base import AnsweringAction, menu_buttons
from actions.entries import chosen_entries, entry_buttons, follow_up_entries, offered_entries, related_entries
from actions.routing import answer_topic
from actions.turn import Button, Reply, Turn
from bot.core.content.model import FALLBACK_LABEL, Entry
from bot.core.dialogue import ACTION_ANSWER_TOPIC, ACTION_FALLBACK, ACTION_FOR_LABEL, SLOT_TOPIC, Label
from bot.core.payloads import button_payload
from bot.core.render import topic_title

#: How many likely topics the fallback offers as buttons.
FALLBACK_CHOICES = 3
#: How many of a topic's entries its overview offers as buttons.
ENTRY_CHOICES = 6


def fallback(turn: Turn) -> Reply:
    """Offers the two or three most likely topics, or the menu if none is likely."""
    _ = turn._
    likely = [r["name"] for r in turn.intent_ranking() if r.get("name") in turn.pack.topics][:FALLBACK_CHOICES]
    buttons = menu_buttons(turn, likely or turn.pack.menu)
    buttons.append(Button(_("Other topics"), button_payload(Label.GREET)))
    return Reply(label=FALLBACK_LABEL, messages=[_("I am not sure I understood. Did you mean one of these?")], buttons=buttons)


def answer_entries(turn: Turn, topic_id: str, entries: list[Entry]) -> Reply:
    """The answer of ``entries`` (one, or two for a two-part question), or the topic's overview; entries to choose as buttons.

    After an entry, the other entries the message may have meant; after the
    overview, the topic's entries, the likeliest first. When the reply asks
    for the user's city, they come with "where to go", after the city.
    """
    topic = turn.pack.topics[topic_id]
    if entries:
        reply = answer_topic(turn, topic_id, entry=entries[0], also=entries[1] if len(entries) > 1 else None)
        offered = related_entries(turn, topic, entries)
    else:
        reply = answer_topic(turn, topic_id)
        offered = offered_entries(turn, topic)[:ENTRY_CHOICES]
    if reply.awaiting_city:
        reply.entries_after_city = [entry.id for entry in offered]
    else:
        reply.buttons += entry_buttons(turn, offered)
    return reply


class ActionAnswerTopic(AnsweringAction):
    """Answers the topic the user asked about: the entry asked for, or the topic's overview."""

    def name(self) -> str:
        return ACTION_ANSWER_TOPIC

    def respond(self, turn: Turn) -> Reply:
        if turn.intent not in turn.pack.topics:
            return fallback(turn)
        return answer_entries(turn, turn.intent, chosen_entries(turn, turn.pack.topics[turn.intent]))


class ActionFollowUp(AnsweringAction):
    """Answers "and how much does it cost?" about the topic answered last."""

    def name(self) -> str:
        return ACTION_FOR_LABEL[Label.FOLLOW_UP]

    def respond(self, turn: Turn) -> Reply:
        topic_id = turn.tracker.get_slot(SLOT_TOPIC)
        if topic_id not in turn.pack.topics:
            return fallback(turn)
        reply = answer_entries(turn, topic_id, follow_up_entries(turn, turn.pack.topics[topic_id]))
        # say which topic the answer is about, since the question did not name it
        title = topic_title(turn.pack.topics[topic_id], turn.lang)
        reply.messages[0] = turn._("About “{topic}”:").format(topic=title) + "\n" + reply.messages[0]
        return reply


class ActionFallback(AnsweringAction):
    """Asks the user to choose when the model is not sure what was meant."""

    def name(self) -> str:
        return ACTION_FALLBACK

    def respond(self, turn: Turn) -> Reply:
        return fallback(turn)
