"""CLINC150: the project's pipeline and Rasa's default pipeline on a public benchmark.

    .venv/bin/python benchmarks/clinc150.py [--data PATH] [--configs project default] [--report-only]

Larson et al., "An Evaluation Dataset for Intent Classification and
Out-of-Scope Prediction" (EMNLP 2019): 150 intents plus out-of-scope queries.
Both pipelines are trained on ``train`` plus ``oos_train`` as a 151st intent
``oos`` (the paper's "oos-train" setting) and scored on ``test`` (in-scope
accuracy) and ``oos_test`` (out-of-scope recall: predicted ``oos`` or
``nlu_fallback``). ``val``/``oos_val`` are not used: neither pipeline is tuned
on CLINC150.

"project" is the NLU pipeline of config.yml unchanged; "default" is what
`rasa init` trains (its config.yml leaves the pipeline empty, so Rasa fills in
its default pipeline: DIET and ResponseSelector, 100 epochs each).

Slow part: the default pipeline needs about an hour. Progress (epoch x/100,
elapsed, ETA) goes to results/clinc150/<config>.progress.log. Trained models
and figures are kept in results/clinc150/ and reused: a rerun skips what is
done, ``--report-only`` prints the table from saved results, and ``--retrain``
starts over.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from benchmarks import hold, report

OUT = report.RESULTS / "clinc150"
CANDIDATE_DATA = [
    report.ROOT.parent / "shared" / "benchmarks" / "clinc150" / "data_full.json",
    report.ROOT.parent.parent / "shared" / "benchmarks" / "clinc150" / "data_full.json",
    Path("/work/shared/benchmarks/clinc150/data_full.json"),
]
OOS = "oos"
EPOCH = re.compile(r"Epochs:\s+\d+%.*?\|\s*(\d+)/(\d+)\s*\[([\d:]+)<([\d:?]+)")

# Larson et al. 2019, "Full" columns, oos-train rows: (in-scope accuracy, out-of-scope recall)
# per classifier. Empty: no stored source with the paper's results table could be found (see
# PAPER_NOTE); a figure goes in only when read from the paper or a source quoting it, with the
# source named in PAPER_SOURCE.
PAPER: dict[str, tuple[float, float]] = {}
PAPER_SOURCE = "Larson et al. 2019"
PAPER_NOTE = (
    "Published figures: Larson et al. (EMNLP 2019, https://aclanthology.org/D19-1131/) report in-scope accuracy "
    "and out-of-scope recall of several classifiers on this data, in the oos-train, oos-threshold and oos-binary "
    "settings; the dataset's README (github.com/clinc/oos-eval, README.md) says `data_full.json` is the data of the "
    'paper\'s Table 1, "Full" columns (in issue clinc/oos-eval#7 the oos-train results are discussed as Table 2). '
    "The stored sources searched for this document "
    "(the oos-eval repository, whose paper.pdf is stored as binary only; the paper's pages on arXiv/ar5iv, ACL "
    "Anthology mirrors, Hugging Face's and TensorFlow's dataset cards, reproductions such as "
    "tgargiani/OOD-text-classification) returned the paper's opening or the authors' README, never the results "
    "table, so the published figures could not be verified here and none is quoted: compare with the paper's "
    "results table (Full, oos-train)."
)


def default_data() -> Path:
    for path in CANDIDATE_DATA:
        if path.exists():
            return path
    return CANDIDATE_DATA[0]


def read_data(path: Path) -> dict[str, list[tuple[str, str]]]:
    """The splits of data_full.json, validated."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot read CLINC150 data from {path}: {error}") from error
    splits = {}
    for key in ("train", "test", "oos_train", "oos_test"):
        items = raw.get(key)
        if not isinstance(items, list) or not all(isinstance(i, list) and len(i) == 2 for i in items):
            raise SystemExit(f"{path}: '{key}' is not a list of [text, intent] pairs")
        splits[key] = [(str(text), str(intent)) for text, intent in items]
    return splits


def write_nlu(splits: dict[str, list[tuple[str, str]]], path: Path) -> None:
    by_intent: dict[str, list[str]] = {}
    for text, intent in [*splits["train"], *splits["oos_train"]]:
        by_intent.setdefault(intent, []).append(text)
    nlu = [{"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)} for intent, texts in sorted(by_intent.items())]
    text = yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False)
    if path.exists() and path.read_text() == text:
        return  # another run (e.g. the other configuration, in the background) may be reading it
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text)
    os.replace(partial, path)


