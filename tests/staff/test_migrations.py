"""The staff database's schema migrations (Alembic, bot/staff/migrations), on SQLite and PostgreSQL.

A fresh database is migrated to the newest revision; a database made by
``create_all`` before there were migrations keeps its rows and is stamped at the
baseline; and the migrated schema equals the tables of bot/staff/db.py, so a
model change without a migration fails here.
"""

from __future__ import annotations

import itertools

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, insert, inspect, select

from bot.staff.db import BASELINE, alembic_config, audit_log, metadata, open_database, sync_url, users
from tests.postgres import postgres_url  # noqa: F401 (a fixture)

_NAMES = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database's plain URL, on SQLite and on PostgreSQL (one database per test)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'staff.db'}"
    import psycopg

    server = request.getfixturevalue("postgres_url")
    name = f"migrations_{next(_NAMES)}_{tmp_path.name.lower().replace('-', '_')}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _version(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _differences(connection: Connection) -> list:
    return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)


def _baseline_schema():
    return ScriptDirectory.from_config(alembic_config()).get_revision(BASELINE).module.schema()


async def test_a_fresh_database_is_migrated_to_the_newest_revision_and_matches_the_models(database_url):
    engine = await open_database(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_version) == _head()
            assert await conn.run_sync(_differences) == [], "bot/staff/db.py changed without a migration (bot/staff/migrations)"
    finally:
        await engine.dispose()
    engine = await open_database(database_url)  # a second start changes nothing
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_version) == _head()
    finally:
        await engine.dispose()


async def test_a_database_made_before_migrations_keeps_its_rows_and_is_stamped(database_url):
    old = create_engine(sync_url(database_url))
    try:
        with old.begin() as conn:  # what open_database did before: create_all, no alembic_version
            _baseline_schema().create_all(conn)
            conn.execute(
                insert(users).values(
                    email="a@example.org", name="A", password_hash="x", roles="admin", languages="", active=True, created_at=1.0
                )
            )
            conn.execute(insert(audit_log).values(at=2.0, actor="command line", action="user.create", target="a@example.org"))
        with old.connect() as conn:
            assert "alembic_version" not in inspect(conn).get_table_names()
    finally:
        old.dispose()
    engine = await open_database(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_version) == _head()
            assert (await conn.execute(select(users.c.email, users.c.roles))).all() == [("a@example.org", "admin")]
            assert (await conn.execute(select(audit_log.c.action))).scalars().all() == ["user.create"]
            assert await conn.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_an_older_create_all_database_gets_the_tables_it_lacks(database_url):
    baseline = _baseline_schema()
    later = {"staff_inbox_handled", "staff_insights_cells", "staff_insights_days", "staff_insights_state"}
    old = create_engine(sync_url(database_url))
    try:
        with old.begin() as conn:
            baseline.create_all(conn, tables=[t for name, t in baseline.tables.items() if name not in later])
            conn.execute(
                insert(users).values(
                    email="b@example.org", name="B", password_hash="x", roles="editor", languages="lv", active=True, created_at=1.0
                )
            )
    finally:
        old.dispose()
    engine = await open_database(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_version) == _head()
            assert (await conn.execute(select(users.c.email))).scalars().all() == ["b@example.org"]
            assert await conn.run_sync(_differences) == []
    finally:
        await engine.dispose()
