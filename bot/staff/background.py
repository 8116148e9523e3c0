"""Jobs the staff app runs now and then while it serves (the retention job, the insights job, removing expired imports).

Each job is an aiohttp cleanup context: its task starts with the app and is
cancelled before the app closes its databases. A failing run is logged and
the job runs again at its next time: nothing a job does stops the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator, Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

Job = Callable[[web.Application], Awaitable[object]]
Context = Callable[[web.Application], AsyncIterator[None]]


async def _repeat(app: web.Application, name: str, job: Job, every_s: float, first_after_s: float) -> None:
    await asyncio.sleep(first_after_s)
    while True:
        try:
            await job(app)
        except Exception:
            log.exception("%s failed; it runs again in %d s", name, every_s)
        await asyncio.sleep(every_s)


def periodic(name: str, job: Job, every_s: float, first_after_s: float) -> Context:
    """A cleanup context (for ``app.cleanup_ctx``) that runs ``job(app)`` every ``every_s`` seconds, first after ``first_after_s``."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_repeat(app, name, job, every_s, first_after_s), name=f"staff: {name}")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context
