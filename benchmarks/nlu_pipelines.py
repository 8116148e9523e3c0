"""Trains NLU pipelines on the content and scores each on the held-out questions.

    .venv/bin/python benchmarks/nlu_pipelines.py config.yml benchmarks/configs/whitespace.yml ...

For each configuration: training time, label accuracy per language,
out-of-scope recall and in-scope fallback rate, from the NLU model alone
(``nlu_fallback`` counts as fallback). The whole assistant is scored over
HTTP by ``python -m bot.evaluation``; this script compares pipelines quickly.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content.build import build
from bot.content.loader import load_pack
from bot.evaluation import Outcome, format_report, read_questions, score
from bot.settings import PROJECT_ROOT
from bot.text import normalize_user_text


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
    started = time.perf_counter()
    labels = []
    for text in texts:
        parsed = await agent.parse_message(normalize_user_text(text))
        name = (parsed.get("intent") or {}).get("name") or "fallback"
        labels.append("fallback" if name == "nlu_fallback" else name)
    return labels, (time.perf_counter() - started) / max(len(texts), 1)


def main(configs: list[str]) -> None:
    questions = read_questions(PROJECT_ROOT / "data" / "eval" / "heldout.jsonl")
    build_dir = build(load_pack(), Path(tempfile.mkdtemp()) / "build")
    summary = []
    for config in map(Path, configs):
        model, seconds = train(config, build_dir / "data" / "nlu.yml", Path(tempfile.mkdtemp()))
        labels, parse_seconds = asyncio.run(parse_all(model, [q.text for q in questions]))
        scores = score([Outcome(q, label, q.lang) for q, label in zip(questions, labels, strict=True)])
        print(f"\n=== {config} (trained in {seconds:.0f} s, {parse_seconds * 1000:.1f} ms per parse)")
        print(format_report(scores))
        for miss in scores.errors:
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
    main(sys.argv[1:] or [str(PROJECT_ROOT / "config.yml")])
