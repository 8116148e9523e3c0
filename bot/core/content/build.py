"""Generates Rasa's training data and domain from the content pack.

Nothing here is edited by hand: ``build/`` is rewritten from ``data/`` and
``domain/`` by ``make build`` and is not committed.
"""

from __future__ import annotations

import re
import shutil
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from bot.core.content.model import OVERVIEW_KEY, RESPONSE_KEY_SEPARATOR, Answer, Entry, Pack, Translation
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
from bot.core.settings import PROJECT_ROOT
from bot.core.text import normalize_user_text

UTTER_PREFIX = "utter_"

# Rasa reads "[text](entity)" and "{...}" inside examples as entity markup.
_MARKUP = re.compile(r"[\[\]{}]")


def _example(text: str) -> str:
    """An example as the model will see users' text (see bot.core.text)."""
    return normalize_user_text(_MARKUP.sub(" ", text))


def _examples(translations: dict[str, Translation], seen: set[str]) -> list[str]:
    examples = []
    for lang in sorted(translations):
        for text in translations[lang].examples:
            clean = _example(text)
            if clean and clean.lower() not in seen:
                seen.add(clean.lower())
                examples.append(clean)
    return examples


def _block(intent: str, examples: list[str]) -> dict[str, str]:
    return {"intent": intent, "examples": "".join(f"- {e}\n" for e in examples)}


def retrieval_intent(answer: Answer) -> str:
    """The retrieval intent an answer's ways of asking train: ``residence_permit/fee``, ``residence_permit/overview``."""
    if isinstance(answer, Entry):
        return f"{answer.topic}{RESPONSE_KEY_SEPARATOR}{answer.key}"
    return f"{answer.id}{RESPONSE_KEY_SEPARATOR}{OVERVIEW_KEY}"


def nlu_data(pack: Pack) -> dict[str, Any]:
    """Rasa NLU training data.

    Every topic is a retrieval intent (Rasa's convention for FAQs): its
    overview and each entry are its responses (``residence_permit/overview``,
    ``residence_permit/fee``), so the intent classifier learns the topic from
    all of them and the entry selector (``bot.rasa_server.components.entry_selector``)
    learns which one. Conversation labels are plain intents.
    """
    seen: set[str] = set()
    nlu = []
    for topic in sorted(pack.topics.values(), key=lambda t: t.id):
        for answer in topic.all_answers():
            nlu.append(_block(retrieval_intent(answer), _examples(answer.translations, seen)))
    for label in sorted(pack.labels.values(), key=lambda lb: lb.id):
        nlu.append(_block(label.id, _examples(label.translations, seen)))
    return {"version": "3.1", "nlu": nlu}


def responses_data(pack: Pack) -> dict[str, Any]:
    """One response per retrieval intent, as Rasa's convention wants: its text is only the answer's id.

    The answer itself is rendered by the actions from the content pack, in the
    reply language; these keys only let Rasa know every response exists.
    """
    responses = {f"{UTTER_PREFIX}{retrieval_intent(answer)}": [{"text": answer.id}] for answer in pack.answers()}
    return {"version": "3.1", "responses": responses}


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


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper that writes a ``Label`` (a str enum) as its value."""


_Dumper.add_multi_representer(Enum, lambda dumper, label: dumper.represent_str(label.value))


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("# Generated by `make build` from data/ : do not edit.\n")
        yaml.dump(data, handle, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def build(pack: Pack, out_dir: Path | None = None) -> Path:
    """Writes ``out_dir/data`` and ``out_dir/domain``; returns ``out_dir``."""
    out_dir = out_dir or PROJECT_ROOT / "build"
    shutil.rmtree(out_dir / "data", ignore_errors=True)
    shutil.rmtree(out_dir / "domain", ignore_errors=True)
    _write(out_dir / "data" / "nlu.yml", nlu_data(pack))
    _write(out_dir / "data" / "responses.yml", responses_data(pack))
    _write(out_dir / "data" / "rules.yml", rules_data(pack))
    _write(out_dir / "domain" / "generated.yml", domain_data(pack))
    for static in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        shutil.copy(static, out_dir / "domain" / static.name)
    return out_dir
