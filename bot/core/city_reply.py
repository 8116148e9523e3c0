"""Tells a message that is only a place ("Rīgā", "я живу в Риге", a city button) from a question.

A message is a city reply when, besides the place it names, it has only
filler words ("I live in", "es dzīvoju", "я живу в", "у", "please"): a city
button (its payload is the city's name, or "I am still abroad") and a typed
"Rīgā", "в Риге", "у Ризі", "in Riga" are; "как записать ребенка в школу в
Риге?" is not. The Rasa server's ``CityReplyRecognizer`` labels such a
message ``inform_city`` (``bot.core.dialogue.INTENT_INFORM_CITY``) and the
rules decide what it means in the conversation (the city asked for, or a
place named out of the blue). The classifier is not asked: on a bare place
name it guesses anything ("es dzīvoju Rīgā" is permanent_residence at 0.75,
"NVA Rīgā" job search at 0.91), and a message with words beyond the place is
a question whatever it guessed.
"""

from __future__ import annotations

import re
from typing import Iterable

from bot.core.offices.places import PlaceResolver, plain

#: The ``city`` slot's value for "I am still abroad" (any other value is a city id of cities.yml).
ABROAD = "abroad"

#: Words that may stand beside a place in an answer to "In which city are you?":
#: prepositions, "I live / am / stay", "city", "still", politeness; written as typed,
#: compared without diacritics (``plain``). Closed-class grammar words, not content.
FILLER_WORDS = {
    "en": "i im am we are were in at near from to the city town of my now currently still live living stay staying based "
    "it its is and yet yes ok okay please pls thanks thank you hi hello",
    "lv": "es esmu mēs esam dzīvoju dzīvojam atrodos atrodamies uzturos pilsēta pilsētā no uz pie netālu tuvumā tagad šobrīd "
    "pašlaik vēl un jā labi lūdzu paldies sveiki",
    "ru": "я мы в во у из с под около рядом город городе г живу живём живем нахожусь находимся сейчас пока ещё еще уже а и "
    "да пожалуйста спасибо здравствуйте привет тут здесь v vo u iz ya zhivu",
    "uk": "я ми в у з із зі під біля поруч місто місті м живу живемо мешкаю перебуваю зараз поки ще вже а і та так "
    "будь ласка дякую привіт тут",
}
_FILLER = frozenset(plain(word) for words in FILLER_WORDS.values() for word in words.split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def place_named(text: str, places: PlaceResolver) -> str | None:
    """The city ``text`` names, or ``ABROAD``, or None."""
    return places.find(text) or (ABROAD if places.is_abroad(text) else None)


def place_only(text: str, places: PlaceResolver, abroad_forms: Iterable[str]) -> str | None:
    """The place ``text`` names (a city id, or ``ABROAD``) when it has only filler words beside it; None otherwise."""
    if text.startswith("/"):  # a button payload ("/topic...") is never a place
        return None
    words = f" {' '.join(_WORD.findall(plain(text)))} "
    for form in abroad_forms:  # "I am still abroad": the phrase is the place
        words = words.replace(f" {' '.join(_WORD.findall(plain(form)))} ", "  ")
    # Every message passes here in the Rasa server: the first word that is neither filler nor a place ends
    # the look (a question's first content word, usually), before the whole text is searched for a place.
    if any(word not in _FILLER and places.find(word) is None for word in words.split()):
        return None
    return place_named(text, places)
