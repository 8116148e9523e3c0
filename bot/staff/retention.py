"""The retention job: conversations idle for ``MIGRANT_BOT_RETENTION_DAYS`` are deleted, their inbox questions archived.

For each conversation whose last event is older than the retention period,
its inbox questions (bot/staff/inbox.py: not understood, not covered, "did
not help") are copied, masked and without the sender, into the staff
database's archive, and then every row of the conversation is deleted
(bot.privacy.erase). Archived questions are deleted
``MIGRANT_BOT_INBOX_RETENTION_DAYS`` after they were asked. The staff app
runs the job every hour (bot/staff/app.py); ``python -m bot.staff retention``
runs it once, for an operator's cron. Running it twice at once is harmless:
the archive skips a question it holds already.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.privacy import erase
from bot.staff import audit, conversations, inbox
from bot.staff.web import CONFIG, ENGINE

log = logging.getLogger(__name__)

DAY_S = 86400
EVERY_S = 3600
ACTOR = "retention job"


@dataclass
class Report:
    """What one run deleted and archived."""

    retention_days: int
    inbox_retention_days: int
    conversations: int = 0
    events: int = 0
    archived: int = 0  # questions copied into the archive
    archive_deleted: int = 0  # archived questions past their own retention

    def __str__(self) -> str:
        return (
            f"Deleted {self.conversations} conversations ({self.events} events) idle for more than {self.retention_days} days; "
            f"archived {self.archived} unanswered questions from them (masked, without the sender); "
            f"deleted {self.archive_deleted} archived questions older than {self.inbox_retention_days} days."
        )


async def _expire(store: AsyncEngine, staff: AsyncEngine, sender: str, cutoff: float, since: float, report: Report) -> None:
    """Archives one conversation's questions, then deletes the conversation (unless it became active again)."""
    async with store.begin() as conn:
        last = await conn.run_sync(erase.last_event_at, sender)
        if last is None or last >= cutoff:  # the person wrote again since the list was made
            return
        questions = await inbox.questions_of(conn, sender, since)
        async with staff.begin() as staff_conn:  # committed first: a failure after it leaves the conversation for the next run
            report.archived += await inbox.archive(staff_conn, questions)
        report.events += await conn.run_sync(erase.erase_conversation, sender)
    report.conversations += 1


async def run(
    store: AsyncEngine | None, staff: AsyncEngine, retention_days: int, inbox_retention_days: int, now: float | None = None
) -> Report:
    """One run of the job; ``store`` is None while the conversation store does not exist yet."""
    now = time.time() if now is None else now
    report = Report(retention_days, inbox_retention_days)
    if store is not None:
        cutoff, since = now - retention_days * DAY_S, now - inbox_retention_days * DAY_S
        async with store.connect() as conn:
            senders = await conn.run_sync(erase.expired_senders, cutoff)
        for sender in senders:
            await _expire(store, staff, sender, cutoff, since, report)
    report.archive_deleted = await inbox.delete_archived(staff, now - inbox_retention_days * DAY_S)
    if report.conversations or report.archive_deleted:
        summary = {"conversations": report.conversations, "events": report.events, "archived": report.archived}
        async with staff.begin() as conn:
            await audit.record(conn, ACTOR, "retention", "", None, {**summary, "archive_deleted": report.archive_deleted})
    return report


async def run_in_app(app: web.Application) -> Report:
    """The staff app's periodic run (bot/staff/background.py)."""
    config = app[CONFIG]
    report = await run(conversations.store(app), app[ENGINE], config.retention_days, config.inbox_retention_days)
    log.info("retention: %s", report)
    return report
