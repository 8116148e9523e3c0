"""Plain data classes for a personal plan of the move (issue 21), read from the pack's ``plan.yml``.

The interview's questions, their options and the plan's steps are content,
not code: staff change which steps a person gets, and in which order, by
editing ``plan.yml``. Every step points to a knowledge-base entry, so the
plan never says anything the knowledge base does not.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

#: The plan's phases, in the order a move goes through them.
PHASES = ("before_leaving", "first_week", "first_month", "first_year")
#: The interview's questions, in the order they are asked.
QUESTIONS = ("location", "citizenship", "purpose", "city", "family", "when")
#: Interface texts ``plan.yml`` must have (``PlanContent.texts``): the interview's first line, the plan's first line, the
#: skip button, the note on a step kept because a question was skipped, the reply when no step fits, after "stop", after
#: an answer not understood, under a plan whose steps are ticked off (web chat), and the buttons that show one step.
TEXT_KEYS = ("start", "intro", "skip", "conditional", "empty", "stopped", "not_understood", "tick_steps", "first_step", "next_step")
#: The commands a person can give during the interview (``PlanContent.commands``).
COMMAND_KEYS = ("skip", "why", "stop")
#: The question answered with a city of ``cities.yml`` rather than with an option.
CITY_QUESTION = "city"
#: The key, beside the language codes of one item's texts, that holds which source text each translation follows
#: (``{en: ..., lv: ..., translated_from: {lv: "5e432802"}}``): the per-item version of a topic's ``translated_from``.
TRANSLATED_FROM = "translated_from"


def item_fingerprint(value: str | tuple[str, ...]) -> str:
    """A short, stable fingerprint of an item's source text (a text, or phrases one per line), as topics' ``fingerprint``."""
    text = "\n".join(value) if isinstance(value, tuple) else value
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:8]


def text_in(texts: dict[str, str], lang: str, fallback: str = "en") -> str:
    """``texts`` in ``lang``, else in ``fallback``, else in any language: a missing translation never leaves a gap."""
    return texts.get(lang) or texts.get(fallback) or next(iter(texts.values()), "")


@dataclass(frozen=True)
class PlanOption:
    """One answer to a question: a button, and the words that mean it in a typed message."""

    id: str
    label: dict[str, str]
    words: dict[str, tuple[str, ...]]
    #: option ids that, all named in one message, mean this option instead
    #: ("with my wife and the kids" names spouse and children: spouse_and_children)
    combines: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanQuestion:
    """One question of the interview; ``options`` is empty for the city, answered with a place."""

    id: str
    text: dict[str, str]
    why: dict[str, str]
    options: tuple[PlanOption, ...]

    def option(self, option_id: str) -> PlanOption:
        """The option with ``option_id``; KeyError when there is none."""
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(f"question '{self.id}' has no option '{option_id}'")


@dataclass(frozen=True)
class PlanStep:
    """One step of a plan: a knowledge-base entry, the phase it belongs to and whom it applies to.

    ``when``: question id -> option ids the step applies to (a question not
    listed: any answer). ``unless``: the exception to a step that applies to
    nearly everyone; the step is left out when every question listed is
    answered with one of its options (an asylum seeker, third_country and
    protection, gets no bank account step in the first month).
    """

    id: str
    entry: str
    phase: str
    when: dict[str, frozenset[str]]
    after: tuple[str, ...]
    unless: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanContent:
    """Everything ``plan.yml`` says: the interview, the steps and the texts around them."""

    questions: tuple[PlanQuestion, ...]
    steps: tuple[PlanStep, ...]
    phases: dict[str, dict[str, str]]
    texts: dict[str, dict[str, str]]
    commands: dict[str, dict[str, tuple[str, ...]]]
    reviewed: datetime.date
    #: item key (``items``) -> language -> the fingerprint of the source text its translation follows; a translation
    #: without one is taken to follow the current source (the staff app writes the old fingerprint when the source changes)
    translated_from: dict[str, dict[str, str]] = field(default_factory=dict)
    source_language: str = "en"

    def question(self, question_id: str) -> PlanQuestion:
        """The question with ``question_id``; KeyError when there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"the plan has no question '{question_id}'")

    def step(self, step_id: str) -> PlanStep:
        """The step with ``step_id``; KeyError when there is none."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"the plan has no step '{step_id}'")

    def text(self, key: str, lang: str, fallback: str = "en") -> str:
        """The interface text ``key`` in ``lang`` (``fallback``'s when that language lacks it)."""
        return text_in(self.texts.get(key, {}), lang, fallback)

    def heading(self, phase: str, lang: str, fallback: str = "en") -> str:
        """The heading of ``phase`` in ``lang`` (``fallback``'s when that language lacks it)."""
        return text_in(self.phases.get(phase, {}), lang, fallback) or phase

    def items(self) -> dict[str, dict[str, str] | dict[str, tuple[str, ...]]]:
        """Every translated item by its key, each language -> its text (or phrases), in the file's order.

        Keys: ``texts.<key>``, ``phases.<phase>``, ``commands.<command>``,
        ``questions.<question>.text`` and ``.why``, ``questions.<question>.options.<option>.label`` and ``.words``.
        """
        items: dict[str, dict[str, str] | dict[str, tuple[str, ...]]] = {}
        items.update({f"texts.{key}": texts for key, texts in self.texts.items()})
        items.update({f"phases.{phase}": headings for phase, headings in self.phases.items()})
        for question in self.questions:
            items[f"questions.{question.id}.text"] = question.text
            items[f"questions.{question.id}.why"] = question.why
            for option in question.options:
                items[f"questions.{question.id}.options.{option.id}.label"] = option.label
                items[f"questions.{question.id}.options.{option.id}.words"] = option.words
        items.update({f"commands.{command}": phrases for command, phrases in self.commands.items()})
        return items

    def is_stale(self, item: str, lang: str) -> bool:
        """True when ``lang``'s text of ``item`` was translated from an older source text."""
        stamp = self.translated_from.get(item, {}).get(lang)
        source = self.items().get(item, {}).get(self.source_language)
        if lang == self.source_language or stamp is None or not source:
            return False
        return stamp != item_fingerprint(source)
