"""Staff accounts in the database."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.staff import audit
from bot.staff.db import sessions, users
from bot.staff.passwords import hash_password
from bot.staff.permissions import ROLES, User

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class UserExists(ValueError):
    """An account with this e-mail exists already."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def to_user(row: Any) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        roles=frozenset(row["roles"].split()),
        languages=frozenset(row["languages"].split()),
    )


def public_view(row: Any) -> dict[str, Any]:
    """What the audit log keeps of an account (never the password hash)."""
    return {
        "email": row["email"],
        "name": row["name"],
        "roles": sorted(row["roles"].split()),
        "languages": sorted(row["languages"].split()),
        "active": bool(row["active"]),
    }


async def find_by_email(conn: AsyncConnection, email: str) -> Any:
    return (await conn.execute(select(users).where(users.c.email == normalize_email(email)))).mappings().first()


async def find_by_id(conn: AsyncConnection, user_id: int) -> Any:
    return (await conn.execute(select(users).where(users.c.id == user_id))).mappings().first()


async def all_users(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(users).order_by(users.c.email))).mappings().all())


async def create_user(engine: AsyncEngine, actor: str, email: str, name: str, password: str, roles: set[str], languages: set[str]) -> int:
    """Creates an account (roles must be known, the e-mail free); audited."""
    unknown = roles - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    values = {
        "email": normalize_email(email),
        "name": name.strip(),
        "password_hash": await hash_password(password),
        "roles": " ".join(sorted(roles)),
        "languages": " ".join(sorted(languages)),
        "active": True,
        "created_at": time.time(),
    }
    async with engine.begin() as conn:
        if await find_by_email(conn, email):
            raise UserExists(email)
        result = await conn.execute(users.insert().values(**values))
        await audit.record(conn, actor, "user.create", values["email"], None, public_view(values))
        return int(result.inserted_primary_key[0])


async def update_user(engine: AsyncEngine, actor: str, user_id: int, changes: dict[str, Any], password: str | None = None) -> None:
    """Changes roles, languages, name or active state (and optionally the password); audited.

    A deactivated account and one whose password changed lose their sessions.
    """
    async with engine.begin() as conn:
        before = await find_by_id(conn, user_id)
        if before is None:
            raise KeyError(user_id)
        values = dict(changes)
        if password:
            values["password_hash"] = await hash_password(password)
        await conn.execute(users.update().where(users.c.id == user_id).values(**values))
        after = await find_by_id(conn, user_id)
        if password or not after["active"]:
            await conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
        after_view = public_view(after) | ({"password": "changed"} if password else {})
        await audit.record(conn, actor, "user.update", after["email"], public_view(before), after_view)


async def change_own_password(engine: AsyncEngine, user_id: int, password: str, keep_session_hash: str) -> int:
    """Sets a person's new password and signs out their other sessions (not the one hashed ``keep_session_hash``); audited.

    Returns how many other sessions ended. The audit row names the account, never the password or its hash.
    """
    password_hash = await hash_password(password)  # before the transaction: hashing takes a while
    async with engine.begin() as conn:
        row = await find_by_id(conn, user_id)
        if row is None:
            raise KeyError(user_id)
        await conn.execute(users.update().where(users.c.id == user_id).values(password_hash=password_hash))
        others = delete(sessions).where(sessions.c.user_id == user_id, sessions.c.id_hash != keep_session_hash)
        ended = (await conn.execute(others)).rowcount
        await audit.record(conn, row["email"], "password.change", row["email"], None, {"other_sessions_ended": ended})
    return ended
