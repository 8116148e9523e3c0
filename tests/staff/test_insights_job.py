"""The insights job (bot/staff/insights/aggregate.py) on a hand-made event stream: exact counts, idempotence, no personal data.

The events are shaped as the Rasa server publishes them to its SQL event
broker (tests/e2e/test_event_broker.py checks that shape against the real
server): a session start, the user message with its channel, parse data and
metadata, the bot messages (the reply's meta in ``custom.meta`` on the web
channels, in ``metadata.meta`` on messengers), and the events the job skips.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, insert, select
from sqlalchemy.engine import make_url

from bot.core import event_log
from bot.staff import retention
from bot.staff.conversations import engine_for
from bot.staff.db import insights_cells, insights_days, open_database
from bot.staff.insights import aggregate
from tests.postgres import postgres_url  # noqa: F401 (a fixture)

RIGA = ZoneInfo("Europe/Riga")
DAY1 = datetime(2025, 11, 3, 10, 0, tzinfo=RIGA).timestamp()
DAY2 = datetime(2025, 11, 4, 23, 30, tzinfo=RIGA).timestamp()  # 21:30 UTC: still the 4th in Riga
SECRET_TEXTS = ["cik maksā uzturēšanās atļauja Jānim", "How much is the permit for Olena Petrenko", "weather in Riga today?"]
SENDERS = {"rest": "9f1c2b7a0d4e4c21b3a5", "socketio": "sock-77c1e0aa", "telegram": "telegram:5551234", "rest2": "b2b~client-42"}


@dataclass
class Stream:
    """A broker event stream written the way Rasa's tracker store publishes it (``url``: the broker's database)."""

    url: str
    clock: itertools.count = field(default_factory=lambda: itertools.count())
    rows: list[dict] = field(default_factory=list)

    def _add(self, sender: str, at: float, event: dict) -> None:
        self.rows.append(event_log.row({"sender_id": sender, "timestamp": at + next(self.clock) * 0.001, **event}))

    def session(self, sender: str, at: float, lang: str | None = None) -> None:
        if lang:
            self._add(sender, at, {"event": "slot", "name": "session_started_metadata", "value": {"lang": lang}})
        self._add(sender, at, {"event": "action", "name": "action_session_start"})
        self._add(sender, at, {"event": "session_started"})
        self._add(sender, at, {"event": "action", "name": "action_listen"})

    def turn(
        self,
        sender: str,
        at: float,
        channel: str,
        text: str,
        label: str,
        entry: str | None = None,
        lang: str = "en",
        ranking: tuple[str, ...] = (),
        unhelpful: bool = False,
    ) -> None:
        entities = [{"entity": "feedback", "value": "unhelpful", "start": 0, "end": 0}] if unhelpful else []
        intent = "nlu_fallback" if label == "fallback" else ("ask_human" if unhelpful else label)
        ranked = [{"name": name, "confidence": 0.3} for name in ranking] or [{"name": intent, "confidence": 0.9}]
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities, "intent_ranking": ranked}
        self._add(sender, at, {"event": "user", "text": text, "parse_data": parse, "input_channel": channel, "metadata": {"lang": lang}})
        self._add(sender, at, {"event": "user_featurization", "use_text_for_featurization": False})
        self._add(sender, at, {"event": "action", "name": "action_answer_topic"})
        meta = {"label": label, "entry": entry, "lang": lang, "offices": ["ocma"], "sources": ["https://www.pmlp.gov.lv/"]}
        answer = f"The answer to: {text}"
        if channel in ("rest", "socketio"):
            self._add(sender, at, {"event": "bot", "text": answer, "data": {"buttons": None}, "metadata": {"lang": lang}})
            self._add(sender, at, {"event": "bot", "text": None, "data": {"custom": {"meta": meta}}, "metadata": {}})
        else:
            self._add(sender, at, {"event": "bot", "text": answer, "data": {"buttons": None}, "metadata": {"lang": lang, "meta": meta}})
        self._add(sender, at, {"event": "slot", "name": "topic", "value": label})
        self._add(sender, at, {"event": "action", "name": "action_listen"})

    def write(self) -> None:
        """Appends the rows not written yet."""
        url = make_url(self.url)
        engine = create_engine(url.set(drivername="postgresql+psycopg") if url.get_backend_name() == "postgresql" else url)
        event_log.metadata.create_all(engine)
        with engine.begin() as connection:
            if self.rows:
                connection.execute(insert(event_log.broker_events), self.rows)
        self.rows = []
        engine.dispose()


def the_first_days(stream: Stream) -> None:
    """Four conversations over REST, the widget and Telegram on 3 November, and one coming back on the 4th."""
    rest, sock, tg, rest2 = SENDERS["rest"], SENDERS["socketio"], SENDERS["telegram"], SENDERS["rest2"]
    stream.session(rest, DAY1, lang="en")
    stream.turn(rest, DAY1, "rest", SECRET_TEXTS[1], "residence_permit", "residence_permit.fee")
    stream.turn(rest, DAY1 + 60, "rest", '/ask_human{"feedback":"unhelpful"}', "ask_human", unhelpful=True)
    stream.session(sock, DAY1)
    stream.turn(sock, DAY1, "socketio", "sveiki", "greet", lang="lv")
    stream.turn(sock, DAY1 + 30, "socketio", SECRET_TEXTS[0], "fallback", lang="lv", ranking=("nlu_fallback", "work_permit", "study"))
    stream.turn(sock, DAY1 + 40, "socketio", SECRET_TEXTS[2], "out_of_scope", lang="lv")
    stream.session(tg, DAY1)
    stream.turn(tg, DAY1, "telegram", "як отримати посвідку", "residence_permit", None, lang="uk")
    stream.turn(tg, DAY1 + 5, "telegram", "хочу поговорити з людиною", "ask_human", lang="uk")
    stream.session(rest2, DAY1)
    stream.turn(rest2, DAY1, "rest", "сколько стоит вид на жительство", "residence_permit", "residence_permit.fee", lang="ru")
    stream.turn(rest2, DAY1 + 9, "rest", "а сколько стоит", "residence_permit", "residence_permit.fee", lang="ru")
    stream.session(rest, DAY2)  # a day of silence: a new session of the same sender
    stream.turn(rest, DAY2, "rest", "documents for a residence permit", "residence_permit", "residence_permit.documents")


D1, D2 = "2025-11-03", "2025-11-04"
FIRST_CELLS = {
    # (day, topic, entry, lang, channel, outcome, new/returning): (conversations, messages)
    (D1, "residence_permit", "residence_permit.fee", "en", "rest", "answered", "new"): (1, 1),
    (D1, "residence_permit", "*", "en", "rest", "answered", "new"): (1, 1),
    (D1, "residence_permit", "residence_permit.fee", "en", "rest", "did_not_help", "new"): (1, 1),
    (D1, "residence_permit", "*", "en", "rest", "did_not_help", "new"): (1, 1),
    (D1, "greet", "", "lv", "socketio", "answered", "new"): (1, 1),
    (D1, "greet", "*", "lv", "socketio", "answered", "new"): (1, 1),
    (D1, "work_permit", "", "lv", "socketio", "fallback", "new"): (1, 1),  # the topic ranked first
    (D1, "work_permit", "*", "lv", "socketio", "fallback", "new"): (1, 1),
    (D1, "out_of_scope", "", "lv", "socketio", "out_of_scope", "new"): (1, 1),
    (D1, "out_of_scope", "*", "lv", "socketio", "out_of_scope", "new"): (1, 1),
    (D1, "residence_permit", "", "uk", "telegram", "answered", "new"): (1, 1),
    (D1, "residence_permit", "*", "uk", "telegram", "answered", "new"): (1, 1),
    (D1, "residence_permit", "", "uk", "telegram", "handed_to_office", "new"): (1, 1),  # the topic talked about
    (D1, "residence_permit", "*", "uk", "telegram", "handed_to_office", "new"): (1, 1),
    (D1, "residence_permit", "residence_permit.fee", "ru", "rest", "answered", "new"): (1, 2),  # one conversation, two messages
    (D1, "residence_permit", "*", "ru", "rest", "answered", "new"): (1, 2),
    (D2, "residence_permit", "residence_permit.documents", "en", "rest", "answered", "returning"): (1, 1),
    (D2, "residence_permit", "*", "en", "rest", "answered", "returning"): (1, 1),
}
FIRST_DAYS = {
    (D1, "en", "rest", "new"): (1, 2),
    (D1, "lv", "socketio", "new"): (1, 3),
    (D1, "uk", "telegram", "new"): (1, 2),
    (D1, "ru", "rest", "new"): (1, 2),
    (D2, "en", "rest", "returning"): (1, 1),
}


async def _tables(staff) -> tuple[dict, dict]:
    async with staff.connect() as conn:
        cells = {tuple(r[:7]): (r[7], r[8]) for r in (await conn.execute(select(insights_cells))).all()}
        days = {tuple(r[:4]): (r[4], r[5]) for r in (await conn.execute(select(insights_days))).all()}
    return cells, days


def _postgres_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
async def databases(request, tmp_path):
    """The broker's database (a ``Stream`` to write it) and the staff database, on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        server, tag = request.getfixturevalue("postgres_url"), f"{tmp_path.name.lower().replace('-', '_')}_{id(tmp_path)}"
        events_url, staff_url = _postgres_database(server, f"events_{tag}"), _postgres_database(server, f"staff_{tag}")
    else:
        events_url, staff_url = f"sqlite:///{tmp_path / 'events.db'}", f"sqlite:///{tmp_path / 'staff.db'}"
    stream = Stream(events_url)
    stream.write()
    staff = await open_database(staff_url)
    events = engine_for(events_url)
    yield stream, events, staff
    await staff.dispose()
    await events.dispose()


