"""The publish page: what users will see after a publish, publish (all or one topic) and roll back after a confirmation, follow a job.

A publish or rollback is a background job of this process (``bot.staff.publish``);
the pages start it and show its steps as they run (the job page reloads itself
while the job runs, and ``/publish/jobs/<id>.json`` gives the same for scripts).
Both buttons lead to a confirmation page that says, in words, what changes
for users in each language; nothing starts before the publisher confirms.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.core.content.model import Pack
from bot.staff import publish
from bot.staff.publish_content import ContentTree, changed_files
from bot.staff.publish_jobs import last_publish, last_step_seconds, recent_jobs
from bot.staff.publish_summary import Summary, summarize
from bot.staff.templating import render
from bot.staff.views.content import title_for
from bot.staff.views.names import language_names
from bot.staff.views.publish_words import message_in_words, readable_log, step_in_words
from bot.staff.web import CONFIG, DRAFT, ENGINE, LANGUAGES, redirect, requires

routes = web.RouteTableDef()
REFRESH_SECONDS = 3  # how often a page showing a running job reloads
ALL = ""  # the scope value that publishes the whole draft


async def _draft_changes(request: web.Request) -> list[str]:
    """The files a publish would change now (draft against published)."""
    config = request.app[CONFIG]
    return await asyncio.to_thread(changed_files, ContentTree.draft(config), ContentTree.published(config))


def _topic_of(path: str) -> str | None:
    """``residence_permit`` for ``packs/<pack>/topics/residence_permit.yml``."""
    parts = path.split("/")
    return parts[3].removesuffix(".yml") if len(parts) == 4 and parts[0] == "packs" and parts[2] == "topics" else None


def _answer_names(pack: Pack, lang: str) -> dict[str, tuple[str, str]]:
    """Answer id -> (its name, its topic's name) in the interface language."""
    names = {}
    for topic in pack.topics.values():
        topic_name = title_for(topic, lang) or topic.id
        names[topic.id] = (topic_name, topic_name)
        for entry in topic.entries.values():
            names[entry.id] = (title_for(entry, lang) or entry.id, topic_name)
    return names


async def _explained(request: web.Request, new_dir, old_dir, changed: list[str]) -> dict[str, Any]:
    """The template context that says what publishing ``changed`` from ``new_dir`` over ``old_dir`` changes for users."""
    config = request.app[CONFIG]
    summary: Summary = await asyncio.to_thread(summarize, new_dir, old_dir, config.pack, changed)
    pack = await request.app[DRAFT].pack()
    languages = request.app[LANGUAGES]
    names = language_names(request, [*languages, *summary.catalogs])
    offices = {k: o.name.get(request["ui_lang"]) or o.name.get(pack.default_language) or o.short for k, o in pack.offices.items()}
    return {
        "summary": summary,
        "changed": changed,
        "answer_names": _answer_names(pack, request["ui_lang"]),
        "office_changes": [offices.get(k, k) for k in summary.offices],
        "catalog_changes": [names[lang] for lang in summary.catalogs],
        "other_changes": [_file_name(request, path) for path in summary.other_files],
        "languages": languages,
        "language_names": names,
        "source_language_name": language_names(request, [pack.default_language])[pack.default_language],
    }


def _file_name(request: web.Request, path: str) -> str:
    """A content file named in words (the path itself for a file without a name here)."""
    _ = request["_"]
    name = path.rsplit("/", 1)[-1]
    if "/branches/" in path:
        return _("office branches")
    if "/labels/" in path:
        return _("conversation phrases (greetings, thanks, help)")
    names = {
        "plan.yml": _("the plan of a move"),
        "safety.yml": _("safety phrases"),
        "cities.yml": _("cities"),
        "pack.yml": _("the pack's settings"),
        "languages.yml": _("languages"),
        "offices.yml": _("offices"),
    }
    if "/topics/" in path:
        return _("topic file %(name)s (no change users read)") % {"name": name}
    return names.get(name, path)


def _words(request: web.Request) -> dict[str, Any]:
    """The functions the step tables use to say what happened in plain words."""
    _ = request["_"]
    return {
        "step_words": lambda step: step_in_words(_, step),
        "job_words": lambda job: message_in_words(_, job),
        "readable_log": readable_log,
    }


def _scopes(request: web.Request, pack: Pack, changed: list[str]) -> list[tuple[str, str]]:
    """What can be published on its own: everything, or one changed topic (value, name)."""
    _ = request["_"]
    ngettext, count = request["ngettext"], len(changed)
    everything = ngettext("Everything in the draft (%(count)d file)", "Everything in the draft (%(count)d files)", count) % {"count": count}
    scopes = [(ALL, everything)]
    for path in changed:
        topic = _topic_of(path)
        if topic and topic in pack.topics:
            scopes.append((path, _("Only the topic “%(topic)s”") % {"topic": title_for(pack.topics[topic], request["ui_lang"])}))
    return scopes


async def _page(request: web.Request, errors: list[str] | None = None, status: int = 200) -> web.Response:
    engine, config = request.app[ENGINE], request.app[CONFIG]
    jobs = await recent_jobs(engine)
    latest = await publish.publish_status(engine, jobs[0]["id"]) if jobs else None
    changes = await _draft_changes(request)
    pack = await request.app[DRAFT].pack()
    context = {
        "errors": errors or [],
        "changes": changes,
        "scopes": _scopes(request, pack, changes),
        "latest": latest,
        "jobs": jobs,
        "now": time.time(),
        "training_usually": await last_step_seconds(engine, "train"),
        "refresh": REFRESH_SECONDS if latest and latest["state"] == "running" else 0,
        **_words(request),
        **await _explained(request, config.draft_dir, config.published_data_dir, changes),
    }
    return render(request, "publish.html", context, status=status)


@routes.get("/publish")
@requires("read")
async def publish_page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


async def _start(request: web.Request, start) -> web.StreamResponse:
    try:
        job_id = await start()
    except publish.PublishBusy as busy:
        _ = request["_"]
        return await _page(request, [_("Not started: %(reason)s.") % {"reason": busy}], status=409)
    return redirect(f"/publish/jobs/{job_id}")


@routes.post("/publish")
@requires("publish")
async def publish_now(request: web.Request) -> web.StreamResponse:
    """Without ``confirm=1``: the confirmation page for the chosen scope; with it: the publish starts."""
    _ = request["_"]
    form = await request.post()
    scope = str(form.get("scope", ALL))
    changes = await _draft_changes(request)
    if scope != ALL and scope not in changes:
        return await _page(request, [_("That topic has no changes to publish any more. Choose again.")], status=400)
    only = None if scope == ALL else [scope]
    engine, config = request.app[ENGINE], request.app[CONFIG]
    if form.get("confirm") != "1":
        pack = await request.app[DRAFT].pack()
        context = {
            "scope": scope,
            "scope_name": dict(_scopes(request, pack, changes))[scope],
            "training_usually": await last_step_seconds(engine, "train"),
            "left_in_draft": [p for p in changes if only and p not in only],
            **await _explained(request, config.draft_dir, config.published_data_dir, only or changes),
        }
        return render(request, "publish_confirm.html", context)
    return await _start(request, lambda: publish.start_publish(engine, request["user"].email, config, only=only))


@routes.post("/rollback")
@requires("publish")
async def rollback_now(request: web.Request) -> web.StreamResponse:
    """Without ``confirm=1``: what the rollback undoes (or that there is nothing to undo); with it: the rollback starts."""
    _ = request["_"]
    form = await request.post()
    engine, config = request.app[ENGINE], request.app[CONFIG]
    target = await last_publish(engine)
    if target is None:
        return await _page(request, [_("There is no publish to roll back: nothing was changed.")], status=409)
    if form.get("confirm") != "1":
        snapshot = ContentTree.within(Path(target["snapshot"]), config.pack)  # the content before that publish
        published = ContentTree.published(config)
        back = await asyncio.to_thread(changed_files, snapshot, published) if snapshot.data_dir.exists() else []
        context = {
            "target": target,
            "draft_still_differs": bool(await _draft_changes(request)),
            **await _explained(request, snapshot.data_dir, config.published_data_dir, back),
        }
        return render(request, "rollback_confirm.html", context)
    return await _start(request, lambda: publish.start_rollback(engine, request["user"].email, config))


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
    context = {
        "job": job,
        "now": time.time(),
        "training_usually": await last_step_seconds(request.app[ENGINE], "train"),
        "draft_still_differs": job["kind"] == "rollback" and bool(await _draft_changes(request)),
        "refresh": REFRESH_SECONDS if job["state"] == "running" else 0,
        **_words(request),
    }
    return render(request, "publish_job.html", context)


@routes.get(r"/publish/jobs/{job:\d+}.json")
@requires("read")
async def job_json(request: web.Request) -> web.StreamResponse:
    return web.json_response(await _job(request))
