"""Which knowledge-base entries answer a turn, from the entry selector's ranking.

The NLU pipeline's entry selector (``bot.components.entry_selector``) ranks a
topic's overview and entries (``residence_permit/fee``). Here that ranking
becomes the entries to answer:

- a button that names an entry answers that entry;
- the best entry answers when the selector is sure enough (else the topic's
  overview answers, listing its entries as buttons);
- a two-part question ("how long does it take and how much?") gets its
  second entry too, when the message joins two parts and the second entry
  is nearly as likely as the first;
- a follow-up ("and how much does it cost?") picks, among the entries of the
  topic answered last, the one the selector ranks best over all topics, or
  the one whose kind (its key, e.g. ``fee``) ranks best.
"""

from __future__ import annotations

import re

from actions.turn import Turn
from bot.content.model import OVERVIEW_KEY, Entry, Topic
from bot.dialogue import ENTITY_ENTRY

#: Below this confidence (within the topic) the overview answers instead of an entry
#: (on the real questions: 0.4 and 0.5 give the same entry accuracy, 0.5 keeps more broad questions on the overview).
ENTRY_CONFIDENCE = 0.5
#: A message of at most this many words ("residence permit?") gets an entry only when the entry is very likely.
SHORT_MESSAGE_WORDS = 3
SHORT_MESSAGE_CONFIDENCE = 0.8
#: A second entry answers too when it has at least this share of the first one's confidence...
SECOND_ENTRY_SHARE = 0.35
#: ...and at least this confidence.
SECOND_ENTRY_CONFIDENCE = 0.12
#: Words and signs that join the parts of a two-part question, in every language of the pack.
_JOINS = re.compile(r"\b(?:and|also|plus|un|arī|kā arī|и|а также|і|й|та|також)\b|[?].*\S.*[?]", re.IGNORECASE)

_DELIMITER = "/"


def _key(intent_response_key: str) -> str:
    return intent_response_key.partition(_DELIMITER)[2]


def _within(topic: Topic, ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The ranking's items of ``topic``, as (key, confidence) renormalised within the topic."""
    prefix = f"{topic.id}{_DELIMITER}"
    items = [(_key(k), c) for k, c in ranking if k.startswith(prefix)]
    total = sum(c for _k, c in items)
    return [(k, c / total) for k, c in items] if total > 0 else []


def _needed_confidence(turn: Turn) -> float:
    short = len(turn.text.split()) <= SHORT_MESSAGE_WORDS
    return SHORT_MESSAGE_CONFIDENCE if short else ENTRY_CONFIDENCE


def _two_part(turn: Turn) -> bool:
    return bool(_JOINS.search(turn.text))


def chosen_entries(turn: Turn, topic: Topic, needed: float | None = None) -> list[Entry]:
    """The entries that answer this message about ``topic`` (empty: the overview answers).

    ``needed``: the confidence an entry needs (default: by the message's length).
    """
    key = turn.entity(ENTITY_ENTRY)
    if key in topic.entries:
        return [topic.entries[key]]
    needed = _needed_confidence(turn) if needed is None else needed
    ranked = [(k, c) for k, c in _within(topic, turn.entry_ranking()) if k in topic.entries or k == OVERVIEW_KEY]
    if not ranked or ranked[0][0] == OVERVIEW_KEY:
        return []
    (first, confidence), rest = ranked[0], ranked[1:]
    if rest and rest[0][0] != OVERVIEW_KEY and _two_part(turn):
        second, second_confidence = rest[0]
        if second_confidence >= max(SECOND_ENTRY_CONFIDENCE, SECOND_ENTRY_SHARE * confidence) and confidence + second_confidence >= needed:
            return [topic.entries[first], topic.entries[second]]
    return [topic.entries[first]] if confidence >= needed else []


def follow_up_entries(turn: Turn, topic: Topic) -> list[Entry]:
    """The entries of ``topic`` that answer a follow-up question (empty: the overview answers)."""
    ranking = turn.entry_ranking()
    chosen = chosen_entries(turn, topic, needed=ENTRY_CONFIDENCE)  # a follow-up is short by nature
    if chosen:
        return chosen
    # the topic's entries were not ranked: take the kind of entry asked for ("fee") in this topic
    for intent_response_key, _confidence in ranking:
        key = _key(intent_response_key)
        if key in topic.entries:
            return [topic.entries[key]]
    return []
