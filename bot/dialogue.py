"""Which action answers which label: shared by the training-data builder and the actions."""

from __future__ import annotations

ACTION_ANSWER_TOPIC = "action_answer_topic"
ACTION_FALLBACK = "action_fallback"

#: Conversation labels and the action that answers each. Every topic intent is
#: answered by ``ACTION_ANSWER_TOPIC``.
ACTION_FOR_LABEL = {
    "greet": "action_greet",
    "goodbye": "action_goodbye",
    "thanks": "action_thanks",
    "ask_human": "action_ask_human",
    "change_language": "action_change_language",
    "office_lookup": "action_office_lookup",
    "out_of_scope": "action_out_of_scope",
    "follow_up": "action_follow_up",
    "nlu_fallback": ACTION_FALLBACK,
}

#: Slots the actions keep for the conversation (all text, set by actions only).
SLOT_LANGUAGE = "language"  # the conversation's reply language so far
SLOT_CHOSEN_LANGUAGE = "chosen_language"  # a language the user picked explicitly
SLOT_TOPIC = "topic"  # the topic answered last, for follow-up questions
SLOT_CITY = "city"  # the city the user named last (an id of cities.yml, or "abroad")
SLOT_AWAITING_CITY = "awaiting_city"  # a topic or entry id whose answer waits for the city just asked for
SLOT_CITY_ASKED = "city_asked"  # "yes" once the city was asked for: it is asked once only
SLOTS = (SLOT_LANGUAGE, SLOT_CHOSEN_LANGUAGE, SLOT_TOPIC, SLOT_CITY, SLOT_AWAITING_CITY, SLOT_CITY_ASKED)

#: Entities that only button payloads carry (see bot.channels.payloads).
ENTITY_LANGUAGE = "language"
ENTITY_OFFICE = "office"
ENTITY_ENTRY = "entry"  # on a topic's entry buttons: the entry key ("fee") within the payload's topic
ENTITY_FEEDBACK = "feedback"  # on the "this did not help" button of an answer (the staff inbox lists those)
FEEDBACK_UNHELPFUL = "unhelpful"
#: the intent that button's payload names: a wish for a person, marked so that staff see the question
FEEDBACK_INTENT = "ask_human"
ENTITIES = (ENTITY_LANGUAGE, ENTITY_OFFICE, ENTITY_FEEDBACK, ENTITY_ENTRY)


def all_actions() -> list[str]:
    """Every custom action the domain declares."""
    return sorted({ACTION_ANSWER_TOPIC, *ACTION_FOR_LABEL.values()})


def action_for_intent(intent: str, topics: set[str] | frozenset[str]) -> str:
    """The action that answers ``intent``."""
    if intent in topics:
        return ACTION_ANSWER_TOPIC
    return ACTION_FOR_LABEL.get(intent, ACTION_FALLBACK)
