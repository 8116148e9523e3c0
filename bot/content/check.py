"""Completeness checks a staff member runs before publishing content.

``make content-check`` prints every problem. Errors make the assistant wrong
or silent in some language; warnings (a stale translation) make it out of date.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import Pack

MIN_EXAMPLES = 15
MAX_ANSWER_CHARS = 700
MAX_TITLE_CHARS = 30


@dataclass(frozen=True)
class Finding:
    """One problem in the content."""

    severity: str  # "error" or "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


def _check_topics(pack: Pack) -> list[Finding]:
    findings = []
    for topic in pack.topics.values():
        where = f"topics/{topic.id}.yml"
        if not topic.sources:
            findings.append(Finding("error", where, "no source URL"))
        for lang in pack.languages:
            tr = topic.translations.get(lang)
            if tr is None:
                findings.append(Finding("error", where, f"'{lang}' translation is missing"))
                continue
            if not tr.answer:
                findings.append(Finding("error", where, f"'{lang}' has no answer"))
            elif len(tr.answer) > MAX_ANSWER_CHARS:
                message = f"'{lang}' answer has {len(tr.answer)} characters; at most {MAX_ANSWER_CHARS} fit a messenger"
                findings.append(Finding("error", where, message))
            if not tr.title:
                findings.append(Finding("error", where, f"'{lang}' has no title"))
            elif len(tr.title) > MAX_TITLE_CHARS:
                findings.append(Finding("error", where, f"'{lang}' title is longer than {MAX_TITLE_CHARS} characters"))
            if len(tr.examples) < MIN_EXAMPLES:
                message = f"'{lang}' has {len(tr.examples)} examples; at least {MIN_EXAMPLES} are needed"
                findings.append(Finding("error", where, message))
            if topic.is_stale(lang):
                message = f"'{lang}' does not follow the current '{topic.source_language}' text; update it, then run make content-stamp"
                findings.append(Finding("warning", where, message))
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
    entries = [*pack.topics.values(), *pack.labels.values()]
    for entry in entries:
        for tr in entry.translations.values():
            for example in tr.examples:
                key = " ".join(example.lower().split())
                other = owner.setdefault(key, entry.id)
                if other != entry.id:
                    findings.append(Finding("error", entry.id, f"example {example!r} is also used for '{other}'"))
    return findings


def check_pack(pack: Pack) -> list[Finding]:
    """Every completeness problem of the pack, errors first."""
    findings = [*_check_topics(pack), *_check_labels(pack), *_check_duplicates(pack)]
    return sorted(findings, key=lambda f: (f.severity != "error", f.where))
