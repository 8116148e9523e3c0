"""The issue's targets against the saved benchmark results (writes the "targets" section of docs/benchmarks.md).

    .venv/bin/python benchmarks/targets.py

Reads results/load/*.json, results/understanding/*.json and
results/clinc150/*.json written by load.py, understanding.py and clinc150.py;
prints what is missing instead of guessing. A target whose results are not
on this machine (results/ is not committed) keeps the row the doc already
has, marked as from an earlier run, so a rerun of one benchmark elsewhere
does not erase the others' figures. The load targets are checked in
both topologies: one Rasa server ("single", tags ``think3-spread``/``saturation``)
and what `make run` starts by default (two Rasa servers behind the switch
proxy, tracker cache off: tags ``proxy-think3-spread``/``proxy-saturation``);
the runs with identical think times (``think3``, ``proxy-think3``) are shown
when measured.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import report

LOAD = report.RESULTS / "load"
TOPOLOGIES = {"": "one Rasa server", "proxy-": "`make run`: proxy + blue/green, tracker cache off"}


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def _cpu(result: dict) -> str:
    cpu = result.get("cpu_ms_per_message")
    return f"{cpu['rasa']:.0f} ms" if cpu else "n/a"


#: what a row says for an optional run that was never measured (the row is left out)
OPTIONAL = "not measured (optional run)"

#: the 20-user runs with think time checked against the p95 target: tag, what was measured
LATENCY_RUNS = [
    ("think3-spread", TOPOLOGIES[""] + "; think time 1.5–4.5 s, users start one by one"),
    ("proxy-think3-spread", TOPOLOGIES["proxy-"] + "; think time 1.5–4.5 s, users start one by one"),
    ("think3", TOPOLOGIES[""] + "; every user waits exactly 3 s, all start at once"),
    ("proxy-think3", TOPOLOGIES["proxy-"] + "; every user waits exactly 3 s, all start at once"),
]


def latency_rows() -> list[list[str]]:
    out = []
    for tag, topology in LATENCY_RUNS:
        think = _load(LOAD / f"project-{tag}.json")
        if not think:
            optional = not tag.endswith("-spread")  # the lockstep runs (fixed think times) are illustrations
            out.append([f"p95 < 150 ms, 20 concurrent users ({topology})", OPTIONAL if optional else "not measured", "open"])
            continue
        out.append(
            [
                f"p95 < 150 ms, 20 concurrent users ({topology})",
                f"{think['users']} users, {think['think_seconds']:g} s think time: p50 {think['p50_ms']:.0f} ms, "
                f"p95 {think['p95_ms']:.0f} ms, p99 {think['p99_ms']:.0f} ms, {think['messages_per_second']:.1f} msg/s, "
                f"errors {sum(think['errors'].values())} (load average {think['load_average']})",
                "yes" if think["p95_ms"] < 150 and not think["errors"] else "no",
            ]
        )
    return out


def throughput_rows(acc_ours: dict | None, acc_theirs: dict | None) -> list[list[str]]:
    out = []
    comparisons = [
        ("project-saturation", "rasa-default-baseline", "one Rasa server; default on the stock Rasa server"),
        ("project-saturation", "rasa-default-saturation", "one Rasa server; both with the speed-ups"),
        ("project-proxy-saturation", "rasa-default-proxy-saturation", "`make run` topology; both with the speed-ups"),
    ]
    for mine, other, label in comparisons:
        target = f"≥ 3× the default pipeline's throughput, same accuracy or better ({label})"
        ours, theirs = _load(LOAD / f"{mine}.json"), _load(LOAD / f"{other}.json")
        if not (ours and theirs and acc_ours and acc_theirs):
            out.append([target, "not measured", "open"])
            continue
        same_or_better = acc_ours["scores"]["accuracy"] >= acc_theirs["scores"]["accuracy"]
        accuracy = f"accuracy {report.pct(acc_ours['scores']['accuracy'])} vs {report.pct(acc_theirs['scores']['accuracy'])}"
        ratio = ours["messages_per_second"] / theirs["messages_per_second"]
        out.append(
            [
                target,
                f"{ours['messages_per_second']:.1f} vs {theirs['messages_per_second']:.1f} msg/s = {ratio:.2f}×; "
                f"Rasa CPU per message {_cpu(ours)} vs {_cpu(theirs)}; {accuracy} "
                f"(load average {ours['load_average']} / {theirs['load_average']})",
                "yes" if ratio >= 3 and same_or_better else "no",
            ]
        )
    base, ours = _load(LOAD / "project-baseline.json"), _load(LOAD / "project-saturation.json")
    if not (base and ours):
        out.append(["(the Rasa server speed-ups alone, project model, one server)", "not measured", ""])
    else:
        out.append(
            [
                "(the Rasa server speed-ups alone, project model, one server)",
                f"{base['messages_per_second']:.1f} → {ours['messages_per_second']:.1f} msg/s; "
                f"Rasa CPU per message {_cpu(base)} → {_cpu(ours)}",
                "",
            ]
        )
    return out


def training_rows() -> list[list[str]]:
    times = _load(report.RESULTS / "models" / "train_times.json") or {}
    project = {name: t for name, t in times.items() if name.startswith("config-")}
    out = []
    if project:
        name, latest = max(project.items(), key=lambda item: item[1]["when"])
        out.append(
            [
                "training on the full content < 3 min",
                f"{latest['seconds']:.0f} s (`{name}`, {latest['when']}, load average {latest['load']})",
                "yes" if latest["seconds"] < 180 else "no",
            ]
        )
    else:
        out.append(["training on the full content < 3 min", "not measured", "open"])
    ours, theirs = _load(report.RESULTS / "clinc150" / "project.json"), _load(report.RESULTS / "clinc150" / "default.json")
    if ours and theirs:
        share = ours["train_seconds"] / theirs["train_seconds"]
        out.append(
            [
                "CLINC150: the project's configuration trains in a small fraction (≤ 10%) of the default's time",
                f"{ours['train_seconds'] / 60:.1f} vs {theirs['train_seconds'] / 60:.1f} min = {100 * share:.1f}%; "
                f"in-scope accuracy {report.pct(ours['in_scope_accuracy'])} vs {report.pct(theirs['in_scope_accuracy'])}",
                "yes" if share <= 0.10 else "no",
            ]
        )
    elif ours:
        out.append(
            [
                "CLINC150: the project's configuration trains in a small fraction (≤ 10%) of the default's time",
                f"project {ours['train_seconds'] / 60:.1f} min; the default's run has not finished",
                "open",
            ]
        )
    return out


def memory_rows() -> list[list[str]]:
    peaks = []
    for path in sorted(LOAD.glob("project-*.json")):
        result = json.loads(path.read_text())
        each = result.get("peak_rss_mb_each_rasa") or [result["peak_rss_mb"]["rasa"]]
        peaks.append((max(each), path.stem))
    if not peaks:
        return [["Rasa server < 1.5 GB resident", "not measured", "open"]]
    peak, run = max(peaks)
    return [
        [
            "Rasa server < 1.5 GB resident",
            f"peak {peak:.0f} MB per Rasa server (with children; the highest of {len(peaks)} load runs, `{run}`)",
            "yes" if peak < 1536 else "no",
        ]
    ]


def rows() -> list[list[str]]:
    understanding = report.RESULTS / "understanding"
    acc_ours, acc_theirs = _load(understanding / "project.json"), _load(understanding / "rasa-default.json")
    return [*latency_rows(), *throughput_rows(acc_ours, acc_theirs), *training_rows(), *memory_rows()]


#: what an unmeasured target says; such a row is replaced by the doc's earlier row for the same target
UNMEASURED = ("not measured", "the default's run has not finished")
EARLIER = report.EARLIER


def with_earlier_rows(computed: list[list[str]], earlier: list[list[str]]) -> list[list[str]]:
    """Keeps the doc's earlier row for every target this machine has no results for."""
    before = {row[0]: row for row in earlier if len(row) == 3}
    out = []
    for row in computed:
        old = before.pop(row[0], None)
        missing = any(marker in row[1] for marker in UNMEASURED)
        if missing and old and not any(marker in old[1] for marker in UNMEASURED):
            row = [old[0], report.marked_earlier(old[1]), old[2]]
        if row[1] != OPTIONAL:
            out.append(row)
    return out


def main() -> int:
    earlier = report.table_rows(report.read_section("targets"))
    table = report.table(["target", "measured", "met"], with_earlier_rows(rows(), earlier))
    print(table)
    report.write_section("targets", f"## Targets\n\nFrom the saved results (`.venv/bin/python benchmarks/targets.py`).\n\n{table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
