"""Completeness checks a staff member runs before publishing content.

``make content-check`` prints every problem. Errors make the assistant wrong
or silent in some language; warnings (a stale translation) make it out of date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.content.loader import answer_file
from bot.core.content.model import PACK_TEXTS, REQUIRED_PACK_TEXTS, Answer, Label, Pack
from bot.core.content.numbers import numbers_in
from bot.core.plan.check import check_plan
from bot.core.text import words_only
from bot.core.yaml_fast import safe_load

MIN_EXAMPLES = 15
MAX_ANSWER_CHARS = 700
MAX_TITLE_CHARS = 30
#: An entry answers one question: its ways of asking are fewer, its answer shorter.
MIN_ENTRY_EXAMPLES = 6
MAX_ENTRY_ANSWER_CHARS = 400
MAX_ENTRY_TITLE_CHARS = 40
#: A topic has at least this many entries.
MIN_ENTRIES = 4


@dataclass(frozen=True)
class Finding:
    """One problem in the content."""

    severity: str  # "error" or "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


@dataclass(frozen=True)
class Limits:
    """How long an answer and a title may be and how many ways of asking it needs."""

    answer: int
    title: int
    examples: int


TOPIC_LIMITS = Limits(answer=MAX_ANSWER_CHARS, title=MAX_TITLE_CHARS, examples=MIN_EXAMPLES)
ENTRY_LIMITS = Limits(answer=MAX_ENTRY_ANSWER_CHARS, title=MAX_ENTRY_TITLE_CHARS, examples=MIN_ENTRY_EXAMPLES)


def _check_numbers(answer: Answer, lang: str, where: str) -> list[Finding]:
    """A translation states exactly the numbers of its source (amounts, days, phone numbers).

    An error in a translation marked as following the current source (a slip);
    a warning in one already known to be out of date, so that a new fee can be
    saved in the source language first and then in each translation.
    """
    source = answer.translations.get(answer.source_language)
    target = answer.translations.get(lang)
    if lang == answer.source_language or not source or not target or not source.answer or not target.answer:
        return []
    expected, found = numbers_in(source.answer), numbers_in(target.answer)
    if expected == found:
        return []
    parts = []
    if expected - found:
        parts.append("lacks " + ", ".join(sorted(expected - found)))
    if found - expected:
        parts.append("adds " + ", ".join(sorted(found - expected)))
    message = f"'{lang}' answer's numbers differ from the '{answer.source_language}' answer: it {' and '.join(parts)}"
    return [Finding("warning" if answer.is_stale(lang) else "error", where, message)]


def _check_translation(answer: Answer, lang: str, where: str, limits: Limits) -> list[Finding]:
    tr = answer.translations.get(lang)
    if tr is None:
        return [Finding("error", where, f"'{lang}' translation is missing")]
    findings = []
    if not tr.answer:
        findings.append(Finding("error", where, f"'{lang}' has no answer"))
    elif len(tr.answer) > limits.answer:
        message = f"'{lang}' answer has {len(tr.answer)} characters; at most {limits.answer} fit a messenger"
        findings.append(Finding("error", where, message))
    if not tr.title:
        findings.append(Finding("error", where, f"'{lang}' has no title"))
    elif len(tr.title) > limits.title:
        findings.append(Finding("error", where, f"'{lang}' title is longer than {limits.title} characters"))
    if len(tr.examples) < limits.examples:
        message = f"'{lang}' has {len(tr.examples)} examples; at least {limits.examples} are needed"
        findings.append(Finding("error", where, message))
    if answer.is_stale(lang):
        message = f"'{lang}' does not follow the current '{answer.source_language}' text; update it, then run make content-stamp"
        findings.append(Finding("warning", where, message))
    return findings + _check_numbers(answer, lang, where)


def _check_answer(pack: Pack, answer: Answer, limits: Limits) -> list[Finding]:
    where = answer_file(answer)
    findings = [] if answer.sources else [Finding("error", where, "no source URL")]
    for lang in pack.languages:
        findings += _check_translation(answer, lang, where, limits)
    return findings


def _check_topics(pack: Pack) -> list[Finding]:
    findings = []
    for topic in pack.topics.values():
        findings += _check_answer(pack, topic, TOPIC_LIMITS)
        for entry in topic.entries.values():
            findings += _check_answer(pack, entry, ENTRY_LIMITS)
        if len(topic.entries) < MIN_ENTRIES:
            message = f"has {len(topic.entries)} entries; at least {MIN_ENTRIES} questions people ask need their own entry"
            findings.append(Finding("error", answer_file(topic), message))
    return findings


def _check_labels(pack: Pack) -> list[Finding]:
    findings = []
    for label in pack.labels.values():
        for lang in pack.languages:
            tr = label.translations.get(lang)
            count = len(tr.examples) if tr else 0
            if count < MIN_EXAMPLES:
                findings.append(
                    Finding("error", f"labels/{label.id}.yml", f"'{lang}' has {count} examples; at least {MIN_EXAMPLES} are needed")
                )
    return findings


def _check_duplicates(pack: Pack) -> list[Finding]:
    owner: dict[str, str] = {}
    findings = []
    learnt: list[Answer | Label] = [*pack.answers(), *pack.labels.values()]
    for entry in learnt:
        for tr in entry.translations.values():
            for example in tr.examples:
                key = " ".join(example.lower().split())
                other = owner.setdefault(key, entry.id)
                if other != entry.id:
                    findings.append(Finding("error", entry.id, f"example {example!r} is also used for '{other}'"))
    return findings


def _check_held_out(pack: Pack, held_out: Iterable[str]) -> list[Finding]:
    """Held-out questions are never trained on: no way of asking may be one of them, punctuation and case aside."""
    questions = {words_only(q) for q in held_out}
    learnt: list[Answer | Label] = [*pack.answers(), *pack.labels.values()]
    return [
        Finding("error", answer.id, f"example {example!r} is a held-out question (data/eval/); held-out questions are never trained on")
        for answer in learnt
        for tr in answer.translations.values()
        for example in tr.examples
        if words_only(example) in questions
    ]


def _check_safety(pack: Pack) -> list[Finding]:
    """The danger lexicon (``safety.yml`` beside the topics, read by actions/safety.py) names entries that exist.

    A lexicon that points to a missing entry would silently lose its safety
    net; how its phrases are written is checked by tests/unit/test_safety.py.
    """
    path = Path(pack.files[0]).parent.parent / "safety.yml" if pack.files else None
    if path is None or not path.exists():
        return []
    try:
        data = safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        return [Finding("error", "safety.yml", f"cannot be read: {error}")]
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        return [Finding("error", "safety.yml", "needs 'topic' and 'entries' (entry keys with their phrases by language)")]
    findings = []
    for key, phrases in entries.items():
        if pack.entry(f"{data.get('topic')}.{key}") is None:
            findings.append(Finding("error", "safety.yml", f"entry '{data.get('topic')}.{key}' does not exist in the topics"))
        unknown = sorted(set(phrases or {}) - set(pack.languages)) if isinstance(phrases, dict) else ["(not a mapping)"]
        if unknown:
            findings.append(Finding("error", "safety.yml", f"entry '{key}': unknown languages {', '.join(map(str, unknown))}"))
    return findings


def _check_place(pack: Pack, where: str, name: dict[str, str], address: str | None, note: dict[str, str]) -> list[Finding]:
    """An office's or branch's name and address note exist in every language; its address is only the address."""
    findings = [Finding("error", where, f"no name in '{lang}'") for lang in pack.languages if not name.get(lang)]
    if note:
        findings += [Finding("error", where, f"no address note in '{lang}'") for lang in pack.languages if not note.get(lang)]
    if address and ("(" in address or ")" in address):
        message = "'address' holds a note in brackets: write the street address only and the note in 'address_note', per language"
        findings.append(Finding("error", where, message))
    return findings


def _check_offices(pack: Pack) -> list[Finding]:
    """Office and branch data a user sees, in every language, with one name per office and language.

    An office is written "<name> (<short>)", so a name must not end in its own
    abbreviation ("... 112 (112)"); a branch's name starts with its office's
    name or abbreviation in the same language, so that an answer never calls
    one office by two names (a local government's branches are each their
    town's own body and keep their own names).
    """
    findings = []
    for office in pack.offices.values():
        where = f"offices.yml ({office.id})"
        findings += _check_place(pack, where, office.name, office.address, office.address_note)
        for lang, name in office.name.items():
            if office.short and (name == office.short or name.endswith(f" {office.short}")):
                findings.append(Finding("error", where, f"'{lang}' name ends in the abbreviation '{office.short}' shown after it"))
    for branch in pack.directory.branches:
        where = f"branches/{branch.office}.yml ({branch.id})"
        findings += _check_place(pack, where, branch.name, branch.address, branch.address_note)
        parent = pack.offices.get(branch.office)
        if parent is None or branch.office in pack.directory.local_offices:
            continue
        for lang, name in branch.name.items():
            own = parent.name.get(lang)
            if not ((own and name.startswith(own)) or (parent.short and name.startswith(parent.short))):
                message = f"'{lang}' name {name!r} starts with neither the office's name {own!r} nor '{parent.short}'"
                findings.append(Finding("error", where, message))
    return findings


def _check_plan(pack: Pack) -> list[Finding]:
    """The personal plan (``plan.yml``): its texts, buttons and phrases in every language, and its structure.

    The loader already refuses a plan whose steps do not fit together; a pack
    built another way is checked for that here too.
    """
    findings = []
    for problem in check_plan(pack):
        where, _, message = problem.partition(": ")
        findings.append(Finding("error", where, message))
    plan = pack.plan
    for item in plan.items() if plan else ():
        for lang in pack.languages:
            if plan and plan.is_stale(item, lang):
                source = plan.source_language
                message = f"{item}: '{lang}' does not follow the current '{source}' text; update it in the staff app's Plan page"
                findings.append(Finding("warning", "plan.yml", message))
    return findings


def _check_pack_texts(pack: Pack) -> list[Finding]:
    """``pack.yml``'s texts (the widget's title; the note above the consular office) exist in every language."""
    needed = [*REQUIRED_PACK_TEXTS, *(["abroad_note"] if pack.settings.consular_office else [])]
    findings = []
    for key in needed:
        texts = pack.settings.texts.get(key) or {}
        for lang in pack.languages:
            if not texts.get(lang):
                findings.append(Finding("error", "pack.yml", f"texts.{key} ({PACK_TEXTS[key]}) has no '{lang}' text"))
    return findings


def check_pack(pack: Pack, held_out: Iterable[str] = ()) -> list[Finding]:
    """Every completeness problem of the pack, errors first; ``held_out``: the texts of the held-out questions."""
    findings = [*_check_topics(pack), *_check_labels(pack), *_check_duplicates(pack), *_check_held_out(pack, held_out)]
    findings += [*_check_safety(pack), *_check_offices(pack), *_check_plan(pack), *_check_pack_texts(pack)]
    return sorted(findings, key=lambda f: (f.severity != "error", f.where))