def _now() -> float:
    return DAY2 + 3600


async def test_exact_counts_by_day_topic_entry_language_channel_outcome_and_new_or_returning(databases):
    stream, events, staff = databases
    the_first_days(stream)
    stream.write()
    report = await aggregate.run(events, staff, RIGA, now=_now())
    assert report.turns == 10 and not report.busy
    cells, days = await _tables(staff)
    assert cells == FIRST_CELLS
    assert days == FIRST_DAYS


async def test_running_again_counts_nothing_twice_and_new_events_are_added(databases):
    stream, events, staff = databases
    the_first_days(stream)
    stream.write()
    await aggregate.run(events, staff, RIGA, now=_now())
    again = await aggregate.run(events, staff, RIGA, now=_now())
    assert again.turns == 0 and again.events == 0
    assert await _tables(staff) == (FIRST_CELLS, FIRST_DAYS)
    # the Russian conversation goes on: the same cell again (a message, not a conversation), and a new one
    sender = SENDERS["rest2"]
    stream.turn(sender, DAY1 + 120, "rest", "а ещё раз сколько", "residence_permit", "residence_permit.fee", lang="ru")
    stream.turn(sender, DAY1 + 180, "rest", "какие документы", "residence_permit", "residence_permit.documents", lang="ru")
    stream.write()
    report = await aggregate.run(events, staff, RIGA, now=_now())
    assert report.turns == 2
    cells, days = await _tables(staff)
    expected = dict(FIRST_CELLS)
    expected[(D1, "residence_permit", "residence_permit.fee", "ru", "rest", "answered", "new")] = (1, 3)
    expected[(D1, "residence_permit", "*", "ru", "rest", "answered", "new")] = (1, 4)
    expected[(D1, "residence_permit", "residence_permit.documents", "ru", "rest", "answered", "new")] = (1, 1)
    assert cells == expected
    assert days[(D1, "ru", "rest", "new")] == (1, 4)


