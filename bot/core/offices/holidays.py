"""Latvia's public holidays (offices are closed), by the law on holidays.

Source: the law "Par svētku, atceres un atzīmējamām dienām", article 1
(https://likumi.lv/ta/id/72608). Fixed dates, the Easter days, and the rule
that 4 May, 18 November and the closing day of the Song and Dance Festival
move the day off to the next working day when they fall on a weekend. One-off
days off the government declares (a festival closing day, say) are listed in
the pack's ``holidays.yml`` as extra dates.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

_FIXED = ((1, 1), (5, 1), (5, 4), (6, 23), (6, 24), (11, 18), (12, 24), (12, 25), (12, 26), (12, 31))
_MOVED_TO_MONDAY = ((5, 4), (11, 18))


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _next_working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@cache
def public_holidays(year: int, extra: tuple[date, ...] = ()) -> frozenset[date]:
    """Every day of ``year`` on which offices are closed for a holiday."""
    easter = easter_sunday(year)
    days = {date(year, month, day) for month, day in _FIXED}
    days |= {easter - timedelta(days=2), easter, easter + timedelta(days=1)}
    days |= {easter + timedelta(days=49)}  # Pentecost (a Sunday)
    for month, day in _MOVED_TO_MONDAY:
        holiday = date(year, month, day)
        if holiday.weekday() >= 5:
            days.add(_next_working_day(holiday))
    days |= {d for d in extra if d.year == year}
    return frozenset(days)


def is_public_holiday(day: date, extra: tuple[date, ...] = ()) -> bool:
    """True when ``day`` is a public holiday in Latvia."""
    return day in public_holidays(day.year, extra)
