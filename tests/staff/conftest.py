"""Fixtures of the staff app's tests: real servers (a process on a free port) on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.postgres import throwaway_postgres
from tests.staff.harness import Browser, StaffServer, add_staff


@pytest.fixture(scope="session")
def postgres_url():
    try:
        with throwaway_postgres() as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error))


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


__all__ = ["Browser"]
