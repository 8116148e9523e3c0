"""A throw-away PostgreSQL server from Debian's package, for tests (no third-party imports).

Used by the tracker-store test (Rasa's environment) and the staff app's tests
(.venv-staff). scripts/test.sh installs the package.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: scripts/test.sh installs Debian's postgresql package")
    return Path(found[-1]).parent


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Starts a cluster on a free port; yields its URL (user ``bot``, database ``postgres``); removes it afterwards."""
    bindir = postgres_bin()
    # not under pytest's tmp folder: its parents are closed to the postgres user
    root = Path(tempfile.mkdtemp(prefix="migrant-bot-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    initdb = [*as_postgres, str(bindir / "initdb"), "-D", str(data), "-U", "bot", "--auth=trust"]
    subprocess.run(initdb, check=True, capture_output=True, timeout=120)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    log = root / "postgres.log"  # the server must not hold our output pipes open
    start = [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]
    subprocess.run(start, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    try:
        yield f"postgresql://bot@127.0.0.1:{port}/postgres"
    finally:
        stop = [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
        subprocess.run(stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL server for the whole session (import this fixture into a conftest or test module)."""
    try:
        with throwaway_postgres() as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error))
