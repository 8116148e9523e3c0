"""Hours, open-now status, office cards and their text, and the sources line, in every language."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.offices.directory import Branch
from bot.core.offices.holidays import Calendar
from bot.core.offices.hours import WeeklyHours
from bot.core.offices.render import host_label, hours_lines, markdown_link, office_card, office_card_text, status_line
from bot.core.render import national_card, office_contact, sources_line
from tests.conftest import real_languages

RIGA = ZoneInfo("Europe/Riga")
HOURS = WeeklyHours.parse(
    {"mon": ["08:30-12:00", "12:30-17:00"], "tue": ["08:30-17:00"], "wed": ["08:30-17:00"], "thu": ["08:30-17:00"], "fri": ["08:30-15:00"]},
    Calendar(time_zone="Europe/Riga", country="LV"),
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
    # the reply's Markdown subset: the name in bold, a line per fact, a short link instead of the raw address
    assert office_card_text(card, "uk").splitlines() == [
        "**Відділ PMLP в Єлгаві**",
        "📍 Test iela 1, Jelgava",
        "🕘 Зараз зачинено; відчиниться у понеділок о 08:30",
        "пн 08:30–12:00 і 12:30–17:00",
        "вт–чт 08:30–17:00",
        "пт 08:30–15:00",
        "сб–нд зачинено",
        "☎ +371 67209400 · ✉ pasts@example.lv",
        "[Записатися на прийом](https://example.lv/book)",
    ]


def test_a_cards_note_and_website_are_in_its_text():
    card = {
        **office_card(BRANCH, "en", FRIDAY_EVENING),
        "note": "The nearest branch is 40 km from Ogre:",
        "website": "https://www.pmlp.gov.lv/en",
    }
    lines = office_card_text(card, "en").splitlines()
    assert lines[:2] == ["The nearest branch is 40 km from Ogre:", "**PMLP Jelgava division**"]
    assert lines[-1] == "[Book a visit](https://example.lv/book) · [pmlp.gov.lv](https://www.pmlp.gov.lv/en)"


def test_the_address_note_in_the_reply_language_follows_the_address():
    branch = Branch(**{**BRANCH.__dict__, "address_note": {"en": "Entrance from the yard", "lv": "Ieeja no pagalma"}})
    assert office_card(branch, "lv", FRIDAY_EVENING)["address_note"] == "Ieeja no pagalma"
    assert office_card_text(office_card(branch, "en", FRIDAY_EVENING), "en").splitlines()[1:3] == [
        "📍 Test iela 1, Jelgava",
        "Entrance from the yard",
    ]
    assert "address_note" not in office_card(branch, "ru", FRIDAY_EVENING)  # never another language's note


def test_card_leaves_out_what_is_unknown():
    bare = Branch(id="b", office="nva", city="riga", name={"en": "NVA"}, coordinates=(56.9, 24.1))
    card = office_card(bare, "en", FRIDAY_EVENING)
    assert set(card) == {"id", "office", "name", "map_url"}
    # without an address the map shows the area, with no pin pretending to know the door
    assert card["map_url"] == "https://www.openstreetmap.org/#map=14/56.9000/24.1000"
    assert office_card_text(card, "en") == "**NVA**"


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://www.pmlp.gov.lv/lv/kur-var-iesniegt-dokumentus-0", "pmlp.gov.lv"),
        ("https://vissparmigraciju.pmlp.gov.lv/?page_id=413", "vissparmigraciju.pmlp.gov.lv"),
        ("https://likumi.lv/ta/id/68522", "likumi.lv"),
    ],
)
def test_links_are_labelled_by_their_host(url, label):
    assert host_label(url) == label
    assert markdown_link(url) == f"[{label}]({url})"


SOURCES = (
    "https://www.pmlp.gov.lv/lv/kur-var-iesniegt-dokumentus-0",
    "https://www.pmlp.gov.lv/lv/uzturesanas-atlaujas",  # the same site again: shown once, by its first address
    "https://likumi.lv/ta/id/68522-imigracijas-likums",
)
CHECKED = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "Sources: [pmlp.gov.lv]({0}), [likumi.lv]({2}) · checked on 22 November 2026"),
        # CLDR has no Latvian locative ("novembrī") and "pārbaudīts 22. novembris" is wrong: the numeric date reads right
        ("lv", "Avoti: [pmlp.gov.lv]({0}), [likumi.lv]({2}) · pārbaudīts 22.11.2026."),
        # Russian and Ukrainian month names in the genitive, as after "checked on"
        ("ru", "Источники: [pmlp.gov.lv]({0}), [likumi.lv]({2}) · проверено 22 ноября 2026\u202fг."),
        ("uk", "Джерела: [pmlp.gov.lv]({0}), [likumi.lv]({2}) · перевірено 22 листопада 2026\u202fр."),
    ],
)
def test_sources_line_in_each_language(lang, line):
    assert sources_line(SOURCES, CHECKED, lang) == line.format(*SOURCES)


@pytest.mark.parametrize(("lang", "word"), [("en", "Source:"), ("lv", "Avots:"), ("ru", "Источник:"), ("uk", "Джерело:")])
def test_one_site_is_one_source(lang, word):
    line = sources_line(SOURCES[:2], CHECKED, lang)
    assert line.startswith(f"{word} [pmlp.gov.lv]({SOURCES[0]}) · ")


def test_no_raw_address_in_the_sources_line():
    line = sources_line(SOURCES, CHECKED, "en")
    assert not re.search(r"(?<!\()https?://", line), "every address is a link target, none is shown raw"


def test_national_contacts_as_a_card_and_text(pack):
    ocma = pack.offices["ocma"]
    card = national_card(ocma, "en")
    assert card["name"] == "Office of Citizenship and Migration Affairs (PMLP)"
    assert (card["id"], card["office"], card["phone_url"]) == ("ocma", "ocma", "tel:" + ocma.phone.replace(" ", ""))
    assert card["map_url"].startswith("https://www.openstreetmap.org/search?query=")
    assert office_contact(ocma, "en").splitlines()[0] == "**Office of Citizenship and Migration Affairs (PMLP)**"
    assert f"[pmlp.gov.lv]({ocma.website})" in office_contact(ocma, "en")


@pytest.mark.parametrize("lang", real_languages())
def test_a_name_gets_its_acronym_only_when_it_adds_one(pack, lang):
    assert not national_card(pack.offices["emergency_112"], lang)["name"].endswith("(112)")  # never "112 (112)"
    assert "pašvaldība)" not in national_card(pack.offices["municipality"], lang)["name"]  # no Latvian word in another language
