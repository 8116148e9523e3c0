"""Reads a pack's ``plan.yml`` into a ``PlanContent``.

Like ``bot.core.offices.directory.load_directory`` it returns its problems
instead of raising, so that ``bot.core.content.loader`` lists them with every
other problem of the pack, and a staff member sees all of them at once.
Whether the steps fit together (entries that exist, dependencies without
cycles) is checked on the loaded pack by ``bot.core.plan.check``.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from bot.core.plan.model import (
    COMMAND_KEYS,
    PHASES,
    QUESTIONS,
    TEXT_KEYS,
    TRANSLATED_FROM,
    PlanContent,
    PlanOption,
    PlanQuestion,
    PlanStep,
)
from bot.core.yaml_fast import safe_load

FILE = "plan.yml"


class _Reader:
    """Collects problems while reading, each prefixed with ``plan.yml`` and where in it."""

    def __init__(self, languages: Collection[str]) -> None:
        self.languages = languages
        self.problems: list[str] = []
        #: item key -> language -> fingerprint of the source text it follows (``PlanContent.translated_from``)
        self.stamps: dict[str, dict[str, str]] = {}

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{FILE}{f' ({where})' if where else ''}: {message}")

    def mapping(self, value: Any, where: str, what: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(where, f"{what} must be a mapping (key: value lines)")
            return {}
        return {str(k): v for k, v in value.items()}

    def stamps_of(self, value: Any, where: str, what: str, item: str | None) -> None:
        """An item's ``translated_from``: language -> the fingerprint of the source text that translation follows."""
        stamps = {}
        for lang, stamp in self.mapping(value, where, f"{what}: '{TRANSLATED_FROM}'").items():
            if lang not in self.languages:
                self.add(where, f"{what}: '{TRANSLATED_FROM}' names language '{lang}', which is not in data/languages.yml")
            elif not isinstance(stamp, (str, int, float)) or not str(stamp).strip():
                self.add(where, f"{what}: '{TRANSLATED_FROM}' of '{lang}' must be a fingerprint in quotes, like \"5e432802\"")
            else:
                stamps[lang] = str(stamp).strip()
        if item and stamps:
            self.stamps[item] = stamps

    def texts(self, value: Any, where: str, what: str, item: str | None = None) -> dict[str, str]:
        """Language code -> text (and the item's ``translated_from``, kept in ``stamps`` under ``item``)."""
        result = {}
        for lang, text in self.mapping(value, where, what).items():
            if lang == TRANSLATED_FROM:
                self.stamps_of(text, where, what, item)
            elif lang not in self.languages:
                self.add(where, f"{what}: language '{lang}' is not in data/languages.yml")
            elif not isinstance(text, (str, int, float)) or not str(text).strip():
                self.add(where, f"{what}: the '{lang}' text is empty or not text")
            else:
                result[lang] = str(text).strip()
        return result

    def strings(self, value: Any, where: str, what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.add(where, f"{what} must be a list of texts")
            return ()
        return tuple(" ".join(str(v).split()) for v in value if str(v).strip())

    def phrases(self, value: Any, where: str, what: str, item: str | None = None) -> dict[str, tuple[str, ...]]:
        """Language code -> lowercase phrases (and the item's ``translated_from``, kept in ``stamps`` under ``item``)."""
        result = {}
        for lang, items in self.mapping(value, where, what).items():
            if lang == TRANSLATED_FROM:
                self.stamps_of(items, where, what, item)
                continue
            if lang not in self.languages:
                self.add(where, f"{what}: language '{lang}' is not in data/languages.yml")
                continue
            phrases = self.strings(items, where, f"{what} in '{lang}'")
            for phrase in phrases:
                if phrase != phrase.lower():
                    self.add(where, f"{what} in '{lang}': {phrase!r} must be written in lowercase")
            result[lang] = tuple(p.lower() for p in phrases)
        return result

    def ids(self, value: Any, where: str, what: str) -> frozenset[str]:
        return frozenset(self.strings(value if not isinstance(value, str) else [value], where, what))


def _options(reader: _Reader, raw: Any, question_id: str) -> tuple[PlanOption, ...]:
    options = []
    for option_id, data in reader.mapping(raw, f"question {question_id}", "'options'").items():
        where = f"question {question_id}, option {option_id}"
        item = f"questions.{question_id}.options.{option_id}"
        data = reader.mapping(data, where, "an option")
        options.append(
            PlanOption(
                id=option_id,
                label=reader.texts(data.get("label"), where, "'label'", f"{item}.label"),
                words=reader.phrases(data.get("words"), where, "'words'", f"{item}.words"),
                combines=reader.strings(data.get("combines"), where, "'combines'"),
            )
        )
    return tuple(options)


def _questions(reader: _Reader, raw: Any) -> tuple[PlanQuestion, ...]:
    found = {}
    for question_id, data in reader.mapping(raw, "", "'questions'").items():
        where = f"question {question_id}"
        if question_id not in QUESTIONS:
            reader.add(where, f"is not a question of the interview ({', '.join(QUESTIONS)})")
            continue
        data = reader.mapping(data, where, "a question")
        found[question_id] = PlanQuestion(
            id=question_id,
            text=reader.texts(data.get("text"), where, "'text'", f"questions.{question_id}.text"),
            why=reader.texts(data.get("why"), where, "'why'", f"questions.{question_id}.why"),
            options=_options(reader, data.get("options"), question_id),
        )
    for question_id in QUESTIONS:
        if question_id not in found:
            reader.add(f"question {question_id}", "is missing; every question of the interview is needed")
    # always in the interview's order, whatever the file's order
    return tuple(found[q] for q in QUESTIONS if q in found)


def _conditions(reader: _Reader, raw: Any, where: str, what: str) -> dict[str, frozenset[str]]:
    return {question: reader.ids(options, where, f"'{what}: {question}'") for question, options in reader.mapping(raw, where, what).items()}


def _steps(reader: _Reader, raw: Any) -> tuple[PlanStep, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.add("", "'steps' must be a list of steps, each starting with '- id:'")
        return ()
    steps = []
    for number, data in enumerate(raw, start=1):
        if not isinstance(data, dict) or not data.get("id") or not data.get("entry"):
            reader.add(f"step {number}", "a step needs at least an id and an entry")
            continue
        where = f"step {data['id']}"
        steps.append(
            PlanStep(
                id=str(data["id"]),
                entry=str(data["entry"]),
                phase=str(data.get("phase", "")),
                when=_conditions(reader, data.get("when"), where, "when"),
                after=reader.strings(data.get("after"), where, "'after'"),
                unless=_conditions(reader, data.get("unless"), where, "unless"),
            )
        )
    return tuple(steps)


def _reviewed(reader: _Reader, value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        reader.add("", f"'reviewed' must be a date like 2026-12-05, not {value!r}")
        return datetime.date.min


def load_plan(path: Path, languages: Collection[str]) -> tuple[PlanContent | None, list[str]]:
    """The plan of ``path`` and the problems found reading it (None when it cannot be read at all).

    ``languages``: the codes of ``data/languages.yml``; a text in another
    language is a problem.
    """
    reader = _Reader(languages)
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        reader.add("", f"cannot be read: {error}")
        return None, reader.problems
    if not isinstance(data, dict):
        reader.add("", "must be a YAML mapping (key: value lines)")
        return None, reader.problems
    texts = {
        key: reader.texts(value, f"texts {key}", "the text", f"texts.{key}")
        for key, value in reader.mapping(data.get("texts"), "", "'texts'").items()
    }
    for key in TEXT_KEYS:
        if key not in texts:
            reader.add(f"texts {key}", "is missing")
    phases = {}
    for phase, headings in reader.mapping(data.get("phases"), "", "'phases'").items():
        if phase not in PHASES:
            reader.add(f"phase {phase}", f"is not a phase of the plan ({', '.join(PHASES)})")
        phases[phase] = reader.texts(headings, f"phase {phase}", "the heading", f"phases.{phase}")
    commands = {}
    for command, phrases in reader.mapping(data.get("commands"), "", "'commands'").items():
        if command not in COMMAND_KEYS:
            reader.add(f"command {command}", f"is not a command of the interview ({', '.join(COMMAND_KEYS)})")
        commands[command] = reader.phrases(phrases, f"command {command}", "the phrases", f"commands.{command}")
    plan = PlanContent(
        questions=_questions(reader, data.get("questions")),
        steps=_steps(reader, data.get("steps")),
        phases=phases,
        texts=texts,
        commands=commands,
        reviewed=_reviewed(reader, data.get("reviewed")),
        translated_from=reader.stamps,
        source_language=str(data.get("source_language") or "en"),
    )
    return plan, reader.problems
