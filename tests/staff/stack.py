"""The real assistant for the publish end-to-end test: action server, Rasa "blue" and "green", the switch proxy.

Rasa runs in its own environment (``.venv``); this test runs in ``.venv-staff``
and starts it as subprocesses, as ``scripts/start.sh`` does. Each part has its
own free port, its own data folder copy and databases under ``root``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.core.settings import PROJECT_ROOT
from tests.postgres import free_port

RASA_BIN = PROJECT_ROOT / ".venv" / "bin"
FAST_CONFIG = PROJECT_ROOT / "tests" / "staff" / "data" / "config-fast.yml"
HEAVY_CONFIG = PROJECT_ROOT / "tests" / "staff" / "data" / "config-heavy.yml"
START_TIMEOUT_S = 300


def _get_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


@dataclass
class Stack:
    """Everything of one running assistant, and the commands the tests use."""

    root: Path
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    proxy_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    actions_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    ports: dict[str, int] = field(default_factory=lambda: {k: free_port() for k in ("public", "control", "blue", "green", "actions")})
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    base_model: Path = Path()

    @property
    def published(self) -> Path:
        return self.root / "data"

    @property
    def draft(self) -> Path:
        return self.root / "draft"

    @property
    def public(self) -> str:
        return f"http://127.0.0.1:{self.ports['public']}"

    def side_url(self, side: str) -> str:
        return f"http://127.0.0.1:{self.ports[side]}"

    def env(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("MIGRANT_BOT_")}
        return {
            **inherited,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "MIGRANT_BOT_DATA_DIR": str(self.published),
            "MIGRANT_BOT_LOCALES_DIR": str(self.root / "locales"),
            "MIGRANT_BOT_DATABASE_URL": f"sqlite:///{self.root / 'tracker.db'}",
            "MIGRANT_BOT_TRACKER_CACHE": "0",  # blue and green share the conversations
            "MIGRANT_BOT_ACTIONS_URL": f"http://127.0.0.1:{self.ports['actions']}/webhook",
            "MIGRANT_BOT_RASA_PORT": str(self.ports["public"]),
            "MIGRANT_BOT_RASA_BLUE_PORT": str(self.ports["blue"]),
            "MIGRANT_BOT_RASA_GREEN_PORT": str(self.ports["green"]),
            "MIGRANT_BOT_PROXY_CONTROL_PORT": str(self.ports["control"]),
            "MIGRANT_BOT_PROXY_HOST": "127.0.0.1",
            "MIGRANT_BOT_API_TOKEN": self.token,
            "MIGRANT_BOT_ACTIONS_TOKEN": self.actions_token,
            "MIGRANT_BOT_PROXY_TOKEN": self.proxy_token,
            "MIGRANT_BOT_STAFF_VAR_DIR": str(self.root),
            "MIGRANT_BOT_STAFF_DRAFT_DIR": str(self.draft),
            "MIGRANT_BOT_STAFF_DATABASE_URL": f"sqlite:///{self.root / 'staff.db'}",
            "MIGRANT_BOT_STAFF_TRAIN_CONFIG": str(FAST_CONFIG),
            "MIGRANT_BOT_STAFF_MAX_ACCURACY_DROP": "0.05",
        }

    def prepare(self) -> None:
        """The published folder and the draft (copies of data/), and the base model (trained once, then cached in models/)."""
        for target in (self.published, self.draft):
            shutil.copytree(PROJECT_ROOT / "data" / "packs", target / "packs")
            shutil.copy(PROJECT_ROOT / "data" / "languages.yml", target / "languages.yml")
        shutil.copytree(PROJECT_ROOT / "locales", self.draft / "locales")
        shutil.copytree(PROJECT_ROOT / "locales", self.root / "locales")
        self.base_model = self.train(FAST_CONFIG)

    def train(self, config: Path) -> Path:
        """The model of the published content for ``config`` (trained once, then cached in models/)."""
        args = [str(RASA_BIN / "python"), "-m", "bot.tools.train", "--config", str(config), "--data-dir", str(self.published)]
        args += ["--build-dir", str(self.root / f"build-{config.stem}")]
        # without Rasa's training cache: it restored this project's logistic regression into a model that then failed to load
        env = {**self.env(), "RASA_MAX_CACHE_SIZE": "0"}
        done = subprocess.run(["nice", "-n", "10", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, done.stderr[-3000:]
        return Path(done.stdout.strip().splitlines()[-1])

    def _spawn(self, name: str, args: list[str]) -> None:
        log = (self.root / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(args, cwd=PROJECT_ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> None:
        # as scripts/start.sh starts them: behind tokens, on loopback, no token on a command line
        self._spawn("actions", [str(RASA_BIN / "python"), "-m", "bot.action_server", "--port", str(self.ports["actions"])])
        for side in ("blue", "green"):
            args = [
                str(RASA_BIN / "python"),
                "-m",
                "bot.rasa_server.serve",
                "--model",
                str(self.base_model),
                "--endpoints",
                "endpoints.yml",
            ]
            args += ["--credentials", "credentials.yml", "--port", str(self.ports[side]), "--interface", "127.0.0.1"]
            self._spawn(side, args)
        self._spawn("proxy", [sys.executable, "-m", "bot.staff", "proxy"])
        checks = {
            "actions": f"http://127.0.0.1:{self.ports['actions']}/health",
            "blue": f"{self.side_url('blue')}/status?token={self.token}",
            "green": f"{self.side_url('green')}/status?token={self.token}",
            "proxy": f"{self.public}/status?token={self.token}",
        }
        deadline = time.monotonic() + START_TIMEOUT_S
        waiting = dict(checks)
        while waiting and time.monotonic() < deadline:
            for name, url in list(waiting.items()):
                process = self.processes[name]
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited: {(self.root / f'{name}.log').read_text()[-3000:]}")
                if _get_ok(url):
                    del waiting[name]
            time.sleep(0.5)
        if waiting:
            raise RuntimeError(f"not up within {START_TIMEOUT_S} s: {sorted(waiting)}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    async def staff_command(self, *args: str) -> tuple[int, str]:
        """``python -m bot.staff ...`` in the staff environment; its exit code and output."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.staff", *args, cwd=PROJECT_ROOT, env=self.env(),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(process.communicate(), timeout=1800)
        return process.returncode or 0, out.decode()


