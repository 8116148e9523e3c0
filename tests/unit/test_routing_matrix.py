"""Routing on the real pack: every office of the content scope, for every city it must route for.

The expected branch is worked out here, from the branch files and the
distances this test computes itself: the branch in the user's city if the
office has one there, otherwise the nearest one, or none (the office's national
contact) for an office without branches or a local office with no branch in
that city. "Where to go" of every answer, for every city, lists each office
once, its main office routed so.
"""

from __future__ import annotations

import math

import pytest
from rasa_sdk import Tracker

from actions.routing import ABROAD, office_cards, routed_office
from actions.turn import Turn
from bot.core.language.choose import LanguageChoice
from bot.core.render import MAX_OFFICES

#: the office ids of shared/content-scope.md
OFFICES = [
    "ocma", "nva", "lva", "aic", "visc", "vid", "nvd", "ur", "csdd", "ombudsman", "mfa_consular", "municipality", "emergency_112",
]  # fmt: skip
#: the cities the directory must route for (content-scope.md)
CITIES = ["riga", "daugavpils", "liepaja", "jelgava", "jurmala", "ventspils", "rezekne", "valmiera", "jekabpils", "ogre"]


def kilometres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance by the spherical law of cosines (a different formula from the code's haversine)."""
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (*a, *b))
    cosine = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return 6371.0 * math.acos(max(-1.0, min(1.0, cosine)))


def test_the_scope_is_all_in_the_pack(pack):
    assert set(OFFICES) == set(pack.offices)
    assert set(CITIES) <= set(pack.directory.cities)


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("office", OFFICES)
def test_every_office_routes_for_every_city(pack, office, city):
    directory = pack.directory
    branches = [b for b in directory.branches if b.office == office]
    here = directory.cities[city].coordinates
    in_city = [b for b in branches if b.city == city]
    route = directory.route(office, city)
    if not branches or (office in directory.local_offices and not in_city):
        assert route is None
        national = pack.offices[office]
        assert national.phone or national.email or national.website, f"{office} has neither a branch nor a national contact"
        return
    expected = min(in_city or branches, key=lambda b: kilometres(here, b.coordinates))
    assert route is not None
    assert route.branch.id == expected.id
    assert route.in_city is bool(in_city)
    assert route.distance_km == pytest.approx(kilometres(here, expected.coordinates), abs=0.2)


# Hand-checked answers on today's data (docs/office-directory.md, coverage table):
# they fail, on purpose, when a branch is added or moved, so the table is looked at again.
@pytest.mark.parametrize(
    ("office", "city", "branch", "km"),
    [
        ("ocma", "jelgava", "ocma_jelgava", (0, 2)),
        ("ocma", "liepaja", "ocma_ventspils", (95, 115)),  # no PMLP Liepāja entry yet
        ("nva", "daugavpils", "nva_daugavpils", (0, 2)),
        ("nva", "valmiera", "nva_cesis", (20, 35)),
        ("nva", "jelgava", "nva_riga_head_office", (35, 50)),
        ("vid", "rezekne", "vid_riga_talejas", (180, 230)),
        ("csdd", "ventspils", "csdd_riga_eizensteina", (150, 200)),
        ("aic", "daugavpils", "aic_riga", (180, 210)),
        ("municipality", "jurmala", "municipality_jurmala", (0, 2)),
    ],
)
def test_known_routes(pack, office, city, branch, km):
    route = pack.directory.route(office, city)
    assert route.branch.id == branch
    assert km[0] <= route.distance_km <= km[1]


def test_a_local_office_is_never_the_next_towns(pack):
    # Sigulda has no municipality entry: the answer is the general contact, not Ogre's council
    assert pack.directory.route("municipality", "sigulda") is None
    assert pack.directory.route("municipality", "ogre").branch.id == "municipality_ogre"


def test_a_town_without_a_branch_gets_the_nearest_one(pack):
    # Sigulda has no PMLP entry: the nearest division, by this test's own distances
    here = pack.directory.cities["sigulda"].coordinates
    divisions = pack.directory.branches_of("ocma")
    nearest = min(divisions, key=lambda b: kilometres(here, b.coordinates))
    route = pack.directory.route("ocma", "sigulda")
    assert (route.branch.id, route.in_city) == (nearest.id, False)
    assert route.distance_km == pytest.approx(kilometres(here, nearest.coordinates), abs=0.2)


@pytest.mark.parametrize("office", ["ocma", "nva", "municipality"])
def test_an_unknown_place_gets_no_made_up_branch(pack, office):
    # "Tokyo" is no city of the pack: an office in several cities has no branch to give
    assert pack.directory.route(office, "tokyo") is None
    assert pack.directory.route(office, None) is None


def test_an_unknown_place_still_gets_a_single_branch_office(pack):
    assert pack.directory.route("aic", "tokyo").branch.id == "aic_riga"


def turn_in(pack, lang: str = "en") -> Turn:
    """A turn with nothing said yet (``office_cards`` reads only the pack and the language)."""
    tracker = Tracker.from_dict({"sender_id": "matrix", "slots": {}, "latest_message": {"text": ""}, "events": []})
    return Turn(tracker=tracker, pack=pack, lang=lang, choice=LanguageChoice(lang, "default"), text="", intent=None)


@pytest.mark.parametrize("city", [*CITIES, "sigulda", ABROAD, None])
def test_where_to_go_lists_each_office_once_with_the_main_one_routed(pack, city):
    turn = turn_in(pack)
    for answer in pack.answers():
        topic_id = answer.id.split(".")[0]
        where = office_cards(turn, answer, topic_id, city)
        offices = [card["office"] for card in where.cards]
        assert len(set(offices)) == len(offices) <= MAX_OFFICES, (answer.id, offices)
        if not answer.offices:
            assert where.cards == []
            continue
        main = routed_office(pack, answer)
        route = pack.directory.route(main, city, topic_id) if main and city in pack.directory.cities else None
        first = where.cards[0]
        if main and city == ABROAD:
            assert first["office"] == "mfa_consular" and first["note"], answer.id
        elif route is not None:
            assert first["id"] == route.branch.id, answer.id
            assert ("note" in first) is (not route.in_city), answer.id  # a branch in another town says how far it is
        else:
            assert first["id"] == answer.offices[0], answer.id  # the office's national contacts
