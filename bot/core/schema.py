"""Table creation that several processes starting at once on one database survive."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

#: a PostgreSQL advisory lock: one process creates tables while the others wait
_CREATE_LOCK = 0x4D42434B


def create_tables(engine: Engine, metadata: MetaData) -> None:
    """Creates ``metadata``'s missing tables; on PostgreSQL under an advisory lock, so processes take turns.

    Without the lock, Rasa replicas starting at once on an empty database race in
    ``CREATE TABLE`` and all but one fail to start (seen with three replicas: a unique
    violation on ``pg_type``). SQLite has no such lock, and ``create_all`` looks for a
    table before it creates it: two Rasa servers starting together on a new
    ``events.db`` both saw no table, and the second failed on "table events already
    exists" (seen once in CI). Then the tables exist, so a second try creates nothing.
    """
    try:
        _create(engine, metadata)
    except OperationalError as error:
        if "already exists" not in str(error):
            raise
        _create(engine, metadata)


def _create(engine: Engine, metadata: MetaData) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_CREATE_LOCK})")
        metadata.create_all(connection)
