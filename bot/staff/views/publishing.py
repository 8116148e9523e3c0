"""The publish page: publish the draft (answers at once, new ways of asking through training and a switch), roll back, follow a job.

A publish or rollback is a background job of this process (``bot.staff.publish``);
the pages start it and show its steps as they run (the job page reloads itself
while the job runs, and ``/publish/jobs/<id>.json`` gives the same for scripts).
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.staff import publish
from bot.staff.publish_content import ContentTree, changed_files
from bot.staff.publish_jobs import recent_jobs
from bot.staff.templating import render
from bot.staff.web import CONFIG, ENGINE, redirect, requires

routes = web.RouteTableDef()
REFRESH_SECONDS = 3  # how often a page showing a running job reloads


async def _draft_changes(request: web.Request) -> list[str]:
    """The files a publish would change now (draft against published)."""
    config = request.app[CONFIG]
    return await asyncio.to_thread(changed_files, ContentTree.draft(config), ContentTree.published(config))


async def _page(request: web.Request, errors: list[str] | None = None, status: int = 200) -> web.Response:
    engine = request.app[ENGINE]
    jobs = await recent_jobs(engine)
    latest = await publish.publish_status(engine, jobs[0]["id"]) if jobs else None
    context = {
        "errors": errors or [],
        "changes": await _draft_changes(request),
        "latest": latest,
        "jobs": jobs,
        "refresh": REFRESH_SECONDS if latest and latest["state"] == "running" else 0,
    }
    return render(request, "publish.html", context, status=status)


@routes.get("/publish")
@requires("read")
async def publish_page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


async def _start(request: web.Request, start) -> web.StreamResponse:
    try:
        job_id = await start(request.app[ENGINE], request["user"].email, request.app[CONFIG])
    except publish.PublishBusy as busy:
        _ = request["_"]
        return await _page(request, [_("Not started: %(reason)s.") % {"reason": busy}], status=409)
    return redirect(f"/publish/jobs/{job_id}")


@routes.post("/publish")
@requires("publish")
async def publish_now(request: web.Request) -> web.StreamResponse:
    return await _start(request, publish.start_publish)


@routes.post("/rollback")
@requires("publish")
async def rollback_now(request: web.Request) -> web.StreamResponse:
    return await _start(request, publish.start_rollback)


async def _job(request: web.Request) -> dict:
    try:
        job_id = int(request.match_info["job"])
    except ValueError:
        raise web.HTTPNotFound() from None
    job = await publish.publish_status(request.app[ENGINE], job_id)
    if job is None:
        raise web.HTTPNotFound()
    return job


@routes.get(r"/publish/jobs/{job:\d+}")
@requires("read")
async def job_page(request: web.Request) -> web.StreamResponse:
    job = await _job(request)
    return render(request, "publish_job.html", {"job": job, "refresh": REFRESH_SECONDS if job["state"] == "running" else 0})


@routes.get(r"/publish/jobs/{job:\d+}.json")
@requires("read")
async def job_json(request: web.Request) -> web.StreamResponse:
    return web.json_response(await _job(request))
