"""Publish and rollback jobs in the staff database: the job row, its steps, the one-at-a-time lock."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.staff import audit
from bot.staff.db import publish_jobs, publish_lock, publish_steps

LOG_LIMIT = 20_000  # characters of a step's output kept (the tail)
STALE_LOCK_S = 900  # a job silent this long (crashed process) no longer holds the lock


class PublishBusy(RuntimeError):
    """Another publish or rollback is running."""


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


async def create_job(engine: AsyncEngine, kind: str, actor: str, steps: list[str]) -> int:
    """A new running job with its steps pending, holding the lock; raises ``PublishBusy``."""
    now = time.time()
    async with engine.begin() as conn:  # a job whose process stopped: it ends as failed and frees the lock
        stale = (await conn.execute(select(publish_lock.c.job_id).where(publish_lock.c.heartbeat < now - STALE_LOCK_S))).scalars().all()
        if stale:
            message = f"the process running it stopped (no sign of life for {STALE_LOCK_S // 60} minutes)"
            await conn.execute(
                update(publish_jobs)
                .where(publish_jobs.c.id.in_(stale), publish_jobs.c.state == "running")
                .values(state="failed", message=message, finished_at=now)
            )
            await conn.execute(delete(publish_lock).where(publish_lock.c.job_id.in_(stale)))
    try:
        async with engine.begin() as conn:
            job_id = (
                await conn.execute(
                    insert(publish_jobs)
                    .values(kind=kind, actor=actor, state="running", created_at=now, message="")
                    .returning(publish_jobs.c.id)
                )
            ).scalar_one()
            await conn.execute(insert(publish_lock).values(id=1, job_id=job_id, heartbeat=now))
            await conn.execute(
                insert(publish_steps),
                [
                    {"job_id": job_id, "position": i, "name": name, "state": "pending", "detail": "", "log": ""}
                    for i, name in enumerate(steps)
                ],
            )
            await audit.record(conn, actor, f"{kind}.start", f"job {job_id}")
    except IntegrityError as error:
        async with engine.connect() as conn:
            holder = (await conn.execute(select(publish_lock.c.job_id))).scalar()
        raise PublishBusy(f"job {holder} is running; one publish or rollback at a time") from error
    return job_id


async def update_job(engine: AsyncEngine, job_id: int, **values: Any) -> None:
    for key in ("scores", "baseline"):
        if key in values:
            values[key] = _json(values[key])
    async with engine.begin() as conn:
        await conn.execute(update(publish_jobs).where(publish_jobs.c.id == job_id).values(**values))
        await conn.execute(update(publish_lock).where(publish_lock.c.job_id == job_id).values(heartbeat=time.time()))


async def finish_job(engine: AsyncEngine, job_id: int, state: str, message: str, actor: str, kind: str, **values: Any) -> None:
    """The job's end state, its audit row and the lock released, in one transaction."""
    for key in ("scores", "baseline"):
        if key in values:
            values[key] = _json(values[key])
    async with engine.begin() as conn:
        await conn.execute(
            update(publish_jobs).where(publish_jobs.c.id == job_id).values(state=state, message=message, finished_at=time.time(), **values)
        )
        row = (await conn.execute(select(publish_jobs).where(publish_jobs.c.id == job_id))).mappings().one()
        after = {k: row[k] for k in ("state", "mode", "model", "previous_model", "side_after", "message")}
        await audit.record(conn, actor, f"{kind}.finish", f"job {job_id}", None, after)
        await conn.execute(delete(publish_lock).where(publish_lock.c.job_id == job_id))


async def set_step(engine: AsyncEngine, job_id: int, name: str, **values: Any) -> None:
    """Updates one step (state, detail, log, times) and the lock's heartbeat."""
    if "log" in values:
        values["log"] = values["log"][-LOG_LIMIT:]
    async with engine.begin() as conn:
        await conn.execute(update(publish_steps).where(publish_steps.c.job_id == job_id, publish_steps.c.name == name).values(**values))
        await conn.execute(update(publish_lock).where(publish_lock.c.job_id == job_id).values(heartbeat=time.time()))


def _decode(row: Any) -> dict[str, Any]:
    job = dict(row)
    for key in ("scores", "baseline"):
        job[key] = json.loads(job[key]) if job[key] else None
    return job


async def job_status(engine: AsyncEngine, job_id: int | None = None) -> dict[str, Any] | None:
    """A job (default: the newest) with its steps in order; None when there is none."""
    async with engine.connect() as conn:
        query = select(publish_jobs).order_by(publish_jobs.c.id.desc()).limit(1)
        if job_id is not None:
            query = select(publish_jobs).where(publish_jobs.c.id == job_id)
        row = (await conn.execute(query)).mappings().first()
        if row is None:
            return None
        steps = (
            await conn.execute(select(publish_steps).where(publish_steps.c.job_id == row["id"]).order_by(publish_steps.c.position))
        ).mappings()
        job = _decode(row)
        job["steps"] = [{k: v for k, v in step.items() if k not in ("id", "job_id")} for step in steps]
    return job


async def last_live_job(engine: AsyncEngine, model: str) -> dict[str, Any] | None:
    """The newest finished job that put ``model`` live with evaluation figures (the gate's baseline)."""
    query = (
        select(publish_jobs)
        .where(publish_jobs.c.state.in_(("succeeded", "rolled_back")), publish_jobs.c.model == model, publish_jobs.c.scores.is_not(None))
        .order_by(publish_jobs.c.id.desc())
        .limit(1)
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).mappings().first()
    return _decode(row) if row else None


async def last_publish(engine: AsyncEngine) -> dict[str, Any] | None:
    """The newest publish that is live and not rolled back yet (what a rollback undoes)."""
    query = (
        select(publish_jobs)
        .where(publish_jobs.c.kind == "publish", publish_jobs.c.state == "succeeded", publish_jobs.c.snapshot.is_not(None))
        .order_by(publish_jobs.c.id.desc())
        .limit(1)
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).mappings().first()
    return _decode(row) if row else None


async def recent_jobs(engine: AsyncEngine, limit: int = 30) -> list[dict[str, Any]]:
    """The newest jobs (without their steps), newest first."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(publish_jobs).order_by(publish_jobs.c.id.desc()).limit(limit))).mappings().all()
    return [_decode(row) for row in rows]


async def last_step_seconds(engine: AsyncEngine, name: str) -> float | None:
    """How long the newest finished run of step ``name`` took (a publish page's "usually takes about ...")."""
    query = (
        select(publish_steps.c.started_at, publish_steps.c.finished_at)
        .where(publish_steps.c.name == name, publish_steps.c.state == "done", publish_steps.c.finished_at.is_not(None))
        .order_by(publish_steps.c.id.desc())
        .limit(1)
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    return float(row[1] - row[0]) if row and row[0] else None