@pytest.mark.parametrize("chunk", [1, 2, 7])
async def test_small_batches_and_a_turn_cut_in_two_count_the_same(databases, chunk):
    stream, events, staff = databases
    the_first_days(stream)
    stream.write()
    while True:  # a run that stops after each batch, as a crash between batches would
        report = await aggregate.run(events, staff, RIGA, now=_now(), chunk=chunk)
        if report.events == 0:
            break
    assert await _tables(staff) == (FIRST_CELLS, FIRST_DAYS)


async def test_recent_events_wait_for_the_next_run(databases):
    stream, events, staff = databases
    the_first_days(stream)
    stream.write()
    # a minute after the first answer, with no settle time: the press of "this did not help" came later
    await aggregate.run(events, staff, RIGA, now=DAY1 + 30, settle_s=0)
    cells, _ = await _tables(staff)
    assert set(cells) == {
        (D1, "residence_permit", "residence_permit.fee", "en", "rest", "answered", "new"),
        (D1, "residence_permit", "*", "en", "rest", "answered", "new"),
    }
    await aggregate.run(events, staff, RIGA, now=_now())
    assert await _tables(staff) == (FIRST_CELLS, FIRST_DAYS)


async def test_two_runs_at_once_count_once(databases):
    stream, events, staff = databases
    the_first_days(stream)
    stream.write()
    reports = await asyncio.gather(*(aggregate.run(events, staff, RIGA, now=_now()) for _ in range(3)))
    assert sum(r.turns for r in reports) == 10
    assert await _tables(staff) == (FIRST_CELLS, FIRST_DAYS)


