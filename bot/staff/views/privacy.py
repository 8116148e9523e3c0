"""Privacy (admins): how long conversations are kept, and deleting one conversation by its id.

Deleting takes two steps: the admin enters the id and sees how many events the
conversation holds (never its messages), then confirms. Every row of that
sender goes from the conversation store (bot.core.privacy.erase) and the event
broker's database (bot.core.event_log), and the audit
log records who deleted how many events of which conversation, naming the
conversation by a hash prefix only (``conversation_label``): the log must not
keep the id that the deletion removed.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from aiohttp import web

from bot.core import event_log
from bot.core.privacy import erase
from bot.staff import audit, conversations
from bot.staff.templating import render
from bot.staff.web import CONFIG, ENGINE, requires

routes = web.RouteTableDef()
MAX_ID = 255  # Rasa's sender_id column


def conversation_label(sender_id: str) -> str:
    """How the audit log names a conversation: a prefix of its id's SHA-256, never the id."""
    return "sha256:" + hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:12]


def _sender(form: Any) -> str | None:
    """The conversation id typed in the form; None when it cannot be one."""
    value = str(form.get("conversation", "")).strip()
    if not value or len(value) > MAX_ID or any(unicodedata.category(c)[0] == "C" for c in value):
        return None
    return value


def _page(request: web.Request, status: int = 200, **context: Any) -> web.Response:
    config = request.app[CONFIG]
    values = {"errors": [], "conversation": "", "found": None, "deleted": None, "config": config, **context}
    return render(request, "privacy.html", values, status=status)


async def _count(request: web.Request, sender: str) -> tuple[int, float | None]:
    """The conversation's events and the time of its last one (0, None when there is none)."""
    store = conversations.store(request.app)
    if store is None:
        return 0, None
    async with store.connect() as conn:
        return await conn.run_sync(erase.count_events, sender), await conn.run_sync(erase.last_event_at, sender)


@routes.get("/privacy")
@requires("delete_conversations")
async def privacy_page(request: web.Request) -> web.StreamResponse:
    return _page(request)


@routes.post("/privacy/conversation")
@requires("delete_conversations")
async def find_conversation(request: web.Request) -> web.StreamResponse:
    """Step 1: how many events the conversation has; the confirmation form."""
    _ = request["_"]
    form = await request.post()
    sender = _sender(form)
    if sender is None:
        return _page(request, 400, errors=[_("Enter the conversation id (at most 255 characters).")])
    events, last = await _count(request, sender)
    if not events:
        return _page(request, 404, conversation=sender, errors=[_("There is no conversation with this id; nothing was deleted.")])
    return _page(request, conversation=sender, found={"events": events, "last": last})


@routes.post("/privacy/conversation/delete")
@requires("delete_conversations")
async def delete_conversation(request: web.Request) -> web.StreamResponse:
    """Step 2: deletes the conversation and records the deletion (without the id or any message)."""
    _ = request["_"]
    form = await request.post()
    sender = _sender(form)
    if sender is None:
        return _page(request, 400, errors=[_("Enter the conversation id (at most 255 characters).")])
    if form.get("confirm") != "yes":
        events, last = await _count(request, sender)
        errors = [_("Tick the box to confirm that the conversation is to be deleted.")]
        return _page(request, 400, conversation=sender, found={"events": events, "last": last} if events else None, errors=errors)
    store = conversations.store(request.app)
    deleted = 0
    if store is not None:
        async with store.begin() as conn:
            deleted = await conn.run_sync(erase.erase_conversation, sender)
    events = conversations.events_store(request.app)
    if events is not None:  # the event broker's copies (bot/core/event_log.py)
        async with events.begin() as conn:
            await conn.run_sync(event_log.erase_sender, sender)
    async with request.app[ENGINE].begin() as conn:
        await audit.record(conn, request["user"].email, "conversation.delete", conversation_label(sender), None, {"events": deleted})
    return _page(request, deleted={"events": deleted, "label": conversation_label(sender)})
