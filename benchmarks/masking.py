"""Measures the masking of personal data: what it catches, what it changes that it should not, how fast.

    .venv/bin/python -m benchmarks.masking

Data: ``tests/data/privacy/personal.jsonl`` and the blind set
``tests/data/privacy/blind.jsonl``, written by someone who never saw the
masker (messages with personal data, each
listing the exact substrings that must disappear and those that must stay;
never used for training) and the ordinary questions of
``data/eval/heldout.jsonl`` and ``data/eval/real.jsonl``, which hold none:
masking must leave them exactly as they are. Each message is measured as
written and as a channel hands it over (``bot.core.text.normalize_user_text``
folds line breaks into spaces, so a signature on its own line no longer is).
Prints recall per language (personal substrings gone; gone without a trace,
i.e. no word or number of three characters or more of it left, as when only
"Ivan" of "Ivan Petrov" is masked; and messages fully cleaned), ``keep``
violations, ordinary questions changed (listed), and the
time per message. Targets: recall >= 95% per language, <= 2% ordinary changed.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.privacy.masking import TAGS, Masked, default_masker, mask_personal_data
from bot.core.settings import PROJECT_ROOT
from bot.core.text import normalize_user_text

PERSONAL = PROJECT_ROOT / "tests" / "data" / "privacy" / "personal.jsonl"
#: written by someone who never saw the masker or its rules: the honest measure (never tuned on)
BLIND = PROJECT_ROOT / "tests" / "data" / "privacy" / "blind.jsonl"
ORDINARY = [PROJECT_ROOT / "data" / "eval" / "heldout.jsonl", PROJECT_ROOT / "data" / "eval" / "real.jsonl"]
_TOKEN = re.compile(r"\w+")
RECALL_TARGET = 0.95
FALSE_CHANGE_TARGET = 0.02


@dataclass(frozen=True)
class Sample:
    """A message of the test set."""

    lang: str
    text: str
    personal: tuple[str, ...]
    keep: tuple[str, ...] = ()


@dataclass
class LanguageScore:
    """What the masker did to one language's messages."""

    messages: int = 0
    cleaned: int = 0
    items: int = 0
    caught: int = 0
    traceless: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)  # (substring, masked text)
    traces: list[tuple[str, str]] = field(default_factory=list)  # (substring partly left, masked text)
    kept_wrongly: list[tuple[str, str]] = field(default_factory=list)  # (keep substring, masked text)

    @property
    def recall(self) -> float:
        """Share of personal substrings gone."""
        return self.caught / self.items if self.items else 1.0

    @property
    def traceless_recall(self) -> float:
        """Share of personal substrings gone without a piece of three characters or more left."""
        return self.traceless / self.items if self.items else 1.0

    @property
    def cleaned_share(self) -> float:
        """Share of messages with every personal substring gone."""
        return self.cleaned / self.messages if self.messages else 1.0


@dataclass
class Score:
    """The masker's figures on the test set and the ordinary questions."""

    languages: dict[str, LanguageScore]
    ordinary: int
    changed: list[tuple[str, str]]  # (question, masked)

    @property
    def overall(self) -> LanguageScore:
        """All languages together."""
        total = LanguageScore()
        for score in self.languages.values():
            total.messages += score.messages
            total.cleaned += score.cleaned
            total.items += score.items
            total.caught += score.caught
            total.traceless += score.traceless
            total.missed += score.missed
            total.traces += score.traces
            total.kept_wrongly += score.kept_wrongly
        return total

    @property
    def false_change_rate(self) -> float:
        """Share of ordinary questions the masker changed."""
        return len(self.changed) / self.ordinary if self.ordinary else 0.0


def read_personal(path: Path = PERSONAL) -> list[Sample]:
    """The test set of messages with personal data."""
    samples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            samples.append(Sample(raw["lang"], raw["text"], tuple(raw["personal"]), tuple(raw.get("keep") or ())))
    return samples


def read_ordinary(paths: list[Path] = ORDINARY) -> list[tuple[str, str]]:
    """(lang, text) of the held-out and real questions: none holds personal data."""
    questions = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                questions.append((raw["lang"], raw["text"]))
    return questions


