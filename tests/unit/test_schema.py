"""Table creation when another process creates the same table at the same moment."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, event, inspect
from sqlalchemy.exc import OperationalError

from bot.core.schema import create_tables


def _events_table(metadata: MetaData) -> Table:
    return Table("events", metadata, Column("id", Integer, primary_key=True))


def _another_process_creates_it_first(table: Table, url: str) -> None:
    """Between create_all's look for the table and its CREATE TABLE, another engine creates the table."""
    other = create_engine(url)
    done = []

    def create_it(_target, _connection, **_kw) -> None:
        if not done:
            done.append(True)
            with other.begin() as connection:
                connection.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY)")

    event.listen(table, "before_create", create_it)


def test_a_table_another_process_made_meanwhile_is_not_an_error(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'events.db'}"
    metadata = MetaData()
    _another_process_creates_it_first(_events_table(metadata), url)

    create_tables(create_engine(url), metadata)

    assert inspect(create_engine(url)).has_table("events")


def test_other_database_errors_still_raise(tmp_path: Path):
    metadata = MetaData()
    _events_table(metadata)
    engine = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'events.db'}")
    with pytest.raises(OperationalError, match="unable to open"):
        create_tables(engine, metadata)
