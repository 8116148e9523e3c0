"""Deleting conversations from the conversations' database (``MIGRANT_BOT_DATABASE_URL``).

A conversation is every row of one sender: Rasa's ``events`` and the
channels' records of handled platform updates (``channel_seen_updates``, keys
``<sender id>#<channel>:<update id>``, see bot/rasa_server/channels/seen.py). Used by the
Rasa server (a user deletes their conversation) and by the staff app (an
admin deletes one by id; the retention job deletes conversations idle for
``MIGRANT_BOT_RETENTION_DAYS``), so it is SQLAlchemy Core on a synchronous
``Connection``: it runs on SQLAlchemy 1.4 (Rasa's environment, ``future=True``)
and 2.0 (the staff app calls it through ``AsyncConnection.run_sync``). The
caller owns the transaction.

The tables are declared with the columns used here, never reflected, and never
created: a table that does not exist yet (a fresh database) holds nothing to
delete.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, inspect, select
from sqlalchemy.engine import Connection

#: Separates the sender id from the rest of a seen-update key.
SEEN_KEY_SEPARATOR = "#"

metadata = MetaData()

# Rasa 3.6's table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent).
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

# bot/rasa_server/channels/seen.py's table.
seen_updates = Table(
    "channel_seen_updates",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("seen_at", Float, nullable=False, index=True),
)


def seen_key_prefix(sender_id: str) -> str:
    """How every seen-update key of ``sender_id`` starts."""
    return f"{sender_id}{SEEN_KEY_SEPARATOR}"


def _exists(connection: Connection, table: Table) -> bool:
    return inspect(connection).has_table(table.name)


def count_events(connection: Connection, sender_id: str) -> int:
    """How many events the conversation of ``sender_id`` has (0 when there is none)."""
    if not _exists(connection, events):
        return 0
    return int(connection.execute(select(func.count()).select_from(events).where(events.c.sender_id == sender_id)).scalar() or 0)


def last_event_at(connection: Connection, sender_id: str) -> float | None:
    """The timestamp of the conversation's newest event (None: no event)."""
    if not _exists(connection, events):
        return None
    value = connection.execute(select(func.max(events.c.timestamp)).where(events.c.sender_id == sender_id)).scalar()
    return None if value is None else float(value)


def erase_conversation(connection: Connection, sender_id: str) -> int:
    """Deletes every row of ``sender_id``'s conversation; returns how many events were deleted.

    Also deletes the seen-update records whose key starts with ``<sender_id>#``
    (LIKE wildcards in the id are escaped, so ``a_b`` never matches ``axb``).
    """
    deleted = 0
    if _exists(connection, events):
        deleted = connection.execute(delete(events).where(events.c.sender_id == sender_id)).rowcount or 0
    if _exists(connection, seen_updates):
        prefix = seen_key_prefix(sender_id)
        connection.execute(delete(seen_updates).where(seen_updates.c.key.startswith(prefix, autoescape=True)))
    return int(deleted)


def expired_senders(connection: Connection, cutoff_timestamp: float, limit: int | None = None) -> list[str]:
    """The senders whose newest event is older than ``cutoff_timestamp`` (Unix seconds), oldest first."""
    if not _exists(connection, events):
        return []
    last = func.max(events.c.timestamp)
    query = select(events.c.sender_id).group_by(events.c.sender_id).having(last < cutoff_timestamp).order_by(last, events.c.sender_id)
    if limit is not None:
        query = query.limit(limit)
    return [str(row[0]) for row in connection.execute(query)]
