"""Table creation that several processes starting at once on one PostgreSQL database survive."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

#: a PostgreSQL advisory lock: one process creates tables while the others wait
_CREATE_LOCK = 0x4D42434B


def create_tables(engine: Engine, metadata: MetaData) -> None:
    """Creates ``metadata``'s missing tables; on PostgreSQL under an advisory lock, so processes take turns.

    Without the lock, Rasa replicas starting at once on an empty database race in
    ``CREATE TABLE`` and all but one fail to start (seen with three replicas: a unique
    violation on ``pg_type``). SQLite serialises writers itself.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_CREATE_LOCK})")
        metadata.create_all(connection)
