"""The audit log: every change, with who, when, what, and the before and after state."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import ColumnElement

from bot.staff.db import audit_log

PAGE_SIZE = 50
MAX_CHOICES = 300  # actors offered in the filter; more would make the list useless
FAILED_SIGN_IN = "sign_in.failed"  # its actor is whatever e-mail was typed: not offered as a "who"


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


async def record(conn: AsyncConnection, actor: str, action: str, target: str = "", before: Any = None, after: Any = None) -> None:
    """Writes one audit row inside the caller's transaction (the change and its record commit together)."""
    await conn.execute(
        audit_log.insert().values(at=time.time(), actor=actor, action=action, target=target, before=_json(before), after=_json(after))
    )


def _decoded(row: Any) -> dict[str, Any]:
    return {
        **row,
        "before": json.loads(row["before"]) if row["before"] else None,
        "after": json.loads(row["after"]) if row["after"] else None,
    }


async def recent(engine: AsyncEngine, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit rows first, with before/after decoded."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(limit))).mappings().all()
    return [_decoded(row) for row in rows]


@dataclass(frozen=True)
class Filters:
    """What the audit page narrows the log to ("" = everyone, every action)."""

    actor: str = ""
    action: str = ""

    def conditions(self) -> list[ColumnElement[bool]]:
        wanted = []
        if self.actor:
            wanted.append(audit_log.c.actor == self.actor)
        if self.action:
            wanted.append(audit_log.c.action == self.action)
        return wanted


@dataclass(frozen=True)
class Page:
    """One page of the log, newest first, with the ids that lead to its neighbours."""

    rows: list[dict[str, Any]]
    matching: int  # rows matching the filters, on every page
    newer_than: int | None  # ``?after=`` for the page of newer rows; None on the newest page
    older_than: int | None  # ``?before=`` for the page of older rows; None on the oldest page


async def _exists(conn: AsyncConnection, conditions: list[ColumnElement[bool]]) -> bool:
    return (await conn.execute(select(audit_log.c.id).where(*conditions).limit(1))).first() is not None


async def page(engine: AsyncEngine, filters: Filters, before: int | None = None, after: int | None = None, size: int = PAGE_SIZE) -> Page:
    """``size`` rows matching ``filters``: the newest, or those just older than id ``before``, or just newer than id ``after``.

    Paging by id (not by offset) keeps a page's rows the same while new rows arrive.
    """
    conditions = filters.conditions()
    query = select(audit_log).where(*conditions)
    if after is not None:
        query = query.where(audit_log.c.id > after).order_by(audit_log.c.id.asc())
    else:
        query = query.where(*([audit_log.c.id < before] if before is not None else [])).order_by(audit_log.c.id.desc())
    async with engine.connect() as conn:
        rows = [_decoded(row) for row in (await conn.execute(query.limit(size + 1))).mappings().all()]
        more = len(rows) > size
        rows = rows[:size]
        if after is not None:
            rows.reverse()
        matching = (await conn.execute(select(func.count()).select_from(audit_log).where(*conditions))).scalar_one()
        if not rows:  # past either end: the way back
            newer = before - 1 if before is not None and await _exists(conn, [*conditions, audit_log.c.id >= before]) else None
            older = after + 1 if after is not None and await _exists(conn, [*conditions, audit_log.c.id <= after]) else None
            return Page([], matching, newer, older)
        newest, oldest = rows[0]["id"], rows[-1]["id"]
        has_newer = more if after is not None else await _exists(conn, [*conditions, audit_log.c.id > newest])
        has_older = more if after is None else await _exists(conn, [*conditions, audit_log.c.id < oldest])
    return Page(rows, matching, newest if has_newer else None, oldest if has_older else None)


async def choices(engine: AsyncEngine) -> tuple[list[str], list[str]]:
    """The actors (failed sign-ins' typed e-mails left out) and the action codes present in the log, sorted."""
    actors = select(audit_log.c.actor).where(audit_log.c.action != FAILED_SIGN_IN).distinct().order_by(audit_log.c.actor)
    actions = select(audit_log.c.action).distinct().order_by(audit_log.c.action)
    async with engine.connect() as conn:
        found_actors = list((await conn.execute(actors.limit(MAX_CHOICES))).scalars())
        found_actions = list((await conn.execute(actions)).scalars())
    return found_actors, found_actions


def _scalar_text(value: Any, yes: str, no: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return yes if value else no
    return str(value)


def _list_text(items: list[Any], yes: str, no: str) -> str:
    """A short list on one line ("a, b"); a long one, or one with commas, one item per line."""
    texts = [_scalar_text(item, yes, no) if not isinstance(item, (dict, list)) else _json(item) or "" for item in items]
    if not texts:
        return "—"
    one_line = ", ".join(texts)
    return one_line if len(one_line) <= 80 and not any("," in t or "\n" in t for t in texts) else "\n".join(texts)


def readable(value: Any, _: Callable[[str], str] = str) -> list[tuple[str, str]]:
    """A before/after value as ``(key, text)`` pairs: nested keys joined with dots, lists as text, no JSON syntax.

    Not a mapping (rare): one pair with an empty key.
    """
    yes, no = _("yes"), _("no")

    def pairs(prefix: str, item: Any) -> list[tuple[str, str]]:
        if isinstance(item, dict) and item:
            return [pair for key in sorted(item, key=str) for pair in pairs(f"{prefix}.{key}" if prefix else str(key), item[key])]
        if isinstance(item, list):
            return [(prefix, _list_text(item, yes, no))]
        if isinstance(item, dict):
            return [(prefix, "—")]
        return [(prefix, _scalar_text(item, yes, no))]

    return [] if value is None else pairs("", value)
