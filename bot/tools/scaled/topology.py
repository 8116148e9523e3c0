"""The scaled topology on one machine: N Rasa replicas and M action servers behind nginx, on PostgreSQL and Redis.

``make run-scaled`` and the scaled tests start the same thing through ``ScaledAssistant``
(docs/deployment.md has the picture). The containers' files (deploy/) describe the same
processes; their nginx.conf is rendered by the same function.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.settings import PROJECT_ROOT
from bot.tools.scaled.nginx import NginxLayout
from bot.tools.scaled.services import Nginx, Postgres, Redis, ServiceError, free_port

RASA_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
STAFF_PYTHON = PROJECT_ROOT / ".venv-staff" / "bin" / "python"
START_TIMEOUT_S = 300
#: the databases in the PostgreSQL cluster: conversations (tracker store), events (event broker), the staff app's
DATABASES = ("conversations", "events", "staff")


def _wait_http(url: str, process: subprocess.Popen, log: Path, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"{log.stem} exited with {process.returncode}; its log ({log}) ends:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise ServiceError(f"{log.stem} did not answer {url.split('?')[0]} within {timeout_s:.0f} s; see {log}")


@dataclass
class Replica:
    """One Rasa server or action server of the topology."""

    name: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"


@dataclass
class ScaledAssistant:
    """N Rasa replicas, M action servers, nginx, PostgreSQL and Redis, started and stopped together."""

    model: Path
    workdir: Path
    replicas: int = 3
    action_servers: int = 2
    port: int = field(default_factory=free_port)  # nginx's public port
    postgres_dir: Path | None = None  # default: workdir/postgres
    api_token: str = field(default_factory=lambda: secrets.token_hex(16))
    actions_token: str = field(default_factory=lambda: secrets.token_hex(16))
    lock_lifetime_s: int = 60  # Rasa's TICKET_LOCK_LIFETIME: how long a dead replica's lock outlives it
    extra_env: dict[str, str] = field(default_factory=dict)
    with_staff: bool = False
    public: bool = False  # nginx listens on every interface (make run-scaled), not loopback only (tests)
    staff_port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self.rasa = [Replica(f"rasa-{i + 1}") for i in range(self.replicas)]
        self.actions = [Replica(f"actions-{i + 1}") for i in range(self.action_servers)]
        self.postgres = Postgres(self.postgres_dir or self.workdir / "postgres")
        self.redis = Redis(self.workdir / "redis")
        self.actions_port = free_port()
        self.nginx = Nginx(self.layout())
        self.staff: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def layout(self) -> NginxLayout:
        return NginxLayout(
            listen=f"{'0.0.0.0' if self.public else '127.0.0.1'}:{self.port}",
            actions_listen=f"127.0.0.1:{self.actions_port}",
            rasa_servers=tuple(r.address for r in self.rasa),
            action_servers=tuple(a.address for a in self.actions),
            prefix=self.workdir / "nginx",
        )

    def env(self) -> dict[str, str]:
        """The environment of every process of the topology (bot/core/settings.py reads it)."""
        env = dict(os.environ)
        env.update(
            MIGRANT_BOT_DATABASE_URL=self.postgres.url("conversations"),
            MIGRANT_BOT_EVENTS_URL=self.postgres.url("events"),
            MIGRANT_BOT_STAFF_DATABASE_URL=self.postgres.url("staff"),
            MIGRANT_BOT_LOCK_STORE_URL=self.redis.url,
            MIGRANT_BOT_ACTIONS_URL=f"http://127.0.0.1:{self.actions_port}/webhook",
            MIGRANT_BOT_API_TOKEN=self.api_token,
            MIGRANT_BOT_ACTIONS_TOKEN=self.actions_token,
            MIGRANT_BOT_PUBLIC_URL=self.url,
            MIGRANT_BOT_RASA_PORT=str(self.port),
            MIGRANT_BOT_STAFF_PORT=str(self.staff_port),
            MIGRANT_BOT_STAFF_RASA_URL=self.url,
            # a publish rolls a new model out replica by replica through nginx's rotation (bot/staff/replicas.py)
            MIGRANT_BOT_REPLICAS=",".join(r.url for r in self.rasa),
            MIGRANT_BOT_NGINX_PREFIX=str(self.nginx.prefix),
            # several replicas share the conversations: none may keep them in memory
            MIGRANT_BOT_TRACKER_CACHE="0",
            MIGRANT_BOT_ZERO_DOWNTIME="0",
            TICKET_LOCK_LIFETIME=str(self.lock_lifetime_s),
            SANIC_REQUEST_MAX_SIZE="2097152",
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.workdir / f"{name}.log"
        with log.open("a") as out:
            return subprocess.Popen(args, cwd=PROJECT_ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT)

    def start_action_server(self, server: Replica) -> None:
        server.process = self._spawn(server.name, [str(RASA_PYTHON), "-m", "bot.action_server", "--port", str(server.port)])

    def start_rasa_replica(self, replica: Replica) -> None:
        args = [
            str(RASA_PYTHON), "-m", "bot.rasa_server.serve", "--model", str(self.model),
            "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
            "--port", str(replica.port), "--interface", "127.0.0.1",
        ]  # fmt: skip
        replica.process = self._spawn(replica.name, args)

    def wait_rasa(self, replica: Replica) -> None:
        assert replica.process is not None
        _wait_http(f"{replica.url}/status?token={self.api_token}", replica.process, self.workdir / f"{replica.name}.log")

    def wait_actions(self, server: Replica) -> None:
        assert server.process is not None
        _wait_http(f"{server.url}/health", server.process, self.workdir / f"{server.name}.log")

    def start(self) -> ScaledAssistant:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.postgres.start(DATABASES)
        self.redis.start()
        for server in self.actions:
            self.start_action_server(server)
        for replica in self.rasa:  # all at once: each spends its start mostly loading the model
            self.start_rasa_replica(replica)
        for server in self.actions:
            self.wait_actions(server)
        for replica in self.rasa:
            self.wait_rasa(replica)
        self.nginx.start()
        if self.with_staff:
            self.staff = self._spawn("staff", [str(STAFF_PYTHON), "-m", "bot.staff", "serve"])
            _wait_http(f"http://127.0.0.1:{self.staff_port}/sign-in", self.staff, self.workdir / "staff.log")
        return self

    def kill(self, server: Replica) -> None:
        """SIGKILL, as a machine or container that dies: nothing is cleaned up."""
        if server.process and server.process.poll() is None:
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(timeout=30)

    def stop(self) -> None:
        processes = [p for p in [self.staff, *(r.process for r in self.rasa), *(a.process for a in self.actions)] if p]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.nginx.stop()
        self.redis.stop()
        self.postgres.stop()

    def __enter__(self) -> ScaledAssistant:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
