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

#: Below this confidence (within the topic) the overview answers instead of an entry.
ENTRY_CONFIDENCE = 0.3
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


def _two_part(turn: Turn) -> bool:
    return bool(_JOINS.search(turn.text))


def chosen_entries(turn: Turn, topic: Topic) -> list[Entry]:
    """The entries that answer this message about ``topic`` (empty: the overview answers)."""
    key = turn.entity(ENTITY_ENTRY)
    if key in topic.entries:
        return [topic.entries[key]]
    ranked = _within(topic, turn.entry_ranking())
    if not ranked or ranked[0][0] == OVERVIEW_KEY or ranked[0][1] < ENTRY_CONFIDENCE:
        return []
    chosen = [topic.entries[ranked[0][0]]] if ranked[0][0] in topic.entries else []
    if chosen and len(ranked) > 1 and _two_part(turn):
        second, confidence = ranked[1]
        if second in topic.entries and confidence >= max(SECOND_ENTRY_CONFIDENCE, SECOND_ENTRY_SHARE * ranked[0][1]):
            chosen.append(topic.entries[second])
    return chosen


def follow_up_entries(turn: Turn, topic: Topic) -> list[Entry]:
    """The entries of ``topic`` that answer a follow-up question (empty: the overview answers)."""
    ranking = turn.entry_ranking()
    chosen = chosen_entries(turn, topic)
    if chosen:
        return chosen
    # the topic's entries were not ranked: take the kind of entry asked for ("fee") in this topic
    for intent_response_key, _confidence in ranking:
        key = _key(intent_response_key)
        if key in topic.entries:
            return [topic.entries[key]]
    return []
