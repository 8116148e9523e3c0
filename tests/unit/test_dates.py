"""The date in "checked on <date>", in the form each language's sentence needs (bot/core/offices/dates.py)."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date, get_month_names

from bot.core.offices.dates import checked_on

NOVEMBER_22 = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "22 November 2026"),  # "checked on 22 November 2026"
        ("lv", "22.11.2026."),  # "pārbaudīts 22.11.2026.": no month name, so no case to get wrong
        ("ru", "22 ноября 2026\u202fг."),  # "проверено 22 ноября": genitive (CLDR puts a narrow no-break space before "г.")
        ("uk", "22 листопада 2026\u202fр."),  # "перевірено 22 листопада": genitive
    ],
)
def test_checked_on_in_every_language(lang, expected):
    assert checked_on(NOVEMBER_22, lang) == expected


def test_latvian_has_no_locative_month_in_cldr():
    """Why Latvian gets the numeric date: every month name Babel has is a nominative ("novembris", not "novembrī")."""
    names = {
        *get_month_names("wide", context="format", locale="lv").values(),
        *get_month_names("wide", context="stand-alone", locale="lv").values(),
    }
    assert "novembris" in names and not any(name.endswith("ī") or name.endswith("ā") for name in names)
    assert format_date(NOVEMBER_22, "long", locale="lv") == "2026. gada 22. novembris"


@pytest.mark.parametrize("day", [date(2026, 1, 5), date(2026, 3, 1), date(2026, 12, 31)])
def test_every_month_takes_the_sentences_case(day):
    assert checked_on(day, "lv") == f"{day.day}.{day.month:02d}.{day.year}."  # CLDR's "d.MM.y.": 5.01.2026.
    # genitive month names: "января", "березня", never the nominative "январь", "березень"
    assert get_month_names("wide", context="format", locale="ru")[day.month] in checked_on(day, "ru")
    assert get_month_names("wide", context="stand-alone", locale="ru")[day.month] not in checked_on(day, "ru").split()
    assert get_month_names("wide", context="format", locale="uk")[day.month] in checked_on(day, "uk")
    assert get_month_names("wide", context="stand-alone", locale="uk")[day.month] not in checked_on(day, "uk").split()


def test_a_language_added_later_gets_its_long_date():
    assert checked_on(NOVEMBER_22, "de") == "22. November 2026"
