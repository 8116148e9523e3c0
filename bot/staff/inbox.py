"""The inbox of unanswered questions: what users asked that the assistant did not understand or cover.

Read-only from the assistant's conversation store (Rasa's SQL tracker store,
``MIGRANT_BOT_DATABASE_URL``, table ``events``): user messages that Rasa
classified as ``nlu_fallback`` (not understood) or ``out_of_scope`` (not
covered), and questions whose answer the user marked with "this did not
help" (the button under every topic answer: the question is the user's last
typed message before the press, reason ``unhelpful``). Personal data is
masked before anything is shown or grouped, and similar questions are
grouped and counted (character trigram overlap).
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dialogue import ENTITY_FEEDBACK, FEEDBACK_INTENT, FEEDBACK_UNHELPFUL

REASONS = ("nlu_fallback", "out_of_scope")
UNHELPFUL = FEEDBACK_UNHELPFUL  # the reason of a question whose answer was marked "this did not help"
SIMILAR = 0.5  # Jaccard overlap of character trigrams that puts two questions in one group

# Rasa's table, declared (not reflected) with the columns read here.
_events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("data", Text),
)

# Most specific first: a personal code is also a number.
_MASKS = [
    (re.compile(r"\b\d{6}-?[0-9]\d{4}\b"), "[personal code]"),  # Latvian personas kods
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b"), "[account]"),  # IBAN
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"(?:\+|00)\d[\d \-]{6,16}\d"), "[phone]"),
    (re.compile(r"\b\d[\d \-]{6,}\d\b"), "[number]"),
    (re.compile(r"\b[A-Z]{2}\d{7}\b"), "[document]"),  # passport-style numbers
]


def mask(text: str) -> str:
    """The text with personal data (codes, accounts, e-mails, phones, long numbers) replaced by a tag."""
    for pattern, tag in _MASKS:
        text = pattern.sub(tag, text)
    return text


def _fold(text: str) -> str:
    """Lowercase without diacritics: people often type Latvian without them (makskernieka = makšķernieka)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _trigrams(text: str) -> set[str]:
    folded = " " + " ".join(re.findall(r"\w+", _fold(text))) + " "
    return {folded[i : i + 3] for i in range(len(folded) - 2)}


@dataclass
class Question:
    """One unanswered user message."""

    text: str  # masked
    lang: str
    reason: str
    at: float


@dataclass
class Group:
    """Similar unanswered questions: the first one stands for the group."""

    text: str
    lang: str
    questions: list[Question] = field(default_factory=list)
    grams: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def last(self) -> float:
        return max(q.at for q in self.questions)

    @property
    def reasons(self) -> list[str]:
        return sorted({q.reason for q in self.questions})

    @property
    def examples(self) -> list[str]:
        return sorted({q.text for q in self.questions})[:5]


def group(questions: list[Question]) -> list[Group]:
    """Groups similar questions (same language), largest groups first."""
    groups: list[Group] = []
    for question in sorted(questions, key=lambda q: q.at):
        grams = _trigrams(question.text)
        best, best_score = None, 0.0
        for candidate in groups:
            if candidate.lang != question.lang:
                continue
            score = len(grams & candidate.grams) / max(1, len(grams | candidate.grams))
            if score > best_score:
                best, best_score = candidate, score
        if best is not None and best_score >= SIMILAR:
            best.questions.append(question)
        else:
            groups.append(Group(text=question.text, lang=question.lang, questions=[question], grams=grams))
    return sorted(groups, key=lambda g: (-g.count, -g.last))


def _data(row: Any) -> dict[str, Any]:
    try:
        data = json.loads(row["data"] or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _question(row: Any, reason: str | None = None, at: float | None = None) -> Question | None:
    data = _data(row)
    text = str(data.get("text") or "").strip()
    if not text or text.startswith("/"):  # a button payload, not typed text
        return None
    metadata = data.get("metadata") or {}
    lang = metadata.get("lang") if isinstance(metadata, dict) else None
    when = float(row["timestamp"] or 0) if at is None else at
    return Question(text=mask(text[:500]), lang=str(lang or "?"), reason=reason or row["intent_name"], at=when)


def _is_unhelpful_mark(row: Any) -> bool:
    """The press of "this did not help" (``/ask_human{"feedback":"unhelpful"}``, see bot.channels.payloads)."""
    entities = (_data(row).get("parse_data") or {}).get("entities") or []
    return any(isinstance(e, dict) and e.get("entity") == ENTITY_FEEDBACK and e.get("value") == FEEDBACK_UNHELPFUL for e in entities)


async def _marked_unhelpful(conn: Any, since: float, limit: int) -> list[Question]:
    """The questions whose answer was marked "this did not help": each mark's sender's last typed message before it."""
    marks = (
        await conn.execute(
            select(_events.c.sender_id, _events.c.timestamp, _events.c.data)
            .where(_events.c.type_name == "user", _events.c.intent_name == FEEDBACK_INTENT, _events.c.timestamp > since)
            .where(_events.c.data.contains(f'"{ENTITY_FEEDBACK}"'))
            .order_by(_events.c.timestamp.desc())
            .limit(limit)
        )
    ).mappings().all()
    found = []
    for mark in (m for m in marks if _is_unhelpful_mark(m)):
        earlier = (
            await conn.execute(
                select(_events.c.timestamp, _events.c.data, _events.c.intent_name)
                .where(_events.c.sender_id == mark["sender_id"], _events.c.type_name == "user", _events.c.timestamp < mark["timestamp"])
                .order_by(_events.c.timestamp.desc())
                .limit(5)  # the question, possibly behind a button press or two
            )
        ).mappings().all()
        question = next((q for q in (_question(r, UNHELPFUL, float(mark["timestamp"])) for r in earlier) if q), None)
        if question:
            found.append(question)
    return found


async def unanswered(engine: AsyncEngine, days: int = 90, limit: int = 5000) -> tuple[list[Question], str]:
    """The unanswered questions of the last ``days`` (newest ``limit``), and a note when the store cannot be read."""
    since = time.time() - days * 86400
    query = (
        select(_events.c.intent_name, _events.c.timestamp, _events.c.data)
        .where(_events.c.type_name == "user", _events.c.intent_name.in_(REASONS), _events.c.timestamp > since)
        .order_by(_events.c.timestamp.desc())
        .limit(limit)
    )
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
            unhelpful = await _marked_unhelpful(conn, since, limit)
    except SQLAlchemyError as error:
        return [], f"{type(error).__name__}"
    return [q for q in (_question(r) for r in rows) if q] + unhelpful, ""
