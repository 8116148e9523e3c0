"""Routing to the nearest branch that handles a topic."""

from __future__ import annotations

from bot.core.offices.directory import Branch, Directory, load_directory
from bot.core.offices.places import City

CITIES = {
    "riga": City("riga", {"en": "Riga"}, (56.9496, 24.1052), ("riga",), True),
    "jelgava": City("jelgava", {"en": "Jelgava"}, (56.6511, 23.7214), ("jelgava",), True),
    "daugavpils": City("daugavpils", {"en": "Daugavpils"}, (55.8714, 26.5161), ("daugavpils",), True),
    "ogre": City("ogre", {"en": "Ogre"}, (56.8162, 24.6140), ("ogre",), True),
    "sigulda": City("sigulda", {"en": "Sigulda"}, (57.1537, 24.8531), ("sigulda",), False),
}


def branch(branch_id: str, office: str, city: str, topics: tuple[str, ...] | None = None) -> Branch:
    return Branch(branch_id, office, city, {"en": branch_id}, CITIES[city].coordinates, topics=topics)


DIRECTORY = Directory(
    branches=[
        branch("ocma_riga", "ocma", "riga"),
        branch("ocma_jelgava", "ocma", "jelgava", topics=("address_registration",)),
        branch("ocma_daugavpils", "ocma", "daugavpils"),
        branch("aic_riga", "aic", "riga"),
    ],
    cities=CITIES,
)


def test_branch_in_the_users_city():
    route = DIRECTORY.route("ocma", "daugavpils")
    assert (route.branch.id, route.in_city, route.distance_km) == ("ocma_daugavpils", True, 0.0)


def test_branch_that_does_not_handle_the_topic_is_passed_over():
    route = DIRECTORY.route("ocma", "jelgava", topic="residence_permit")
    assert route.branch.id == "ocma_riga" and not route.in_city
    assert 35 < route.distance_km < 45


def test_town_without_a_branch_gets_the_nearest():
    assert DIRECTORY.route("ocma", "sigulda").branch.id == "ocma_riga"
    assert DIRECTORY.route("ocma", "ogre").branch.id == "ocma_riga"


def test_single_branch_office_needs_no_city():
    assert not DIRECTORY.needs_city("aic")
    assert DIRECTORY.route("aic", None).branch.id == "aic_riga"


def test_several_branches_need_the_city():
    assert DIRECTORY.needs_city("ocma")
    assert DIRECTORY.route("ocma", None) is None
    assert DIRECTORY.route("ocma", "tokyo") is None


def test_office_without_branches():
    assert DIRECTORY.route("nva", "riga") is None


def test_the_packs_directory_loads(pack):
    assert pack.directory.cities["riga"].largest
    assert all(b.city in pack.directory.cities for b in pack.directory.branches)


def test_a_local_office_routes_only_within_the_city():
    local = Directory(
        branches=[branch("town_riga", "municipality", "riga"), branch("town_jelgava", "municipality", "jelgava")],
        cities=CITIES,
        local_offices=frozenset({"municipality"}),
    )
    assert local.route("municipality", "jelgava").branch.id == "town_jelgava"
    assert local.route("municipality", "ogre") is None  # Ogre's council is not Riga's
    assert local.route("municipality", None) is None


def test_local_must_be_a_yes_or_no(tmp_path):
    (tmp_path / "branches").mkdir()
    (tmp_path / "branches" / "municipality.yml").write_text("office: municipality\nlocal: maybe\nbranches: []\n", encoding="utf-8")
    _, problems = load_directory(tmp_path, {"municipality"}, set())
    assert problems == ["branches/municipality.yml: 'local' must be true or false"]


def test_an_address_note_is_read_per_language(tmp_path):
    (tmp_path / "branches").mkdir()
    (tmp_path / "cities.yml").write_text(
        "cities:\n  - id: riga\n    name: {en: Riga}\n    coordinates: [56.9496, 24.1052]\n    forms: [riga]\n", encoding="utf-8"
    )
    (tmp_path / "branches" / "nvd.yml").write_text(
        "office: nvd\nbranches:\n  - id: nvd_riga\n    city: riga\n    name: {en: NVD}\n    address: Cēsu iela 31 k-3, Rīga\n"
        "    address_note: {en: 6th entrance, uk: 6-й вхід}\n    coordinates: [56.96, 24.13]\n",
        encoding="utf-8",
    )
    directory, problems = load_directory(tmp_path, {"nvd"}, set())
    (loaded,) = directory.branches
    assert problems == [] and loaded.address == "Cēsu iela 31 k-3, Rīga"
    assert (loaded.address_note_in("uk"), loaded.address_note_in("lv")) == ("6-й вхід", None)


#: Branches whose street address no stored official page confirms (docs/office-directory.md, "What is missing"):
#: their map link shows the area around approximate coordinates. A branch that gains an address leaves this list.
WITHOUT_ADDRESS = {
    "ocma_riga_1", "ocma_riga_2", "ocma_riga_3", "ocma_riga_4", "ocma_daugavpils", "ocma_jelgava", "ocma_jurmala",
    "ocma_ventspils", "ocma_rezekne", "ocma_valmiera", "ocma_jekabpils",
    "nva_daugavpils", "nva_liepaja", "nva_rezekne", "nva_cesis",
    "municipality_daugavpils", "municipality_jelgava", "municipality_ventspils", "municipality_rezekne", "municipality_jekabpils",
    "ur_riga",
}  # fmt: skip


def test_branches_without_a_street_address_are_the_known_gaps(pack):
    assert {b.id for b in pack.directory.branches if not b.address} == WITHOUT_ADDRESS


def test_every_street_address_names_its_town(pack):
    """An address a map search can find: the street and the town, with no note in brackets."""
    for b in pack.directory.branches:
        if b.address:
            town = pack.directory.cities[b.city].name_in("lv")
            assert town in b.address and "(" not in b.address, (b.id, b.address)
