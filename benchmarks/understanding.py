"""Understanding on the project's own content: the project's pipeline next to Rasa's default.

    .venv/bin/python benchmarks/understanding.py [--configs project rasa-default] [--questions data/eval/heldout.jsonl]

For each configuration: train a model on the full content (or reuse the one
for the current content), start the real action server and Rasa server, and
send every held-out question over REST in a new conversation
(bot.tools.evaluation). Prints accuracy per language and per label, out-of-scope
recall, in-scope fallback rate and reply-language share side by side, and
writes them into docs/benchmarks.md. Questions that are word for word
training examples are left out, as in bot.tools.evaluation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import models, report
from bot.core.content.loader import load_pack
from bot.tools.evaluation import read_questions, run_questions, score, without_training_examples

OUT = report.RESULTS / "understanding"
LABELS = {"project": "project (config.yml)", "rasa-default": "Rasa default pipeline"}


def measure(name: str, questions_path: Path) -> dict:
    model, train_seconds = models.trained_model(name)
    questions, overlapping = without_training_examples(read_questions(questions_path), load_pack())
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as workdir:
        assistant, startup = models.start(model, Path(workdir))
        try:
            outcomes = asyncio.run(run_questions(assistant.url, questions))
        finally:
            assistant.stop_all()
    scores = score(outcomes)
    return {
        "config": name,
        "model": model.name,
        "train_seconds": train_seconds,
        "left_out": overlapping,
        "scores": asdict(scores),
        "load_average": report.load_average(),
        "when": report.now(),
        **startup,
    }


def render(results: dict[str, dict]) -> str:
    names = [n for n in models.CONFIGS if n in results]
    scores = {n: results[n]["scores"] for n in names}
    header = ["", *[LABELS[n] for n in names]]
    rows = [
        ["model", *[f"`{results[n]['model']}`" for n in names]],
        ["questions scored", *[str(scores[n]["total"]) for n in names]],
        ["**label accuracy**", *[f"**{report.pct(scores[n]['accuracy'])}**" for n in names]],
    ]
    for lang in scores[names[0]]["accuracy_by_lang"]:
        rows.append([f"accuracy, {lang}", *[report.pct(scores[n]["accuracy_by_lang"].get(lang)) for n in names]])
    rows += [
        ["out-of-scope recall", *[report.pct(scores[n]["out_of_scope_recall"]) for n in names]],
        ["in-scope questions ending in fallback", *[report.pct(scores[n]["in_scope_fallback_rate"]) for n in names]],
        ["reply in the question's language", *[report.pct(scores[n]["reply_language_accuracy"]) for n in names]],
        ["training time, full content", *[_minutes(results[n]["train_seconds"]) for n in names]],
        ["load average at the end", *[results[n]["load_average"] for n in names]],
    ]
    text = report.table(header, rows)
    labels = scores[names[0]]["accuracy_by_label"]
    per_label = report.table(
        ["label", *[LABELS[n] for n in names]],
        [[label, *[report.pct(scores[n]["accuracy_by_label"].get(label)) for n in names]] for label in labels],
    )
    text += "\n\nAccuracy per label:\n\n" + per_label
    if len(names) == 2:
        ours, theirs = scores["project"], scores["rasa-default"]
        text += (
            f"\n\nProject vs Rasa default: accuracy {100 * (ours['accuracy'] - theirs['accuracy']):+.1f} points, "
            f"out-of-scope recall {100 * (ours['out_of_scope_recall'] - theirs['out_of_scope_recall']):+.1f} points, "
            f"in-scope fallback {100 * (ours['in_scope_fallback_rate'] - theirs['in_scope_fallback_rate']):+.1f} points, "
            f"training time {report.ratio(results['project']['train_seconds'], results['rasa-default']['train_seconds'])} of the default's "
            f"({report.ratio(results['rasa-default']['train_seconds'], results['project']['train_seconds'])} faster)."
        )
    return text


def _minutes(seconds: float | None) -> str:
    return "n/a (model trained earlier)" if seconds is None else f"{seconds:.0f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", nargs="+", choices=models.CONFIGS, default=list(models.CONFIGS))
    parser.add_argument("--questions", type=Path, default=report.ROOT / "data" / "eval" / "heldout.jsonl")
    parser.add_argument("--report-only", action="store_true", help="print the table from saved results")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    clock = report.Clock()
    OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in models.CONFIGS:  # the table shows every configuration with saved results, not only those run now
        path = OUT / f"{name}.json"
        if name in args.configs and not args.report_only:
            print(f"[{name}] training (if needed), starting the servers, asking the held-out questions...", file=sys.stderr, flush=True)
            path.write_text(json.dumps(measure(name, args.questions), indent=2, ensure_ascii=False))
        if path.exists():
            results[name] = json.loads(path.read_text())
    if not results:
        print("no results yet", file=sys.stderr)
        return 1
    text = render(results)
    print(text)
    if not args.no_doc:
        body = (
            f"## Understanding on the project's content\n\nCommand: `make bench-understanding` (`{report.command_line()}`). "
            f"Machine: {report.machine_line(report.machine())}. Written {report.now()}. "
            f"Held-out questions: `data/eval/heldout.jsonl`, each sent over REST in a new conversation to the running "
            f"assistant (action server + Rasa server); the label is read from the reply's `custom.meta`.\n\n{text}"
        )
        report.write_section("understanding", body)
    print(f"\nwall time {clock.elapsed():.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
