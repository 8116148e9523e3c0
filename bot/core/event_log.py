"""The event broker's table (``MIGRANT_BOT_EVENTS_URL``): every conversation event the Rasa server publishes.

Rasa's SQL event broker writes one row per event (``id``, ``sender_id``,
``data``: the event as JSON) into a table called ``events``. This project's
broker (bot/rasa_server/event_broker.py) writes the same columns plus three that its
readers query by, ``type_name``, ``timestamp`` and (for user events, as in the
tracker store's table) ``intent_name``, and declares the table with
SQLite's ``AUTOINCREMENT``: an id is never used twice, even after the newest
rows were deleted, so "every row after id N" is a safe reading position for
the staff app's insights job (bot/staff/insights/aggregate.py).

The rows hold what the tracker store holds (masked messages, the sender id),
so they are deleted with the conversation: when its user deletes it, when an
admin does, and by the retention job. Used by the Rasa server (SQLAlchemy
1.4) and the staff app (2.0, through ``AsyncConnection.run_sync``): SQLAlchemy
Core on a synchronous ``Connection``; the caller owns the transaction.
"""

from __future__ import annotations

import json

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, inspect, select
from sqlalchemy.engine import Connection, Engine

from bot.core import schema

metadata = MetaData()

#: Rasa's SQLEventBroker table (rasa/core/brokers/sql.py) with two more columns and indexes.
broker_events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), index=True),
    Column("data", Text),
    Column("type_name", String(64)),
    Column("timestamp", Float, index=True),
    Column("intent_name", String(255)),  # a user event's intent, as in the tracker store's table (the inbox selects by it)
    sqlite_autoincrement=True,
)


def create_tables(engine: Engine) -> None:
    """Creates the broker's table if it is missing (replicas starting together take turns: bot/core/schema.py)."""
    schema.create_tables(engine, metadata)


def row(event: dict) -> dict:
    """The row of one published event (``event`` as Rasa's broker receives it: with ``sender_id``)."""
    timestamp = event.get("timestamp")
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") if event.get("event") == "user" else None
    return {
        "sender_id": event.get("sender_id"),
        "data": json.dumps(event),
        "type_name": str(event.get("event") or "")[:64] or None,
        "timestamp": float(timestamp) if isinstance(timestamp, (int, float)) else None,
        "intent_name": str(intent)[:255] if intent else None,
    }


def exists(connection: Connection) -> bool:
    """False while the broker has not made its table yet."""
    return inspect(connection).has_table(broker_events.name)


def erase_sender(connection: Connection, sender_id: str) -> int:
    """Deletes every event of ``sender_id``; returns how many."""
    if not exists(connection):
        return 0
    return int(connection.execute(delete(broker_events).where(broker_events.c.sender_id == sender_id)).rowcount or 0)


def last_event_at(connection: Connection, sender_id: str) -> float | None:
    """The timestamp of the sender's newest event (None: no event)."""
    if not exists(connection):
        return None
    value = connection.execute(select(func.max(broker_events.c.timestamp)).where(broker_events.c.sender_id == sender_id)).scalar()
    return None if value is None else float(value)


def expired_senders(connection: Connection, cutoff_timestamp: float) -> list[str]:
    """The senders whose newest event is older than ``cutoff_timestamp`` (the retention rule of the tracker store)."""
    if not exists(connection):
        return []
    last = func.max(broker_events.c.timestamp)
    query = select(broker_events.c.sender_id).group_by(broker_events.c.sender_id).having(last < cutoff_timestamp)
    return [str(r[0]) for r in connection.execute(query.order_by(last, broker_events.c.sender_id)) if r[0] is not None]
