"""The figures of a period, read from the insights job's daily counts, and how small numbers are shown.

Counts are of conversations (a Rasa session) per day: a conversation that
goes on over two days counts on each, so a period's total is a sum of days.
A number from 1 to 4 is shown as "<5" (``shown``) everywhere: on the page, in
the CSV files and in the report; a rate is shown only when both its parts
are 0 or at least 5. The charts draw such a value at 2.5, lighter.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.staff.db import insights_cells, insights_days
from bot.staff.insights.aggregate import ANY_ENTRY, CHANNELS, OUTCOMES

SMALL = 5  # fewer conversations than this are shown as "<5"
TOP = 10  # topics and entries in the "top" charts
CHANNEL_ORDER = (*CHANNELS, "other")


def is_small(value: int) -> bool:
    """True for a count that must not be shown exactly (1 to 4)."""
    return 0 < value < SMALL


def shown(value: int) -> str:
    """A count as the page, the CSV and the report show it."""
    return "<5" if is_small(value) else str(value)


@dataclass(frozen=True)
class Rate:
    """``part`` of ``whole``, shown as a percentage only when neither is a small number."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        if self.whole < SMALL or is_small(self.part):
            return None
        return self.part / self.whole

    def shown(self) -> str:
        value = self.value
        return "–" if value is None else f"{value * 100:.1f}%"


def change_points(now: Rate, before: Rate) -> float | None:
    """The change of a rate in percentage points (None when either cannot be shown)."""
    if now.value is None or before.value is None:
        return None
    return (now.value - before.value) * 100


@dataclass(frozen=True)
class Period:
    """The days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def previous(self) -> Period:
        """The period of the same length just before this one (the month before, for a whole month)."""
        if self.start.day == 1 and self.end == month_end(self.start):
            last = self.start - timedelta(days=1)
            return Period(last.replace(day=1), last)
        length = (self.end - self.start).days + 1
        return Period(self.start - timedelta(days=length), self.start - timedelta(days=1))

    def query(self) -> str:
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month(value: str | None, today: date) -> Period:
    """The month ``YYYY-MM`` (default: the last whole month before ``today``)."""
    try:
        year, number = (int(part) for part in (value or "").split("-"))
        first = date(year, number, 1)
    except ValueError:
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return Period(first, month_end(first))


PRESETS = ("7", "30", "90", "month", "last-month")
MAX_DAYS = 366


def period(query: Mapping[str, str], today: date) -> Period:
    """The period a request asks for: ``from``/``to`` dates, or a preset ``range`` (default: the last 30 days)."""
    try:
        start, end = date.fromisoformat(query.get("from", "")), date.fromisoformat(query.get("to", ""))
        if start <= end and (end - start).days < MAX_DAYS:
            return Period(start, end)
    except ValueError:
        pass
    preset = query.get("range", "30")
    if preset == "month":
        return Period(today.replace(day=1), today)
    if preset == "last-month":
        return month(None, today)
    days = int(preset) if preset in PRESETS else 30
    return Period(today - timedelta(days=days - 1), today)


@dataclass
class TopicRates:
    """A topic's outcomes in a period: conversations answered, fallen back, marked "did not help", handed to an office."""

    answered: int = 0
    fallback: int = 0
    did_not_help: int = 0
    handed_to_office: int = 0

    @property
    def fallback_rate(self) -> Rate:
        return Rate(self.fallback, self.answered + self.fallback)

    @property
    def unhelpful_rate(self) -> Rate:
        return Rate(self.did_not_help, self.answered)


@dataclass
class Figures:
    """Everything the page and the report show for one period."""

    period: Period
    by_language: dict[str, dict[str, int]] = field(default_factory=dict)  # day -> language -> conversations
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)  # day -> channel -> conversations
    conversations: int = 0
    messages: int = 0
    new: int = 0
    returning: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)  # topic -> conversations answered (labels included)
    entries: dict[str, int] = field(default_factory=dict)  # entry id -> conversations answered
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome -> conversations (once per topic)
    rates: dict[str, TopicRates] = field(default_factory=dict)

    def top_topics(self, topic_ids: set[str]) -> list[tuple[str, int]]:
        ranked = sorted(((t, n) for t, n in self.topics.items() if t in topic_ids and n), key=lambda item: (-item[1], item[0]))
        return ranked[:TOP]

    def top_entries(self) -> list[tuple[str, int]]:
        return sorted(((e, n) for e, n in self.entries.items() if n), key=lambda item: (-item[1], item[0]))[:TOP]

    @property
    def fallback_rate(self) -> Rate:
        answered, fallback = self.outcomes.get("answered", 0), self.outcomes.get("fallback", 0)
        return Rate(fallback, answered + fallback)

    @property
    def unhelpful_rate(self) -> Rate:
        return Rate(self.outcomes.get("did_not_help", 0), self.outcomes.get("answered", 0))


async def figures(staff: AsyncEngine, span: Period) -> Figures:
    """The figures of ``span`` from the staff database."""
    first, last = span.start.isoformat(), span.end.isoformat()
    found = Figures(span)
    by_language: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_channel: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    languages: dict[str, int] = defaultdict(int)
    channels: dict[str, int] = defaultdict(int)
    async with staff.connect() as conn:
        days = (await conn.execute(select(insights_days).where(insights_days.c.day.between(first, last)))).mappings().all()
        cells = (await conn.execute(select(insights_cells).where(insights_cells.c.day.between(first, last)))).mappings().all()
    for row in days:
        by_language[row["day"]][row["lang"]] += row["conversations"]
        by_channel[row["day"]][row["channel"]] += row["conversations"]
        languages[row["lang"]] += row["conversations"]
        channels[row["channel"]] += row["conversations"]
        found.conversations += row["conversations"]
        found.messages += row["messages"]
        if row["conversation"] == "returning":
            found.returning += row["conversations"]
        else:
            found.new += row["conversations"]
    topics: dict[str, int] = defaultdict(int)
    entries: dict[str, int] = defaultdict(int)
    outcomes: dict[str, int] = defaultdict(int)
    rates: dict[str, TopicRates] = defaultdict(TopicRates)
    for row in cells:
        outcome, topic, entry, n = row["outcome"], row["topic"], row["entry"], row["conversations"]
        if entry == ANY_ENTRY:
            outcomes[outcome] += n
            if outcome == "answered":
                topics[topic] += n
            if topic and hasattr(TopicRates, outcome):
                setattr(rates[topic], outcome, getattr(rates[topic], outcome) + n)
        elif entry and outcome == "answered":
            entries[entry] += n
    found.by_language = {day: dict(values) for day, values in by_language.items()}
    found.by_channel = {day: dict(values) for day, values in by_channel.items()}
    found.languages, found.channels = dict(languages), dict(channels)
    found.topics, found.entries = dict(topics), dict(entries)
    found.outcomes = {outcome: outcomes.get(outcome, 0) for outcome in OUTCOMES}
    found.rates = dict(rates)
    return found


def percent_change(now: int, before: int) -> float | None:
    """The change from ``before`` to ``now`` in per cent (None when either is small or ``before`` is 0)."""
    if is_small(now) or is_small(before) or before == 0:
        return None
    return (now - before) / before * 100
