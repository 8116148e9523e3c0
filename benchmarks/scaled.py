"""`make run`'s topology beside the scaled one, in one run: latency, throughput, CPU and memory per replica.

    .venv/bin/python benchmarks/scaled.py [--replicas 3] [--actions 2] [--users 20] [--duration 60] [--warmup 15]

Both topologies serve the project's model (config.yml) and get the same closed-loop users
as benchmarks/load.py (its ``Load``): the held-out questions, a new conversation every 5
messages. Two loads each:

- **think 3 s ± 50 %** (20 users): what people do; p50/p95/p99 is the issue's latency target;
- **saturation** (no think time, a new connection per request): the most messages a second.

`make run`'s topology: the switch proxy in front of blue (green idle), one action server,
SQLite. The scaled one (bot/tools/scaled): nginx in front of N Rasa replicas and M action
servers, PostgreSQL, Redis locks. CPU is counted per kind of process over the measured
window (psutil, user + system, children included) and divided by the messages; "per
replica" is the Rasa servers' share: each message is handled by one replica. Writes the section
``scaled`` of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import models, report
from benchmarks.load import Load, PeakMemory, percentile
from bot.tools.evaluation import read_questions
from bot.tools.scaled.services import postgres_home
from bot.tools.scaled.topology import ScaledAssistant

LOADS = {"think 3 s ± 50 %": (3.0, 0.5, False), "saturation": (0.0, 0.0, True)}


def _measure(
    url: str, pids: dict[str, list[int]], texts: list[str], args: argparse.Namespace, think: float, spread: float, new: bool
) -> dict:
    memory = {key: PeakMemory(group) for key, group in pids.items()}
    for sampler in memory.values():
        sampler.start()
    load = Load(url, texts, args.users, 5, think, pids, new, spread)
    window = asyncio.run(load.run(args.warmup, args.duration))
    peaks = {key: sampler.stop() / 2**20 for key, sampler in memory.items()}
    messages = max(len(load.latencies), 1)
    return {
        "messages_per_second": len(load.latencies) / window,
        "p50_ms": 1000 * percentile(load.latencies, 0.5),
        "p95_ms": 1000 * percentile(load.latencies, 0.95),
        "p99_ms": 1000 * percentile(load.latencies, 0.99),
        "errors": sum(load.errors.values()),
        "cpu_ms_per_message": {key: 1000 * seconds / messages for key, seconds in load.cpu_seconds.items()},
        "peak_rss_mb_each_rasa": [value / 2**20 for value in memory["rasa"].peak_each],
        "peak_rss_mb": peaks,
    }


def _make_run(model: Path, texts: list[str], args: argparse.Namespace) -> dict[str, dict]:
    with tempfile.TemporaryDirectory(prefix="bench-make-run-") as workdir:
        assistant, _ = models.start(model, Path(workdir), "proxy")
        try:
            pids = models.server_pids(assistant)
            return {name: _measure(assistant.url, pids, texts, args, *load) for name, load in LOADS.items()}
        finally:
            assistant.stop_all()


def postmaster_pid(data_dir: Path) -> int:
    """PostgreSQL's main process (the first line of postmaster.pid)."""
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


def _scaled(model: Path, texts: list[str], args: argparse.Namespace) -> dict[str, dict]:
    home = postgres_home("bench-scaled-pg-")
    workdir = Path(tempfile.mkdtemp(prefix="bench-scaled-"))
    topology = ScaledAssistant(
        model=model, workdir=workdir, replicas=args.replicas, action_servers=args.actions, postgres_dir=home / "data"
    )
    try:
        with topology:
            assert topology.nginx.process is not None and topology.redis.process is not None
            pids = {
                "rasa": [r.process.pid for r in topology.rasa if r.process],
                "actions": [a.process.pid for a in topology.actions if a.process],
                "nginx": [topology.nginx.process.pid],
                "redis": [topology.redis.process.pid],
                "postgres": [postmaster_pid(topology.postgres.data_dir)],  # its backends are its children
            }
            return {name: _measure(topology.url, pids, texts, args, *load) for name, load in LOADS.items()}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def render(results: dict[str, dict[str, dict]]) -> str:
    columns = list(results)
    rows = [["", *columns]]
    for load in LOADS:
        rows.append([f"**{load}**", *["" for _ in columns]])
        rows.append(
            [
                "p50 / p95 / p99",
                *[f"{r[load]['p50_ms']:.0f} / {r[load]['p95_ms']:.0f} / {r[load]['p99_ms']:.0f} ms" for r in results.values()],
            ]
        )
        rows.append(["messages a second", *[f"{r[load]['messages_per_second']:.1f}" for r in results.values()]])
        rows.append(["errors", *[str(r[load]["errors"]) for r in results.values()]])
        cpu = []
        for r in results.values():
            shares = r[load]["cpu_ms_per_message"]
            cpu.append(f"{sum(shares.values()):.1f} ms (" + ", ".join(f"{key} {value:.1f}" for key, value in shares.items()) + ")")
        rows.append(["CPU per message, all processes (the Rasa share is spent on the one replica that handled it)", *cpu])
        rows.append(
            [
                "peak memory of each Rasa server",
                *[" / ".join(f"{v:.0f}" for v in r[load]["peak_rss_mb_each_rasa"]) + " MB" for r in results.values()],
            ]
        )
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "| " + " | ".join("---" for _ in rows[0]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--actions", type=int, default=2)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    models.ensure_tools()
    clock = report.Clock()
    model, _ = models.trained_model("project")
    texts = [q.text for q in read_questions(report.ROOT / "data" / "eval" / "heldout.jsonl")]
    load_before = report.load_average()
    results = {
        "make run (proxy → blue, 1 action server, SQLite)": _make_run(model, texts, args),
        f"scaled ({args.replicas} replicas, {args.actions} action servers, nginx, PostgreSQL, Redis)": _scaled(model, texts, args),
    }
    text = render(results)
    print(text)
    if not args.no_doc:
        command = f"benchmarks/scaled.py --replicas {args.replicas} --actions {args.actions} --users {args.users}"
        body = (
            f"## The scaled topology beside `make run`'s\n\nCommand: `.venv/bin/python {command}`. Machine: "
            f"{report.machine_line(report.machine())}. Written {report.now()}, load average {load_before} → "
            f"{report.load_average()}. {args.users} users, {args.warmup:.0f} s warm-up, {args.duration:.0f} s measured per "
            f"load; both topologies in this one run, one after the other.\n\n{text}"
        )
        report.write_section("scaled", body)
    print(f"\nwall time {clock.elapsed():.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
