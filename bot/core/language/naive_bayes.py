"""A small character n-gram language model trained on the pack's own examples.

General detectors know no transliteration: "gde poluchit vnz" is Russian typed
in Latin letters, and only our own examples (which staff label by language)
teach that. Trained in well under a second from the content; no download.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Mapping

_ORDERS = (1, 2, 3, 4)


def char_ngrams(text: str) -> list[str]:
    """Character n-grams of each word, with word boundaries marked."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in _ORDERS:
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


class NaiveBayesLanguageModel:
    """Multinomial naive Bayes over character n-grams, one class per language."""

    def __init__(self, examples: Mapping[str, Iterable[str]], smoothing: float = 0.1) -> None:
        self._counts: dict[str, Counter[str]] = {}
        self._totals: dict[str, int] = {}
        vocabulary: set[str] = set()
        for lang, texts in examples.items():
            counts: Counter[str] = Counter()
            for text in texts:
                counts.update(char_ngrams(text))
            self._counts[lang] = counts
            self._totals[lang] = sum(counts.values())
            vocabulary.update(counts)
        self._smoothing = smoothing
        self._vocabulary_size = max(len(vocabulary), 1)

    @property
    def languages(self) -> list[str]:
        """Languages the model knows."""
        return list(self._counts)

    def probabilities(self, text: str, candidates: Iterable[str] | None = None) -> dict[str, float]:
        """P(language | text) over ``candidates`` (all languages by default)."""
        langs = [lang for lang in (candidates or self._counts) if lang in self._counts]
        grams = char_ngrams(text)
        if not langs or not grams:
            return {}
        scores = {}
        for lang in langs:
            counts, denominator = self._counts[lang], self._totals[lang] + self._smoothing * self._vocabulary_size
            scores[lang] = sum(math.log((counts[g] + self._smoothing) / denominator) for g in grams)
        top = max(scores.values())
        exp = {lang: math.exp((s - top) / max(len(grams) ** 0.5, 1.0)) for lang, s in scores.items()}
        total = sum(exp.values())
        return {lang: v / total for lang, v in exp.items()}
