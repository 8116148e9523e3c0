"""The inbox of unanswered questions: what users asked that the assistant did not understand or cover.

Read from the events Rasa publishes to its SQL event broker
(``MIGRANT_BOT_EVENTS_URL``, bot/rasa_server/event_broker.py, the path the insights job
reads too; never Rasa's tracker tables): user messages that Rasa
classified as ``nlu_fallback`` (not understood) or ``out_of_scope`` (not
covered), and questions whose answer the user marked with "this did not
help" (the button under every topic answer: the question is the user's last
typed message before the press, reason ``unhelpful``), and questions after
which the user pressed the button of another entry than the one the
assistant ranked first (reason ``chose_entry``: the user's own choice is
the first suggestion, a way of asking for that entry). Answers given with
confidence can still be wrong (a fishing card answered as the EU Blue Card),
so a sample of them is offered for checking too (reason ``check``): those
whose runner-up topic was close, and one in ``SAMPLE`` of the others.
Each question carries the assistant's best guesses (entries, then topics)
as suggestions for the staff member, never as a silent default. A question
a staff member handled (added as a way of asking, or dismissed) hides the
similar ones asked before it (``staff_inbox_handled``). Conversations are
deleted after ``MIGRANT_BOT_RETENTION_DAYS``; their questions live on in
the staff database's archive (``staff_inbox_archive``, written by
bot/staff/retention.py), masked and without the sender, and the inbox reads
both. Personal data is masked (bot.core.privacy.masking) before anything is
shown, grouped or archived, and similar questions are grouped and counted
(character trigram overlap).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.content.model import ENTRY_SEPARATOR, RESPONSE_KEY_SEPARATOR
from bot.core.dialogue import ENTITY_ENTRY, ENTITY_FEEDBACK, FEEDBACK_INTENT, FEEDBACK_UNHELPFUL, Label
from bot.core.event_log import broker_events as _events
from bot.core.privacy.masking import KINDS, mask_personal_data
from bot.staff.db import inbox_archive, inbox_handled

REASONS = (Label.NLU_FALLBACK.value, Label.OUT_OF_SCOPE.value)  # plain strings: they go into SQL
UNHELPFUL = FEEDBACK_UNHELPFUL  # the reason of a question whose answer was marked "this did not help"
CHECK = "check"  # the reason of a confidently answered question offered for checking
CHOSE = "chose_entry"  # the reason of a question after which the user pressed another entry's button
#: what a question before an entry button was classified as when the press says something about it: a topic, or a follow-up
_NOT_A_TOPIC = frozenset(label.value for label in Label) - {Label.FOLLOW_UP.value}
CLOSE = 0.15  # a confident answer whose runner-up topic was this close is offered for checking
SAMPLE = 50  # and one in this many of the other confident answers
GUESSES = 4  # suggestions kept per question
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
    guesses: tuple[str, ...] = ()  # the assistant's best guesses, best first: entry ids ("banking.fees") or topic ids
    answered: str = ""  # for a question to check: the entry or topic that answered it


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

    @property
    def to_check(self) -> bool:
        """A group of confident answers to check (never mixed with unanswered questions)."""
        return self.questions[0].reason == CHECK

    @property
    def answered(self) -> str:
        """The entry or topic that answered most of a group to check ("" for unanswered questions)."""
        counts = Counter(q.answered for q in self.questions if q.answered)
        return counts.most_common(1)[0][0] if counts else ""

    @property
    def guesses(self) -> list[str]:
        """The assistant's guesses for the group's questions, most often guessed first."""
        counts: Counter[str] = Counter()
        for question in self.questions:
            for rank, guess in enumerate(question.guesses):
                counts[guess] += GUESSES - rank
        return [guess for guess, _ in counts.most_common(GUESSES)]


def group(questions: list[Question]) -> list[Group]:
    """Groups similar questions (same language, both unanswered or both to check), largest groups first."""
    groups: list[Group] = []
    for question in sorted(questions, key=lambda q: q.at):
        grams = _trigrams(question.text)
        best, best_score = None, 0.0
        for candidate in groups:
            if candidate.lang != question.lang or candidate.to_check != (question.reason == CHECK):
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


def _entry_id(retrieval_intent: Any) -> str | None:
    """``banking.fees`` for the retrieval intent ``banking/fees``."""
    if not isinstance(retrieval_intent, str) or RESPONSE_KEY_SEPARATOR not in retrieval_intent:
        return None
    return retrieval_intent.replace(RESPONSE_KEY_SEPARATOR, ENTRY_SEPARATOR, 1)


def _ranked(items: Any, key: str) -> list[tuple[Any, float]]:
    if not isinstance(items, list):
        return []
    found = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("confidence"), (int, float)):
            found.append((item.get(key), float(item["confidence"])))
    return sorted(found, key=lambda pair: -pair[1])


def _selector(parse: dict[str, Any]) -> dict[str, Any]:
    selector = (parse.get("response_selector") or {}).get("default") if isinstance(parse.get("response_selector"), dict) else None
    return selector if isinstance(selector, dict) else {}


def guesses_of(data: dict[str, Any]) -> tuple[str, ...]:
    """The assistant's best guesses for a user message from its parse data: likely entries, then likely topics.

    Ids only as the model saw them; the staff app keeps those the content still has.
    """
    parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
    found: list[str] = []
    for key, confidence in _ranked(_selector(parse).get("ranking"), "intent_response_key"):
        entry = _entry_id(key)
        if entry and confidence >= 0.1:
            found.append(entry)
    for name, confidence in _ranked(parse.get("intent_ranking"), "name"):
        if isinstance(name, str) and name not in REASONS and confidence >= 0.05:
            found.append(name)
    return tuple(dict.fromkeys(found))[:GUESSES]


def _answered(data: dict[str, Any]) -> str:
    """The entry (or, without one, the topic) that answered a confidently understood message."""
    parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
    response = _selector(parse).get("response") or {}
    entry = _entry_id(response.get("intent_response_key")) if isinstance(response, dict) else None
    intent = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
    return entry or str(intent.get("name") or "")


def _question(row: Any, reason: str | None = None, at: float | None = None) -> Question | None:
    data = _data(row)
    text = str(data.get("text") or "").strip()
    if not text or text.startswith("/"):  # a button payload, not typed text
        return None
    metadata = data.get("metadata") or {}
    lang = metadata.get("lang") if isinstance(metadata, dict) else None
    when = float(row["timestamp"] or 0) if at is None else at
    reason = reason or row["intent_name"]
    return Question(
        text=mask(text[:MAX_TEXT]),
        lang=str(lang or "?")[:MAX_LANG],
        reason=reason,
        at=when,
        guesses=guesses_of(data),
        answered=_answered(data) if reason == CHECK else "",
    )


def _questions(rows: Sequence[Any]) -> list[Question]:
    return [q for q in (_question(r) for r in rows) if q]


def _is_unhelpful_mark(row: Any) -> bool:
    """The press of "this did not help" (``/ask_human{"feedback":"unhelpful"}``, see bot.core.payloads)."""
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


async def _messages_before(conn: AsyncConnection, press: Any, count: int) -> Sequence[Any]:
    """The ``count`` user messages of the press's sender just before it, newest first."""
    earlier = (
        select(_events.c.timestamp, _events.c.data, _events.c.intent_name)
        .where(_events.c.sender_id == press["sender_id"], _events.c.type_name == "user", _events.c.timestamp < press["timestamp"])
        .order_by(_events.c.timestamp.desc())
        .limit(count)
    )
    return (await conn.execute(earlier)).mappings().all()


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
        rows = await _messages_before(conn, mark, 5)  # the question, possibly behind a button press or two
        question = next((q for q in (_question(r, UNHELPFUL, float(mark["timestamp"])) for r in rows) if q), None)
        if question:
            found.append(question)
    return found


