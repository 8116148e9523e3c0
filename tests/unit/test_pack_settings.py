"""The pack's settings (pack.yml): time zone, public holidays, consular office, personal code, texts naming the country."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.content.check import check_pack
from bot.core.content.loader import _check_references, _Problems, read_pack_settings
from bot.core.content.model import PackSettings
from bot.core.offices.holidays import Calendar, public_holidays
from bot.core.offices.hours import WeeklyHours
from bot.core.plan.present import abroad_card
from bot.core.privacy.masking import Masker, personal_code_shape

# ---- Latvia's public holidays: the holidays package against the rules the assistant wrote by hand before ----


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm), as the hand-written rules had it."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * shift) // 451
    month, day = divmod(h + shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def hand_written(year: int) -> set[date]:
    """What bot/core/offices/holidays.py computed before the holidays package (law "Par svētku, atceres un atzīmējamām dienām", art. 1)."""
    fixed = ((1, 1), (5, 1), (5, 4), (6, 23), (6, 24), (11, 18), (12, 24), (12, 25), (12, 26), (12, 31))
    easter = _easter(year)
    days = {date(year, month, day) for month, day in fixed}
    days |= {easter - timedelta(days=2), easter, easter + timedelta(days=1), easter + timedelta(days=49)}
    for month, day in ((5, 4), (11, 18)):  # moved to the next working day when on a weekend
        moved = date(year, month, day)
        if moved.weekday() >= 5:
            while moved.weekday() >= 5:
                moved += timedelta(days=1)
            days.add(moved)
    return days


#: Working days the Cabinet of Ministers moved to a Saturday (Latvia's pack lists them as extra days off):
#: offices were closed, which the hand-written rules did not know.
MOVED_WORKING_DAYS = {date(2024, 12, 23), date(2024, 12, 30), date(2025, 5, 2), date(2025, 11, 17), date(2026, 1, 2), date(2026, 6, 22)}


def _weekdays(days: set[date] | frozenset[date]) -> set[date]:
    return {d for d in days if d.weekday() < 5}


@pytest.mark.parametrize("year", range(2024, 2029))
def test_the_library_closes_offices_on_the_days_the_hand_written_rules_did(year, pack):
    calendar = pack.settings.calendar
    library = public_holidays(year, calendar.country, calendar.subdivision, calendar.extra_days_off)
    # a weekday is a day off exactly when it was, or when the Cabinet moved a working day away from it
    assert _weekdays(library) == _weekdays(hand_written(year)) | {d for d in MOVED_WORKING_DAYS if d.year == year}
    # the only Sunday differences: Mother's Day (second Sunday of May) in the library, Pentecost only in the old rules;
    # both are holidays by the law, and no office opens on a Sunday
    mothers_day = next(date(year, 5, d) for d in range(8, 15) if date(year, 5, d).weekday() == 6)
    pentecost = _easter(year) + timedelta(days=49)
    assert library - hand_written(year) - MOVED_WORKING_DAYS == {mothers_day}
    assert hand_written(year) - library <= {pentecost}
    assert not any(b.hours and b.hours.days[6] for b in pack.directory.branches)


def test_weekend_holidays_move_to_monday_as_before():
    assert date(2028, 11, 20) in public_holidays(2028, "LV")  # 18 November 2028 is a Saturday
    assert date(2025, 5, 5) in public_holidays(2025, "LV")  # 4 May 2025 was a Sunday
    assert date(2026, 11, 19) not in public_holidays(2026, "LV")


# ---- Latvia's values ----


def test_latvias_settings(pack):
    settings = pack.settings
    assert settings.time_zone == "Europe/Riga" and settings.calendar.zone == ZoneInfo("Europe/Riga")
    assert (settings.calendar.country, settings.calendar.subdivision) == ("LV", None)
    assert settings.consular_office == "mfa_consular" and settings.consular_office in pack.offices
    assert settings.text("widget_title", "uk") == "Допомога тим, хто приїжджає до Латвії"
    assert settings.text("abroad_note", "lv").startswith("No ārzemēm dokumentus iesniedz Latvijas vēstniecībā")


def test_branch_hours_keep_the_packs_calendar(pack):
    hours = next(b.hours for b in pack.directory.branches if b.hours)
    assert hours.calendar == pack.settings.calendar
    # 08:00 UTC on Proclamation Day (a Wednesday in 2026): closed whatever the server's zone
    assert not hours.status(datetime(2026, 11, 18, 8, 0, tzinfo=ZoneInfo("UTC"))).open


def test_the_abroad_card_is_the_consular_office_under_the_packs_note(pack):
    card = abroad_card(pack, "ru")
    assert card["office"] == "mfa_consular" and card["note"].startswith("Из-за границы")
    assert abroad_card(dataclasses.replace(pack, settings=dataclasses.replace(pack.settings, consular_office=None)), "ru") is None


# ---- another country's calendar ----


def test_another_countrys_time_zone_and_holidays():
    tallinn = ZoneInfo("Europe/Tallinn")
    hours = WeeklyHours.parse({"mon": ["09:00-17:00"], "tue": ["09:00-17:00"]}, Calendar("Europe/Tallinn", "EE"))
    assert hours.status(datetime(2026, 12, 7, 9, 30, tzinfo=tallinn)).open  # a Monday, 09:30 in Tallinn
    assert not hours.intervals_on(date(2026, 2, 24))  # Tuesday, Estonia's Independence Day
    assert hours.intervals_on(date(2026, 11, 17))  # Latvia's moved day off is not Estonia's


def test_a_calendar_without_a_country_has_only_its_extra_days():
    calendar = Calendar("Europe/Riga", None, None, (date(2026, 12, 8),))
    assert calendar.is_day_off(date(2026, 12, 8)) and not calendar.is_day_off(date(2026, 12, 25))


# ---- the personal code ----


def test_the_personal_code_is_the_packs(pack):
    masker = Masker(personal_code=personal_code_shape(pack.settings.personal_code))
    assert masker.mask("personas kods 120389-12764").text == "personas kods [personal code]"
    assert masker.mask("мій персональний код 3241 0712 345").text == "мій персональний код [personal code]"
    assert masker.mask("my code 32054711823 please").text == "my code [personal code] please"
    # without the setting, eleven digits alone are no personal code
    assert "[personal code]" not in Masker().mask("my code 32054711823 please").text


# ---- errors in pack.yml ----


def _problems(meta: dict) -> list[str]:
    problems = _Problems()
    read_pack_settings(meta, problems)
    return problems.items


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "settings.time_zone is missing"),
        ({"time_zone": "Europe/Rigaa"}, "not an IANA time zone name"),
        ({"time_zone": "Europe/Riga", "holidays": {"country": "XX"}}, "country 'XX' is not one the holidays package knows"),
        ({"time_zone": "Europe/Riga", "holidays": {"country": "DE", "subdivision": "ZZ"}}, "subdivision 'ZZ' is not one of DE's"),
        ({"time_zone": "Europe/Riga", "holidays": {"country": "LV", "extra_days_off": ["2026-02-30"]}}, "is not a date"),
        ({"time_zone": "Europe/Riga", "holidays": {"country": "LV", "extra_day_off": []}}, "unknown setting 'extra_day_off'"),
        ({"time_zone": "Europe/Riga", "timezone": "x"}, "settings: unknown setting 'timezone'"),
        ({"time_zone": "Europe/Riga", "personal_code": {"pattern": "(\\d", "after_cue": "\\d{11}"}}, "not a valid regular expression"),
        ({"time_zone": "Europe/Riga", "personal_code": {"pattern": "\\d{11}"}}, "personal_code.after_cue is missing"),
        ({"time_zone": "Europe/Riga", "consular_office": "Embassy!"}, "must be an office id"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(settings, message):
    problems = _problems({"settings": settings})
    assert any(message in p for p in problems), problems
    assert all(p.startswith("pack.yml: ") for p in problems)


def test_good_settings_have_no_problems():
    meta = {"settings": {"time_zone": "Europe/Berlin", "holidays": {"country": "DE", "subdivision": "BY"}}}
    problems = _Problems()
    settings = read_pack_settings(meta, problems)
    assert problems.items == [] and settings.calendar == Calendar("Europe/Berlin", "DE", "BY")


def test_a_missing_consular_office_and_missing_texts_are_reported(pack):
    changed = dataclasses.replace(pack, settings=dataclasses.replace(pack.settings, consular_office="embassy"))
    problems = _Problems()
    _check_references(changed, problems)
    assert problems.items == ["pack.yml: settings.consular_office 'embassy' does not exist in offices.yml"]
    texts = {key: {k: v for k, v in per.items() if k != "lv"} for key, per in pack.settings.texts.items()}
    without_lv = dataclasses.replace(pack, settings=dataclasses.replace(pack.settings, texts=texts))
    messages = {f.message for f in check_pack(without_lv) if f.where == "pack.yml"}
    assert messages == {"texts.widget_title (the web widget's title) has no 'lv' text", next(m for m in messages if "abroad_note" in m)}


def test_unknown_texts_are_refused():
    problems = _problems({"settings": {"time_zone": "UTC"}, "texts": {"title": {"en": "x"}}})
    assert problems == ["pack.yml: texts: unknown text 'title'; the texts are widget_title, abroad_note"]


def test_defaults_name_no_country():
    settings = PackSettings()
    assert settings.time_zone == "UTC" and settings.consular_office is None and settings.personal_code is None
