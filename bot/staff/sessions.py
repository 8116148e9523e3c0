"""Server-side sessions: a random id in an HttpOnly, SameSite=Strict cookie; the database keeps its hash."""

from __future__ import annotations

import hashlib
import secrets
import time

from aiohttp import web
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.staff.db import sessions, users
from bot.staff.permissions import User
from bot.staff.users import to_user

COOKIE = "staff_session"


def id_hash(session_id: str) -> str:
    """What the database keeps of a session id (its SHA-256), never the id itself."""
    return hashlib.sha256(session_id.encode()).hexdigest()


async def start(engine: AsyncEngine, user_id: int, hours: int) -> str:
    """A new session (a fresh id on every sign-in: no fixation); returns the cookie value."""
    session_id = secrets.token_urlsafe(32)
    now = time.time()
    async with engine.begin() as conn:
        await conn.execute(delete(sessions).where(sessions.c.expires_at < now))
        await conn.execute(
            sessions.insert().values(id_hash=id_hash(session_id), user_id=user_id, created_at=now, expires_at=now + hours * 3600)
        )
    return session_id


async def load(engine: AsyncEngine, session_id: str | None) -> User | None:
    """The active user of an unexpired session, or None."""
    if not session_id or len(session_id) > 100:
        return None
    query = (
        select(users)
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(sessions.c.id_hash == id_hash(session_id), sessions.c.expires_at > time.time(), users.c.active.is_(True))
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).mappings().first()
    return to_user(row) if row else None


async def end(engine: AsyncEngine, session_id: str | None) -> None:
    if session_id:
        async with engine.begin() as conn:
            await conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash(session_id)))


def set_cookie(response: web.StreamResponse, name: str, value: str, secure: bool, max_age: int | None = None) -> None:
    """Every cookie of the app: HttpOnly, SameSite=Strict, Secure behind https."""
    response.set_cookie(name, value, httponly=True, samesite="Strict", secure=secure, path="/", max_age=max_age)
