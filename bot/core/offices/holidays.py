"""The days offices are closed for a holiday, and the time zone their hours are kept in: a pack's calendar.

Public holidays come from the maintained ``holidays`` package
(https://pypi.org/project/holidays/) for the country (and optional
subdivision) the pack names in ``pack.yml`` (``settings.holidays``), with
the days it moves when a holiday falls on a weekend ("observed" days). Days
off the library does not know (a one-off day the government declares, a
working day moved to a Saturday, a festival's closing day) are the pack's
``extra_days_off``. docs/packs.md lists the settings.

Latvia's pack names ``LV``: the law "Par svētku, atceres un atzīmējamām
dienām", article 1 (https://likumi.lv/ta/id/72608), fixed dates, the Easter
days, and 4 May and 18 November moved to Monday when they fall on a weekend;
tests/unit/test_pack_settings.py compares it with the hand-written rules the
assistant had before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_library


@cache
def public_holidays(year: int, country: str, subdivision: str | None = None, extra: tuple[date, ...] = ()) -> frozenset[date]:
    """Every day of ``year`` on which offices are closed for a public holiday in ``country`` (ISO 3166 code, e.g. ``LV``)."""
    days = holiday_library.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(days) | {d for d in extra if d.year == year}


def holiday_problems(country: str, subdivision: str | None = None) -> list[str]:
    """Why the ``holidays`` package cannot give the public holidays of ``country`` (and ``subdivision``); empty when it can."""
    supported = holiday_library.list_supported_countries()
    if country not in supported:
        return [f"country {country!r} is not one the holidays package knows (an ISO 3166 code such as LV, EE, DE)"]
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(supported[country]) or "none"
        return [f"subdivision {subdivision!r} is not one of {country}'s ({known})"]
    return []


def time_zone_problems(name: str) -> list[str]:
    """Why ``name`` is not an IANA time zone this machine knows (``Europe/Riga``); empty when it is."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return [f"time_zone {name!r} is not an IANA time zone name such as Europe/Riga"]
    return []


@dataclass(frozen=True)
class Calendar:
    """Where a pack's offices are: the time zone of their hours, and the days they are closed.

    ``country`` None: no public holidays, only ``extra_days_off``.
    """

    time_zone: str = "UTC"
    country: str | None = None
    subdivision: str | None = None
    extra_days_off: tuple[date, ...] = ()

    @cached_property
    def zone(self) -> ZoneInfo:
        """The time zone office hours are in."""
        return ZoneInfo(self.time_zone)

    def is_day_off(self, day: date) -> bool:
        """True when ``day`` is a public holiday or one of the pack's extra days off."""
        if self.country is None:
            return day in self.extra_days_off
        return day in public_holidays(day.year, self.country, self.subdivision, self.extra_days_off)


def is_public_holiday(day: date, calendar: Calendar) -> bool:
    """True when offices keeping ``calendar`` are closed on ``day`` for a holiday."""
    return calendar.is_day_off(day)
