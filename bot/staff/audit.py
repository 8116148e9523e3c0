"""The audit log: every change, with who, when, what, and the before and after state."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.staff.db import audit_log


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


async def record(conn: AsyncConnection, actor: str, action: str, target: str = "", before: Any = None, after: Any = None) -> None:
    """Writes one audit row inside the caller's transaction (the change and its record commit together)."""
    await conn.execute(
        audit_log.insert().values(at=time.time(), actor=actor, action=action, target=target, before=_json(before), after=_json(after))
    )


async def recent(engine: AsyncEngine, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit rows first, with before/after decoded."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(limit))).mappings().all()
    return [
        {**row, "before": json.loads(row["before"]) if row["before"] else None, "after": json.loads(row["after"]) if row["after"] else None}
        for row in rows
    ]
