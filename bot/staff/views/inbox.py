"""The inbox of unanswered questions, and turning one into a way of asking in one step."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.staff import inbox, yamledit
from bot.staff.db import async_url
from bot.staff.draft import Draft, text_hash
from bot.staff.templating import render
from bot.staff.views.content import _problem_messages
from bot.staff.web import CONFIG, DRAFT, LANGUAGES, error_page, redirect, requires

routes = web.RouteTableDef()
CONVERSATIONS = web.AppKey("conversations", AsyncEngine)


def conversations_engine(url: str) -> AsyncEngine:
    """An engine for the conversation store (it connects on first use only)."""
    return create_async_engine(async_url(url))


def _conversations(app: web.Application) -> AsyncEngine | None:
    """The conversation store's engine; None while SQLite's file does not exist (no conversation yet)."""
    parsed = make_url(app[CONFIG].conversations_url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return None
    return app[CONVERSATIONS]


@routes.get("/inbox")
@requires("read")
async def inbox_page(request: web.Request) -> web.StreamResponse:
    engine = _conversations(request.app)
    questions, note = await inbox.unanswered(engine) if engine else ([], "no conversations yet")
    pack = await request.app[DRAFT].pack()
    context = {
        "groups": inbox.group(questions),
        "note": note,
        "topics": sorted(pack.topics),
        "languages": request.app[LANGUAGES],
        "errors": [],
        "total": len(questions),
    }
    return render(request, "inbox.html", context)


@routes.post("/inbox/example")
@requires("read")
async def add_example(request: web.Request) -> web.StreamResponse:
    """Adds a question as a way of asking a topic, in the draft (validated like any save)."""
    _ = request["_"]
    form = await request.post()
    topic, lang, example = str(form.get("topic", "")), str(form.get("lang", "")), " ".join(str(form.get("example", "")).split())
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    if topic not in pack.topics or lang not in pack.languages or not example or len(example) > 300:
        return error_page(request, 400, _("Choose a topic and a language, and keep the question (at most 300 characters)."))
    if not request["can"]("edit_language", lang):
        return error_page(request, 403, _("Your role does not allow editing the language %(lang)s.") % {"lang": lang})
    relative = f"topics/{topic}.yml"
    text = draft.read(relative)
    data = yamledit.load(text)
    current = list(((data.get("translations") or {}).get(lang) or {}).get("examples") or [])
    if example.lower() in {str(e).lower() for e in current}:
        return error_page(request, 400, _("This is already a way of asking this topic."))
    yamledit.set_translation(data, lang, {"examples": [*current, example]})
    summary = f"{lang} example from the inbox"
    problems = await draft.save(relative, yamledit.dump(data), text_hash(text), request["user"].email, summary, None, {lang: example})
    if problems:
        return error_page(request, 400, " ".join(_problem_messages(request, problems)))
    return redirect(f"/topics/{topic}/{lang}?saved=1")
