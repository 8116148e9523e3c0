"""The dialogue as Rasa reads it: the rules and the domain's intents, slots, actions and form, generated from the pack.

``bot.core.content.build`` writes them into build/ beside the NLU data; the
actions that the rules name are in ``actions/``. Every topic intent is
answered by ``action_answer_topic``, every conversation label by its own
action (``bot.core.dialogue.ACTION_FOR_LABEL``); a message that is only a
place (``inform_city``) by the ``awaiting_city`` slot (``city_rules``); the
plan of a move is a Rasa form (``plan_rules``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.dialogue import (
    ACTION_CITY_REPLY,
    ACTION_FALLBACK,
    ACTION_PLAN_STEP,
    ACTION_SHOW_PLAN,
    ACTION_START_PLAN,
    ENTITIES,
    INTENT_INFORM_CITY,
    INTENT_PLAN_STEP,
    PLAN_FORM,
    PLAN_LABEL,
    PLAN_SLOTS,
    SLOT_AWAITING_CITY,
    SLOT_PLAN_STOPPED,
    SLOTS,
    Label,
    action_for_intent,
    all_actions,
    plan_actions,
)

if TYPE_CHECKING:
    from bot.core.content.model import Pack


def rules_data(pack: Pack) -> dict[str, Any]:
    """One rule per intent: the intent is answered by its action; and the plan interview's form (``plan_rules``)."""
    topics = frozenset(pack.topics)
    rules = [
        {
            "rule": f"answer {intent}",
            "steps": [{"intent": intent}, {"action": action_for_intent(intent, topics)}],
        }
        for intent in [*pack.intents(), Label.NLU_FALLBACK]
        if not (intent == PLAN_LABEL and pack.plan)
    ]
    return {"version": "3.1", "rules": rules + city_rules() + plan_rules(pack)}


def city_rules() -> list[dict[str, Any]]:
    """A message that is only a place (``inform_city``): the city the last reply asked for, or a place out of the blue.

    The state is the ``awaiting_city`` slot, set by the answer that asked
    "In which city are you?" and cleared by the next turn's action whatever
    it is (actions/state.py), so a place given later never brings an old
    answer back. ``action_city_reply`` answers both cases: "where to go" for
    the waiting answer in that city, or the fallback's choice of topics.
    """
    return [
        {
            "rule": "the city the last reply asked for",
            "condition": [{"slot_was_set": [{SLOT_AWAITING_CITY: "a topic or entry id"}]}],
            # the action clears the slot: said here, or the rule would not match the turn's end and Rasa
            # would fall back instead of listening
            "steps": [
                {"intent": INTENT_INFORM_CITY},
                {"action": ACTION_CITY_REPLY},
                {"slot_was_set": [{SLOT_AWAITING_CITY: None}]},
            ],
        },
        {
            "rule": "a place when no city was asked for",
            "condition": [{"slot_was_set": [{SLOT_AWAITING_CITY: None}]}],
            "steps": [{"intent": INTENT_INFORM_CITY}, {"action": ACTION_FALLBACK}],
        },
    ]


def plan_rules(pack: Pack) -> list[dict[str, Any]]:
    """Rasa's form pattern for the plan interview (none when the pack has no plan).

    Asking for a plan starts the form (after ``action_start_plan`` forgot an
    earlier plan's answers); when the form has every answer (a skipped
    question counts) ``action_show_plan`` shows the plan; a "next step"
    button shows one step. A question asked in the middle of the interview is
    answered by its own rule (the form's validation declines it), and Rasa
    then returns to the form, which asks again.
    """
    if not pack.plan:
        return []
    return [
        {
            "rule": "start the plan interview",
            "steps": [{"intent": PLAN_LABEL}, {"action": ACTION_START_PLAN}, {"action": PLAN_FORM}, {"active_loop": PLAN_FORM}],
        },
        {
            "rule": "show the plan when the interview is done",
            "condition": [{"active_loop": PLAN_FORM}],
            "steps": [
                {"action": PLAN_FORM},
                {"active_loop": None},
                {"slot_was_set": [{"requested_slot": None}]},
                {"action": ACTION_SHOW_PLAN},
            ],
        },
        {"rule": "show one step of the plan", "steps": [{"intent": INTENT_PLAN_STEP}, {"action": ACTION_PLAN_STEP}]},
    ]


def _text_slot(name: str) -> dict[str, Any]:
    # the rules' conditions read whether the city is awaited (set or not): the one slot that influences the dialogue
    return {"type": "text", "influence_conversation": name == SLOT_AWAITING_CITY, "mappings": [{"type": "custom"}]}


def domain_data(pack: Pack) -> dict[str, Any]:
    """The generated part of the domain: intents, actions, slots, and the plan's form."""
    domain: dict[str, Any] = {
        "version": "3.1",
        "intents": [*pack.intents(), INTENT_INFORM_CITY],
        "entities": list(ENTITIES),
        "actions": all_actions(),
        "slots": {name: _text_slot(name) for name in SLOTS},
    }
    if pack.plan:
        domain["intents"].append(INTENT_PLAN_STEP)
        domain["actions"] = sorted({*domain["actions"], *plan_actions()})
        domain["slots"].update({name: _text_slot(name) for name in [*PLAN_SLOTS, SLOT_PLAN_STOPPED]})
        domain["forms"] = {PLAN_FORM: {"required_slots": list(PLAN_SLOTS)}}
    return domain
