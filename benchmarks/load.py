"""Speed under load: many concurrent users asking questions over REST, project vs Rasa default.

    .venv/bin/python benchmarks/load.py [--users 20] [--duration 60] [--warmup 15] [--think 0] [--think-spread 0]
        [--topology single|proxy] [--new-connections] [--profile]

For each configuration (models.CONFIGS): train (or reuse) the model for the
full content, start the real action server and Rasa server, time the start-up
(process start to /status ready, which includes loading the model) and a
PUT /model, then run closed-loop virtual users against the REST channel.
Each user has its own sender id, sends the held-out questions
(data/eval/heldout.jsonl, all four languages) one after another, waits for
the reply, optionally thinks, and starts a new conversation every
``--turns`` messages. Requests started during the warm-up are not counted.

``--topology proxy`` measures what `make run` starts by default
(scripts/start.sh): two Rasa servers ("blue" and "green") sharing the
conversations with the tracker cache off, behind the switch proxy
(bot/switch/proxy.py, run from .venv-staff); the users talk to the proxy's
public port, and memory and CPU count both Rasa servers and the proxy.
``single`` (the default) is one Rasa server with the cache on
(MIGRANT_BOT_ZERO_DOWNTIME=0).

Prints p50/p95/p99 latency, messages per second, errors (non-200, timeouts,
a reply without the contract's ``meta``), the peak resident memory of each
server (process plus children, sampled every 0.2 s), start-up, model-load and
training times. ``--profile`` also samples both servers with py-spy during
the measured window and prints where the time went.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import models, report
from bot.tools.evaluation import extract_meta, read_questions

OUT = report.RESULTS / "load"
LABELS = {"project": "project (config.yml)", "rasa-default": "Rasa default pipeline"}
TOPOLOGY_LABELS = {
    "single": "one Rasa server (MIGRANT_BOT_ZERO_DOWNTIME=0)",
    "proxy": "`make run`: switch proxy → blue (+ green idle), tracker cache off",
}


class PeakMemory(threading.Thread):
    """Samples the resident memory of processes and their children; keeps the peak of the sum and of each."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        import psutil

        self.processes = [psutil.Process(pid) for pid in pids]
        self.peak = 0
        self.peak_each = [0 for _ in pids]
        self.stopped = threading.Event()

    def sample_each(self) -> list[int]:
        """Resident bytes of each process with its children."""
        import psutil

        sizes = []
        for root in self.processes:
            total = 0
            try:
                family = [root, *root.children(recursive=True)]
            except psutil.Error:
                family = []
            for process in family:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            sizes.append(total)
        return sizes

    def sample(self) -> int:
        return sum(self.sample_each())

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            sizes = self.sample_each()
            self.peak = max(self.peak, sum(sizes))
            self.peak_each = [max(a, b) for a, b in zip(self.peak_each, sizes, strict=True)]

    def stop(self) -> int:
        self.stopped.set()
        self.join()
        return self.peak