def pressed_entry(row: Any) -> str | None:
    """The entry id (``residence_permit.fee``) a button press chose (``/residence_permit{"entry":"fee"}``); None otherwise."""
    data = _data(row)
    parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
    if not str(data.get("text") or "").startswith("/"):
        return None
    intent = (parse.get("intent") or {}).get("name") if isinstance(parse.get("intent"), dict) else None
    keys = [e.get("value") for e in parse.get("entities") or [] if isinstance(e, dict) and e.get("entity") == ENTITY_ENTRY]
    return f"{intent}{ENTRY_SEPARATOR}{keys[0]}" if isinstance(intent, str) and keys and isinstance(keys[0], str) else None


def _question_before(rows: Sequence[Any], chosen: str, at: float) -> Question | None:
    """The typed question an entry button answered, when the assistant had ranked another entry first; else None.

    ``rows``: the sender's user messages before the press, newest first. City
    replies are passed over (the entries an answer offers can come after the
    city, actions/state.py); anything else before the question (a button, a
    greeting) means the press was not about a typed question.
    """
    for row in rows:
        if row["intent_name"] == Label.INFORM_CITY.value:
            continue
        question = _question(row, CHOSE, at)
        if question is None or row["intent_name"] in _NOT_A_TOPIC or _answered(_data(row)) == chosen:
            return None
        return replace(question, guesses=tuple(dict.fromkeys([chosen, *question.guesses]))[:GUESSES])
    return None


async def _chose_another_entry(conn: AsyncConnection, since: float, limit: int, sender: str | None = None) -> list[Question]:
    """The questions after which the user pressed the button of another entry than the assistant's first."""
    query = (
        select(_events.c.sender_id, _events.c.timestamp, _events.c.data)
        .where(_events.c.type_name == "user", _events.c.timestamp > since)
        .where(_events.c.data.contains(f'"{ENTITY_ENTRY}"'))
    )
    if sender is not None:
        query = query.where(_events.c.sender_id == sender)
    presses = (await conn.execute(query.order_by(_events.c.timestamp.desc()).limit(limit))).mappings().all()
    found = []
    for press in presses:
        chosen = pressed_entry(press)
        if not chosen:
            continue
        rows = await _messages_before(conn, press, 3)  # the question, possibly behind the city reply
        question = _question_before(rows, chosen, float(press["timestamp"]))
        if question:
            found.append(question)
    return found


