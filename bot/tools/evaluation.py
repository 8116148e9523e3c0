"""Scores the running assistant on a held-out file of questions.

    python -m bot.tools.evaluation data/eval/heldout.jsonl --url http://localhost:5005

Each line of the file is ``{"text": ..., "lang": ..., "label": ...}`` (or
``"topic"`` instead of ``"label"``), optionally with ``"entry"`` (the
knowledge-base entry that answers it, ``residence_permit.fee``) and
``"key_fact"`` (what the answer must contain: ``52``, ``latvija.lv``;
alternatives separated by `` | `` when a portal has two addresses) and
``"source_kind"`` (where a real question came from, one of ``SOURCE_KINDS``).
Every question goes to the REST channel in a new conversation, exactly as a
client would send it, and the reply contract's ``meta`` is compared with the
line. Prints topic (label) accuracy per language, per kind of source and per
label, entry accuracy per language (questions labelled with an entry), the
share of answers that hold the key fact, out-of-scope recall, the share of
in-scope questions that ended in fallback and the share of replies written in
the question's language (requests for another language left out).
``--json`` writes the figures for tests and docs.

``--nlu`` scores the model alone: each question goes to ``POST /model/parse``
(with the API token from ``MIGRANT_BOT_API_TOKEN``) and the predicted intent
is the label (``nlu_fallback``: fallback). The staff app's publish uses it to
score a candidate model on a server that serves no users and whose action
server still holds the published answers (docs/staff-publish.md); reply
language is not measured then. ``MIGRANT_BOT_DATA_DIR`` names the content
whose training examples are left out of the questions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp

from bot.core.content.loader import load_pack
from bot.core.content.model import ENTRY_SEPARATOR, FALLBACK_LABEL, Pack
from bot.core.content.numbers import numbers_in
from bot.core.dialogue import ENTITY_ENTRY, Label
from bot.core.payloads import parse_payload
from bot.core.settings import api_token
from bot.core.text import normalize_user_text, words_only

OUT_OF_SCOPE = Label.OUT_OF_SCOPE


@dataclass(frozen=True)
class Question:
    """One held-out question."""

    text: str
    lang: str
    label: str
    entry: str | None = None
    key_fact: str | None = None
    source_kind: str | None = None


#: where a real question may come from (data/eval/real.jsonl; docs/evaluation.md)
SOURCE_KINDS = ("official_faq", "state_qa_portal", "news_qa", "forum", "other_public")
#: the separator of alternative key facts ("latvija.lv | latvija.gov.lv")
KEY_FACT_ALTERNATIVES = " | "


def _holds(fact: str, text: str) -> bool:
    """True when ``text`` states ``fact``: a number however it is grouped, or the words."""
    if numbers_in(fact) and not re.search(r"[^\d\s.,:+]", fact):
        return numbers_in(fact) <= numbers_in(text)
    return fact.lower() in text.lower()


@dataclass(frozen=True)
class Outcome:
    """What the assistant answered to one question."""

    question: Question
    label: str
    lang: str
    entry: str | None = None
    text: str = ""
    #: the entries the reply offers as buttons (``residence_permit.fee``), one tap away
    offered: tuple[str, ...] = ()
    #: the topics (or labels) the reply offers as buttons (the fallback's choices)
    offered_topics: tuple[str, ...] = ()

    @property
    def entry_within_reach(self) -> bool:
        """True when the reply answers the question's entry or offers it as a button."""
        return self.entry == self.question.entry or self.question.entry in self.offered

    @property
    def holds_key_fact(self) -> bool:
        """True when the reply states the question's key fact, or one of its alternatives."""
        facts = (self.question.key_fact or "").split(KEY_FACT_ALTERNATIVES)
        return any(_holds(fact.strip(), self.text) for fact in facts)