class Load:
    """Closed-loop users and what they measured."""

    def __init__(
        self,
        url: str,
        texts: list[str],
        users: int,
        turns: int,
        think: float,
        pids: dict[str, list[int]],
        new_connections: bool = False,
        think_spread: float = 0.0,
    ) -> None:
        self.url, self.texts, self.users, self.turns, self.think = url, texts, users, turns, think
        self.new_connections, self.think_spread = new_connections, think_spread
        self.random = random.Random(1)  # the same think times in every run
        self.pids = pids
        self.cpu_seconds: dict[str, float] = {}
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.measuring = False
        self.running = True

    async def user(self, session, number: int) -> None:
        import aiohttp

        sent = 0
        sender = ""
        if self.think_spread:
            await asyncio.sleep(self.random.uniform(0, self.think))  # users arrive one by one, not all at once
        while self.running:
            if sent % self.turns == 0:
                sender = f"load-{number}-{uuid.uuid4().hex[:8]}"
            text = self.texts[(number * 7 + sent) % len(self.texts)]
            sent += 1
            counted = self.measuring
            started = time.perf_counter()
            try:
                async with session.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as response:
                    body = await response.json(content_type=None) if response.status == 200 else None
                    error = None if response.status == 200 else f"HTTP {response.status}"
                    if error is None and not extract_meta(body or []):
                        error = "reply without meta"
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                error = type(exc).__name__
            elapsed = time.perf_counter() - started
            if counted and self.measuring:
                self.latencies.append(elapsed)
                if error:
                    self.errors[error] += 1
            if self.think:
                await asyncio.sleep(self.think_time())

    def think_time(self) -> float:
        """Seconds a user takes to read the reply and type the next question.

        With ``think_spread`` 0 every user waits exactly ``think`` seconds; users
        that start together then stay in step. A spread of 0.5 draws each wait
        uniformly from 0.5 to 1.5 times ``think`` (same mean), as people do.
        """
        spread = self.think_spread * self.think
        return self.random.uniform(self.think - spread, self.think + spread) if spread else self.think

    async def run(self, warmup: float, duration: float) -> float:
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(limit=0, force_close=self.new_connections)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            tasks = [asyncio.create_task(self.user(session, n)) for n in range(self.users)]
            await asyncio.sleep(warmup)
            cpu_before = {key: cpu_seconds(pid) for key, pid in self.pids.items()}
            self.measuring = True
            started = time.perf_counter()
            await asyncio.sleep(duration)
            self.measuring = False
            window = time.perf_counter() - started
            self.cpu_seconds = {key: cpu_seconds(pid) - cpu_before[key] for key, pid in self.pids.items()}
            self.running = False
            await asyncio.gather(*tasks, return_exceptions=True)
        return window


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes and their children so far."""
    import psutil

    total = 0.0
    for pid in pids:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def profile(pid: int, seconds: float, target: Path) -> subprocess.Popen:
    """Starts py-spy on a process (and its children) for ``seconds``, writing collapsed stacks."""
    spy = Path(sys.executable).parent / "py-spy"
    command = [str(spy), "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "50", "-f", "raw", "-o", str(target)]
    command += ["--subprocesses", "--nonblocking"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


#: where a sample's time goes, by the first marker found in its stack (most specific first)
CATEGORIES = {
    "rasa": [
        # py-spy cuts deep stacks at the root, and jsonschema recurses deeply: a stack that lost
        # its validate_action_result frame is still the reply validation (nothing else validates then)
        ("action reply validation (jsonschema)", ("validate_action_result", "jsonschema/")),
        ("tracker store: read", ("_retrieve (rasa/core/tracker_store", "_retrieve (bot/tracker_cache", "_session_rows (bot/tracker_cache")),
        ("tracker store: write", ("save (rasa/core/tracker_store", "save (bot/tracker_cache")),
        ("NLU parse (featurisers + classifier)", ("_parse_message_with_graph",)),
        ("policies (RulePolicy)", ("predict_next_with_tracker",)),
        ("action server call (HTTP client)", ("rasa/utils/endpoints.py",)),
        ("rest of message handling (events, channel)", ("handle_message",)),
    ],
    "actions": [
        ("language detection (lingua)", ("bot/core/language/",)),
        ("place names in the message", ("bot/core/offices/places.py",)),
        ("rest of the actions", ("actions/",)),
        ("Rasa SDK webhook (JSON, tracker)", ("webhook (rasa_sdk/endpoint",)),
    ],
    "proxy": [
        ("relaying the reply to the user", ("_relay (bot/switch/proxy",)),
        ("request to the Rasa server (aiohttp client)", ("_http (bot/switch/proxy",)),
        ("aiohttp server (HTTP parsing, responses)", ("aiohttp/web_protocol", "aiohttp/http_parser")),
    ],
}


def profile_shares(path: Path, server: str) -> tuple[Counter[str], int]:
    """Samples by category (CATEGORIES) and the total, from py-spy's collapsed stacks."""
    shares: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        total += int(count)
        frames = ";".join(_short(frame) for frame in stack.split(";"))
        category = next((name for name, markers in CATEGORIES[server] if any(m in frames for m in markers)), None)
        shares[category or IDLE] += int(count)
    return shares, total


IDLE = "idle: event loop waiting, HTTP server"
#: the runs whose profiles go into the doc's profile table ("profiled": with the speed-ups, run
#: apart from "saturation" so that py-spy's cost stays out of the saturation figures)
PROFILE_TAGS = ("baseline", "profiled", "saturation", "proxy-think3", "proxy-saturation")


