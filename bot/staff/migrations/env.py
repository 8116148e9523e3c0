"""Alembic's environment for the staff database (bot/staff/db.py runs it at start-up).

The app passes its open (synchronous) connection in ``config.attributes["connection"]``:
``open_database`` migrates inside ``AsyncConnection.run_sync``. Run from the
command line (``alembic -c bot/staff/migrations/alembic.ini ...``, e.g. to
write a new revision with ``revision --autogenerate``), it connects to
``MIGRANT_BOT_STAFF_DATABASE_URL`` (default: the app's SQLite file) with a
synchronous driver.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.staff.db import metadata, sync_url


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _database_url() -> str:
    from bot.staff.config import load_config  # only on the command line: the app passes its connection

    return load_config().database_url


if context.is_offline_mode():
    context.configure(url=sync_url(_database_url()), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (given := context.config.attributes.get("connection")) is not None:
    _run(given)
else:
    engine = create_engine(sync_url(_database_url()))
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()
