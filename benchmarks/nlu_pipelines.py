"""Trains NLU pipelines on the content and scores each on the held-out questions.

    .venv/bin/python benchmarks/nlu_pipelines.py config.yml benchmarks/configs/whitespace.yml ...

With ``--folds 3``, each configuration is instead trained on two thirds of
the pack's own examples and scored on the rest, three times: a larger test
than the held-out set, for telling close pipelines apart.

For each configuration: training time, label accuracy per language,
out-of-scope recall and in-scope fallback rate, from the NLU model alone
(``nlu_fallback`` counts as fallback). The whole assistant is scored over
HTTP by ``python -m bot.tools.evaluation``; this script compares pipelines quickly.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from bot.core.content.build import _example, build
from bot.core.content.loader import load_pack
from bot.core.settings import PROJECT_ROOT
from bot.core.text import normalize_user_text
from bot.tools.evaluation import Outcome, Question, format_report, read_questions, score


def train(config: Path, nlu: Path, out: Path) -> tuple[Path, float]:
    started = time.perf_counter()
    rasa = Path(sys.executable).parent / "rasa"
    subprocess.run(
        [str(rasa), "train", "nlu", "--config", str(config), "--nlu", str(nlu), "--out", str(out), "--fixed-model-name", config.stem],
        check=True,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return out / f"{config.stem}.tar.gz", time.perf_counter() - started


async def parse_all(model: Path, texts: list[str]) -> tuple[list[str], float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    logging.getLogger().setLevel(logging.WARNING)
    started = time.perf_counter()
    labels = []
    for text in texts:
        parsed = await agent.parse_message(normalize_user_text(text))
        name = (parsed.get("intent") or {}).get("name") or "fallback"
        labels.append("fallback" if name == "nlu_fallback" else name)
    return labels, (time.perf_counter() - started) / max(len(texts), 1)


def fold_splits(folds: int) -> list[tuple[Path, list[Question]]]:
    """K folds of the pack's own examples: NLU data without the fold, and the fold as questions."""
    pack = load_pack()
    labelled = [
        Question(text=text, lang=lang, label=entry.id)
        for entry in [*pack.topics.values(), *pack.labels.values()]
        for lang, translation in entry.translations.items()
        for text in translation.examples
    ]
    random.Random(13).shuffle(labelled)
    splits = []
    for k in range(folds):
        test = labelled[k::folds]
        held = {q.text for q in test}
        nlu = []
        for entry in [*pack.topics.values(), *pack.labels.values()]:
            kept = [t for tr in entry.translations.values() for t in tr.examples if t not in held]
            nlu.append({"intent": entry.id, "examples": "".join(f"- {_example(t)}\n" for t in kept if _example(t))})
        path = Path(tempfile.mkdtemp()) / "nlu.yml"
        path.write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True), encoding="utf-8")
        splits.append((path, test))
    return splits


def evaluate(config: Path, nlu: Path, questions: list[Question]) -> tuple[list[Outcome], float, float]:
    model, seconds = train(config, nlu, Path(tempfile.mkdtemp()))
    labels, parse_seconds = asyncio.run(parse_all(model, [q.text for q in questions]))
    return [Outcome(q, label, q.lang) for q, label in zip(questions, labels, strict=True)], seconds, parse_seconds


def main(configs: list[str], folds: int = 0) -> None:
    if folds:
        splits = fold_splits(folds)
    else:
        build_dir = build(load_pack(), Path(tempfile.mkdtemp()) / "build")
        splits = [(build_dir / "data" / "nlu.yml", read_questions(PROJECT_ROOT / "data" / "eval" / "heldout.jsonl"))]
    summary = []
    for config in map(Path, configs):
        outcomes, seconds, parse_seconds = [], 0.0, 0.0
        for nlu, questions in splits:
            fold_outcomes, fold_seconds, fold_parse = evaluate(config, nlu, questions)
            outcomes += fold_outcomes
            seconds += fold_seconds / len(splits)
            parse_seconds += fold_parse / len(splits)
        scores = score(outcomes)
        print(f"\n=== {config} (trained in {seconds:.0f} s, {parse_seconds * 1000:.1f} ms per parse)")
        print(format_report(scores))
        for miss in scores.errors[:40]:
            print(f"  miss [{miss['lang']}] {miss['text']!r}: expected {miss['expected']}, got {miss['got']}")
        summary.append((config, seconds, scores))
    print(f"\n{'configuration':<44} {'train s':>8} {'acc':>6} {'en':>6} {'lv':>6} {'ru':>6} {'uk':>6} {'oos':>6} {'fallbk':>7}")
    for config, seconds, s in summary:
        by = s.accuracy_by_lang
        per_lang = " ".join(f"{by.get(lang, 0):>6.1%}" for lang in ("en", "lv", "ru", "uk"))
        print(
            f"{config!s:<44} {seconds:>8.0f} {s.accuracy:>6.1%} {per_lang} {s.out_of_scope_recall:>6.1%} {s.in_scope_fallback_rate:>7.1%}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="*", default=[str(PROJECT_ROOT / "config.yml")])
    parser.add_argument("--folds", type=int, default=0, help="cross-validate on the pack's examples instead of the held-out set")
    args = parser.parse_args()
    main(args.configs, args.folds)