def profile_table() -> str:
    """Every saved profile side by side: share of samples per category, per run and server."""
    runs = sorted(OUT.glob("profile-*-*.txt"))
    columns = []
    for path in runs:
        name, _, rest = path.stem.removeprefix("profile-").rpartition("-")
        server = rest
        config, _, tag = name.partition("-") if not name.startswith("rasa-default") else ("rasa-default", "", name[13:])
        if tag not in PROFILE_TAGS or server not in CATEGORIES:
            continue
        shares, total = profile_shares(path, server)
        if total:
            columns.append((f"{LABELS[config]}, {tag}", server, shares, total))
    tables = []
    for server in CATEGORIES:
        mine = [c for c in columns if c[1] == server]
        if not mine:
            continue
        rows = [
            [category, *[f"{100 * shares[category] / total:.1f}%" for _, _, shares, total in mine]]
            for category in [*(name for name, _ in CATEGORIES[server]), IDLE]
        ]
        tables.append(f"{server} server:\n\n" + report.table(["share of samples", *[c[0] for c in mine]], rows))
    return "\n\n".join(tables)


def summarize_profile(path: Path, server: str) -> str:
    """Shares of the sampled time by category, as text."""
    if not path.exists():
        return f"(no profile: {path.name} missing; py-spy needs ptrace permission)"
    shares, total = profile_shares(path, server)
    if not total:
        return "(empty profile)"
    rows = [f"{100 * samples / total:5.1f}%  {name}" for name, samples in shares.most_common()]
    return f"{total} samples (50 a second):\n" + "\n".join(rows)


