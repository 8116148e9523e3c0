"""The issue's targets against the saved benchmark results (writes the "targets" section of docs/benchmarks.md).

    .venv/bin/python benchmarks/targets.py

Reads results/load/*.json and results/understanding/*.json written by
load.py and understanding.py; prints what is missing instead of guessing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import report


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def rows() -> list[list[str]]:
    load_dir, understanding_dir = report.RESULTS / "load", report.RESULTS / "understanding"
    think = _load(load_dir / "project-think3.json")
    ours, theirs = _load(load_dir / "project-saturation.json"), _load(load_dir / "rasa-default-saturation.json")
    base = _load(load_dir / "project-baseline.json")
    acc_ours, acc_theirs = _load(understanding_dir / "project.json"), _load(understanding_dir / "rasa-default.json")
    out = []
    if think:
        met = "yes" if think["p95_ms"] < 150 else "no, on this loaded machine"
        out.append(
            [
                "p95 < 150 ms, 20 concurrent users",
                f"20 users, 3 s think time: p50 {think['p50_ms']:.0f} ms, p95 {think['p95_ms']:.0f} ms, "
                f"{think['messages_per_second']:.1f} msg/s (load average {think['load_average']})",
                met,
            ]
        )
    stock = _load(load_dir / "rasa-default-baseline.json")
    if ours and theirs and acc_ours and acc_theirs:
        same_or_better = acc_ours["scores"]["accuracy"] >= acc_theirs["scores"]["accuracy"]
        accuracy = f"accuracy {report.pct(acc_ours['scores']['accuracy'])} vs {report.pct(acc_theirs['scores']['accuracy'])}"
        for label, other in (("stock Rasa server", stock), ("both with the speed-ups", theirs)):
            if other is None:
                continue
            ratio = ours["messages_per_second"] / other["messages_per_second"]
            out.append(
                [
                    f"≥ 3× the default pipeline's throughput, same accuracy or better (default on {label})",
                    f"{ours['messages_per_second']:.1f} vs {other['messages_per_second']:.1f} msg/s = {ratio:.2f}×; "
                    f"Rasa CPU per message {_cpu(ours)} vs {_cpu(other)}; {accuracy}",
                    "yes" if ratio >= 3 and same_or_better else "no",
                ]
            )
    else:
        out.append(["≥ 3× the default pipeline's throughput, same accuracy or better", "default pipeline not measured yet", "open"])
    if base and ours:
        out.append(
            [
                "(the Rasa server speed-ups alone, project model)",
                f"{base['messages_per_second']:.1f} → {ours['messages_per_second']:.1f} msg/s; "
                f"Rasa CPU per message {_cpu(base)} → {_cpu(ours)}",
                "",
            ]
        )
    if ours and ours.get("train_seconds"):
        out.append(
            [
                "training on the full content < 3 min",
                f"{ours['train_seconds']:.0f} s (load average {ours['train_load']})",
                "yes" if ours["train_seconds"] < 180 else "no",
            ]
        )
    if ours:
        peak = max(ours["peak_rss_mb"]["rasa"], *(r["peak_rss_mb"]["rasa"] for r in (think, base) if r))
        out.append(["Rasa server < 1.5 GB resident", f"peak {peak:.0f} MB (with children, all load runs)", "yes" if peak < 1536 else "no"])
    return out


def _cpu(result: dict) -> str:
    cpu = result.get("cpu_ms_per_message")
    return f"{cpu['rasa']:.0f} ms" if cpu else "n/a"


def main() -> int:
    table = report.table(["target", "measured", "met"], rows())
    print(table)
    report.write_section("targets", f"## Targets\n\nFrom the saved results (`.venv/bin/python benchmarks/targets.py`).\n\n{table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