def traces(item: str, text: str, masked: str) -> list[str]:
    """Words and numbers (3+ characters) of ``item`` still in ``masked`` that ``text`` has nowhere else."""
    elsewhere = set(_TOKEN.findall(text.replace(item, " ")))
    left = set(_TOKEN.findall(TAGS.sub(" ", masked)))
    return sorted(t for t in set(_TOKEN.findall(item)) if len(t) >= 3 and t in left and t not in elsewhere)


def score(mask: Callable[[str], Masked] = mask_personal_data, prepare: Callable[[str], str] = lambda t: t, path: Path = PERSONAL) -> Score:
    """Runs ``mask`` on every message of ``path`` (after ``prepare``) and counts what it caught, kept and changed."""
    languages: dict[str, LanguageScore] = {}
    for sample in read_personal(path):
        text = prepare(sample.text)
        masked = mask(text).text
        result = languages.setdefault(sample.lang, LanguageScore())
        result.messages += 1
        missed = [p for p in sample.personal if prepare(p) in masked]
        partly = [p for p in sample.personal if p not in missed and traces(prepare(p), text, masked)]
        result.items += len(sample.personal)
        result.caught += len(sample.personal) - len(missed)
        result.traceless += len(sample.personal) - len(missed) - len(partly)
        result.traces += [(p, masked) for p in partly]
        result.cleaned += not missed
        result.missed += [(p, masked) for p in missed]
        result.kept_wrongly += [(k, masked) for k in sample.keep if prepare(k) not in masked]
    ordinary = read_ordinary()
    changed = [(text, masked) for text in (prepare(t) for _, t in ordinary) if (masked := mask(text).text) != text]
    return Score(languages=languages, ordinary=len(ordinary), changed=changed)


def timing(texts: list[str], rounds: int = 5) -> tuple[float, float, float]:
    """Seconds to build the default masker, then mean and p99 seconds per message over ``rounds`` passes."""
    default_masker.cache_clear()
    started = time.perf_counter()
    masker = default_masker()
    load = time.perf_counter() - started
    times = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            masker.mask(text)
            times.append(time.perf_counter() - started)
    times.sort()
    return load, statistics.fmean(times), times[int(len(times) * 0.99)]


def _print_score(title: str, result: Score) -> None:
    print(f"\n{title}")
    print(f"{'lang':6}{'messages':>10}{'substrings':>12}{'recall':>9}{'no trace':>10}{'cleaned':>9}{'keep violations':>17}")
    for lang, lang_score in [*sorted(result.languages.items()), ("all", result.overall)]:
        print(
            f"{lang:6}{lang_score.messages:>10}{lang_score.items:>12}{lang_score.recall:>9.1%}{lang_score.traceless_recall:>10.1%}"
            f"{lang_score.cleaned_share:>9.1%}{len(lang_score.kept_wrongly):>17}"
        )
    print(f"ordinary questions changed: {len(result.changed)} of {result.ordinary} ({result.false_change_rate:.1%})")
    for question, masked in result.changed:
        print(f"  changed: {question!r}\n       ->  {masked!r}")
    for missed, masked in result.overall.missed:
        print(f"  missed:  {missed!r} in {masked!r}")
    for partly, masked in result.overall.traces:
        print(f"  partly left: {partly!r} in {masked!r}")
    for kept, masked in result.overall.kept_wrongly:
        print(f"  masked but must stay: {kept!r} in {masked!r}")


def main() -> None:
    as_written = score()
    _print_score("Messages as written", as_written)
    _print_score(
        "Messages as a channel hands them over (normalize_user_text: line breaks become spaces)", score(prepare=normalize_user_text)
    )
    blind = score(prepare=normalize_user_text, path=BLIND)
    _print_score("Blind set (tests/data/privacy/blind.jsonl, written without seeing the masker; as a channel hands it over)", blind)
    texts = [s.text for s in read_personal()] + [t for _, t in read_ordinary()]
    load, mean, p99 = timing(texts)
    print(f"\nTime: vocabulary loaded once in {load * 1000:.0f} ms; per message mean {mean * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs")
    print(f"      ({len(texts)} messages x 5 rounds, one process)")
    met = all(s.recall >= RECALL_TARGET for s in as_written.languages.values()) and as_written.false_change_rate <= FALSE_CHANGE_TARGET
    targets = f"recall >= {RECALL_TARGET:.0%} per language, <= {FALSE_CHANGE_TARGET:.0%} ordinary changed"
    print(f"Targets ({targets}): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
