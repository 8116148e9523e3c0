"""Opening hours: a week of intervals, closed on public holidays, in the pack's time zone (``Calendar``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from bot.core.offices.holidays import Calendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Interval:
    """One open interval of a day."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Reads "08:30-17:00"; raises ValueError with the bad text."""
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as error:
            raise ValueError(f"opening hours {text!r} are not like 08:30-17:00") from error
        if end <= start:
            raise ValueError(f"opening hours {text!r} end before they start")
        return cls(start, end)


@dataclass(frozen=True)
class WeeklyHours:
    """Open intervals per weekday (0 = Monday); a lunch break is a gap between two.

    The hours are in ``calendar``'s time zone and closed on its days off (the
    pack's ``settings``; a bare ``Calendar()`` is UTC without holidays).
    """

    days: tuple[tuple[Interval, ...], ...]
    calendar: Calendar = field(default_factory=Calendar)

    @classmethod
    def parse(cls, raw: dict[str, list[str]], calendar: Calendar | None = None) -> WeeklyHours:
        """Reads ``{"mon": ["08:30-12:00", "12:30-17:00"], ...}``; missing days are closed."""
        unknown = set(raw) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown weekdays {sorted(unknown)}; use {', '.join(WEEKDAYS)}")
        days = []
        for name in WEEKDAYS:
            intervals = sorted((Interval.parse(t) for t in raw.get(name) or ()), key=lambda i: i.start)
            for before, after in pairwise(intervals):
                if after.start < before.end:
                    raise ValueError(f"{name}: opening hours overlap")
            days.append(tuple(intervals))
        return cls(tuple(days), calendar or Calendar())

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The open intervals of a calendar day (none on a public holiday)."""
        if self.calendar.is_day_off(day):
            return ()
        return self.days[day.weekday()]

    def status(self, now: datetime) -> Status:
        """Whether the office is open at ``now`` (converted to the calendar's time zone), and until when or from when."""
        zone = self.calendar.zone
        local = now.astimezone(zone)
        for interval in self.intervals_on(local.date()):
            if interval.start <= local.time() < interval.end:
                return Status(open=True, until=datetime.combine(local.date(), interval.end, zone))
        return Status(open=False, opens=self.next_opening(local))

    def next_opening(self, local: datetime) -> datetime | None:
        """The next moment the office opens after ``local``, within two weeks."""
        for offset in range(15):
            day = local.date() + timedelta(days=offset)
            for interval in self.intervals_on(day):
                start = datetime.combine(day, interval.start, self.calendar.zone)
                if start > local:
                    return start
        return None


@dataclass(frozen=True)
class Status:
    """Open until ``until``, or closed and opening at ``opens`` (None: not within two weeks)."""

    open: bool
    until: datetime | None = None
    opens: datetime | None = None
