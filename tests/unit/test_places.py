"""City mentions, in every way people write them, resolve to one city id."""

from __future__ import annotations

import pytest

from bot.core.offices.places import PlaceResolver, distance_km


@pytest.fixture(scope="module")
def places(pack) -> PlaceResolver:
    return PlaceResolver(list(pack.directory.cities.values()), pack.directory.not_places, pack.directory.abroad_forms)


MENTIONS = [
    # Riga
    ("Rīga", "riga"), ("in Riga", "riga"), ("Rīgā", "riga"), ("Rigā", "riga"), ("rigas centrs", "riga"),
    ("в Риге", "riga"), ("из Риги", "riga"), ("по Ригу", "riga"), ("у Ризі", "riga"), ("до Риги", "riga"),
    ("v rige", "riga"), ("Rgia", "riga"), ("RIGA", "riga"), ("u Rizi", "riga"),
    # Daugavpils
    ("Daugavpils", "daugavpils"), ("Daugavpilī", "daugavpils"), ("Daugavpili", "daugavpils"), ("в Даугавпилсе", "daugavpils"),
    ("Даугавпилс", "daugavpils"), ("у Даугавпілсі", "daugavpils"), ("daugavpilse", "daugavpils"), ("Daugavpls", "daugavpils"),
    ("Daugavpilss", "daugavpils"), ("Двинск", "daugavpils"),
    # Liepaja
    ("Liepāja", "liepaja"), ("Liepājā", "liepaja"), ("Liepaja", "liepaja"), ("Liepajas", "liepaja"), ("в Лиепае", "liepaja"),
    ("Лиепая", "liepaja"), ("у Лієпаї", "liepaja"), ("Lepaja", "liepaja"), ("liepae", "liepaja"), ("Liepājas domē", "liepaja"),
    # Jelgava
    ("Jelgava", "jelgava"), ("Jelgavā", "jelgava"), ("jelgavas", "jelgava"), ("в Елгаве", "jelgava"), ("Елгава", "jelgava"),
    ("у Єлгаві", "jelgava"), ("jelgva", "jelgava"), ("Jelgawa", "jelgava"), ("elgave", "jelgava"),
    # Jurmala
    ("Jūrmala", "jurmala"), ("Jūrmalā", "jurmala"), ("Jurmala", "jurmala"), ("в Юрмале", "jurmala"), ("Юрмала", "jurmala"),
    ("у Юрмалі", "jurmala"), ("yurmala", "jurmala"), ("Jurmla", "jurmala"), ("Jūrmalas", "jurmala"),
    # Ventspils
    ("Ventspils", "ventspils"), ("Ventspilī", "ventspils"), ("в Вентспилсе", "ventspils"), ("Вентспилс", "ventspils"),
    ("у Вентспілсі", "ventspils"), ("ventspilse", "ventspils"), ("Ventspls", "ventspils"), ("Ventspili", "ventspils"),
    # Rezekne
    ("Rēzekne", "rezekne"), ("Rēzeknē", "rezekne"), ("Rezekne", "rezekne"), ("в Резекне", "rezekne"), ("Резекне", "rezekne"),
    ("у Резекне", "rezekne"), ("Rezkne", "rezekne"), ("Rēzeknes", "rezekne"),
    # Valmiera
    ("Valmiera", "valmiera"), ("Valmierā", "valmiera"), ("valmieras", "valmiera"), ("в Валмиере", "valmiera"),
    ("Валмиера", "valmiera"), ("у Валмієрі", "valmiera"), ("Valmeira", "valmiera"), ("valmiere", "valmiera"),
    # Jekabpils
    ("Jēkabpils", "jekabpils"), ("Jēkabpilī", "jekabpils"), ("Jekabpils", "jekabpils"), ("в Екабпилсе", "jekabpils"),
    ("Екабпилс", "jekabpils"), ("у Єкабпілсі", "jekabpils"), ("Jekabpls", "jekabpils"), ("jekabpili", "jekabpils"),
    # Ogre
    ("Ogre", "ogre"), ("Ogrē", "ogre"), ("ogres", "ogre"), ("в Огре", "ogre"), ("Огре", "ogre"), ("I live in Ogre", "ogre"),
    # smaller towns
    ("Sigulda", "sigulda"), ("Siguldā", "sigulda"), ("в Сигулде", "sigulda"), ("Cēsis", "cesis"), ("Cēsīs", "cesis"),
    ("Cesis", "cesis"), ("Tukums", "tukums"), ("Tukumā", "tukums"), ("Kuldīga", "kuldiga"), ("Kuldigā", "kuldiga"),
    ("Bauska", "bauska"), ("Salaspils", "salaspils"), ("Ķekava", "kekava"), ("Kekava", "kekava"), ("Mārupe", "marupe"),
    # in whole questions
    ("where is the migration office in Jelgava", "jelgava"), ("PMLP darba laiks Liepājā", "liepaja"),
    ("где находится ПМЛП в Даугавпилсе?", "daugavpils"), ("де знаходиться міграційна служба у Ризі", "riga"),
    ("NVA Valmierā adrese", "valmiera"), ("kur atrodas VID Rēzeknē", "rezekne"), ("телефон НВА в Юрмале", "jurmala"),
]  # fmt: skip
NOT_PLACES = [
    "Tokyo",
    "hello",
    "residence permit",
    "Где получить ВНЖ?",
    "lūdzu",
    "very good",
    "rīt",
    "ogle",
    "Рим",
    "lūdzu palīdziet",
    "ludzu",
    "saldu kūku",
]


def test_the_table_is_large_enough():
    assert len(MENTIONS) >= 100


@pytest.mark.parametrize(("text", "city"), MENTIONS)
def test_mentions_resolve_to_one_city(places, text, city):
    assert places.find(text) == city


@pytest.mark.parametrize("text", NOT_PLACES)
def test_no_place_no_city(places, text):
    assert places.find(text) is None


def test_distance_riga_daugavpils_is_about_190_km():
    assert 180 < distance_km((56.9496, 24.1052), (55.8714, 26.5161)) < 200


@pytest.mark.parametrize(
    "text", ["I am still abroad", "Es vēl esmu ārzemēs", "я пока за границей", "Я ще за кордоном", "not in Latvia yet", "arzemes"]
)
def test_abroad(places, text):
    assert places.is_abroad(text)


@pytest.mark.parametrize("text", ["Riga", "I live in Latvia", "в Латвии", "a broad question"])
def test_not_abroad(places, text):
    assert not places.is_abroad(text)
