"""Sign-in rate limiting per account and per client address, kept in the database (it survives restarts)."""

from __future__ import annotations

import math
import time

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.staff.db import login_failures


def keys(email: str, address: str) -> tuple[str, str]:
    return f"account:{email.strip().lower()[:254]}", f"ip:{address}"


async def retry_after(engine: AsyncEngine, limits: dict[str, int], window_s: int) -> int:
    """Seconds until another attempt is allowed (0: allowed now). ``limits`` maps key -> max failures."""
    now = time.time()
    wait = 0.0
    async with engine.connect() as conn:
        for key, limit in limits.items():
            query = select(func.count(), func.min(login_failures.c.at)).where(
                login_failures.c.key == key, login_failures.c.at > now - window_s
            )
            count, oldest = (await conn.execute(query)).one()
            if count >= limit and oldest is not None:
                # counted failures expire one by one; the oldest frees the first slot
                wait = max(wait, oldest + window_s - now)
    return math.ceil(wait) if wait > 0 else 0


async def record_failure(engine: AsyncEngine, failed_keys: tuple[str, ...], window_s: int) -> None:
    now = time.time()
    async with engine.begin() as conn:
        await conn.execute(delete(login_failures).where(login_failures.c.at < now - window_s))
        for key in failed_keys:
            await conn.execute(login_failures.insert().values(key=key, at=now))


async def clear(engine: AsyncEngine, key: str) -> None:
    """Forgets an account's failures after it signed in successfully."""
    async with engine.begin() as conn:
        await conn.execute(delete(login_failures).where(login_failures.c.key == key))