def config_file(name: str) -> Path:
    """The pipeline configuration for ``name`` (copied, since Rasa may write defaults into it)."""
    import rasa

    source = {
        "project": report.ROOT / "config.yml",
        "default": Path(rasa.__file__).parent / "cli" / "initial_project" / "config.yml",
    }[name]
    target = OUT / f"{name}-config.yml"
    shutil.copyfile(source, target)
    return target


class Progress:
    """Writes epoch x/total, elapsed and ETA lines from Rasa's progress bars to a log file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = time.time()
        self.last = ""
        self.stage = 0
        path.write_text(f"{report.now()} training started\n")

    def feed(self, line: str) -> None:
        match = EPOCH.search(line)
        if not match:
            return
        done, total = int(match.group(1)), int(match.group(2))
        if done == 0 and self.last.endswith(f"/{total}"):
            self.stage += 1
        key = f"{self.stage}:{done}/{total}"
        if key == self.last:
            return
        self.last = key
        elapsed = time.time() - self.started
        with self.path.open("a") as log:
            log.write(
                f"{report.now()} component {self.stage + 1} epoch {done}/{total} "
                f"elapsed {elapsed / 60:.1f} min, component ETA {match.group(4)}, load {report.load_average()}\n"
            )


def train(name: str, config: Path, nlu: Path) -> tuple[float, float, float]:
    """Trains the NLU model, logging progress; returns the wall time, the CPU time and the time held, in seconds.

    The wall time leaves out the time the run was held (stopped) by
    benchmarks/hold.py while a timing-sensitive benchmark ran.
    """
    rasa = Path(sys.executable).parent / "rasa"
    progress = Progress(OUT / f"{name}.progress.log")
    (OUT / f"{name}.pgid").write_text(str(os.getpgrp()))
    hold.pause_log(OUT / name).unlink(missing_ok=True)  # pauses of an earlier, unfinished run
    wall_started = time.time()
    command = [str(rasa), "train", "nlu", "--config", str(config), "--nlu", str(nlu), "--out", str(OUT), "--fixed-model-name", name]
    started = time.perf_counter()
    cpu_before = _children_cpu()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **report.NO_TRAINING_CACHE}
    process = subprocess.Popen(command, cwd=report.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    buffer = b""
    full_log = (OUT / f"{name}.train.log").open("wb")
    assert process.stdout is not None
    while chunk := process.stdout.read1(4096):
        full_log.write(chunk)
        buffer += chunk
        *lines, buffer = re.split(rb"[\r\n]", buffer)
        for line in lines:
            progress.feed(line.decode("utf-8", "replace"))
    if process.wait() != 0:
        raise SystemExit(f"training {name} failed; see {OUT / (name + '.train.log')}")
    held = hold.paused_seconds(OUT / name, wall_started)
    seconds, cpu = time.perf_counter() - started - held, _children_cpu() - cpu_before
    (OUT / f"{name}.pgid").unlink(missing_ok=True)
    with progress.path.open("a") as log:
        log.write(
            f"{report.now()} training finished in {seconds / 60:.1f} min ({cpu / 60:.1f} min of CPU; "
            f"held {held / 60:.1f} min more while other benchmarks ran)\n"
        )
    return seconds, cpu, held


COMPONENT = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) .*?(Starting to train|Finished training) component '([^']+)'")


def component_seconds(train_log: Path) -> list[tuple[str, float]]:
    """Wall seconds per trained component, from the timestamps of Rasa's training log (1 s resolution)."""
    from datetime import datetime

    started: dict[str, datetime] = {}
    spent: list[tuple[str, float]] = []
    for line in re.split(r"[\r\n]", train_log.read_text(errors="replace")):
        match = COMPONENT.search(line)
        if not match:
            continue
        when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
        if match.group(2).startswith("Starting"):
            started[match.group(3)] = when
        elif match.group(3) in started:
            spent.append((match.group(3), (when - started.pop(match.group(3))).total_seconds()))
    return spent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def predict(model: Path, texts: list[str]) -> tuple[list[str], list[float], float]:
    """Predicted intents, per-message parse times and the model load time."""
    from rasa.core.agent import Agent

    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    # Rasa logs every parse at debug level through structlog, whose default prints everything:
    # that would time the logging, not the parse
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    labels, times = [], []
    for text in texts:
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        times.append(time.perf_counter() - started)
        labels.append((parsed.get("intent") or {}).get("name") or "nlu_fallback")
    return labels, times, load_seconds


