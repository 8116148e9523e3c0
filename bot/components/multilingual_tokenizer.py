"""A tokenizer that knows which language it is cutting, with lemmas for Russian and Ukrainian.

Rasa's WhitespaceTokenizer cuts Ukrainian words at the apostrophe (м'ясо,
з'явитися) and treats "посвідку", "посвідки" and "посвідка" as three
unrelated words. This component picks a spaCy blank pipeline by the
message's letters (Ukrainian, Russian, or the multi-language one for Latin
script), drops the apostrophe inside words, and gives each Cyrillic token
its most likely dictionary form from pymorphy2 (spaCy's own backend for
Russian and Ukrainian lemmas; blank pipelines have no tagger, so spaCy's
lemmatizer alone would leave most words unchanged). No model is downloaded:
spaCy's blank pipelines and the pymorphy2 dictionaries are packages.

docs/evaluation.md gives the figures for this tokenizer against Rasa's.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_APOSTROPHES = "'’ʼ`"


def _spacy_language(text: str) -> str:
    if any(c in _UKRAINIAN for c in text):
        return "uk"
    if any("\u0400" <= c <= "\u04ff" for c in text):
        return "ru"
    return "xx"


@cache
def _pipeline(lang: str) -> Any:
    import spacy

    return spacy.blank(lang)


@cache
def _analyzer(lang: str) -> Any:
    import pymorphy2

    return pymorphy2.MorphAnalyzer(lang=lang)


@lru_cache(maxsize=200_000)
def _lemma(word: str, lang: str) -> str:
    if lang not in ("ru", "uk") or not any("\u0400" <= c <= "\u04ff" for c in word):
        return word
    parses = _analyzer(lang).parse(word)
    return parses[0].normal_form if parses else word


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MultilingualTokenizer(Tokenizer):
    """spaCy tokenization per language, apostrophes joined, pymorphy2 lemmas."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # give Russian and Ukrainian tokens their dictionary form as lemma
            "lemmatize": True,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MultilingualTokenizer:
        return cls(config)

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy", "pymorphy2"]

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        lang = _spacy_language(text)
        tokens = []
        for word in _pipeline(lang)(text):
            if word.is_punct or word.is_space or not word.text.strip():
                continue
            clean = word.text.strip(_APOSTROPHES)
            for mark in _APOSTROPHES:
                clean = clean.replace(mark, "")
            if not clean:
                continue
            lemma = _lemma(clean.lower(), lang) if self._config["lemmatize"] else None
            tokens.append(Token(clean, word.idx, lemma=lemma))
        if not tokens:
            tokens = [Token(text, 0)]
        return self._apply_token_pattern(tokens)
