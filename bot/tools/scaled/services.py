"""The shared services of the scaled topology, from Debian's packages: PostgreSQL, Redis and nginx.

Each runs as a child process on loopback, with its files in a folder of its own, the way
the tests start PostgreSQL and Chromium. ``scripts/run-scaled.sh`` and ``scripts/test.sh``
install the packages (postgresql, redis-server, nginx) when they are missing.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.core import rotation
from bot.tools.scaled.nginx import NginxLayout, render


class ServiceError(RuntimeError):
    """A service is missing or did not start; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None, what: str, log: Path, timeout_s: float = 60) -> None:
    """Returns once something accepts connections on ``port``; raises when ``process`` ends or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceError(f"{what} exited with {process.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise ServiceError(f"{what} did not listen on port {port} within {timeout_s:.0f} s; see {log}")


def _binary(pattern: str, package: str) -> str:
    found = sorted(glob.glob(pattern)) or ([shutil.which(Path(pattern).name)] if shutil.which(Path(pattern).name) else [])
    if not found:
        raise ServiceError(f"{Path(pattern).name} is missing: install Debian's {package} package (apt-get install {package})")
    return found[-1]


def _as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root: run it as the package's ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def postgres_home(prefix: str) -> Path:
    """A new folder for a PostgreSQL cluster that the ``postgres`` user can reach when we are root.

    pytest's and the var folder's parents are closed to other users (mode 700); a folder of its
    own under the temporary directory, owned by ``postgres`` when we run as root, is not.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


@dataclass
class Postgres:
    """A PostgreSQL cluster in ``data_dir`` (made on first start, kept afterwards), user ``bot``, trust on loopback."""

    data_dir: Path
    port: int = field(default_factory=free_port)

    def url(self, database: str) -> str:
        return f"postgresql://bot@127.0.0.1:{self.port}/{database}"

    def start(self, databases: tuple[str, ...]) -> None:
        """Starts the cluster (made first if ``data_dir`` has none) and creates the missing ``databases``.

        As root, the server runs as ``postgres``, which must be able to reach ``data_dir``: its
        parent folders need to be searchable by others (``private_dir()`` makes one such).
        """
        bindir = Path(_binary("/usr/lib/postgresql/*/bin/initdb", "postgresql")).parent
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self.data_dir.mkdir(exist_ok=True)
            shutil.chown(self.data_dir, "postgres", "postgres")
            self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            initdb = [*_as_postgres(), str(bindir / "initdb"), "-D", str(self.data_dir), "-U", "bot", "--auth=trust"]
            subprocess.run(initdb, check=True, capture_output=True, timeout=120)
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        log = self.data_dir / "server.log"
        start = [*_as_postgres(), str(bindir / "pg_ctl"), "-D", str(self.data_dir), "-o", options, "-l", str(log), "-w", "start"]
        result = subprocess.run(start, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise ServiceError(f"PostgreSQL did not start: {result.stdout[-500:]}{result.stderr[-500:]} (log: {log})")
        for name in databases:
            self._create(bindir, name)

    def _create(self, bindir: Path, name: str) -> None:
        psql = [str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "bot", "-d", "postgres", "-tAc"]
        exists = subprocess.run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], capture_output=True, text=True, check=True)
        if exists.stdout.strip() != "1":
            subprocess.run([*psql, f'CREATE DATABASE "{name}"'], capture_output=True, check=True)

    def stop(self) -> None:
        bindir = Path(_binary("/usr/lib/postgresql/*/bin/initdb", "postgresql")).parent
        stop = [*_as_postgres(), str(bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]
        subprocess.run(stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)


@dataclass
class Redis:
    """A Redis server for the per-conversation locks: loopback, nothing written to disk (locks are short-lived)."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = _binary("/usr/bin/redis-server", "redis-server")
        self.folder.mkdir(parents=True, exist_ok=True)
        log = self.folder / "redis.log"
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        with log.open("a") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, "Redis", log)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@dataclass
class Nginx:
    """nginx in the foreground with a generated configuration in ``layout.prefix``."""

    layout: NginxLayout
    process: subprocess.Popen | None = None

    @property
    def prefix(self) -> Path:
        assert self.layout.prefix is not None
        return self.layout.prefix

    @property
    def conf(self) -> Path:
        return self.prefix / "nginx.conf"

    def _command(self, *more: str) -> list[str]:
        return [_binary("/usr/sbin/nginx", "nginx"), "-p", str(self.prefix), "-c", str(self.conf), *more]

    def write_conf(self) -> None:
        self.prefix.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0 and self.layout.temp_dir is None:
            # nginx's workers run as nobody: a body too large for memory goes to a folder they can
            # reach, not under the private var or pytest folders
            temp = Path(tempfile.mkdtemp(prefix="migrant-bot-nginx-"))
            shutil.chown(temp, "nobody")
            self.layout = dataclasses.replace(self.layout, temp_dir=temp)
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.layout.temp_dir or self.prefix / "temp").joinpath(name).mkdir(parents=True, exist_ok=True)
        rotation.write(self.prefix, list(self.layout.rasa_servers))
        self.conf.write_text(render(self.layout), encoding="utf-8")
        check = subprocess.run(self._command("-t"), capture_output=True, text=True)
        if check.returncode != 0:
            raise ServiceError(f"nginx refused its configuration {self.conf}: {check.stderr.strip()}")

    def start(self) -> None:
        self.write_conf()
        log = self.prefix / "error.log"
        with (self.prefix / "stderr.log").open("a") as out:
            self.process = subprocess.Popen(self._command("-g", "daemon off;"), stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(int(self.layout.listen.rsplit(":", 1)[-1]), self.process, "nginx", log)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: in-flight requests finish
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.layout.temp_dir is not None:
            shutil.rmtree(self.layout.temp_dir, ignore_errors=True)
