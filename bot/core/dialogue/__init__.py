"""The dialogue's vocabulary: labels, actions, slots and entities, shared by the rules and the actions.

``bot.core.dialogue.rules`` turns them into Rasa's rules and domain; ``actions/``
implements the actions. A change to the dialogue goes here, there and in ``actions/``.
"""

from __future__ import annotations

from enum import Enum


class Label(str, Enum):
    """Every label that is not one of the pack's topics: intents the classifier learns, and Rasa's and ours.

    A member is its string (``Label.GREET == "greet"``, in JSON too), so the
    reply contract, the tracker's events and the pack's files keep plain
    strings; the generated YAML writes the value (bot/core/content/build.py).
    """

    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    ASK_HUMAN = "ask_human"
    CHANGE_LANGUAGE = "change_language"
    OFFICE_LOOKUP = "office_lookup"
    OUT_OF_SCOPE = "out_of_scope"
    FOLLOW_UP = "follow_up"
    #: asking for a personal plan of the move (bot.core.plan); every turn of its interview is labelled so
    PLAN = "plan"
    #: Rasa's FallbackClassifier's intent below its threshold
    NLU_FALLBACK = "nlu_fallback"
    #: a message that is only a place ("Rīgā", a city button): set by the Rasa server's CityReplyRecognizer
    #: (bot.core.city_reply), never learnt by the classifier; the rules send it by the ``awaiting_city`` slot
    INFORM_CITY = "inform_city"
    #: only a button payload carries it: ``/plan_step{"step":"2"}``
    PLAN_STEP = "plan_step"
    #: the reply contract's label for a reply that asked the user to choose (never an intent)
    FALLBACK = "fallback"


#: The labels the pack teaches with ways of asking (data/packs/<pack>/labels/), besides its topics.
LEARNT_LABELS = (
    Label.GREET,
    Label.GOODBYE,
    Label.THANKS,
    Label.ASK_HUMAN,
    Label.CHANGE_LANGUAGE,
    Label.OFFICE_LOOKUP,
    Label.OUT_OF_SCOPE,
    Label.FOLLOW_UP,
    Label.PLAN,
)

ACTION_ANSWER_TOPIC = "action_answer_topic"
ACTION_FALLBACK = "action_fallback"

#: Conversation labels and the action that answers each. Every topic intent is
#: answered by ``ACTION_ANSWER_TOPIC``.
ACTION_FOR_LABEL: dict[str, str] = {
    Label.GREET: "action_greet",
    Label.GOODBYE: "action_goodbye",
    Label.THANKS: "action_thanks",
    Label.ASK_HUMAN: "action_ask_human",
    Label.CHANGE_LANGUAGE: "action_change_language",
    Label.OFFICE_LOOKUP: "action_office_lookup",
    Label.OUT_OF_SCOPE: "action_out_of_scope",
    Label.FOLLOW_UP: "action_follow_up",
    Label.PLAN: "action_start_plan",
    Label.NLU_FALLBACK: ACTION_FALLBACK,
}

INTENT_INFORM_CITY = Label.INFORM_CITY
ACTION_CITY_REPLY = "action_city_reply"

#: Slots the actions keep for the conversation (all text, set by actions only).
SLOT_LANGUAGE = "language"  # the conversation's reply language so far
SLOT_CHOSEN_LANGUAGE = "chosen_language"  # a language the user picked explicitly
SLOT_TOPIC = "topic"  # the topic answered last, for follow-up questions
SLOT_CITY = "city"  # the city the user named last (an id of cities.yml, or "abroad")
SLOT_AWAITING_CITY = "awaiting_city"  # a topic or entry id whose answer waits for the city just asked for
SLOT_CITY_ASKED = "city_asked"  # "yes" once the city was asked for: it is asked once only
SLOT_ENTRIES_AFTER_CITY = "entries_after_city"  # entry ids, space-separated, the awaited answer offers once the city is given
SLOTS = (SLOT_LANGUAGE, SLOT_CHOSEN_LANGUAGE, SLOT_TOPIC, SLOT_CITY, SLOT_AWAITING_CITY, SLOT_CITY_ASKED, SLOT_ENTRIES_AFTER_CITY)

#: Entities that only button payloads carry (see bot.core.payloads).
ENTITY_LANGUAGE = "language"
ENTITY_OFFICE = "office"
ENTITY_ENTRY = "entry"  # on a topic's entry buttons: the entry key ("fee") within the payload's topic
ENTITY_FEEDBACK = "feedback"  # on the "this did not help" button of an answer (the staff inbox lists those)
FEEDBACK_UNHELPFUL = "unhelpful"
#: the intent that button's payload names: a wish for a person, marked so that staff see the question
FEEDBACK_INTENT = Label.ASK_HUMAN
ENTITY_STEP = "step"  # on a plan's "next step" button: the number of the step to show (1 = the first)
ENTITIES = (ENTITY_LANGUAGE, ENTITY_OFFICE, ENTITY_FEEDBACK, ENTITY_ENTRY, ENTITY_STEP)

# --- the plan of a move (issue 21): a Rasa form asks the questions of the pack's plan.yml ---------------

PLAN_LABEL = Label.PLAN  # the label a request for a plan is classified as; every turn of the interview is labelled so
PLAN_FORM = "plan_form"
ACTION_START_PLAN = ACTION_FOR_LABEL[PLAN_LABEL]  # forgets an earlier plan's answers and says what the interview is
ACTION_SHOW_PLAN = "action_show_plan"  # the plan, once the form has its answers
ACTION_PLAN_STEP = "action_plan_step"  # one step in full (messengers' "next step" button)
INTENT_PLAN_STEP = Label.PLAN_STEP
VALIDATE_PLAN_FORM = f"validate_{PLAN_FORM}"
#: the question ids of bot.core.plan.model.QUESTIONS, each answered into the slot ``plan_<question>``
PLAN_QUESTIONS = ("location", "citizenship", "purpose", "city", "family", "when")
PLAN_SLOTS = tuple(f"plan_{question}" for question in PLAN_QUESTIONS)
SLOT_PLAN_STOPPED = "plan_stopped"  # "yes" when the person stopped the interview (no plan is shown then)
PLAN_SKIPPED = "skipped"  # the value of a question's slot that the person skipped


def plan_ask_action(slot: str) -> str:
    """The action that asks for ``slot`` (Rasa's form calls ``action_ask_<slot>``)."""
    return f"action_ask_{slot}"


def plan_actions() -> list[str]:
    """The custom actions of the plan interview."""
    return [ACTION_SHOW_PLAN, ACTION_PLAN_STEP, VALIDATE_PLAN_FORM, *(plan_ask_action(slot) for slot in PLAN_SLOTS)]


def all_actions() -> list[str]:
    """Every custom action the domain declares."""
    return sorted({ACTION_ANSWER_TOPIC, ACTION_CITY_REPLY, *ACTION_FOR_LABEL.values()})


def action_for_intent(intent: str, topics: set[str] | frozenset[str]) -> str:
    """The action that answers ``intent``."""
    if intent in topics:
        return ACTION_ANSWER_TOPIC
    return ACTION_FOR_LABEL.get(intent, ACTION_FALLBACK)
