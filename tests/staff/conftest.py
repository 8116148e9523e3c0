"""Fixtures of the staff app's tests: real servers (a process on a free port) on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from bot.core.settings import PROJECT_ROOT
from tests.postgres import free_port, postgres_url  # noqa: F401 (a fixture)
from tests.staff.harness import Browser, StaffServer, add_staff

RASA_BIN = PROJECT_ROOT / ".venv" / "bin"


def _server(kind: str, request: pytest.FixtureRequest, root: Path, **env: str) -> StaffServer:
    url = request.getfixturevalue("postgres_url") if kind == "postgresql" else f"sqlite:///{root / 'staff.db'}"
    if kind == "postgresql":  # one database per server: a fresh schema
        import psycopg

        name = "staff_" + root.name.replace("-", "_").lower()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = url.rsplit("/", 1)[0] + "/" + name
    return StaffServer(root=root, database_url=url, extra_env=env).start()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def staff(request):
    """A running staff app with one signed-in browser per role (and an anonymous one), on each database."""
    root = Path(tempfile.mkdtemp(prefix="staff-test-"))
    server = _server(request.param, request, root)
    browsers = await add_staff(server)
    yield server, browsers
    for browser in browsers.values():
        await browser.close()
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
async def sqlite_staff(tmp_path_factory):
    """One SQLite server per test module, with one signed-in browser per role."""
    root = tmp_path_factory.mktemp("staff")
    server = StaffServer(root=root, database_url=f"sqlite:///{root / 'staff.db'}").start()
    browsers = await add_staff(server)
    yield server, browsers
    for browser in browsers.values():
        await browser.close()
    server.stop()


@pytest.fixture
def fresh_server(request, tmp_path):
    """A server of its own (SQLite) for tests that change server-wide state, e.g. rate limits."""
    servers: list[StaffServer] = []

    def make(**env: str) -> StaffServer:
        server = _server("sqlite", request, tmp_path / f"s{len(servers)}", **env)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live_rasa(tmp_path_factory):
    """The real Rasa server with the content's trained model (trained first if needed), API on, with a token.

    Yields its URL, its token and the URL of its conversation store (SQLite).
    """
    if not (RASA_BIN / "rasa").exists():
        pytest.fail("the assistant's environment (.venv) is missing: make setup")
    trained = subprocess.run(
        [str(RASA_BIN / "python"), "-m", "bot.tools.train"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=3600
    )
    assert trained.returncode == 0, trained.stderr[-3000:]
    model = Path(trained.stdout.strip().splitlines()[-1])
    # hex: a token_urlsafe value may start with "-", which rasa's argument parser reads as an option
    root, port, token = tmp_path_factory.mktemp("rasa"), free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "MIGRANT_BOT_ACTIONS_URL": f"http://127.0.0.1:{free_port()}/webhook",  # /model/parse needs no actions
        "MIGRANT_BOT_ACTIONS_TOKEN": os.environ.get("MIGRANT_BOT_ACTIONS_TOKEN") or secrets.token_hex(16),  # endpoints.yml needs one
        "MIGRANT_BOT_DATABASE_URL": f"sqlite:///{root / 'tracker.db'}",
    }
    args = [str(RASA_BIN / "rasa"), "run", "--model", str(model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
    args += ["--port", str(port), "--enable-api", "--auth-token", token]
    with (root / "rasa.log").open("wb") as log:
        process = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        assert process.poll() is None, (root / "rasa.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "Rasa did not start within 5 minutes"
        try:
            with urllib.request.urlopen(f"{url}/status?token={token}", timeout=5) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(1)
    yield url, token, env["MIGRANT_BOT_DATABASE_URL"]
    process.terminate()
    process.wait(timeout=60)


__all__ = ["Browser"]
