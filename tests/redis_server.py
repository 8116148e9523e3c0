"""A throw-away Redis server from Debian's package, for tests (no third-party imports).

Used by the lock store's tests (tests/unit/test_lock_store.py). scripts/test.sh installs the
``redis-server`` package. The server listens on loopback only, keeps nothing on disk
(``--save ''``, no append-only file), asks for a password of its own (which also tells it from
another server that took the free port first) and is stopped and its folder removed afterwards.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.postgres import free_port

REDIS_SERVER = Path("/usr/bin/redis-server")


def answers_as_ours(port: int, password: str) -> bool:
    """Whether the server on ``port`` (loopback) takes ``password``: ours, not another that took the free port first."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(f"AUTH {password}\r\n".encode())
            return connection.recv(16).startswith(b"+OK")
    except OSError:
        return False


def _start(root: Path, password: str) -> tuple[subprocess.Popen, int] | None:
    """A server on a free port, once it answers; None when it stopped (the port was taken meanwhile)."""
    port, log = free_port(), root / "redis.log"
    options = ["--port", str(port), "--bind", "127.0.0.1", "--requirepass", password, "--save", "", "--appendonly", "no"]
    options += ["--dir", str(root), "--logfile", str(log)]
    # the server must not hold our output pipes open
    process = subprocess.Popen([str(REDIS_SERVER), *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not answers_as_ours(port, password):
        if process.poll() is not None:
            return None
        if time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"redis-server did not answer on port {port}:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
    return process, port


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def throwaway_redis() -> Iterator[str]:
    """Starts a Redis server on a free loopback port; yields its URL (a password, database 0); stops and removes it afterwards."""
    if not REDIS_SERVER.exists():
        raise RuntimeError("Redis is not installed: scripts/test.sh installs Debian's redis-server package")
    root, password = Path(tempfile.mkdtemp(prefix="migrant-bot-redis-")), secrets.token_hex(16)
    try:
        started = next(filter(None, (_start(root, password) for _ in range(3))), None)
        if started is None:
            raise RuntimeError("redis-server stopped three times at start (ports taken?)")
        process, port = started
        try:
            yield f"redis://:{password}@127.0.0.1:{port}/0"
        finally:
            _stop(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url():
    """A throw-away Redis server for the whole session (import this fixture into a conftest or test module)."""
    try:
        with throwaway_redis() as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error))
