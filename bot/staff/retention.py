"""The retention job: conversations idle for ``MIGRANT_BOT_RETENTION_DAYS`` are deleted, their inbox questions archived.

For each conversation whose last event is older than the retention period,
its inbox questions (bot/staff/inbox.py: not understood, not covered, "did
not help", read from the event broker's events) are copied, masked and
without the sender, into the staff database's archive, and then every row of
the conversation is deleted from the conversation store (bot.core.privacy.erase)
and from the event broker's database (bot.core.event_log). Archived questions are deleted
``MIGRANT_BOT_INBOX_RETENTION_DAYS`` after they were asked. The staff app
runs the job every hour (bot/staff/app.py); ``python -m bot.staff retention``
runs it once, for an operator's cron. Running it twice at once is harmless:
the archive skips a question it holds already.

Before it deletes, the run lets the insights job count what it had not
counted yet (bot/staff/insights/aggregate.py): the daily counts outlive the
conversations.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import timezone, tzinfo
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core import event_log
from bot.core.privacy import erase
from bot.staff import audit, conversations, inbox
from bot.staff.insights import aggregate
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
    broker_events: int = 0  # the event broker's copies of expired conversations' events

    def __str__(self) -> str:
        return (
            f"Deleted {self.conversations} conversations ({self.events} events) idle for more than {self.retention_days} days; "
            f"archived {self.archived} unanswered questions from them (masked, without the sender); "
            f"deleted {self.archive_deleted} archived questions older than {self.inbox_retention_days} days."
        ) + (f" Deleted {self.broker_events} events of idle conversations from the event broker's database." if self.broker_events else "")


async def _last_event_at(store: AsyncConnection | None, events: AsyncConnection | None, sender: str) -> float | None:
    """The time of the conversation's newest event in either database (None: no event)."""
    found = [
        await conn.run_sync(last_of, sender)
        for conn, last_of in ((store, erase.last_event_at), (events, event_log.last_event_at))
        if conn is not None
    ]
    return max((at for at in found if at is not None), default=None)


async def _expire(
    store: AsyncEngine | None, events: AsyncEngine | None, staff: AsyncEngine, sender: str, cutoff: float, since: float, report: Report
) -> None:
    """Archives one conversation's questions (from the broker's events), then deletes it from both databases.

    Nothing happens when the person wrote again since the list was made.
    """
    async with contextlib.AsyncExitStack() as stack:
        conn = await stack.enter_async_context(store.begin()) if store is not None else None
        events_conn = await stack.enter_async_context(events.begin()) if events is not None else None
        last = await _last_event_at(conn, events_conn, sender)
        if last is None or last >= cutoff:
            return
        questions = await inbox.questions_of(events_conn, sender, since) if events_conn is not None else []
        async with staff.begin() as staff_conn:  # committed first: a failure after it leaves the conversation for the next run
            report.archived += await inbox.archive(staff_conn, questions)
        broker_deleted = await events_conn.run_sync(event_log.erase_sender, sender) if events_conn is not None else 0
        deleted = await conn.run_sync(erase.erase_conversation, sender) if conn is not None else 0
        report.broker_events += broker_deleted
        report.events += deleted
        report.conversations += 1 if deleted or broker_deleted else 0


async def _count_first(events: AsyncEngine, staff: AsyncEngine, zone: tzinfo) -> None:
    """Runs the insights job, so that the events about to be deleted are counted (bot/staff/insights/aggregate.py)."""
    try:
        await aggregate.run(events, staff, zone, settle_s=0)
    except Exception:  # the retention rule comes first: the events go all the same
        log.exception("retention: the insights job failed; expired conversations' events are deleted uncounted")


async def run(
    store: AsyncEngine | None,
    staff: AsyncEngine,
    retention_days: int,
    inbox_retention_days: int,
    now: float | None = None,
    events: AsyncEngine | None = None,
    zone: tzinfo = timezone.utc,
) -> Report:
    """One run of the job; ``store`` (``events``: the event broker's database) is None while it does not exist yet."""
    now = time.time() if now is None else now
    report = Report(retention_days, inbox_retention_days)
    cutoff, since = now - retention_days * DAY_S, now - inbox_retention_days * DAY_S
    senders: set[str] = set()
    if store is not None:
        async with store.connect() as conn:
            senders.update(await conn.run_sync(erase.expired_senders, cutoff))
    if events is not None:
        await _count_first(events, staff, zone)
        async with events.connect() as conn:
            senders.update(await conn.run_sync(event_log.expired_senders, cutoff))
    for sender in sorted(senders):
        await _expire(store, events, staff, sender, cutoff, since, report)
    report.archive_deleted = await inbox.delete_archived(staff, now - inbox_retention_days * DAY_S)
    if report.conversations or report.archive_deleted or report.broker_events:
        summary = {"conversations": report.conversations, "events": report.events, "archived": report.archived}
        if report.broker_events:
            summary["broker_events"] = report.broker_events
        async with staff.begin() as conn:
            await audit.record(conn, ACTOR, "retention", "", None, {**summary, "archive_deleted": report.archive_deleted})
    return report


async def run_in_app(app: web.Application) -> Report:
    """The staff app's periodic run (bot/staff/background.py)."""
    config = app[CONFIG]
    events, zone = conversations.events_store(app), ZoneInfo(config.timezone)
    report = await run(conversations.store(app), app[ENGINE], config.retention_days, config.inbox_retention_days, events=events, zone=zone)
    log.info("retention: %s", report)
    return report
