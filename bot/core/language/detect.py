"""Which language a message is written in, and whether that can be trusted.

Three signals, strongest first:

1. letters that only one of the assistant's languages uses (data/languages.yml:
   і ї є ґ for Ukrainian, ы э ё ъ for Russian, ā ē ī ū ģ ķ ļ ņ for Latvian):
   one is enough, even in a one-word message;
2. the writing system: a language whose script no other supported language
   uses is told by its script alone (Arabic, when staff add it);
3. lingua (restricted to our languages) and a naive Bayes model trained on the
   pack's own examples (the only one that knows transliterated Russian and
   Ukrainian): for Latin letters, naive Bayes decides when it sees Russian or
   Ukrainian, otherwise the two are averaged; for Cyrillic, lingua weighs 0.8.

docs/language-detection.md gives the measurements behind the thresholds.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Iterable, Mapping

from bot.core.content.model import Language
from bot.core.language.naive_bayes import NaiveBayesLanguageModel

if TYPE_CHECKING:
    from lingua import LanguageDetector as LinguaDetector

#: A statistical guess counts as reliable at or above this probability.
RELIABLE_PROBABILITY = 0.80
#: Latin-script text counts as transliterated Russian/Ukrainian from this naive Bayes probability.
TRANSLIT_PROBABILITY = 0.5
#: lingua's weight against naive Bayes for text in a script of several languages.
LINGUA_WEIGHT = 0.8


@dataclass(frozen=True)
class Detection:
    """The detected language (None if no letters) and whether it is reliable."""

    lang: str | None
    reliable: bool
    method: str
    probability: float = 0.0


def _script(char: str) -> str:
    try:
        name = unicodedata.name(char)
    except ValueError:
        return ""
    return name.split(" ", 1)[0].capitalize()


def dominant_script(letters: str) -> str:
    """The script most letters of the text are written in."""
    counts: dict[str, int] = {}
    for char in letters:
        script = _script(char)
        counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else ""


class _Lingua:
    """lingua restricted to our languages; built on first use (about 1 s, 150 MB)."""

    def __init__(self, codes: Iterable[str]) -> None:
        self._codes = list(codes)
        self._detector: LinguaDetector | None = None
        self._known: set[str] = set()

    def _build(self) -> None:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        languages = []
        for code in self._codes:
            try:
                languages.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
                self._known.add(code)
            except (AttributeError, ValueError):
                continue
        if len(languages) >= 2:
            self._detector = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()

    def probabilities(self, text: str, candidates: list[str]) -> dict[str, float]:
        if self._detector is None and not self._known:
            self._build()
        if self._detector is None:
            return {}
        values = {c.language.iso_code_639_1.name.lower(): c.value for c in self._detector.compute_language_confidence_values(text)}
        picked = {lang: values.get(lang, 0.0) for lang in candidates if lang in self._known}
        total = sum(picked.values())
        return {lang: v / total for lang, v in picked.items()} if total else {}


@cache
def _shared_lingua(codes: tuple[str, ...]) -> _Lingua:
    """One lingua per set of languages: a content edit rebuilds the detector, not lingua's models."""
    return _Lingua(codes)


class LanguageDetector:
    """Detects the language of a message among the assistant's languages."""

    def __init__(self, languages: Mapping[str, Language], examples: Mapping[str, Iterable[str]]) -> None:
        self._languages = dict(languages)
        self._naive_bayes = NaiveBayesLanguageModel(examples)
        self._lingua = _shared_lingua(tuple(self._languages))

    def _by_unique_letters(self, letters: str) -> str | None:
        found = {code for code, lang in self._languages.items() if lang.unique_letters and any(c in lang.unique_letters for c in letters)}
        return found.pop() if len(found) == 1 else None

    def _candidates(self, letters: str) -> list[str]:
        script = dominant_script(letters)
        same_script = [code for code, lang in self._languages.items() if lang.script.capitalize() == script]
        if script == "Latin":
            # Russian and Ukrainian are often typed in Latin letters.
            same_script += [code for code, lang in self._languages.items() if lang.script == "Cyrillic"]
        return same_script

    def detect(self, text: str) -> Detection:
        """The language of ``text``."""
        letters = "".join(c for c in text if unicodedata.category(c).startswith("L"))
        if not letters:
            return Detection(None, False, "no letters")
        unique = self._by_unique_letters(letters)
        if unique:
            return Detection(unique, True, "unique letters", 1.0)
        candidates = self._candidates(letters)
        if not candidates:
            return Detection(None, False, "unknown script")
        if len(candidates) == 1:
            return Detection(candidates[0], True, "script", 1.0)
        return self._statistical(text, candidates)

    def _statistical(self, text: str, candidates: list[str]) -> Detection:
        lingua = self._lingua.probabilities(text, candidates)
        bayes = self._naive_bayes.probabilities(text, candidates)
        combined = self._combine(text, candidates, lingua, bayes)
        best = max(combined, key=combined.__getitem__)
        probability = combined[best]
        return Detection(best, probability >= RELIABLE_PROBABILITY, "statistical", probability)

    def _combine(self, text: str, candidates: list[str], lingua: dict[str, float], bayes: dict[str, float]) -> dict[str, float]:
        """Weighs the two models by what each is good at (measured, see the module docstring)."""
        if not lingua or not bayes:
            return {lang: lingua.get(lang, 0.0) + bayes.get(lang, 0.0) for lang in candidates}
        if dominant_script(text) == "Latin":
            # Only our own examples know Russian and Ukrainian typed in Latin letters.
            bayes_best = max(bayes, key=bayes.__getitem__)
            if self._languages[bayes_best].script != "Latin" and bayes[bayes_best] >= TRANSLIT_PROBABILITY:
                return bayes
            return {lang: (lingua.get(lang, 0.0) + bayes.get(lang, 0.0)) / 2 for lang in candidates}
        # Within one script lingua's models, trained on far more text, are the better judge.
        return {lang: LINGUA_WEIGHT * lingua.get(lang, 0.0) + (1 - LINGUA_WEIGHT) * bayes.get(lang, 0.0) for lang in candidates}
