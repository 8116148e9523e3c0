"""Which city a message names: inflected, without diacritics, transliterated, with a typo.

"в Риге", "у Ризі", "Rīgā", "Riga", "rige" and "Rgia" all name Riga. The
forms come from ``cities.yml``; matching is on plain lowercase text (no
diacritics, no apostrophes), first exactly (one or two words), then allowing
one wrong, missing, extra or swapped letter in words of five letters or more.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.core.yaml_fast import safe_load

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
#: Words shorter than this must match a form exactly.
MIN_FUZZY_LENGTH = 5


def plain(text: str) -> str:
    """Lowercase without diacritics or apostrophes: how forms and messages are compared."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c not in "'’ʼ`")


@dataclass(frozen=True)
class City:
    """A place the assistant can route for."""

    id: str
    name: dict[str, str]
    coordinates: tuple[float, float]
    forms: tuple[str, ...]
    largest: bool = False

    def name_in(self, lang: str) -> str:
        """The city's name in ``lang`` (English otherwise)."""
        return self.name.get(lang) or self.name.get("en") or self.id


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` becomes ``b`` by one substitution, insertion, deletion or swap."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or _swapped(a, b)
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _swapped(a: str, b: str) -> bool:
    """True when ``a`` is ``b`` with two neighbouring letters swapped."""
    if len(a) != len(b):
        return False
    diffs = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]


class PlaceResolver:
    """Finds the city a message names."""

    def __init__(self, cities: list[City], not_places: tuple[str, ...] = (), abroad_forms: tuple[str, ...] = ()) -> None:
        self._abroad = tuple(plain(f) for f in abroad_forms)
        self.cities = {c.id: c for c in cities}
        self._not_places = {plain(w) for w in not_places}
        self._forms: dict[str, str] = {}
        for city in cities:
            for form in (*city.forms, *city.name.values(), city.id):
                if plain(form) not in self._not_places:
                    self._forms.setdefault(plain(form), city.id)
        self._fuzzy = [(form, city) for form, city in self._forms.items() if " " not in form and len(form) >= MIN_FUZZY_LENGTH - 1]

    def is_abroad(self, text: str) -> bool:
        """True when the message says the user is not in the country yet."""
        words = " ".join(_WORD.findall(plain(text)))
        return any(form in words for form in self._abroad)

    def find(self, text: str) -> str | None:
        """The id of the city ``text`` names, or None."""
        words = _WORD.findall(plain(text))
        for size in (2, 1):
            for i in range(len(words) - size + 1):
                city = self._forms.get(" ".join(words[i : i + size]))
                if city:
                    return city
        for word in words:
            if len(word) < MIN_FUZZY_LENGTH - 1 or word in self._not_places:
                continue
            # four-letter words only by a swap ("Rgia"): one wrong letter makes too many real words
            close = _within_one_edit if len(word) >= MIN_FUZZY_LENGTH else _swapped
            found = {city for form, city in self._fuzzy if close(word, form)}
            if len(found) == 1:
                return found.pop()
        return None


def load_word_list(path: Path, key: str) -> tuple[str, ...]:
    """A list of words from ``cities.yml``: ``not_places`` or ``abroad_forms``."""
    data = safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(str(w) for w in data.get(key) or ())


def load_cities(path: Path) -> list[City]:
    """Reads ``cities.yml``."""
    data = safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        City(
            id=str(raw["id"]),
            name={str(k): str(v) for k, v in raw["name"].items()},
            coordinates=(float(raw["coordinates"][0]), float(raw["coordinates"][1])),
            forms=tuple(str(f).lower() for f in raw.get("forms") or ()),
            largest=bool(raw.get("largest")),
        )
        for raw in data.get("cities") or []
    ]
