"""The inbox of unanswered questions: what users asked that the assistant did not understand or cover.

Read from the events Rasa publishes to its SQL event broker
(``MIGRANT_BOT_EVENTS_URL``, bot/event_broker.py, the path the insights job
reads too; never Rasa's tracker tables): user messages that Rasa
classified as ``nlu_fallback`` (not understood) or ``out_of_scope`` (not
covered), and questions whose answer the user marked with "this did not
help" (the button under every topic answer: the question is the user's last
typed message before the press, reason ``unhelpful``). Conversations are
deleted after ``MIGRANT_BOT_RETENTION_DAYS``; their questions live on in
the staff database's archive (``staff_inbox_archive``, written by
bot/staff/retention.py), masked and without the sender, and the inbox reads
both. Personal data is masked (bot.privacy.masking) before anything is
shown, grouped or archived, and similar questions are grouped and counted
(character trigram overlap).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.dialogue import ENTITY_FEEDBACK, FEEDBACK_INTENT, FEEDBACK_UNHELPFUL
from bot.event_log import broker_events as _events
from bot.privacy.masking import KINDS, mask_personal_data
from bot.staff.db import inbox_archive

REASONS = ("nlu_fallback", "out_of_scope")
UNHELPFUL = FEEDBACK_UNHELPFUL  # the reason of a question whose answer was marked "this did not help"
SIMILAR = 0.5  # Jaccard overlap of character trigrams that puts two questions in one group
DAYS = 90  # the inbox shows the questions of this many days
MAX_TEXT = 500  # characters of a question kept
MAX_LANG = 20  # the language code comes from the client's metadata: kept short
#: A placeholder the masking leaves in a text ("[phone]", "[personal code]", "[date of birth]").
TAG = re.compile(r"\[(?:" + "|".join(re.escape(kind) for kind in KINDS) + r")\]")


def mask(text: str) -> str:
    """The text with personal data (names, codes, documents, accounts, cards, e-mails, phones, addresses, birth dates) replaced by tags."""
    return mask_personal_data(text).text


def personal_data_tags(text: str) -> list[str]:
    """The personal-data tags in ``text``, including those masking it would add (empty: safe as training data)."""
    return sorted(set(TAG.findall(text)) | set(TAG.findall(mask(text))))


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
    return Question(text=mask(text[:MAX_TEXT]), lang=str(lang or "?")[:MAX_LANG], reason=reason or row["intent_name"], at=when)


def _questions(rows: Sequence[Any]) -> list[Question]:
    return [q for q in (_question(r) for r in rows) if q]


def _is_unhelpful_mark(row: Any) -> bool:
    """The press of "this did not help" (``/ask_human{"feedback":"unhelpful"}``, see bot.channels.payloads)."""
    entities = (_data(row).get("parse_data") or {}).get("entities") or []
    return any(isinstance(e, dict) and e.get("entity") == ENTITY_FEEDBACK and e.get("value") == FEEDBACK_UNHELPFUL for e in entities)


async def _not_understood(conn: AsyncConnection, since: float, limit: int, sender: str | None = None) -> list[Question]:
    """The messages classified as not understood or not covered (of one sender, or of everyone)."""
    query = select(_events.c.intent_name, _events.c.timestamp, _events.c.data).where(
        _events.c.type_name == "user", _events.c.intent_name.in_(REASONS), _events.c.timestamp > since
    )
    if sender is not None:
        query = query.where(_events.c.sender_id == sender)
    rows = (await conn.execute(query.order_by(_events.c.timestamp.desc()).limit(limit))).mappings().all()
    return await asyncio.to_thread(_questions, rows)  # masking thousands of messages is CPU work


async def _marked_unhelpful(conn: AsyncConnection, since: float, limit: int, sender: str | None = None) -> list[Question]:
    """The questions whose answer was marked "this did not help": each mark's sender's last typed message before it."""
    query = (
        select(_events.c.sender_id, _events.c.timestamp, _events.c.data)
        .where(_events.c.type_name == "user", _events.c.intent_name == FEEDBACK_INTENT, _events.c.timestamp > since)
        .where(_events.c.data.contains(f'"{ENTITY_FEEDBACK}"'))
    )
    if sender is not None:
        query = query.where(_events.c.sender_id == sender)
    marks = (await conn.execute(query.order_by(_events.c.timestamp.desc()).limit(limit))).mappings().all()
    found = []
    for mark in (m for m in marks if _is_unhelpful_mark(m)):
        earlier = (
            select(_events.c.timestamp, _events.c.data, _events.c.intent_name)
            .where(_events.c.sender_id == mark["sender_id"], _events.c.type_name == "user", _events.c.timestamp < mark["timestamp"])
            .order_by(_events.c.timestamp.desc())
            .limit(5)  # the question, possibly behind a button press or two
        )
        rows = (await conn.execute(earlier)).mappings().all()
        question = next((q for q in (_question(r, UNHELPFUL, float(mark["timestamp"])) for r in rows) if q), None)
        if question:
            found.append(question)
    return found


async def questions_of(conn: AsyncConnection, sender: str, since: float, limit: int = 5000) -> list[Question]:
    """One conversation's inbox questions asked after ``since``, masked (what the retention job archives), from the broker's events."""
    return await _not_understood(conn, since, limit, sender) + await _marked_unhelpful(conn, since, limit, sender)


async def _archived(staff: AsyncEngine, since: float, limit: int) -> list[Question]:
    query = select(inbox_archive).where(inbox_archive.c.at > since).order_by(inbox_archive.c.at.desc()).limit(limit)
    async with staff.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    return [Question(text=r["text"], lang=r["lang"], reason=r["reason"], at=float(r["at"])) for r in rows]


async def unanswered(events: AsyncEngine | None, staff: AsyncEngine, days: int = DAYS, limit: int = 5000) -> tuple[list[Question], str]:
    """The unanswered questions of the last ``days`` (newest ``limit`` of each kind), and a note when the events cannot be read.

    ``events`` (the event broker's database) is None while it does not exist yet; the archive is read all the same.
    """
    since = time.time() - days * 86400
    archived = await _archived(staff, since, limit)
    if events is None:
        return archived, "no conversations yet"
    try:
        async with events.connect() as conn:
            live = await _not_understood(conn, since, limit) + await _marked_unhelpful(conn, since, limit)
    except SQLAlchemyError as error:
        return archived, f"{type(error).__name__}"
    return live + archived, ""


async def archive(conn: AsyncConnection, questions: list[Question]) -> int:
    """Stores masked questions in the archive (inside the caller's transaction); returns how many were new.

    A question already archived (same text, language, reason and time: a run
    that stopped between archiving and deleting) is not stored twice.
    """
    stored = 0
    for question in questions:
        same = and_(
            inbox_archive.c.at == question.at,
            inbox_archive.c.text == question.text,
            inbox_archive.c.lang == question.lang,
            inbox_archive.c.reason == question.reason,
        )
        if (await conn.execute(select(inbox_archive.c.id).where(same).limit(1))).first() is None:
            values = {"text": question.text, "lang": question.lang, "reason": question.reason, "at": question.at}
            await conn.execute(inbox_archive.insert().values(**values))
            stored += 1
    return stored


async def delete_archived(staff: AsyncEngine, before: float) -> int:
    """Deletes archived questions asked before ``before`` (Unix seconds); returns how many."""
    async with staff.begin() as conn:
        result = await conn.execute(delete(inbox_archive).where(inbox_archive.c.at < before))
    return int(result.rowcount or 0)
