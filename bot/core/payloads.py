"""Button payloads: the only messages that may choose an intent directly.

Rasa treats a message starting with "/" as a forced intent with entities. A
user's typed text never gets that power (``bot.core.text`` strips the slash); a
button's payload does, but only for the few choices buttons offer: a topic, a
language, an office, the menu, "this did not help". Anything else is treated
as plain text.
"""

from __future__ import annotations

import json
import re
from typing import Collection, Iterator

from bot.core.content.model import Pack
from bot.core.dialogue import (
    ENTITY_ENTRY,
    ENTITY_FEEDBACK,
    ENTITY_LANGUAGE,
    ENTITY_OFFICE,
    ENTITY_STEP,
    FEEDBACK_INTENT,
    FEEDBACK_UNHELPFUL,
    INTENT_PLAN_STEP,
    Label,
)
from bot.core.text import normalize_user_text

_PAYLOAD = re.compile(r'^/(?P<intent>[a-z_]{2,40})(?P<entities>\{"(?:language|office|feedback|entry)":"[a-z_0-9]{2,40}"\})?$')
_PLAN_STEP = re.compile(r'^/plan_step\{"step":"(?P<number>[1-9][0-9]{0,2})"\}$')
_MENU_INTENTS = frozenset({Label.GREET, Label.CHANGE_LANGUAGE, Label.OFFICE_LOOKUP})


def feedback_payload() -> str:
    """The payload of the "this did not help" button."""
    return button_payload(FEEDBACK_INTENT, **{ENTITY_FEEDBACK: FEEDBACK_UNHELPFUL})


def button_payload(intent: str, **entities: str) -> str:
    """The payload of a button that chooses ``intent`` (with entities)."""
    suffix = json.dumps(entities, separators=(",", ":")) if entities else ""
    return f"/{intent}{suffix}"


def known_payloads(pack: Pack) -> Iterator[str]:
    """Every button payload ``sanitize_incoming`` lets through for ``pack``."""
    for intent in [*pack.topics, *sorted(_MENU_INTENTS)]:
        yield button_payload(intent)
        for code in pack.languages:
            yield button_payload(intent, language=code)
        for office in pack.offices:
            yield button_payload(intent, office=office)
        for key in pack.topics[intent].entries if intent in pack.topics else ():
            yield button_payload(intent, entry=key)
    yield feedback_payload()
    if pack.plan:
        for number in range(1, len(pack.plan.steps) + 1):
            yield button_payload(INTENT_PLAN_STEP, **{ENTITY_STEP: str(number)})


def parse_payload(text: str) -> tuple[str, dict[str, str]] | None:
    """The intent and entities a button payload chooses (``/taxes{"entry":"tax_return"}``); None when it is no such payload."""
    match = _PAYLOAD.match(text)
    if not match:
        return None
    return match.group("intent"), json.loads(match.group("entities")) if match.group("entities") else {}


def _is_allowed(text: str, pack: Pack) -> bool:
    step = _PLAN_STEP.match(text)
    if step:  # a plan's "next step": a number no larger than the pack's plan has steps
        return pack.plan is not None and int(step.group("number")) <= len(pack.plan.steps)
    parsed = parse_payload(text)
    if not parsed:
        return False
    if text == feedback_payload():
        return True
    intent, entities = parsed
    if intent not in pack.topics and intent not in _MENU_INTENTS:
        return False
    if not entities:
        return True
    ((key, value),) = entities.items()
    entries = pack.topics[intent].entries if intent in pack.topics else {}
    choices: dict[str, Collection[str]] = {ENTITY_LANGUAGE: pack.languages, ENTITY_OFFICE: pack.offices, ENTITY_ENTRY: entries}
    allowed = choices.get(key, ())
    return value in allowed


def sanitize_incoming(text: object, pack: Pack) -> str:
    """The text Rasa may see: a known button payload as it is, else cleaned text."""
    if isinstance(text, str) and _is_allowed(text.strip(), pack):
        return text.strip()
    return normalize_user_text(text)