@dataclass
class Scores:
    """The figures of one evaluation run."""

    total: int
    accuracy: float
    accuracy_by_lang: dict[str, float]
    accuracy_by_label: dict[str, float]
    out_of_scope_recall: float
    in_scope_fallback_rate: float
    reply_language_accuracy: float
    entry_questions: int = 0
    entry_accuracy: float = 0.0
    entry_accuracy_by_lang: dict[str, float] = field(default_factory=dict)
    #: the entry answered or offered as a button (one tap away)
    entry_within_reach: float = 0.0
    #: in-scope questions that ended in the fallback, and the share of them whose choices hold the right topic
    in_scope_fallbacks: int = 0
    fallback_offers_topic: float = 0.0
    key_fact_questions: int = 0
    key_fact_rate: float = 0.0
    key_fact_rate_by_lang: dict[str, float] = field(default_factory=dict)
    #: topic accuracy and number of questions per kind of source (questions that name one)
    accuracy_by_source: dict[str, float] = field(default_factory=dict)
    questions_by_source: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)


def _question(raw: dict) -> Question:
    """One question from its line's object (KeyError, TypeError or ValueError when it is not one)."""
    source = raw.get("source_kind")
    if source is not None and source not in SOURCE_KINDS:
        raise ValueError(f"source_kind {source!r} is not one of {', '.join(SOURCE_KINDS)}")
    entry, fact = raw.get("entry"), raw.get("key_fact")
    return Question(
        text=str(raw["text"]),
        lang=str(raw["lang"]),
        label=str(raw["label"] if "label" in raw else raw["topic"]),
        entry=str(entry) if entry else None,
        key_fact=str(fact) if fact else None,
        source_kind=str(source) if source else None,
    )


