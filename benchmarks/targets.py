"""The issue's targets against the saved benchmark results (writes the "targets" section of docs/benchmarks.md).

    .venv/bin/python benchmarks/targets.py

Reads results/load/*.json, results/understanding/*.json and
results/clinc150/*.json written by load.py, understanding.py and clinc150.py;
prints what is missing instead of guessing. The load targets are checked in
both topologies: one Rasa server ("single", tags ``think3``/``saturation``)
and what `make run` starts by default (two Rasa servers behind the switch
proxy, tracker cache off: tags ``proxy-think3``/``proxy-saturation``).
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


#: the 20-user runs with think time checked against the p95 target: tag, what was measured
LATENCY_RUNS = [
    ("think3", TOPOLOGIES[""]),
    ("think3-newconn", "one Rasa server, a new connection per request"),
    ("proxy-think3", TOPOLOGIES["proxy-"]),
    ("proxy-think3-r2", TOPOLOGIES["proxy-"] + ", run again"),
]


def latency_rows() -> list[list[str]]:
    out = []
    for tag, topology in LATENCY_RUNS:
        think = _load(LOAD / f"project-{tag}.json")
        if not think:
            if tag.endswith(("-newconn", "-r2")):
                continue  # optional runs
            out.append([f"p95 < 150 ms, 20 concurrent users ({topology})", "not measured", "open"])
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
    if not (acc_ours and acc_theirs):
        return [["≥ 3× the default pipeline's throughput, same accuracy or better", "understanding not measured yet", "open"]]
    same_or_better = acc_ours["scores"]["accuracy"] >= acc_theirs["scores"]["accuracy"]
    accuracy = f"accuracy {report.pct(acc_ours['scores']['accuracy'])} vs {report.pct(acc_theirs['scores']['accuracy'])}"
    out = []
    comparisons = [
        ("project-saturation", "rasa-default-baseline", "one Rasa server; default on the stock Rasa server"),
        ("project-saturation", "rasa-default-saturation", "one Rasa server; both with the speed-ups"),
        ("project-proxy-saturation", "rasa-default-proxy-saturation", "`make run` topology; both with the speed-ups"),
    ]
    for mine, other, label in comparisons:
        ours, theirs = _load(LOAD / f"{mine}.json"), _load(LOAD / f"{other}.json")
        if not (ours and theirs):
            out.append([f"≥ 3× the default pipeline's throughput ({label})", "not measured", "open"])
            continue
        ratio = ours["messages_per_second"] / theirs["messages_per_second"]
        out.append(
            [
                f"≥ 3× the default pipeline's throughput, same accuracy or better ({label})",
                f"{ours['messages_per_second']:.1f} vs {theirs['messages_per_second']:.1f} msg/s = {ratio:.2f}×; "
                f"Rasa CPU per message {_cpu(ours)} vs {_cpu(theirs)}; {accuracy} "
                f"(load average {ours['load_average']} / {theirs['load_average']})",
                "yes" if ratio >= 3 and same_or_better else "no",
            ]
        )
    base, ours = _load(LOAD / "project-baseline.json"), _load(LOAD / "project-saturation.json")
    if base and ours:
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


def main() -> int:
    table = report.table(["target", "measured", "met"], rows())
    print(table)
    report.write_section("targets", f"## Targets\n\nFrom the saved results (`.venv/bin/python benchmarks/targets.py`).\n\n{table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
