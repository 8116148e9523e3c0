"""Office questions in every language, over HTTP: the reply contract's ``offices`` and the office card.

With a city the answer is that city's branch (or the nearest one, with its
distance); without one, or with a place the assistant does not know, it is
the office's national contact: never a made-up branch. Either way the reply
is one "where to go" message and its card (``custom.office_cards``).
"""

from __future__ import annotations

import pytest

from bot.core.i18n import translator
from bot.core.offices.render import hours_lines
from tests.e2e.replies import meta, new_sender, texts
from tests.unit.test_routing_matrix import kilometres

NEAREST = "nearest"  # the branch nearest to the named town, worked out by the test
NATIONAL = None  # no branch: the office's national contacts (a card of the office itself)

CASES = [
    # (language, question, office, branch id | NEAREST | NATIONAL)
    ("en", "where is the migration office in Jelgava", "ocma", "ocma_jelgava"),
    ("en", "Is the employment agency in Daugavpils open today?", "nva", "nva_daugavpils"),
    ("en", "when is NVA open on Saturday?", "nva", NATIONAL),
    ("en", "where is PMLP in Tokyo?", "ocma", NATIONAL),
    ("en", "address of the migration office near Sigulda", "ocma", NEAREST),
    ("lv", "kad NVA strādā sestdienā", "nva", NATIONAL),
    ("lv", "kur atrodas PMLP Ventspilī?", "ocma", "ocma_ventspils"),
    ("lv", "Jūrmalas domes darba laiks", "municipality", "municipality_jurmala"),
    ("lv", "PMLP nodaļa Siguldā", "ocma", NEAREST),
    ("ru", "телефон ПМЛП", "ocma", NATIONAL),
    ("ru", "где находится НВА в Резекне?", "nva", "nva_rezekne"),
    ("ru", "адрес ПМЛП в Токио", "ocma", NATIONAL),
    ("ru", "где ближайшая миграционная служба в Сигулде?", "ocma", NEAREST),
    ("uk", "де податкова у Даугавпілсі", "vid", NEAREST),
    ("uk", "телефон PMLP у Валмієрі", "ocma", "ocma_valmiera"),
    ("uk", "графік роботи NVA у Лієпаї", "nva", "nva_liepaja"),
    ("uk", "де знаходиться міграційна служба у Сігулді?", "ocma", NEAREST),
]
TOWNS = {"Sigulda": "sigulda", "Siguldā": "sigulda", "Сигулде": "sigulda", "Сігулді": "sigulda", "Даугавпілсі": "daugavpils"}


def office_card(messages: list[dict]) -> dict:
    """The one office card that travels with the reply contract's meta, shown by the widget instead of the one text."""
    (custom,) = [m["custom"] for m in messages if isinstance(m.get("custom"), dict) and "meta" in m["custom"]]
    (card,) = custom["office_cards"]
    assert custom["cards_replace_text"] == 0 and len(texts(messages)) == 1
    return card


def nearest_branch(pack, office: str, question: str) -> tuple[str, str]:
    """The id of the branch nearest to the town the question names, and the town."""
    town = next(city for word, city in TOWNS.items() if word in question)
    here = pack.directory.cities[town].coordinates
    return min(pack.directory.branches_of(office), key=lambda b: kilometres(here, b.coordinates)).id, town


@pytest.mark.parametrize(("lang", "question", "office", "branch"), CASES)
def test_office_question(assistant, pack, lang, question, office, branch):
    messages = assistant.send(new_sender(), question)
    got = meta(messages)
    assert (got["label"], got["lang"], got["offices"]) == ("office_lookup", lang, [office])
    assert got["sources"], "every office answer names the page its facts come from"
    card = office_card(messages)
    if branch is NATIONAL:
        assert card["id"] == office, "no branch is made up for an unknown or missing place: the national contacts"
        national = pack.offices[office]
        assert (national.phone or national.email) in "\n".join(texts(messages))
        return
    assert card["map_url"].startswith("https://www.openstreetmap.org/")
    if branch != NEAREST:
        assert card["id"] == branch
        hours = next(b.hours for b in pack.directory.branches if b.id == branch)
        if hours:  # the week in the reply's language, and whether it is open now
            assert card["hours"] == hours_lines(hours, lang) and card["status"]
        return
    expected, town = nearest_branch(pack, office, question)
    assert card["id"] == expected
    # a branch in another town says how far it is, in the reply's language
    where = next(b.coordinates for b in pack.directory.branches if b.id == expected)
    km = round(kilometres(pack.directory.cities[town].coordinates, where))
    lead = translator(lang)("The nearest branch is {distance} km from {city}:")
    leads = {lead.format(distance=d, city=pack.directory.cities[town].name_in(lang)) for d in (km - 1, km, km + 1)}  # rounding
    assert any(t.startswith(tuple(leads)) for t in texts(messages)), texts(messages)


def test_the_cases_cover_every_language():
    assert {case[0] for case in CASES} == {"en", "lv", "ru", "uk"}
