"""The publish page: put answer-only changes live, roll back the last publish, see the history."""

from __future__ import annotations

from aiohttp import web

from bot.i18n import LOCALES_DIR
from bot.staff import answer_publish as publish
from bot.staff.templating import render
from bot.staff.web import CONFIG, DRAFT, ENGINE, redirect, requires

routes = web.RouteTableDef()


def _page(request: web.Request, errors: list[str], status: int = 200, done: str = "") -> web.Response:
    return render(request, "publish.html", {"errors": errors, "done": done, "history": request["history"]}, status=status)


async def _with_history(request: web.Request) -> None:
    request["history"] = await publish.history(request.app[ENGINE])


@routes.get("/publish")
@requires("read")
async def publish_page(request: web.Request) -> web.StreamResponse:
    await _with_history(request)
    return _page(request, [], done=request.query.get("done", ""))


@routes.post("/publish")
@requires("publish")
async def publish_now(request: web.Request) -> web.StreamResponse:
    config = request.app[CONFIG]
    try:
        await publish.publish_answers(
            request.app[DRAFT], request.app[ENGINE], request["user"].email, config.published_data_dir, LOCALES_DIR, config.snapshots_dir
        )
    except publish.PublishRefused as refused:
        await _with_history(request)
        return _page(request, [request["_"]("Not published: %(reason)s.") % {"reason": refused}], status=409)
    return redirect("/publish?done=published")


@routes.post("/rollback")
@requires("publish")
async def rollback_now(request: web.Request) -> web.StreamResponse:
    config = request.app[CONFIG]
    try:
        await publish.rollback(request.app[ENGINE], request["user"].email, config.published_data_dir, config.pack)
    except publish.PublishRefused as refused:
        await _with_history(request)
        return _page(request, [request["_"]("Not rolled back: %(reason)s.") % {"reason": refused}], status=409)
    return redirect("/publish?done=rolled_back")