async def ask(session: aiohttp.ClientSession, url: str, text: str, lang: str | None = "lv") -> tuple[str, str]:
    """A REST message in a new conversation; the reply's label and its text."""
    body: dict[str, Any] = {"sender": f"e2e-{uuid.uuid4().hex}", "message": text}
    if lang:
        body["metadata"] = {"lang": lang}
    async with session.post(f"{url}/webhooks/rest/webhook", json=body) as response:
        assert response.status == 200, await response.text()
        messages = await response.json()
    metas = [m["custom"]["meta"] for m in messages if isinstance(m.get("custom"), dict) and "meta" in m["custom"]]
    return (metas[0].get("label", "") if metas else ""), "\n".join(m.get("text", "") for m in messages if m.get("text"))


async def status_model(session: aiohttp.ClientSession, url: str, token: str) -> str:
    async with session.get(f"{url}/status", params={"token": token}) as response:
        assert response.status == 200
        return Path((await response.json())["model_file"]).name.removesuffix(".tar.gz")


@dataclass
class Probe:
    """A REST message every ``interval`` seconds to ``url``, one at a time; the latencies, in send order.

    One at a time: the probe measures how long a user waits, without queueing
    its own requests behind each other (ten a second in parallel are more than
    a Rasa server on a busy two-core machine answers). A request stalled by a
    model load waits for the whole load, and that wait is what is measured.
    """

    url: str
    interval: float = 0.1
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (sent at, seconds)
    failures: list[str] = field(default_factory=list)
    _task: asyncio.Task | None = None
    _stopping: bool = False

    async def _one(self, session: aiohttp.ClientSession) -> None:
        sent = time.monotonic()
        try:
            body = {"sender": f"probe-{uuid.uuid4().hex}", "message": "sveiki", "metadata": {"lang": "lv"}}
            async with session.post(f"{self.url}/webhooks/rest/webhook", json=body) as response:
                await response.read()
                if response.status != 200:
                    self.failures.append(f"{time.monotonic() - sent:.2f} s after sending at {sent:.1f}: HTTP {response.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            self.failures.append(f"{time.monotonic() - sent:.2f} s after sending at {sent:.1f}: {error!r}")
        self.latencies.append((sent, time.monotonic() - sent))

    async def _run(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            while not self._stopping:  # a stop lets the request in flight finish
                next_at = time.monotonic() + self.interval
                await self._one(session)
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._stopping = True
        await self._task

    def before(self, start: float) -> list[float]:
        """The waits of the requests answered before ``start``."""
        return [seconds for sent, seconds in self.latencies if sent + seconds < start]

    def overlapping(self, start: float, end: float) -> list[float]:
        """The waits of the requests in flight at any moment from ``start`` to ``end``."""
        return [seconds for sent, seconds in self.latencies if sent <= end and sent + seconds >= start]

    @staticmethod
    def median(values: list[float]) -> float:
        return statistics.median(values)
