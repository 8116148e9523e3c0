"""Opening hours at the edges, in Riga time, with Latvian public holidays closed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.offices.holidays import Calendar, public_holidays
from bot.core.offices.hours import Interval, WeeklyHours

#: Latvia's calendar as its pack sets it (data/packs/latvia/pack.yml), without the extra days off
LATVIA = Calendar(time_zone="Europe/Riga", country="LV")
RIGA = ZoneInfo("Europe/Riga")
HOURS = WeeklyHours.parse(
    {
        "mon": ["08:30-12:00", "12:30-17:00"],
        "tue": ["08:30-17:00"],
        "wed": ["08:30-17:00"],
        "thu": ["08:30-19:00"],
        "fri": ["08:30-15:00"],
    },
    LATVIA,
)


def riga(*args: int) -> datetime:
    return datetime(*args, tzinfo=RIGA)


def test_open_a_minute_before_closing():
    status = HOURS.status(riga(2026, 11, 24, 16, 59))  # a Tuesday
    assert status.open and status.until == riga(2026, 11, 24, 17, 0)


def test_closed_at_closing_time_opens_next_morning():
    status = HOURS.status(riga(2026, 11, 24, 17, 0))
    assert not status.open and status.opens == riga(2026, 11, 25, 8, 30)


def test_lunch_break_is_closed_and_reopens_after_it():
    status = HOURS.status(riga(2026, 11, 23, 12, 15))  # Monday lunch
    assert not status.open and status.opens == riga(2026, 11, 23, 12, 30)


def test_friday_evening_opens_on_monday():
    status = HOURS.status(riga(2026, 11, 27, 15, 0))
    assert not status.open and status.opens == riga(2026, 11, 30, 8, 30)


def test_around_midnight():
    assert HOURS.status(riga(2026, 11, 24, 23, 59)).opens == riga(2026, 11, 25, 8, 30)
    assert HOURS.status(riga(2026, 11, 25, 0, 0)).opens == riga(2026, 11, 25, 8, 30)


def test_time_is_taken_in_riga_whatever_the_servers_zone():
    # 06:45 UTC is 08:45 in Riga in November (UTC+2): open
    assert HOURS.status(datetime(2026, 11, 24, 6, 45, tzinfo=timezone.utc)).open
    # in summer Riga is UTC+3: 05:45 UTC is 08:45
    assert HOURS.status(datetime(2026, 7, 7, 5, 45, tzinfo=timezone.utc)).open


def test_public_holiday_is_closed():
    # 18 November 2026 is a Wednesday and Proclamation Day
    status = HOURS.status(riga(2026, 11, 18, 10, 0))
    assert not status.open and status.opens == riga(2026, 11, 19, 8, 30)


def test_christmas_to_new_year():
    status = HOURS.status(riga(2026, 12, 23, 18, 0))  # Wednesday evening before Christmas
    assert status.opens == riga(2026, 12, 28, 8, 30)  # 24, 25 closed, then the weekend


def test_extra_day_off_from_the_pack():
    hours = WeeklyHours(HOURS.days, replace(LATVIA, extra_days_off=(date(2026, 11, 24),)))
    assert not hours.status(riga(2026, 11, 24, 10, 0)).open


@pytest.mark.parametrize(
    ("year", "good_friday"), [(2024, date(2024, 3, 29)), (2025, date(2025, 4, 18)), (2026, date(2026, 4, 3)), (2027, date(2027, 3, 26))]
)
def test_easter(year, good_friday):
    assert {good_friday, date.fromordinal(good_friday.toordinal() + 3)} <= public_holidays(year, "LV")


def test_holidays_of_2026():
    days = public_holidays(2026, "LV")
    assert {date(2026, 4, 3), date(2026, 4, 6), date(2026, 6, 23), date(2026, 6, 24), date(2026, 12, 31)} <= days
    assert date(2026, 11, 19) not in days


def test_weekend_national_day_moves_to_monday():
    # 18 November 2028 is a Saturday: Monday 20 November is the day off
    assert date(2028, 11, 20) in public_holidays(2028, "LV")
    # 4 May 2025 was a Sunday: Monday 5 May was the day off
    assert date(2025, 5, 5) in public_holidays(2025, "LV")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"mon": ["8.30 to 5"]}, "are not like 08:30-17:00"),
        ({"mon": ["17:00-08:30"]}, "end before they start"),
        ({"mon": ["08:00-12:00", "11:00-15:00"]}, "overlap"),
        ({"monday": ["08:00-12:00"]}, "unknown weekdays"),
    ],
)
def test_bad_hours_are_refused_with_a_clear_message(raw, message):
    with pytest.raises(ValueError, match=message):
        WeeklyHours.parse(raw)


def test_interval_parse():
    assert Interval.parse("08:30-17:00").end.hour == 17
