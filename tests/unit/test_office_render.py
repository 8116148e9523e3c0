"""Hours, open-now status and office cards in every language."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.offices.directory import Branch
from bot.offices.hours import RIGA, WeeklyHours
from bot.offices.render import hours_lines, office_card, office_card_text, status_line

HOURS = WeeklyHours.parse(
    {"mon": ["08:30-12:00", "12:30-17:00"], "tue": ["08:30-17:00"], "wed": ["08:30-17:00"], "thu": ["08:30-17:00"], "fri": ["08:30-15:00"]}
)
BRANCH = Branch(
    id="ocma_test",
    office="ocma",
    city="jelgava",
    name={"en": "PMLP Jelgava division", "uk": "Відділ PMLP в Єлгаві"},
    coordinates=(56.6511, 23.7214),
    address="Test iela 1, Jelgava",
    phone="+371 67209400",
    email="pasts@example.lv",
    booking="https://example.lv/book",
    hours=HOURS,
)


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("en", ["Mon 08:30–12:00 and 12:30–17:00", "Tue–Thu 08:30–17:00", "Fri 08:30–15:00", "Sat–Sun closed"]),
        ("lv", ["pirmd. 08:30–12:00 un 12:30–17:00", "otrd.–ceturtd. 08:30–17:00", "piektd. 08:30–15:00", "sestd.–svētd. slēgts"]),
        ("ru", ["пн 08:30–12:00 и 12:30–17:00", "вт–чт 08:30–17:00", "пт 08:30–15:00", "сб–вс закрыто"]),
        ("uk", ["пн 08:30–12:00 і 12:30–17:00", "вт–чт 08:30–17:00", "пт 08:30–15:00", "сб–нд зачинено"]),
    ],
)
def test_hours_in_each_language(lang, lines):
    assert hours_lines(HOURS, lang) == lines


FRIDAY_EVENING = datetime(2026, 11, 27, 16, 0, tzinfo=RIGA)
MONDAY_LUNCH = datetime(2026, 11, 30, 12, 10, tzinfo=RIGA)
TUESDAY_BEFORE_CLOSING = datetime(2026, 11, 24, 16, 59, tzinfo=RIGA)
TUESDAY_NIGHT = datetime(2026, 11, 24, 23, 30, tzinfo=RIGA)


@pytest.mark.parametrize(
    ("lang", "now", "line"),
    [
        ("en", TUESDAY_BEFORE_CLOSING, "Open now, until 17:00"),
        ("lv", TUESDAY_BEFORE_CLOSING, "Šobrīd atvērts līdz 17:00"),
        ("en", MONDAY_LUNCH, "Closed now; opens today at 12:30"),
        ("uk", MONDAY_LUNCH, "Зараз зачинено; відчиниться сьогодні о 12:30"),
        ("ru", TUESDAY_NIGHT, "Сейчас закрыто; откроется завтра в 08:30"),
        ("en", FRIDAY_EVENING, "Closed now; opens on Monday at 08:30"),
        ("lv", FRIDAY_EVENING, "Šobrīd slēgts; atver pirmdien plkst. 08:30"),
        ("ru", FRIDAY_EVENING, "Сейчас закрыто; откроется в понедельник в 08:30"),
        ("uk", FRIDAY_EVENING, "Зараз зачинено; відчиниться у понеділок о 08:30"),
    ],
)
def test_status_in_each_language(lang, now, line):
    assert status_line(HOURS.status(now), now, lang) == line


def test_office_card_and_its_text():
    card = office_card(BRANCH, "uk", FRIDAY_EVENING)
    assert card["name"] == "Відділ PMLP в Єлгаві"
    assert card["phone_url"] == "tel:+37167209400"
    # an address is searched on the map (the pack's coordinates are approximate)
    assert card["map_url"] == "https://www.openstreetmap.org/search?query=Test+iela+1%2C+Jelgava"
    assert card["status"] == "Зараз зачинено; відчиниться у понеділок о 08:30"
    text = office_card_text(card, "uk")
    assert text.splitlines()[:3] == [
        "Відділ PMLP в Єлгаві",
        "📍 Test iela 1, Jelgava",
        "🕘 Зараз зачинено; відчиниться у понеділок о 08:30",
    ]
    assert "Записатися на прийом: https://example.lv/book" in text


def test_card_leaves_out_what_is_unknown():
    bare = Branch(id="b", office="nva", city="riga", name={"en": "NVA"}, coordinates=(56.9, 24.1))
    card = office_card(bare, "en", FRIDAY_EVENING)
    assert set(card) == {"id", "office", "name", "map_url"}
    # without an address the map shows the area, with no pin pretending to know the door
    assert card["map_url"] == "https://www.openstreetmap.org/#map=14/56.9000/24.1000"
    assert office_card_text(card, "en") == "NVA"