def evaluate(name: str, splits: dict[str, list[tuple[str, str]]], train_seconds: float) -> dict:
    model = OUT / f"{name}.tar.gz"
    test, oos = splits["test"], splits["oos_test"]
    labels, times, load_seconds = asyncio.run(predict(model, [t for t, _ in test] + [t for t, _ in oos]))
    in_scope, out_scope = labels[: len(test)], labels[len(test) :]
    times_ms = sorted(1000 * t for t in times)
    return {
        "config": name,
        "in_scope_accuracy": sum(p == gold for p, (_, gold) in zip(in_scope, test, strict=True)) / len(test),
        "in_scope_fallback": sum(p == "nlu_fallback" for p in in_scope) / len(test),
        "oos_recall": sum(p in (OOS, "nlu_fallback") for p in out_scope) / len(oos),
        "train_seconds": train_seconds,
        "model_load_seconds": load_seconds,
        "parse_ms_mean": statistics.fmean(times_ms),
        "parse_ms_p50": times_ms[len(times_ms) // 2],
        "parse_ms_p95": times_ms[int(0.95 * (len(times_ms) - 1))],
        "n_test": len(test),
        "n_oos_test": len(oos),
        "finished": report.now(),
        "load_average": report.load_average(),
        "machine": report.machine(),
    }


def run(name: str, splits: dict[str, list[tuple[str, str]]], retrain: bool) -> dict:
    result_path = OUT / f"{name}.json"
    model = OUT / f"{name}.tar.gz"
    meta_path = OUT / f"{name}.train.json"
    if retrain:
        for path in (result_path, model, meta_path):
            path.unlink(missing_ok=True)
    if result_path.exists():
        return json.loads(result_path.read_text())
    if not (model.exists() and meta_path.exists()):
        nlu = OUT / "data" / "nlu.yml"
        write_nlu(splits, nlu)
        if name == "default":
            lower_priority()
        load_before = report.load_average()
        seconds, cpu, held = train(name, config_file(name), nlu)
        meta = {
            "train_seconds": seconds,
            "train_cpu_seconds": cpu,
            "train_held_seconds": held,
            "nice": os.nice(0),
            "component_seconds": component_seconds(OUT / f"{name}.train.log"),
            "load_before": load_before,
            "load_after": report.load_average(),
        }
        meta_path.write_text(json.dumps(meta))
    meta = json.loads(meta_path.read_text())
    queries = len(splits["test"]) + len(splits["oos_test"])
    print(f"[{name}] trained in {meta['train_seconds']:.0f} s; scoring {queries} queries...", flush=True)
    result = evaluate(name, splits, meta["train_seconds"])
    result["train_load"] = f"{meta['load_before']} → {meta['load_after']}"
    result["train_cpu_seconds"] = meta.get("train_cpu_seconds")
    result["train_held_seconds"] = meta.get("train_held_seconds", 0.0)
    result["nice"] = meta.get("nice")
    result["component_seconds"] = meta.get("component_seconds")
    result_path.write_text(json.dumps(result, indent=2))
    return result


def status(name: str) -> str:
    """How far an unfinished run got, from its progress log."""
    log = OUT / f"{name}.progress.log"
    if not log.exists():
        return "not run"
    lines = log.read_text().strip().splitlines()
    epochs = [line for line in lines if " epoch " in line]
    if not epochs:
        return f"still training ({lines[-1] if lines else 'started'}; no epochs to report)"
    held = hold.paused_seconds(OUT / name, 0.0)
    return f"still training: {epochs[-1]}" + (f" (elapsed includes {held / 60:.1f} min held by benchmarks/hold.py)" if held else "")


def _training(result: dict) -> str:
    cpu = result.get("train_cpu_seconds")
    return f"{result['train_seconds'] / 60:.1f} min" + (f" ({cpu / 60:.1f} min CPU)" if cpu else "")


LABELS = {"project": "project pipeline (config.yml)", "default": "Rasa default (`rasa init`)"}


def earlier_rows(section: str) -> dict[str, list[str]]:
    """The measured rows of the doc's CLINC150 table, by configuration, marked as from an earlier run.

    A rerun of one configuration on a machine without the other's raw results
    (results/ is not committed; the default's run takes hours) keeps the
    other's figures instead of turning its row back into "pending".
    """
    written = re.search(r"Written ([^.]+ UTC)", section)
    out = {}
    for row in report.table_rows(section):
        name = next((n for n, label in LABELS.items() if row[0] == label), None)
        if name and len(row) == 8 and row[1] != "pending":
            out[name] = [*row[:-1], report.marked_earlier(row[-1], written.group(1) if written else "")]
    return out


def render(results: dict[str, dict], pending: dict[str, str], earlier: dict[str, list[str]] | None = None) -> str:
    rows = []
    for name in ("project", "default"):
        r = results.get(name)
        if r is None:
            kept = (earlier or {}).get(name)
            rows.append(kept or [LABELS[name], "pending", "", "", "", "", "", pending.get(name, "")])
            continue
        rows.append(
            [
                LABELS[name],
                report.pct(r["in_scope_accuracy"]),
                report.pct(r["oos_recall"]),
                report.pct(r["in_scope_fallback"]),
                _training(r),
                f"{r['parse_ms_mean']:.1f} / {r['parse_ms_p95']:.1f} ms",
                f"{r['model_load_seconds']:.1f} s",
                f"train {r['train_load']}; eval {r['load_average']}",
            ]
        )
    for system, (accuracy, recall) in PAPER.items():
        rows.append([f"paper: {system}", f"{accuracy:.1f}%", f"{recall:.1f}%", "", "", "", "", PAPER_SOURCE])
    header = ["configuration", "in-scope accuracy", "OOS recall", "in-scope fallback", "training", "parse mean / p95", "model load"]
    header.append("load avg")
    text = report.table(header, rows)
    text += "\n\n" + PAPER_NOTE
    ours, theirs = results.get("project"), results.get("default")
    if ours and theirs:
        text += (
            f"\n\nProject vs default: accuracy {100 * (ours['in_scope_accuracy'] - theirs['in_scope_accuracy']):+.1f} points, "
            f"OOS recall {100 * (ours['oos_recall'] - theirs['oos_recall']):+.1f} points, "
            f"training time {report.ratio(ours['train_seconds'], theirs['train_seconds'])} of the default's "
            f"({report.ratio(theirs['train_seconds'], ours['train_seconds'])} faster), "
            f"parse time {report.ratio(ours['parse_ms_mean'], theirs['parse_ms_mean'])} of the default's."
        )
    return text


def lower_priority() -> None:
    """Runs the rest of this benchmark (the default pipeline's hour of training) at ``nice 19``.

    So that `make bench-clinc150` left running in the background yields the
    CPU to whatever else runs (other benchmarks, tests), as the doc says.
    """
    os.nice(19 - os.nice(0))
    yield_to_other_sessions()


def yield_to_other_sessions() -> None:
    """Gives this session's scheduler group the process's nice value (Linux autogroups).

    With autogroups on (``/proc/sys/kernel/sched_autogroup_enabled``), the
    scheduler shares the CPU between sessions first, and ``nice`` only ranks
    processes within a session: a run started with ``setsid nice -n 19`` still
    took an equal share next to the benchmarks in other sessions. Setting the
    group's nice makes it yield to them, as ``nice -n 19`` means.
    """
    niceness = os.nice(0)
    if niceness <= 0:
        return
    try:
        Path("/proc/self/autogroup").write_text(str(niceness))
    except OSError:
        pass  # no autogroups, or not allowed: nice alone applies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data(), help="CLINC150 data_full.json")
    parser.add_argument("--configs", nargs="+", choices=["project", "default"], default=["project", "default"])
    parser.add_argument("--report-only", action="store_true", help="print the table from saved results")
    parser.add_argument("--retrain", action="store_true", help="discard saved models and results first")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    clock = report.Clock()
    yield_to_other_sessions()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    if not args.report_only:
        splits = read_data(args.data)
        for name in args.configs:
            results[name] = run(name, splits, args.retrain)
    for name in ("project", "default"):
        saved = OUT / f"{name}.json"
        if name not in results and saved.exists():
            results[name] = json.loads(saved.read_text())
    pending = {name: status(name) for name in ("project", "default") if name not in results}
    text = render(results, pending, earlier_rows(report.read_section("clinc150")))
    print(text)
    if not args.no_doc:
        info = next((r["machine"] for r in results.values()), None) or report.machine()
        body = (
            f"## CLINC150\n\nCommand: `make bench-clinc150` (`{report.command_line()}`), data `{args.data.name}`. "
            f"Both pipelines are trained on `train` plus `oos_train` as a 151st intent `oos` (the paper's oos-train "
            f"setting) and scored on `test` (4,500) and `oos_test` (1,000); `nlu_fallback` on an out-of-scope query "
            f"counts as recalled. The default pipeline is trained at `nice -n 19`; its progress (epoch, ETA) is in "
            f"`results/clinc150/default.progress.log`. "
            f"Machine: {report.machine_line(info)}. Written {report.now()}.\n\n{text}"
        )
        report.write_section("clinc150", body)
    print(f"\nwall time {clock.elapsed():.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