def read_questions(path: Path) -> list[Question]:
    """Reads a JSON-lines file of questions, with a clear error for a bad line."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            questions.append(_question(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path}:{number}: not a question line ({error})") from error
    return questions


def without_training_examples(questions: list[Question], pack: Pack) -> tuple[list[Question], int]:
    """The questions that are not, word for word (punctuation and case aside), training examples; and how many were.

    Written independently, some short questions ("hi there", "vakances") still
    coincide with a training example; scoring them would flatter the model.
    """
    trained = {words_only(e) for examples in pack.examples_by_language().values() for e in examples}
    kept = [q for q in questions if words_only(q.text) not in trained]
    return kept, len(questions) - len(kept)


def _ratio(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def _grouped(outcomes: list[Outcome], key, hit) -> dict[str, list[bool]]:
    groups: dict[str, list[bool]] = defaultdict(list)
    for outcome in outcomes:
        group = key(outcome)
        if group is not None:
            groups[group].append(hit(outcome))
    return dict(sorted(groups.items()))


def _by_lang(outcomes: list[Outcome], hit) -> dict[str, float]:
    return {lang: _ratio(sum(v), len(v)) for lang, v in _grouped(outcomes, lambda o: o.question.lang, hit).items()}


def _source_scores(outcomes: list[Outcome]) -> dict:
    groups = _grouped(outcomes, lambda o: o.question.source_kind, lambda o: o.label == o.question.label)
    return {
        "accuracy_by_source": {kind: _ratio(sum(v), len(v)) for kind, v in groups.items()},
        "questions_by_source": {kind: len(v) for kind, v in groups.items()},
    }


def _miss(outcome: Outcome, expected: str, got: str | None) -> dict[str, str]:
    question = outcome.question
    return {"text": question.text, "lang": question.lang, "expected": expected, "got": str(got), "reply_lang": outcome.lang}


def score(outcomes: list[Outcome]) -> Scores:
    """Computes the figures from the outcomes."""
    by_lang: dict[str, list[bool]] = defaultdict(list)
    by_label: dict[str, list[bool]] = defaultdict(list)
    for outcome in outcomes:
        correct = outcome.label == outcome.question.label
        by_lang[outcome.question.lang].append(correct)
        by_label[outcome.question.label].append(correct)
    in_scope = [o for o in outcomes if o.question.label != OUT_OF_SCOPE]
    # a request for another language is rightly answered in that language
    same_language_expected = [o for o in outcomes if o.question.label != Label.CHANGE_LANGUAGE]
    out_scope = [o for o in outcomes if o.question.label == OUT_OF_SCOPE]
    return Scores(
        total=len(outcomes),
        accuracy=_ratio(sum(o.label == o.question.label for o in outcomes), len(outcomes)),
        accuracy_by_lang={lang: _ratio(sum(v), len(v)) for lang, v in sorted(by_lang.items())},
        accuracy_by_label={label: _ratio(sum(v), len(v)) for label, v in sorted(by_label.items())},
        out_of_scope_recall=_ratio(sum(o.label == OUT_OF_SCOPE for o in out_scope), len(out_scope)),
        in_scope_fallback_rate=_ratio(sum(o.label == FALLBACK_LABEL for o in in_scope), len(in_scope)),
        reply_language_accuracy=_ratio(sum(o.lang == o.question.lang for o in same_language_expected), len(same_language_expected)),
        **_entry_and_fact_scores(outcomes),
        **_fallback_scores(in_scope),
        **_source_scores(outcomes),
        errors=_misses(outcomes),
    )


def _misses(outcomes: list[Outcome]) -> list[dict[str, str]]:
    """Wrong topics, then wrong entries of the right topic, then answers without the key fact."""
    right_topic = [o for o in outcomes if o.label == o.question.label]
    return (
        [_miss(o, o.question.label, o.label) for o in outcomes if o.label != o.question.label]
        + [_miss(o, str(o.question.entry), o.entry) for o in right_topic if o.question.entry and o.entry != o.question.entry]
        + [_miss(o, f"fact {o.question.key_fact}", o.entry or o.label) for o in outcomes if o.question.key_fact and not o.holds_key_fact]
    )


def _fallback_scores(in_scope: list[Outcome]) -> dict:
    fallbacks = [o for o in in_scope if o.label == FALLBACK_LABEL]
    offering = sum(o.question.label in o.offered_topics for o in fallbacks)
    return {"in_scope_fallbacks": len(fallbacks), "fallback_offers_topic": _ratio(offering, len(fallbacks))}


def _entry_and_fact_scores(outcomes: list[Outcome]) -> dict:
    with_entry = [o for o in outcomes if o.question.entry]
    with_fact = [o for o in outcomes if o.question.key_fact]
    return {
        "entry_questions": len(with_entry),
        "entry_accuracy": _ratio(sum(o.entry == o.question.entry for o in with_entry), len(with_entry)),
        "entry_accuracy_by_lang": _by_lang(with_entry, lambda o: o.entry == o.question.entry),
        "entry_within_reach": _ratio(sum(o.entry_within_reach for o in with_entry), len(with_entry)),
        "key_fact_questions": len(with_fact),
        "key_fact_rate": _ratio(sum(o.holds_key_fact for o in with_fact), len(with_fact)),
        "key_fact_rate_by_lang": _by_lang(with_fact, lambda o: o.holds_key_fact),
    }


def extract_meta(messages: list[dict]) -> dict:
    """The one ``custom.meta`` object of a REST reply (empty if there is none)."""
    metas = [m["custom"]["meta"] for m in messages if isinstance(m.get("custom"), dict) and "meta" in m["custom"]]
    return metas[0] if len(metas) == 1 else {}


def _chosen(messages: list[dict]) -> list[tuple[str, dict[str, str]]]:
    """What the reply's buttons choose, in order: (intent, entities) of each button payload."""
    payloads = [b.get("payload") for m in messages for b in m.get("buttons") or [] if isinstance(b, dict)]
    return [parsed for parsed in (parse_payload(p) for p in payloads if isinstance(p, str)) if parsed]


def offered_entries(messages: list[dict]) -> tuple[str, ...]:
    """The entry ids the reply's buttons choose, in order."""
    return tuple(f"{intent}{ENTRY_SEPARATOR}{entities[ENTITY_ENTRY]}" for intent, entities in _chosen(messages) if ENTITY_ENTRY in entities)


def offered_topics(messages: list[dict]) -> tuple[str, ...]:
    """The topics or labels the reply's buttons choose without an entity (the fallback's and the menu's), in order."""
    return tuple(intent for intent, entities in _chosen(messages) if not entities)


async def _ask(session: aiohttp.ClientSession, url: str, question: Question, limit: asyncio.Semaphore) -> Outcome:
    async with limit:
        body = {"sender": f"eval-{uuid.uuid4().hex}", "message": question.text}
        async with session.post(f"{url}/webhooks/rest/webhook", json=body) as response:
            messages = await response.json() if response.status == 200 else []
    meta = extract_meta(messages)
    text = "\n".join(m["text"] for m in messages if isinstance(m.get("text"), str))
    return Outcome(
        question=question,
        label=meta.get("label", "<no meta>"),
        lang=meta.get("lang", ""),
        entry=meta.get("entry"),
        text=text,
        offered=offered_entries(messages),
        offered_topics=offered_topics(messages),
    )