async def test_counts_stay_when_the_events_are_deleted(databases):
    stream, events, staff = databases
    the_first_days(stream)
    stream.write()
    await aggregate.run(events, staff, RIGA, now=_now())
    async with events.begin() as conn:
        for sender in SENDERS.values():
            await conn.run_sync(event_log.erase_sender, sender)
    await aggregate.run(events, staff, RIGA, now=_now())
    assert await _tables(staff) == (FIRST_CELLS, FIRST_DAYS)


async def test_no_message_text_sender_id_or_time_of_day_is_stored(databases, tmp_path):
    stream, events, staff = databases
    the_first_days(stream)
    stream.write()
    await aggregate.run(events, staff, RIGA, now=_now())
    cells, days = await _tables(staff)
    stored = json.dumps([list(cells.items()), list(days.items())], ensure_ascii=False, default=str)
    async with staff.connect() as conn:
        stored += json.dumps([list(r) for r in (await conn.execute(select(aggregate.insights_state))).all()])
    await staff.dispose()
    database = (tmp_path / "staff.db").read_bytes() if (tmp_path / "staff.db").exists() else b""  # SQLite: the whole file
    for secret in [*SECRET_TEXTS, *SENDERS.values(), "Olena", "Jānim", "5551234", "The answer to"]:
        assert secret not in stored and secret.encode() not in database, secret
    values = {v for key in [*cells, *days] for v in key}
    assert all(len(v) <= 40 and " " not in v for v in values), values  # identifiers only
    assert not any(":" in v for v in values)  # no time, no "telegram:<id>"


async def test_anything_but_an_identifier_becomes_other(databases):
    stream, events, staff = databases
    sender = "free-text-labels"
    stream.session(sender, DAY1)
    stream.turn(sender, DAY1, "rest", "x", "My name is Anna", "Anna Bērziņa", lang="Русский язык")
    stream.turn(sender, DAY1 + 1, "carrier pigeon", "y", "residence_permit", lang="lv")
    stream.write()
    await aggregate.run(events, staff, RIGA, now=_now())
    cells, days = await _tables(staff)
    assert (D1, "other", "other", "other", "rest", "answered", "new") in cells
    assert (D1, "residence_permit", "", "lv", "other", "answered", "new") in cells
    assert days == {(D1, "other", "rest", "new"): (1, 2)}


async def test_the_retention_job_counts_first_then_deletes_the_broker_s_events_of_idle_conversations(databases):
    stream, events, staff = databases
    the_first_days(stream)
    stream.session("still-talking", DAY2 + 25 * 86400)
    stream.turn("still-talking", DAY2 + 25 * 86400, "rest", "hello", "greet")
    stream.write()
    # 31 days after the 3rd: every conversation of the 3rd is idle past 30 days, the one of the 4th is not
    report = await retention.run(None, staff, 30, 180, now=DAY1 + 31 * 86400, events=events, zone=RIGA)
    async with events.connect() as conn:
        left = {r[0] for r in (await conn.execute(select(event_log.broker_events.c.sender_id))).all()}
    assert left == {SENDERS["rest"], "still-talking"}
    assert report.broker_events == 24 + 15 + 17  # every event of the three idle senders (widget, Telegram, REST)
    cells, days = await _tables(staff)
    assert {k: v for k, v in cells.items() if k[0] != "2025-11-29"} == FIRST_CELLS  # counted before they went
    assert days == {**FIRST_DAYS, ("2025-11-29", "en", "rest", "new"): (1, 1)}


async def test_did_not_help_pressed_after_a_day_counts_on_the_answer_of_the_session_before(databases):
    stream, events, staff = databases
    sender = "came-back-to-press"
    stream.session(sender, DAY1)
    stream.turn(sender, DAY1, "telegram", "cik maksā", "residence_permit", "residence_permit.fee", lang="lv")
    stream.session(sender, DAY2)  # the button stayed under the answer; the topic slot carries over to the new session
    stream.turn(sender, DAY2, "telegram", '/ask_human{"feedback":"unhelpful"}', "ask_human", lang="lv", unhelpful=True)
    stream.write()
    await aggregate.run(events, staff, RIGA, now=_now())
    cells, _ = await _tables(staff)
    assert cells[(D2, "residence_permit", "residence_permit.fee", "lv", "telegram", "did_not_help", "returning")] == (1, 1)