def worth_checking(row: Any) -> bool:
    """A confident answer to offer for checking: its runner-up topic was close, or it is in the sample."""
    parse = _data(row).get("parse_data")
    ranking = _ranked(parse.get("intent_ranking"), "name") if isinstance(parse, dict) else []
    if len(ranking) >= 2 and ranking[0][1] - ranking[1][1] < CLOSE:
        return True
    # a stable sample (the same rows on every page load), spread over conversations and times
    return zlib.crc32(f"{row['sender_id']}|{row['timestamp']}".encode()) % SAMPLE == 0


def _checked(rows: Sequence[Any]) -> list[Question]:
    return [q for q in (_question(r, CHECK) for r in rows if worth_checking(r)) if q]


async def _to_check(conn: AsyncConnection, since: float, limit: int, topics: Collection[str]) -> list[Question]:
    """Questions answered with confidence (classified as one of ``topics``) that are worth a second look."""
    if not topics:
        return []
    query = select(_events.c.sender_id, _events.c.intent_name, _events.c.timestamp, _events.c.data).where(
        _events.c.type_name == "user", _events.c.intent_name.in_(sorted(topics)), _events.c.timestamp > since
    )
    rows = (await conn.execute(query.order_by(_events.c.timestamp.desc()).limit(limit))).mappings().all()
    return await asyncio.to_thread(_checked, rows)


async def questions_of(conn: AsyncConnection, sender: str, since: float, limit: int = 5000) -> list[Question]:
    """One conversation's inbox questions asked after ``since``, masked (what the retention job archives), from the broker's events."""
    found = await _not_understood(conn, since, limit, sender) + await _marked_unhelpful(conn, since, limit, sender)
    return found + await _chose_another_entry(conn, since, limit, sender)


async def _archived(staff: AsyncEngine, since: float, limit: int) -> list[Question]:
    query = select(inbox_archive).where(inbox_archive.c.at > since).order_by(inbox_archive.c.at.desc()).limit(limit)
    async with staff.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    return [Question(text=r["text"], lang=r["lang"], reason=r["reason"], at=float(r["at"])) for r in rows]


async def unanswered(
    events: AsyncEngine | None, staff: AsyncEngine, days: int = DAYS, limit: int = 5000, topics: Collection[str] = ()
) -> tuple[list[Question], str]:
    """The inbox's questions of the last ``days`` (newest ``limit`` of each kind), and a note when the events cannot be read.

    Unanswered questions, and, when ``topics`` (the content's topic ids) is given, confident answers worth checking.
    ``events`` (the event broker's database) is None while it does not exist yet; the archive is read all the same.
    """
    since = time.time() - days * 86400
    archived = await _archived(staff, since, limit)
    if events is None:
        return archived, "no conversations yet"
    try:
        async with events.connect() as conn:
            live = await _not_understood(conn, since, limit) + await _marked_unhelpful(conn, since, limit)
            live += await _chose_another_entry(conn, since, limit)
            live += await _to_check(conn, since, limit, topics)
    except SQLAlchemyError as error:
        return archived, f"{type(error).__name__}"
    return live + archived, ""


@dataclass(frozen=True)
class Handled:
    """A question a staff member handled, and when."""

    text: str
    lang: str
    at: float


async def handled(staff: AsyncEngine, days: int = DAYS) -> list[Handled]:
    """The questions handled in the last ``days``."""
    since = time.time() - days * 86400
    query = select(inbox_handled.c.text, inbox_handled.c.lang, inbox_handled.c.at).where(inbox_handled.c.at > since)
    async with staff.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    return [Handled(text=r["text"], lang=r["lang"], at=float(r["at"])) for r in rows]


async def mark_handled(staff: AsyncEngine, text: str, lang: str, outcome: str, days: int = DAYS) -> None:
    """Records a handled question (masked text), and forgets handlings older than the inbox's window."""
    now = time.time()
    values = {"text": mask(text[:MAX_TEXT]), "lang": lang[:MAX_LANG], "outcome": outcome, "at": now}
    async with staff.begin() as conn:
        await conn.execute(inbox_handled.insert().values(**values))
        await conn.execute(delete(inbox_handled).where(inbox_handled.c.at < now - days * 86400))


def split_handled(questions: list[Question], done: list[Handled]) -> tuple[list[Question], list[Question]]:
    """(still open, handled): a question is handled when a similar one of its language was handled after it was asked.

    Asked again after the handling, it is open again: the problem is still there (the model may not be published yet).
    """
    grams = [(h, _trigrams(h.text)) for h in done]
    open_, closed = [], []
    for question in questions:
        mine = _trigrams(question.text)
        is_handled = any(
            h.lang == question.lang and h.at >= question.at and len(mine & theirs) / max(1, len(mine | theirs)) >= SIMILAR
            for h, theirs in grams
        )
        (closed if is_handled else open_).append(question)
    return open_, closed


def matches(group_: Group, search: str) -> bool:
    """True when any question of the group contains ``search`` (case and diacritics ignored)."""
    needle = " ".join(_fold(search).split())
    return not needle or any(needle in " ".join(_fold(q.text).split()) for q in group_.questions)


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
