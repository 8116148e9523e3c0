"""Which knowledge-base entries answer a turn, from the entry selector's ranking.

The NLU pipeline's entry selector (``bot.rasa_server.components.entry_selector``) ranks a
topic's overview and entries (``residence_permit/fee``). Here that ranking
becomes the entries to answer:

- a button that names an entry answers that entry;
- the best entry answers when the selector is sure enough (else the topic's
  overview answers, listing its entries as buttons);
- a two-part question ("how long does it take and how much?") gets the
  entries of both parts, as the entry selector split and ranked them;
- a follow-up ("and how much does it cost?") picks, among the entries of the
  topic answered last, the one the selector ranks best over all topics, or
  the one whose kind (its key, e.g. ``fee``) ranks best;
- the entries the selector ranked next are offered as buttons, so that a
  question between two entries ("how long may I stay without a visa?": who
  needs a visa, or the 90/180 rule) is one tap from the other one.
"""

from __future__ import annotations

from actions.turn import Button, Turn
from bot.core.content.model import OVERVIEW_KEY, RESPONSE_KEY_SEPARATOR, Entry, Topic
from bot.core.dialogue import ENTITY_ENTRY
from bot.core.payloads import button_payload
from bot.core.render import topic_title

#: Below this confidence (within the topic) the overview answers instead of an entry
#: (on the real questions: 0.4 and 0.5 give the same entry accuracy, 0.5 keeps more broad questions on the overview).
ENTRY_CONFIDENCE = 0.5
#: A message of at most this many words ("residence permit?") gets an entry only when the entry is very likely.
SHORT_MESSAGE_WORDS = 3
SHORT_MESSAGE_CONFIDENCE = 0.8
#: After an entry's answer, at most this many other entries of its topic are offered as buttons
#: (with "this did not help", three buttons: what WhatsApp shows as reply buttons).
RELATED_CHOICES = 2
#: An overview offers first the entries at least this likely within the topic, then the rest in the content's order.
#: (After an entry's answer the next ones are offered whatever their confidence: the selector is sure of itself
#: even when wrong; on the real questions the right entry, ranked second, had 0.005 to 0.24.)
LIKELY_CONFIDENCE = 0.1


def _key(intent_response_key: str) -> str:
    return intent_response_key.partition(RESPONSE_KEY_SEPARATOR)[2]


def _of_topic(topic: Topic, ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The ranking's items of ``topic``, as (key, confidence)."""
    prefix = f"{topic.id}{RESPONSE_KEY_SEPARATOR}"
    return [(_key(k), c) for k, c in ranking if k.startswith(prefix)]


def _within(topic: Topic, ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The ranking's items of ``topic``, as (key, confidence) renormalised within the topic."""
    items = _of_topic(topic, ranking)
    total = sum(c for _k, c in items)
    return [(k, c / total) for k, c in items] if total > 0 else []


def _needed_confidence(turn: Turn) -> float:
    short = len(turn.text.split()) <= SHORT_MESSAGE_WORDS
    return SHORT_MESSAGE_CONFIDENCE if short else ENTRY_CONFIDENCE


def _parts(turn: Turn, topic: Topic) -> list[Entry]:
    """The entries the parts of a two-part question ask for, as the entry selector split it."""
    entries = [topic.entries[key] for key, _confidence in _of_topic(topic, turn.entry_parts()) if key in topic.entries]
    return entries if len(entries) > 1 else []


def chosen_entries(turn: Turn, topic: Topic, needed: float | None = None) -> list[Entry]:
    """The entries that answer this message about ``topic`` (empty: the overview answers).

    ``needed``: the confidence an entry needs (default: by the message's length).
    """
    key = turn.entity(ENTITY_ENTRY)
    if key in topic.entries:
        return [topic.entries[key]]
    parts = _parts(turn, topic)
    if parts:
        return parts[:2]
    needed = _needed_confidence(turn) if needed is None else needed
    ranked = [(k, c) for k, c in _within(topic, turn.entry_ranking()) if k in topic.entries or k == OVERVIEW_KEY]
    if not ranked or ranked[0][0] == OVERVIEW_KEY or ranked[0][1] < needed:
        return []
    return [topic.entries[ranked[0][0]]]


def follow_up_entries(turn: Turn, topic: Topic) -> list[Entry]:
    """The entries of ``topic`` that answer a follow-up question (empty: the overview answers)."""
    chosen = chosen_entries(turn, topic, needed=ENTRY_CONFIDENCE)  # a follow-up is short by nature
    if chosen:
        return chosen
    # the topic's entries were not ranked: take the kind of entry asked for ("fee") in this topic
    for intent_response_key, _confidence in turn.entry_ranking():
        key = _key(intent_response_key)
        if key in topic.entries:
            return [topic.entries[key]]
    return []


def related_entries(turn: Turn, topic: Topic, answered: list[Entry]) -> list[Entry]:
    """The entries of ``topic`` the selector ranked next for this message, to offer after ``answered``.

    None after a button (the user chose) or a two-part question (both parts are answered).
    """
    if turn.entity(ENTITY_ENTRY) or len(answered) != 1:
        return []
    done = {entry.key for entry in answered}
    ranked = [k for k, _c in _within(topic, turn.entry_ranking()) if k in topic.entries and k not in done]
    return [topic.entries[k] for k in ranked[:RELATED_CHOICES]]


def offered_entries(turn: Turn, topic: Topic) -> list[Entry]:
    """The entries an overview offers: those likely for this message first (best first), then the rest in the content's order."""
    likely = [k for k, c in _within(topic, turn.entry_ranking()) if k in topic.entries and c >= LIKELY_CONFIDENCE]
    keys = dict.fromkeys([*likely, *topic.entries])
    return [topic.entries[k] for k in keys]


def entry_buttons(turn: Turn, entries: list[Entry]) -> list[Button]:
    """Buttons that answer ``entries``, titled in the reply language."""
    return [Button(topic_title(entry, turn.lang), button_payload(entry.topic, **{ENTITY_ENTRY: entry.key})) for entry in entries]
