"""What a person's message means during the plan interview: a command, or one of a question's options.

Matching is by the phrases of ``plan.yml``, not by the classifier: an
answer such as "still at home" or "з дітьми" is too short and too
particular to the question just asked for an intent model. Messages and
phrases are compared folded by ``bot.core.offices.places.plain`` (lowercase, no
diacritics or apostrophes: Latvian is often typed without them), word by
word, and a phrase word ending in ``*`` matches every word it begins
("украин*": украинец, украинка, из Украины). The city question is answered
with the place resolver, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.offices.places import plain
from bot.core.plan.model import PlanContent, PlanQuestion

SKIP, WHY, STOP = "skip", "why", "stop"
COMMANDS = (SKIP, WHY, STOP)
#: A command phrase is the message when at most this many other words go with it, or as many as the phrase has
#: ("please skip this one", "why do you need to know that"): a question that only uses the word ("where is the
#: bus stop near the PMLP office") is not the command.
EXTRA_COMMAND_WORDS = 2
#: A stem (``украин*``) must keep at least this many letters, or it would match too much.
MIN_STEM_LETTERS = 3

_WORD = re.compile(r"[^\W_]+")
_PHRASE_WORD = re.compile(r"[^\W_]+\*?")


def words(text: str) -> tuple[str, ...]:
    """The words of a message as they are compared: folded by ``plain``, without punctuation."""
    return tuple(_WORD.findall(plain(text)))


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The words of a phrase of ``plan.yml``, folded like a message; a final ``*`` marks a stem."""
    return tuple(_PHRASE_WORD.findall(plain(phrase)))


def folded(text: str) -> str:
    """A message or phrase as one folded string: how two texts are told to be the same."""
    return " ".join(words(text))


def _word_matches(pattern: str, word: str) -> bool:
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    option: str

    def inside(self, other: _Match) -> bool:
        """True when ``other`` covers this match and is longer ("not in latvia" covers "in latvia")."""
        return other.start <= self.start and self.end <= other.end and (other.end - other.start) > (self.end - self.start)


def find_phrase(pattern: tuple[str, ...], message: tuple[str, ...]) -> list[int]:
    """Every position where the phrase's words are the message's words, in a row."""
    size = len(pattern)
    if not size:
        return []
    return [
        i for i in range(len(message) - size + 1) if all(_word_matches(p, w) for p, w in zip(pattern, message[i : i + size], strict=True))
    ]


def _languages(plan_languages: set[str], lang: str) -> list[list[str]]:
    """The given language first, then every language: a message is often written in another one."""
    return [[lang], sorted(plan_languages)]


def command_in(plan: PlanContent, text: str, lang: str) -> str | None:
    """``SKIP``, ``WHY`` or ``STOP`` when the message is that command; None otherwise.

    The message is the command when a phrase of the command is all of it,
    or nearly all (``EXTRA_COMMAND_WORDS``). The phrases of ``lang`` are
    tried first, then those of every language. When phrases of two
    commands fit, the longer phrase decides; two of the same length: None.
    """
    message = words(text)
    if not message:
        return None
    languages = {code for phrases in plan.commands.values() for code in phrases}
    for group in _languages(languages, lang):
        best: dict[str, int] = {}
        for command in COMMANDS:
            for code in group:
                for phrase in plan.commands.get(command, {}).get(code, ()):
                    pattern = phrase_words(phrase)
                    extra = len(message) - len(pattern)
                    if pattern and extra <= max(EXTRA_COMMAND_WORDS, len(pattern)) and find_phrase(pattern, message):
                        best[command] = max(best.get(command, 0), len(pattern))
        if best:
            longest = max(best.values())
            winners = [command for command, size in best.items() if size == longest]
            return winners[0] if len(winners) == 1 else None
    return None


def _button(question: PlanQuestion, text: str) -> set[str]:
    """Options whose id or button title, in any language, is the message."""
    message = folded(text)
    return {
        option.id
        for option in question.options
        if text.strip().lower() == option.id or any(folded(title) == message for title in option.label.values())
    }


def _phrase_options(question: PlanQuestion, message: tuple[str, ...], languages: list[str]) -> set[str]:
    """Options a phrase of ``languages`` names; a phrase inside a longer one of another option does not count."""
    matches = [
        _Match(start, start + len(pattern), option.id)
        for option in question.options
        for code in languages
        for phrase in option.words.get(code, ())
        for pattern in [phrase_words(phrase)]
        for start in find_phrase(pattern, message)
    ]
    kept = {m.option for m in matches if not any(m.inside(other) for other in matches if other.option != m.option)}
    for option in question.options:
        if option.combines and set(option.combines) <= kept:
            kept = (kept - set(option.combines)) | {option.id}
    return kept


def option_in(plan: PlanContent, question_id: str, text: str, lang: str) -> str | None:
    """The option of ``question_id`` the message means, or None (not understood, or two options named).

    A button title in any language, or the option's id (a button payload),
    matches when it is the whole message. Otherwise the option phrases of
    ``lang`` are looked for in the message, then those of every language.
    """
    try:
        question = plan.question(question_id)
    except KeyError:
        return None
    if not question.options:
        return None
    buttons = _button(question, text)
    if buttons:
        return next(iter(buttons)) if len(buttons) == 1 else None
    message = words(text)
    if not message:
        return None
    languages = {code for option in question.options for code in option.words}
    for group in _languages(languages, lang):
        found = _phrase_options(question, message, group)
        if found:
            return next(iter(found)) if len(found) == 1 else None
    return None
