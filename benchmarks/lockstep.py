"""Why 20 users with the same think time see a long tail on one Rasa server.

    .venv/bin/python benchmarks/lockstep.py [--users 20] [--think 3] [--work-ms 20] [--duration 45]

No Rasa here: a minimal Sanic app (the Sanic Rasa 3.6 runs, from .venv) whose
handler spends ``--work-ms`` of CPU, and closed-loop users like those of
benchmarks/load.py. Four runs, one line each:

- ``interleaved``: the work is cut into 1 ms slices with an ``await`` between
  them, as in Rasa (tracker store, action server call), so concurrent
  requests share the CPU and finish together;
- ``serial``: the same work in one piece, so requests are served one after
  the other;

each with every user waiting exactly ``--think`` seconds and all starting at
once (``fixed``), and with think times spread 0.5–1.5× and starts staggered
(``spread``, benchmarks/load.py ``--think-spread 0.5``).

With interleaving and fixed think times, a bunch of users that arrived
together is answered together and comes back together a think time later:
the bunch never breaks up, and every request waits for the whole bunch. A
serial server lets the first of a bunch leave first, so the bunch spreads
out on its own; varied think times break it up too. Real users do not start
in step or think for the same time, so the spread figures are the realistic
ones (docs/benchmarks.md, "Latency at low load").
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import subprocess
import sys
import time


def serve(port: int, work_ms: float, interleaved: bool) -> None:
    """Run the Sanic app (in a child process) until killed."""
    from sanic import Sanic
    from sanic.response import json as json_response

    app = Sanic("lockstep")

    def burn(ms: float) -> None:
        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            pass

    @app.post("/work")
    async def work(_request: object) -> object:
        if interleaved:
            for _ in range(int(work_ms)):
                burn(1.0)
                await asyncio.sleep(0)
        else:
            burn(work_ms)
        return json_response({"ok": True})

    @app.get("/ready")
    async def ready(_request: object) -> object:
        return json_response({"ok": True})

    app.run(host="127.0.0.1", port=port, access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_ready(url: str, timeout: float = 30.0) -> None:
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"{url}/ready") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the Sanic app at {url} did not start")


async def users(url: str, n: int, think: float, spread: float, warmup: float, duration: float) -> list[float]:
    """Latencies (ms) of requests started after the warm-up, from ``n`` closed-loop users."""
    import aiohttp

    rng = random.Random(1)
    start = time.monotonic()
    latencies: list[float] = []

    def think_time() -> float:
        return think * (1 + rng.uniform(-spread, spread)) if spread else think

    async def user(session: aiohttp.ClientSession) -> None:
        if spread:
            await asyncio.sleep(rng.uniform(0, think))
        while time.monotonic() - start < warmup + duration:
            sent = time.monotonic()
            async with session.post(f"{url}/work", json={}) as response:
                await response.read()
            if sent - start >= warmup:
                latencies.append((time.monotonic() - sent) * 1000)
            await asyncio.sleep(think_time())

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(user(session) for _ in range(n)))
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


def run(args: argparse.Namespace, interleaved: bool, spread: float) -> str:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--work-ms", str(args.work_ms)] + (["--interleaved"] if interleaved else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        asyncio.run(wait_ready(url))
        latencies = asyncio.run(users(url, args.users, args.think, spread, args.warmup, args.duration))
    finally:
        server.terminate()
        server.wait(timeout=10)
    name = f"{'interleaved' if interleaved else 'serial':<11} {'spread' if spread else 'fixed':<6}"
    figures = " / ".join(f"{percentile(latencies, q):.0f}" for q in (0.5, 0.95, 0.99))
    return f"{name} p50 / p95 / p99 {figures} ms, mean {statistics.fmean(latencies):.0f} ms, {len(latencies)} requests"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, default=3.0, help="seconds between a reply and the next request")
    parser.add_argument("--work-ms", type=float, default=20.0, help="CPU time per request, like Rasa's per message")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=45.0)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--interleaved", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.work_ms, args.interleaved)
        return
    print(f"{args.users} users, think {args.think} s, {args.work_ms:.0f} ms of CPU per request")
    for interleaved in (True, False):
        for spread in (0.0, 0.5):
            print(run(args, interleaved, spread), flush=True)


if __name__ == "__main__":
    main()