async def _parse(session: aiohttp.ClientSession, url: str, question: Question, limit: asyncio.Semaphore) -> Outcome:
    """The model's intent for one question (the text normalised as the channels do)."""
    async with limit:
        params = {"token": api_token()}
        async with session.post(f"{url}/model/parse", params=params, json={"text": normalize_user_text(question.text)}) as response:
            response.raise_for_status()
            intent = ((await response.json()).get("intent") or {}).get("name") or "<none>"
    return Outcome(question=question, label=FALLBACK_LABEL if intent == Label.NLU_FALLBACK else intent, lang="")


async def run_questions(url: str, questions: list[Question], concurrency: int = 4, nlu_only: bool = False) -> list[Outcome]:
    """Sends every question to the assistant at ``url`` (``nlu_only``: to its model alone)."""
    limit = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    ask = _parse if nlu_only else _ask
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return list(await asyncio.gather(*(ask(session, url, q, limit) for q in questions)))


def format_report(scores: Scores) -> str:
    """The figures as a plain-text table."""
    lines = [f"questions: {scores.total}", f"label (topic) accuracy: {scores.accuracy:.1%}", "", "accuracy per language:"]
    lines += [f"  {lang:<4} {value:.1%}" for lang, value in scores.accuracy_by_lang.items()]
    if scores.entry_questions:
        lines += ["", f"entry accuracy ({scores.entry_questions} questions with an entry): {scores.entry_accuracy:.1%}"]
        lines += [f"  {lang:<4} {value:.1%}" for lang, value in scores.entry_accuracy_by_lang.items()]
        lines += [f"  answered or offered as a button: {scores.entry_within_reach:.1%}"]
    if scores.key_fact_questions:
        lines += ["", f"answers holding the key fact ({scores.key_fact_questions} questions with one): {scores.key_fact_rate:.1%}"]
        lines += [f"  {lang:<4} {value:.1%}" for lang, value in scores.key_fact_rate_by_lang.items()]
    if scores.accuracy_by_source:
        lines += ["", "accuracy per kind of source:"]
        lines += [f"  {kind:<26} {value:.1%} of {scores.questions_by_source[kind]}" for kind, value in scores.accuracy_by_source.items()]
    lines += ["", "accuracy per label:"]
    lines += [f"  {label:<26} {value:.1%}" for label, value in scores.accuracy_by_label.items()]
    lines += ["", f"out-of-scope recall:          {scores.out_of_scope_recall:.1%}"]
    lines += [f"in-scope ended in fallback:   {scores.in_scope_fallback_rate:.1%}"]
    if scores.in_scope_fallbacks:
        lines += [f"  of those {scores.in_scope_fallbacks}, the right topic among the choices: {scores.fallback_offers_topic:.1%}"]
    lines += [f"reply in the question's lang: {scores.reply_language_accuracy:.1%}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.evaluation", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("questions", type=Path, nargs="?", default=Path("data/eval/heldout.jsonl"))
    parser.add_argument("--url", default="http://localhost:5005", help="the running assistant")
    parser.add_argument("--json", type=Path, help="also write the figures (and every miss) here")
    parser.add_argument("--show-errors", action="store_true", help="print every question answered with the wrong label")
    parser.add_argument("--concurrency", type=int, default=4, help="questions in flight at once")
    parser.add_argument("--nlu", action="store_true", help="score the model alone through POST /model/parse (token: MIGRANT_BOT_API_TOKEN)")
    args = parser.parse_args(argv)
    try:
        questions = read_questions(args.questions)
    except (OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    questions, overlapping = without_training_examples(questions, load_pack())
    try:
        scores = score(asyncio.run(run_questions(args.url, questions, max(1, args.concurrency), nlu_only=args.nlu)))
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        print(f"The assistant at {args.url} did not answer: {error!r}", file=sys.stderr)
        return 1
    print(f"left out {overlapping} questions that are also training examples")
    print(format_report(scores))
    if args.show_errors:
        print("\nmisses:")
        for miss in scores.errors:
            print(f"  [{miss['lang']}] {miss['text']!r}: expected {miss['expected']}, got {miss['got']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(asdict(scores), ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