def _short(frame: str) -> str:
    """``function (path:line)`` without the site-packages prefix and line number."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").split(":")[0]
    for marker in ("site-packages/", "python3.10/", "/bench/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"


def measure(name: str, args: argparse.Namespace) -> dict:
    model, train_seconds = models.trained_model(name)
    texts = [q.text for q in read_questions(args.questions)]
    with tempfile.TemporaryDirectory(prefix=f"load-{name}-") as workdir:
        assistant, startup = models.start(model, Path(workdir), args.topology)
        try:
            startup["put_model"] = models.replace_model_seconds(assistant)
            pids = models.server_pids(assistant)
            memory = {key: PeakMemory(group) for key, group in pids.items()}
            idle = {key: sampler.sample() for key, sampler in memory.items()}
            for sampler in memory.values():
                sampler.start()
            spies: list[subprocess.Popen] = []
            if args.profile:
                # the users' requests reach the first Rasa server only (the active side, blue)
                targets = [(key, group[0]) for key, group in pids.items()]
                threading.Timer(
                    args.warmup,
                    lambda: spies.extend(profile(pid, args.duration, OUT / f"profile-{name}-{args.tag}-{key}.txt") for key, pid in targets),
                ).start()
            load = Load(assistant.url, texts, args.users, args.turns, args.think, pids, args.new_connections, args.think_spread)
            load_before = report.load_average()
            window = asyncio.run(load.run(args.warmup, args.duration))
            for spy in spies:
                spy.wait(timeout=120)
            peaks = {key: sampler.stop() for key, sampler in memory.items()}
            peak_each = memory["rasa"].peak_each
        finally:
            assistant.stop_all()
    latencies = load.latencies
    return {
        "config": name,
        "model": model.name,
        "tag": args.tag,
        "topology": args.topology,
        "speedups": not args.no_speedups,
        "tracker_cache": args.topology == "single" and os.environ.get("MIGRANT_BOT_TRACKER_CACHE", "1") != "0",  # single: ZERO_DOWNTIME=0
        "users": args.users,
        "think_seconds": args.think,
        "think_spread": args.think_spread,
        "new_connections": args.new_connections,
        "turns_per_conversation": args.turns,
        "window_seconds": window,
        "messages": len(latencies),
        "messages_per_second": len(latencies) / window,
        "errors": dict(load.errors),
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "cpu_ms_per_message": {key: 1000 * value / max(len(latencies), 1) for key, value in load.cpu_seconds.items()},
        "idle_rss_mb": {key: value / 2**20 for key, value in idle.items()},
        "peak_rss_mb": {key: value / 2**20 for key, value in peaks.items()},
        "peak_rss_mb_each_rasa": [value / 2**20 for value in peak_each],
        "train_seconds": train_seconds,
        "train_load": models.train_load(model),
        "load_average": f"{load_before} → {report.load_average()}",
        "when": report.now(),
        **startup,
    }


def render(results: dict[str, dict]) -> str:
    names = [n for n in models.CONFIGS if n in results]
    r = results
    rows = [
        ["model", *[f"`{r[n]['model']}`" for n in names]],
        ["topology", *[TOPOLOGY_LABELS[r[n].get("topology", "single")] for n in names]],
        ["Rasa server speed-ups (bot/rasa_server/patches.py)", *["on" if r[n].get("speedups", True) else "off" for n in names]],
        ["tracker cache (bot/rasa_server/tracker_cache.py)", *["on" if r[n].get("tracker_cache", True) else "off" for n in names]],
        ["concurrent users (think time)", *[f"{r[n]['users']} ({_think(r[n])})" for n in names]],
        ["messages in the measured window", *[f"{r[n]['messages']} in {r[n]['window_seconds']:.0f} s" for n in names]],
        ["**latency p50 / p95 / p99**", *[f"**{r[n]['p50_ms']:.0f} / {r[n]['p95_ms']:.0f} / {r[n]['p99_ms']:.0f} ms**" for n in names]],
        ["**throughput**", *[f"**{r[n]['messages_per_second']:.1f} msg/s**" for n in names]],
        ["errors", *[_errors(r[n]["errors"]) for n in names]],
        ["CPU per message: Rasa + action server (+ proxy)", *[_cpu(r[n]) for n in names]],
        ["Rasa server RSS idle → peak (with children; both servers)", *[_mem(r[n], "rasa") for n in names]],
        *([["proxy RSS idle → peak", *[_mem(r[n], "proxy") for n in names]]] if any("proxy" in r[n]["peak_rss_mb"] for n in names) else []),
        ["action server RSS idle → peak", *[_mem(r[n], "actions") for n in names]],
        ["Rasa start to ready (loads the model; proxy topology: both, then the proxy)", *[f"{r[n]['rasa_start']:.1f} s" for n in names]],
        ["PUT /model (replace the model)", *[f"{r[n]['put_model']:.1f} s" for n in names]],
        ["action server start", *[f"{r[n]['actions_start']:.1f} s" for n in names]],
        ["training, full content", *[_train(r[n]) for n in names]],
        ["load average during the run (1/5/15 min)", *[r[n]["load_average"] for n in names]],
    ]
    text = report.table(["", *[LABELS[n] for n in names]], rows)
    if len(names) == 2:
        ours, theirs = r["project"], r["rasa-default"]
        text += (
            f"\n\nProject vs Rasa default: throughput {report.ratio(ours['messages_per_second'], theirs['messages_per_second'])}, "
            f"p95 latency {report.ratio(ours['p95_ms'], theirs['p95_ms'])}, "
            f"Rasa peak RSS {report.ratio(ours['peak_rss_mb']['rasa'], theirs['peak_rss_mb']['rasa'])}, "
            f"model load {report.ratio(ours['rasa_start'], theirs['rasa_start'])}, "
            f"training {report.ratio(ours['train_seconds'], theirs['train_seconds'])} of the default's."
        )
    return text


def _cpu(result: dict) -> str:
    cpu = result.get("cpu_ms_per_message")
    if not cpu:
        return "n/a"
    return f"{cpu['rasa']:.0f} + {cpu['actions']:.0f}" + (f" + {cpu['proxy']:.0f}" if "proxy" in cpu else "") + " ms"


def command_of(result: dict, tag: str) -> str:
    """The command that measures ``result`` again (also when the table is printed with --report-only)."""
    flags = []
    if result.get("topology", "single") != "single":
        flags += ["--topology", result["topology"]]
    if result["users"] != 20:
        flags += ["--users", str(result["users"])]
    if result["think_seconds"]:
        flags += ["--think", f"{result['think_seconds']:g}"]
    if result.get("think_spread"):
        flags += ["--think-spread", f"{result['think_spread']:g}"]
    if result.get("turns_per_conversation", 5) != 5:
        flags += ["--turns", str(result["turns_per_conversation"])]
    if not result.get("speedups", True):
        flags.append("--no-speedups")
    if result.get("new_connections"):
        flags.append("--new-connections")
    if any(OUT.glob(f"profile-*-{tag}-*.txt")):
        flags.append("--profile")
    return " ".join([".venv/bin/python benchmarks/load.py", *flags, "--tag", tag])


def _think(result: dict) -> str:
    spread = result.get("think_spread", 0.0)
    text = f"{result['think_seconds']} s"
    return f"{text} ± {100 * spread:.0f}%, staggered start" if spread and result["think_seconds"] else text


def _errors(errors: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in errors.items()) if errors else "0"


def _mem(result: dict, key: str) -> str:
    if key not in result["peak_rss_mb"]:
        return ""
    text = f"{result['idle_rss_mb'][key]:.0f} → {result['peak_rss_mb'][key]:.0f} MB"
    each = result.get("peak_rss_mb_each_rasa", [])
    if key == "rasa" and len(each) > 1:
        text += " (peak each: " + ", ".join(f"{value:.0f}" for value in each) + " MB)"
    return text


def _train(result: dict) -> str:
    if result["train_seconds"] is None:
        return "n/a (trained earlier)"
    return f"{result['train_seconds']:.0f} s (load {result['train_load']})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", nargs="+", choices=models.CONFIGS, default=list(models.CONFIGS))
    parser.add_argument("--questions", type=Path, default=report.ROOT / "data" / "eval" / "heldout.jsonl")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds of load before measuring")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--think", type=float, default=0.0, help="seconds each user waits after a reply")
    parser.add_argument(
        "--think-spread", type=float, default=0.0,
        help="vary each think time uniformly by this share (0.5: 0.5 to 1.5 times --think) and stagger the users' start",
    )  # fmt: skip
    parser.add_argument("--turns", type=int, default=5, help="messages per conversation before a user starts a new one")
    parser.add_argument("--no-speedups", action="store_true", help="turn off bot/rasa_server/patches.py (to measure what it brings)")
    parser.add_argument(
        "--topology", choices=models.TOPOLOGIES, default="single",
        help="single: one Rasa server; proxy: two Rasa servers behind the switch proxy, as `make run` starts them",
    )  # fmt: skip
    parser.add_argument(
        "--new-connections", action="store_true",
        help="a new connection for every request (as the proxy makes to Rasa) instead of keep-alive",
    )  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="sample both servers with py-spy during the measured window")
    parser.add_argument("--tag", default="latest", help="name of this run in results/load and the doc (e.g. before, after)")
    parser.add_argument("--report-only", action="store_true", help="print the table from saved results")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.users < 1 or args.duration <= 0 or args.warmup < 0 or args.think < 0 or args.turns < 1 or not 0 <= args.think_spread <= 1:
        parser.error("users and turns must be at least 1, duration positive, warm-up and think time not negative, spread 0 to 1")
    models.ensure_tools()
    if args.no_speedups:
        os.environ["MIGRANT_BOT_RASA_SPEEDUPS"] = "0"  # the servers inherit the environment
    clock = report.Clock()
    OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in models.CONFIGS:  # the table shows every configuration with saved results, not only those run now
        path = OUT / f"{name}-{args.tag}.json"
        if name in args.configs and not args.report_only:
            plan = f"{args.users} users for {args.warmup:.0f}+{args.duration:.0f} s"
            print(f"[{name}] training (if needed), starting the servers, {plan}...", file=sys.stderr, flush=True)
            path.write_text(json.dumps(measure(name, args), indent=2))
        if path.exists():
            results[name] = json.loads(path.read_text())
    if not results:
        print("no results yet", file=sys.stderr)
        return 1
    text = render(results)
    profiles = ""
    for name in results:
        for key in CATEGORIES:
            path = OUT / f"profile-{name}-{args.tag}-{key}.txt"
            if path.exists():
                profiles += f"\n\n{LABELS[name]}, {key} server (py-spy, measured window):\n\n```\n{summarize_profile(path, key)}\n```"
    print(text + profiles)
    if not args.no_doc:
        body = (
            f"## Speed under load ({args.tag})\n\nCommand: `{command_of(next(iter(results.values())), args.tag)}`. "
            f"Machine: {report.machine_line(report.machine())}. Written {report.now()}. Questions: every line of "
            f"`{args.questions.name}` (en, lv, ru, uk), each user cycling through them from its own offset, a new "
            f"conversation every {args.turns} messages. Profiles: see 'Where the time went' below.\n\n{text}"
        )
        report.write_section(f"load-{args.tag}", body)
        profiles_table = profile_table()
        if profiles_table:  # without saved profiles the section keeps what it says
            report.write_section("profile", profiles_table)
    print(f"\nwall time {clock.elapsed():.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
