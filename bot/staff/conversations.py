"""The assistant's conversation store (``MIGRANT_BOT_DATABASE_URL``) and event broker database as the staff app reaches them.

The inbox reads it; the retention job and an admin's deletion delete from it
(bot.core.privacy.erase). The engine connects on first use only, and while the
store is a SQLite file that does not exist yet (no conversation so far) the
app does not touch it, so that it never creates the assistant's database.
The same holds for the event broker's database (``MIGRANT_BOT_EVENTS_URL``,
bot/core/event_log.py), which the insights job reads and the deletions delete from.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.staff.db import async_url
from bot.staff.web import CONFIG

CONVERSATIONS = web.AppKey("conversations", AsyncEngine)
EVENTS = web.AppKey("events", AsyncEngine)


def engine_for(url: str) -> AsyncEngine:
    """An engine for the conversation store at ``url`` (it connects on first use only)."""
    return create_async_engine(async_url(url))


def exists(url: str) -> bool:
    """False while the store is a SQLite file that is not there yet."""
    parsed = make_url(url)
    return parsed.get_backend_name() != "sqlite" or Path(parsed.database or "").exists()


def store(app: web.Application) -> AsyncEngine | None:
    """The app's engine for the store; None while the store does not exist yet."""
    return app[CONVERSATIONS] if exists(app[CONFIG].conversations_url) else None


def events_store(app: web.Application) -> AsyncEngine | None:
    """The app's engine for the event broker's database; None while it does not exist yet."""
    return app[EVENTS] if exists(app[CONFIG].events_url) else None
