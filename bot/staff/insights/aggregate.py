"""The insights job: the event broker's new events become daily counts in the staff database.

The Rasa server publishes every conversation event to its SQL event broker
(bot/rasa_server/event_broker.py, ``MIGRANT_BOT_EVENTS_URL``). This job reads the events
after the last one it counted, and adds to two tables of the staff database
(bot/staff/db.py):

- ``staff_insights_cells``: per day, topic, entry, reply language, channel,
  outcome and new/returning conversation, how many conversations had such a
  turn and how many messages were answered so;
- ``staff_insights_days``: per day, language, channel and new/returning, how
  many conversations there were and their messages (each conversation once a
  day, under the language of its first reply that day).

A *turn* is a user message and the reply's ``meta`` (the reply contract of
content-scope.md: ``custom.meta`` on the web channels, the bot event's
``metadata.meta`` on messengers, see actions/base.py). Its outcome is
``did_not_help`` for a press of "this did not help" (counted on the topic and
entry of the answer it was pressed under), ``fallback`` for the label
``fallback`` (counted on the topic the model ranked first), ``out_of_scope``,
``handed_to_office`` for the label ``ask_human`` (on the topic talked about
last), and ``answered`` for everything else (on the reply's label and entry).
A *conversation* is a Rasa session (a day of silence starts a new one); it
is *returning* when the same sender had turns in an earlier session that the
broker still holds (within the retention period).

Incremental and idempotent: the job keeps the id of the last event it counted
(``staff_insights_state``), and for the senders of the new events it replays
their earlier events too, so that a conversation counted before is never
counted again; the new position and the counts are written in one
transaction, and a run that finds the position moved under it (another run at
the same time) counts nothing. Events of the last ``settle_s`` seconds wait
for the next run (a PostgreSQL broker can commit ids out of order).

No message text, no sender id, nothing finer than a day is written: every
value is an identifier from the content pack or the channels, checked
against a pattern (anything else becomes ``other``).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core import event_log
from bot.core.content.model import CONVERSATION_LABELS, FALLBACK_LABEL
from bot.core.dialogue import ENTITY_FEEDBACK, FEEDBACK_UNHELPFUL, Label
from bot.staff import conversations
from bot.staff.db import insights_cells, insights_days, insights_state
from bot.staff.web import CONFIG, ENGINE

log = logging.getLogger(__name__)

EVERY_S = 3600
SETTLE_S = 120  # events younger than this wait for the next run
CHUNK = 20000  # events read (and committed) at a time
OUTCOMES = ("answered", "fallback", "out_of_scope", "did_not_help", "handed_to_office")
CHANNELS = ("rest", "socketio", "telegram", "messenger", "whatsapp")
NEW, RETURNING = "new", "returning"
ANY_ENTRY = "*"  # the cell row of a topic as a whole
#: the broker's events a turn is made of
KINDS = ("user", "bot", "session_started")
_ID = re.compile(r"[a-z0-9_]{1,60}(\.[a-z0-9_]{1,60})?")
_LANG = re.compile(r"[a-z]{2,3}")
_NOT_TOPICS = frozenset({*CONVERSATION_LABELS, FALLBACK_LABEL, Label.NLU_FALLBACK.value})


@dataclass(frozen=True)
class Event:
    """What the job keeps of one broker row (not the row's JSON: a user event's is kilobytes of parse data)."""

    id: int
    sender: str
    kind: str
    timestamp: float
    channel: str = ""  # a user event's input channel
    unhelpful: bool = False  # a user event that is the press of "this did not help"
    ranked: str = ""  # a user event's topic ranked first
    meta: dict[str, Any] | None = None  # a bot event's reply meta


@dataclass(frozen=True)
class Turn:
    """One answered user message, as counted (``event_id``: the bot event with the reply's meta)."""

    event_id: int
    session: int
    day: str
    topic: str
    entry: str
    lang: str
    channel: str
    outcome: str
    conversation: str


def _identifier(value: Any) -> str:
    """A topic, label or entry id as it may be stored; anything else is ``other`` (never free text)."""
    return value if isinstance(value, str) and _ID.fullmatch(value) else ("" if value in (None, "") else "other")


def _lang(value: Any) -> str:
    return value if isinstance(value, str) and _LANG.fullmatch(value) else "other"


def _channel(value: Any) -> str:
    return value if value in CHANNELS else "other"


def _meta(data: dict[str, Any]) -> dict[str, Any] | None:
    """The reply contract's meta of a bot event: ``custom.meta`` (web channels) or ``metadata.meta`` (messengers)."""
    custom = (data.get("data") or {}).get("custom")
    meta = custom.get("meta") if isinstance(custom, dict) else None
    if not isinstance(meta, dict):
        meta = (data.get("metadata") or {}).get("meta")
    if not isinstance(meta, dict) or not meta.get("label"):
        return None
    return {key: meta.get(key) for key in ("label", "entry", "lang")}


def _is_unhelpful_mark(data: dict[str, Any]) -> bool:
    """The press of "this did not help" (bot.core.payloads.feedback_payload: the feedback entity)."""
    entities = (data.get("parse_data") or {}).get("entities") or []
    return any(isinstance(e, dict) and e.get("entity") == ENTITY_FEEDBACK and e.get("value") == FEEDBACK_UNHELPFUL for e in entities)


def _ranked_topic(data: dict[str, Any]) -> str:
    """The topic the model ranked first for a message it was not sure about ("" when none)."""
    for ranked in (data.get("parse_data") or {}).get("intent_ranking") or []:
        name = ranked.get("name") if isinstance(ranked, dict) else None
        if isinstance(name, str) and name not in _NOT_TOPICS:
            return _identifier(name)
    return ""


@dataclass
class _Pending:
    """A user message waiting for its reply's meta."""

    day: str
    channel: str
    unhelpful: bool
    ranked: str


def turns_of(events: Iterable[Event], zone: tzinfo) -> Iterator[Turn]:
    """The turns of one sender's events (in id order), each with its session and outcome."""
    session = -1
    had_turns = False  # a turn in an earlier session: the conversation is a returning one
    turn_in_session = False
    pending: _Pending | None = None
    last_topic, last_entry = "", ""
    for event in events:
        if event.kind == "session_started":
            had_turns = had_turns or turn_in_session
            session, turn_in_session, pending = session + 1, False, None  # the topic talked about carries over, as its slot does
        elif event.kind == "user":
            session = max(session, 0)  # events added through the HTTP API come without a session start
            day = datetime.fromtimestamp(event.timestamp, zone).date().isoformat()
            pending = _Pending(day, event.channel, event.unhelpful, event.ranked)
        elif event.kind == "bot" and pending is not None:
            meta = event.meta
            if meta is None:
                continue
            label, entry = _identifier(meta.get("label")), _identifier(meta.get("entry"))
            if pending.unhelpful:
                outcome, topic, entry = "did_not_help", last_topic, last_entry
            elif label == FALLBACK_LABEL:
                outcome, topic, entry = "fallback", pending.ranked, ""
            elif label == Label.OUT_OF_SCOPE:
                outcome, topic, entry = "out_of_scope", label, ""
            elif label == Label.ASK_HUMAN:
                outcome, topic, entry = "handed_to_office", last_topic, ""
            else:
                outcome, topic = "answered", label
                if label not in _NOT_TOPICS:
                    last_topic, last_entry = label, entry
            yield Turn(
                event_id=event.id,
                session=session,
                day=pending.day,
                topic=topic,
                entry=entry,
                lang=_lang(meta.get("lang")),
                channel=pending.channel,
                outcome=outcome,
                conversation=RETURNING if had_turns else NEW,
            )
            turn_in_session, pending = True, None


@dataclass
class Counts:
    """What one batch adds: ``[conversations, messages]`` per cell and per day row."""

    cells: dict[tuple[str, ...], list[int]] = field(default_factory=dict)
    days: dict[tuple[str, ...], list[int]] = field(default_factory=dict)
    turns: int = 0

    def add(self, table: dict[tuple[str, ...], list[int]], key: tuple[str, ...], conversations: int, messages: int) -> None:
        found = table.setdefault(key, [0, 0])
        found[0] += conversations
        found[1] += messages


def count(turns: Iterable[Turn], position: int, counts: Counts) -> None:
    """Adds one sender's turns after ``position`` to ``counts`` (its turns up to ``position`` were counted before).

    A conversation counts once per cell and once per day: at its first turn
    there, and only when that turn is after ``position``.
    """
    seen_cells: set[tuple[Any, ...]] = set()
    day_rows: dict[tuple[int, str], tuple[str, ...]] = {}
    for turn in turns:
        new = turn.event_id > position
        counts.turns += new
        for entry in (turn.entry, ANY_ENTRY):
            key = (turn.day, turn.topic, entry, turn.lang, turn.channel, turn.outcome, turn.conversation)
            first = (turn.session, key) not in seen_cells
            seen_cells.add((turn.session, key))
            if new:
                counts.add(counts.cells, key, int(first), 1)
        day_key = (turn.session, turn.day)
        first = day_key not in day_rows
        if first:
            day_rows[day_key] = (turn.day, turn.lang, turn.channel, turn.conversation)
        if new:
            counts.add(counts.days, day_rows[day_key], int(first), 1)


@dataclass
class Report:
    """What one run counted."""

    events: int = 0
    turns: int = 0
    position: int = 0
    busy: bool = False  # another run moved the position: this one counted nothing

    def __str__(self) -> str:
        if self.busy:
            return "Another insights run was counting at the same time; this one counted nothing."
        return f"Counted {self.turns} answered messages from {self.events} new events; the next run starts after event {self.position}."


def event(row: Any) -> Event | None:
    """What the job needs of one broker row (None: a row it cannot read)."""
    kind, text = str(row.type_name), row.data or "{}"
    if kind == "bot" and '"meta"' not in text:  # a bot message without the reply's meta: nothing to read
        return Event(int(row.id), str(row.sender_id), kind, float(row.timestamp or 0))
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    timestamp = float(row.timestamp if row.timestamp is not None else data.get("timestamp") or 0)
    found = Event(int(row.id), str(row.sender_id), kind, timestamp)
    if kind == "user":
        return replace(found, channel=_channel(data.get("input_channel")), unhelpful=_is_unhelpful_mark(data), ranked=_ranked_topic(data))
    if kind == "bot":
        return replace(found, meta=_meta(data))
    return found


def _events(rows: Sequence[Any]) -> list[Event]:
    return [e for e in (event(row) for row in rows) if e is not None]


def _columns() -> list[Any]:
    t = event_log.broker_events.c
    return [t.id, t.sender_id, t.type_name, t.timestamp, t.data]


def read_new(connection: Connection, position: int, cutoff: float, limit: int) -> tuple[list[Event], int, bool]:
    """Up to ``limit`` events after ``position``, stopping at the first one newer than ``cutoff``.

    Returns them, the position after them, and whether more may be waiting.
    """
    if not event_log.exists(connection):
        return [], position, False
    t = event_log.broker_events.c
    query = select(*_columns()).where(t.id > position, t.type_name.in_(KINDS)).order_by(t.id).limit(limit)
    rows = connection.execute(query).all()
    kept = []
    for row in rows:
        if row.timestamp is not None and row.timestamp > cutoff:
            return _events(kept), (int(kept[-1].id) if kept else position), False
        kept.append(row)
    return _events(kept), (int(kept[-1].id) if kept else position), len(rows) == limit


def read_history(connection: Connection, senders: Sequence[str], position: int) -> list[Event]:
    """The events of ``senders`` up to ``position`` (to replay what was counted before), in id order."""
    t = event_log.broker_events.c
    found: list[Event] = []
    for start in range(0, len(senders), 500):
        part = list(senders[start : start + 500])
        query = select(*_columns()).where(t.sender_id.in_(part), t.id <= position, t.type_name.in_(KINDS)).order_by(t.id)
        found.extend(_events(connection.execute(query).all()))
    return found


async def _position(staff: AsyncEngine) -> int:
    async with staff.connect() as conn:
        value = (await conn.execute(select(insights_state.c.position).where(insights_state.c.id == 1))).scalar()
    if value is not None:
        return int(value)
    try:
        async with staff.begin() as conn:
            await conn.execute(insert(insights_state).values(id=1, position=0, updated_at=time.time()))
    except IntegrityError:  # another run made it
        pass
    return await _position(staff)


def _key_filter(table: Any, names: Sequence[str]) -> Any:
    return and_(*(table.c[name] == bindparam(f"k_{name}") for name in names))


async def _add(conn: AsyncConnection, table: Any, names: Sequence[str], increments: dict[tuple[str, ...], list[int]]) -> None:
    """Adds ``increments`` to ``table`` (updating rows that exist, inserting the others)."""
    if not increments:
        return
    days = sorted({key[0] for key in increments})
    existing: set[tuple[str, ...]] = set()
    for start in range(0, len(days), 200):
        query = select(*(table.c[name] for name in names)).where(table.c.day.in_(days[start : start + 200]))
        existing.update(tuple(row) for row in (await conn.execute(query)).all())
    updates = [
        {**{f"k_{n}": v for n, v in zip(names, key, strict=True)}, "d_conversations": c, "d_messages": m}
        for key, (c, m) in increments.items()
        if key in existing
    ]
    inserts = [
        {**dict(zip(names, key, strict=True)), "conversations": c, "messages": m}
        for key, (c, m) in increments.items()
        if key not in existing
    ]
    if updates:
        statement = (
            update(table)
            .where(_key_filter(table, names))
            .values(conversations=table.c.conversations + bindparam("d_conversations"), messages=table.c.messages + bindparam("d_messages"))
        )
        await conn.execute(statement, updates)
    if inserts:
        await conn.execute(insert(table), inserts)


CELL_KEY = ("day", "topic", "entry", "lang", "channel", "outcome", "conversation")
DAY_KEY = ("day", "lang", "channel", "conversation")


async def _batch(events_engine: AsyncEngine, staff: AsyncEngine, zone: tzinfo, cutoff: float, limit: int, report: Report) -> bool:
    """Counts one batch; False when there was nothing (more) to count."""
    position = await _position(staff)
    async with events_engine.connect() as conn:
        new, after, more = await conn.run_sync(read_new, position, cutoff, limit)
        if after == position:
            return False
        senders = sorted({e.sender for e in new})
        history = await conn.run_sync(read_history, senders, position)
    by_sender: dict[str, list[Event]] = {}
    for event in [*history, *new]:  # history's ids are all below the new ones'
        by_sender.setdefault(event.sender, []).append(event)
    counts = Counts()
    for events in by_sender.values():
        count(turns_of(events, zone), position, counts)
    async with staff.begin() as conn:
        moved = await conn.execute(
            update(insights_state)
            .where(insights_state.c.id == 1, insights_state.c.position == position)
            .values(position=after, updated_at=time.time())
        )
        if moved.rowcount != 1:
            report.busy = True
            await conn.rollback()
            return False
        await _add(conn, insights_cells, CELL_KEY, counts.cells)
        await _add(conn, insights_days, DAY_KEY, counts.days)
    report.events += len(new)
    report.turns += counts.turns
    report.position = after
    return more


async def run(
    events_engine: AsyncEngine | None,
    staff: AsyncEngine,
    zone: tzinfo,
    now: float | None = None,
    settle_s: float = SETTLE_S,
    chunk: int = CHUNK,
) -> Report:
    """One run: counts every event up to ``settle_s`` seconds before ``now``; ``events_engine`` None while there is no broker database."""
    report = Report(position=await _position(staff))
    if events_engine is None:
        return report
    cutoff = (time.time() if now is None else now) - settle_s
    while await _batch(events_engine, staff, zone, cutoff, chunk, report):
        pass
    return report


async def run_in_app(app: web.Application) -> Report:
    """The staff app's hourly run (bot/staff/background.py)."""
    report = await run(conversations.events_store(app), app[ENGINE], ZoneInfo(app[CONFIG].timezone))
    log.info("insights: %s", report)
    return report
