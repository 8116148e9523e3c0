"""Starts the real action server and Rasa server for a test session."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bot.core.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server did not start within {START_TIMEOUT_SECONDS} s:\n{log.read_text()[-3000:]}")


@dataclass
class Assistant:
    """A running assistant: Rasa server plus action server, on free ports."""

    model: Path
    workdir: Path
    # hex: a token_urlsafe value may start with "-", which rasa's argument parser reads as an option
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    #: what the Rasa server shows the action server (bot/action_server/)
    actions_token: str = field(default_factory=lambda: secrets.token_hex(16))
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    #: more environment for both servers (e.g. messenger channels switched on)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            MIGRANT_BOT_ACTIONS_URL=f"http://127.0.0.1:{self.actions_port}/webhook",
            MIGRANT_BOT_DATABASE_URL=f"sqlite:///{self.workdir / 'tracker.db'}",
            MIGRANT_BOT_API_TOKEN=self.token,
            MIGRANT_BOT_ACTIONS_TOKEN=self.actions_token,
            TF_CPP_MIN_LOG_LEVEL="2",
            SANIC_REQUEST_MAX_SIZE="2097152",  # as scripts/start.sh sets it for the Rasa servers
            MIGRANT_BOT_PUBLIC_URL=self.url,  # messengers link to a printable plan under it
            MIGRANT_BOT_ZERO_DOWNTIME="0",  # one Rasa server: its tracker cache is on (bot/core/settings.py)
        )
        env.update(self.extra_env)
        env.pop("MIGRANT_BOT_WIDGET_ORIGINS", None)  # the tests expect the default origin policy (docs/widget.md)
        return env

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.workdir / f"{name}.log").open("a")
        process = subprocess.Popen(args, cwd=PROJECT_ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def start_actions(self) -> None:
        # as scripts/start.sh starts them: on loopback, behind a token, the API token not on the command line
        process = self._spawn("actions", [str(BIN / "python"), "-m", "bot.action_server", "--port", str(self.actions_port)])
        _wait_until_up(f"http://127.0.0.1:{self.actions_port}/health", process, self.workdir / "actions.log")

    def start_rasa(self) -> None:
        args = [
            str(BIN / "python"), "-m", "bot.rasa_server.serve", "--model", str(self.model),
            "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
            "--port", str(self.rasa_port), "--interface", "127.0.0.1",
        ]  # fmt: skip
        process = self._spawn("rasa", args)
        _wait_until_up(f"{self.url}/status?token={self.token}", process, self.workdir / "rasa.log")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def send(self, sender: str, message: Any, metadata: dict | None = None) -> list[dict]:
        """Posts to the REST channel and returns the reply messages (asserting HTTP 200)."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30)
        response.raise_for_status()
        return response.json()
