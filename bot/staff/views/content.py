"""Content pages: topics (per-topic facts and per-language text), the translation overview, offices, versions."""

from __future__ import annotations

import difflib
import re
from typing import Any

from aiohttp import web
from ruamel.yaml.comments import CommentedMap

from bot.content.model import Answer, Pack, Topic, fingerprint
from bot.staff import contacts, yamledit
from bot.staff.draft import Draft, text_hash, version, versions
from bot.staff.templating import render
from bot.staff.web import DRAFT, ENGINE, LANGUAGES, redirect, requires

routes = web.RouteTableDef()


async def _pack(request: web.Request) -> Pack:
    return await request.app[DRAFT].pack()


def _topic(pack: Pack, request: web.Request) -> Topic:
    topic = pack.topics.get(request.match_info["topic"])
    if topic is None:
        raise web.HTTPNotFound()
    return topic


def translation_status(answer: Answer, lang: str) -> str:
    """'ok', 'missing' (no answer or title) or 'stale' (translated from an older source text): a topic's or an entry's."""
    tr = answer.translations.get(lang)
    if tr is None or not tr.answer or not tr.title:
        return "missing"
    return "stale" if answer.is_stale(lang) else "ok"


def title_for(answer: Answer, lang: str) -> str:
    """An answer's title in ``lang`` (the staff member's interface language), else in its source language."""
    tr = answer.translations.get(lang)
    if tr is not None and tr.title:
        return tr.title
    source = answer.translations.get(answer.source_language)
    return (source.title if source else None) or ""


def _problem_messages(request: web.Request, problems: list[str]) -> list[str]:
    _ = request["_"]
    if problems == ["conflict"]:
        return [_("Someone else saved this since you opened it. Reload the page to see their change, then edit again.")]
    return problems


@routes.get("/")
@requires("read")
async def dashboard(request: web.Request) -> web.StreamResponse:
    state = await request.app[DRAFT].state()
    return render(request, "dashboard.html", {"state": state})


@routes.get("/topics")
@requires("read")
async def topic_list(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    rows = [
        (topic, {lang: translation_status(topic, lang) for lang in pack.languages})
        for topic in sorted(pack.topics.values(), key=lambda t: t.id)
    ]
    return render(request, "topics.html", {"rows": rows, "languages": list(pack.languages)})


# --- a topic's facts: offices, sources, reviewed date (editors) -------------


def _topic_file(topic_id: str) -> str:
    return f"topics/{topic_id}.yml"


def _facts(data: Any) -> dict[str, Any]:
    return {
        "offices": list(data.get("offices") or []),
        "sources": list(data.get("sources") or []),
        "reviewed": str(data.get("reviewed", "")),
    }


@routes.get("/topics/{topic}")
@requires("read")
async def topic_page(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    topic = _topic(pack, request)
    text = request.app[DRAFT].read(_topic_file(topic.id))
    values = _facts(yamledit.load(text))
    return _topic_form(request, pack, topic, values, text_hash(text), [])


def _topic_form(
    request: web.Request,
    pack: Pack,
    topic: Topic,
    values: dict[str, Any],
    base: str,
    errors: list[str],
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> web.Response:
    statuses = {lang: translation_status(topic, lang) for lang in pack.languages}
    entries = [
        {
            "entry": entry,
            "title": title_for(entry, request["ui_lang"]),
            "statuses": {lang: translation_status(entry, lang) for lang in pack.languages},
        }
        for entry in topic.entries.values()
    ]
    context = {
        "topic": topic,
        "pack": pack,
        "values": values,
        "base": base,
        "errors": errors,
        "statuses": statuses,
        "entries": entries,
        "new_entry": {"key": "", "title": ""},
        "entry_errors": [],
    }
    context.update(extra or {})
    return render(request, "topic.html", context, status=status)


@routes.post("/topics/{topic}")
@requires("edit_content")
async def topic_save(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await _pack(request)
    topic = _topic(pack, request)
    form = await request.post()
    relative = _topic_file(topic.id)
    data = yamledit.load(draft.read(relative))
    before = _facts(data)
    values = {
        "offices": [str(o) for o in form.getall("offices", [])],
        "sources": yamledit.lines(str(form.get("sources", ""))),
        "reviewed": str(form.get("reviewed", "")).strip(),
    }
    data["offices"] = yamledit.flow_list(values["offices"])
    data["sources"] = values["sources"]
    data["reviewed"] = yamledit.a_date(values["reviewed"])
    problems = await draft.save(relative, yamledit.dump(data), str(form.get("base", "")), request["user"].email, "facts", before, values)
    if problems:
        return _topic_form(request, pack, topic, values, str(form.get("base", "")), _problem_messages(request, problems), status=400)
    return redirect(f"/topics/{topic.id}?saved=1")


# --- one language of a topic: title, answer, ways of asking (editors, translators of that language)


def _text(data: Any, lang: str) -> dict[str, Any]:
    tr = (data.get("translations") or {}).get(lang) or {}
    return {
        "title": str(tr.get("title") or ""),
        "answer": str(tr.get("answer") or ""),
        "examples": [str(e) for e in tr.get("examples") or []],
        "translated_from": tr.get("translated_from"),
    }


def _language(pack: Pack, request: web.Request) -> str:
    lang = request.match_info["lang"]
    if lang not in pack.languages:
        raise web.HTTPNotFound()
    return lang


def _language_form(
    request: web.Request, pack: Pack, topic: Topic, lang: str, values: dict[str, Any], base: str, errors: list[str], status: int = 200
) -> web.Response:
    source = topic.translations.get(topic.source_language)
    context = {
        "topic": topic,
        "pack": pack,
        "lang": lang,
        "values": values,
        "base": base,
        "errors": errors,
        "source": source,
        "status_": translation_status(topic, lang),
        "may_edit": request["can"]("edit_language", lang),
    }
    return render(request, "topic_language.html", context, status=status)


@routes.get("/topics/{topic}/{lang}")
@requires("read")
async def topic_language_page(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    topic = _topic(pack, request)
    lang = _language(pack, request)
    text = request.app[DRAFT].read(_topic_file(topic.id))
    return _language_form(request, pack, topic, lang, _text(yamledit.load(text), lang), text_hash(text), [])


@routes.post("/topics/{topic}/{lang}")
@requires("edit_language", lang_param="lang")
async def topic_language_save(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await _pack(request)
    topic = _topic(pack, request)
    lang = _language(pack, request)
    form = await request.post()
    relative = _topic_file(topic.id)
    data = yamledit.load(draft.read(relative))
    before = _text(data, lang)
    values = {
        "title": str(form.get("title", "")).strip(),
        "answer": str(form.get("answer", "")).replace("\r\n", "\n").strip(),
        "examples": yamledit.lines(str(form.get("examples", ""))),
    }
    tr = yamledit.set_translation(data, lang, values)
    if lang == topic.source_language:
        tr.pop("translated_from", None)
    elif form.get("up_to_date") == "on":
        # the translator confirms this text follows the current source text
        source = topic.translations.get(topic.source_language)
        yamledit.set_or_drop(tr, "translated_from", fingerprint(source.title, source.answer) if source else None, after="title")
    values["translated_from"] = tr.get("translated_from")
    summary = f"{lang} text"
    problems = await draft.save(relative, yamledit.dump(data), str(form.get("base", "")), request["user"].email, summary, before, values)
    if problems:
        return _language_form(
            request, pack, topic, lang, values, str(form.get("base", "")), _problem_messages(request, problems), status=400
        )
    return redirect(f"/topics/{topic.id}/{lang}?saved=1")


@routes.get("/translations")
@requires("read")
async def translations_page(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    user = request["user"]
    default = next((lang for lang in sorted(user.languages) if lang in pack.languages), None)
    default = default or next(lang for lang in pack.languages if lang != pack.default_language)
    lang = request.query.get("lang", default)
    if lang not in pack.languages:
        raise web.HTTPNotFound()
    rows = []
    for topic in sorted(pack.topics.values(), key=lambda t: t.id):
        for answer in topic.all_answers():  # the overview, then its entries
            rows.append(
                {
                    "answer": answer,
                    "topic": topic,
                    "entry": answer if answer is not topic else None,
                    "source": answer.translations.get(answer.source_language),
                    "target": answer.translations.get(lang),
                    "status": translation_status(answer, lang),
                }
            )
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "missing", "stale")}
    return render(request, "translations.html", {"rows": rows, "lang": lang, "languages": list(pack.languages), "counts": counts})


# --- offices (editors) --------------------------------------------------------

OFFICE_FIELDS = ("short", "website", "phone", "email", "address")


def _office_values(raw: Any, languages: list[str]) -> dict[str, Any]:
    names = raw.get("name") or {}
    values = {field: str(raw.get(field) or "") for field in OFFICE_FIELDS}
    values["name"] = {lang: str(names.get(lang) or "") for lang in languages}
    values["sources"] = [str(s) for s in raw.get("sources") or []]
    values["reviewed"] = str(raw.get("reviewed") or "")
    return values


@routes.get("/offices")
@requires("read")
async def office_list(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    branches: dict[str, int] = {}
    for branch in pack.directory.branches:
        branches[branch.office] = branches.get(branch.office, 0) + 1
    return render(request, "offices.html", {"offices": sorted(pack.offices.values(), key=lambda o: o.id), "branches": branches})


def _office_form(
    request: web.Request, pack: Pack, office_id: str, values: dict[str, Any], base: str, errors: list[str], status: int = 200
) -> web.Response:
    context = {
        "office_id": office_id,
        "values": values,
        "base": base,
        "errors": errors,
        "languages": list(pack.languages),
        "branches": _branches_of(pack, office_id),
    }
    return render(request, "office.html", context, status=status)


@routes.get("/offices/{office}")
@requires("read")
async def office_page(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    office_id = request.match_info["office"]
    if office_id not in pack.offices:
        raise web.HTTPNotFound()
    text = request.app[DRAFT].read("offices.yml")
    raw = yamledit.load(text)["offices"][office_id]
    return _office_form(request, pack, office_id, _office_values(raw, list(pack.languages)), text_hash(text), [])


def _write_names_and_fields(raw: Any, values: dict[str, Any], fields: tuple[str, ...]) -> str:
    """Writes an office's or branch's names per language and its contact fields; returns the last key written."""
    names = raw.setdefault("name", CommentedMap())
    for lang, name in values["name"].items():
        if name:
            names[lang] = name
        else:
            names.pop(lang, None)
    previous = "name"
    for field in fields:
        value = yamledit.quoted(values[field]) if field == "phone" and values[field] else values[field]  # "+371..." stays text
        yamledit.set_or_drop(raw, field, value, after=previous)
        previous = field if field in raw else previous
    return previous


def _branches_of(pack: Pack, office_id: str) -> list[Any]:
    return [b for b in pack.directory.branches if b.office == office_id]


@routes.post("/offices/{office}")
@requires("edit_content")
async def office_save(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await _pack(request)
    office_id = request.match_info["office"]
    if office_id not in pack.offices:
        raise web.HTTPNotFound()
    form = await request.post()
    data = yamledit.load(draft.read("offices.yml"))
    raw = data["offices"][office_id]
    languages = list(pack.languages)
    before = _office_values(raw, languages)
    values = {field: str(form.get(field, "")).strip() for field in OFFICE_FIELDS}
    values["name"] = {lang: str(form.get(f"name_{lang}", "")).strip() for lang in languages}
    values["sources"] = yamledit.lines(str(form.get("sources", "")))
    values["reviewed"] = str(form.get("reviewed", "")).strip()
    invalid = contacts.problems(values, request["_"])
    if invalid:
        return _office_form(request, pack, office_id, values, str(form.get("base", "")), invalid, status=400)
    previous = _write_names_and_fields(raw, values, OFFICE_FIELDS)
    yamledit.set_or_drop(raw, "sources", values["sources"], after=previous)
    yamledit.set_or_drop(raw, "reviewed", yamledit.a_date(values["reviewed"]) if values["reviewed"] else None, after="sources")
    problems = await draft.save(
        "offices.yml", yamledit.dump(data), str(form.get("base", "")), request["user"].email, f"office {office_id}", before, values
    )
    if problems:
        return _office_form(request, pack, office_id, values, str(form.get("base", "")), _problem_messages(request, problems), status=400)
    return redirect(f"/offices/{office_id}?saved=1")


# --- versions -----------------------------------------------------------------


@routes.get("/versions")
@requires("read")
async def version_list(request: web.Request) -> web.StreamResponse:
    return render(request, "versions.html", {"versions": await versions(request.app[ENGINE])})


@routes.get("/versions/{version_id:\\d+}")
@requires("read")
async def version_page(request: web.Request) -> web.StreamResponse:
    row = await version(request.app[ENGINE], int(request.match_info["version_id"]))
    if row is None:
        raise web.HTTPNotFound()
    diff = difflib.unified_diff((row["before"] or "").splitlines(), row["after"].splitlines(), "before", "after", lineterm="", n=2)
    return render(request, "version.html", {"row": row, "diff": list(diff)})


# --- branches of an office: contacts and opening hours (editors) ---------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BRANCH_FIELDS = ("city", "address", "phone", "email", "website", "booking")


def _branch_file(office_id: str) -> str:
    return f"branches/{office_id}.yml"


def _find_branch(data: Any, branch_id: str) -> Any:
    for raw in data.get("branches") or []:
        if str(raw.get("id")) == branch_id:
            return raw
    raise web.HTTPNotFound()


def _branch_values(raw: Any, languages: list[str]) -> dict[str, Any]:
    names = raw.get("name") or {}
    hours = raw.get("hours") or {}
    values = {field: str(raw.get(field) or "") for field in BRANCH_FIELDS}
    values["name"] = {lang: str(names.get(lang) or "") for lang in languages}
    values["hours"] = {day: ", ".join(str(i) for i in hours.get(day) or []) for day in WEEKDAYS}
    values["sources"] = [str(s) for s in raw.get("sources") or []]
    values["reviewed"] = str(raw.get("reviewed") or "")
    return values


def _hours(values: dict[str, str]) -> CommentedMap | None:
    """Opening hours as written in the pack (flow lists per weekday); None when no day has any."""
    if not any(values.values()):
        return None
    hours = CommentedMap()
    for day in WEEKDAYS:
        hours[day] = yamledit.flow_list([yamledit.quoted(i.strip()) for i in values[day].split(",") if i.strip()])
    return hours


def _branch_form(
    request: web.Request, office_id: str, values: dict[str, Any], base: str, errors: list[str], status: int = 200
) -> web.Response:
    context = {
        "office_id": office_id,
        "branch_id": request.match_info["branch"],
        "values": values,
        "base": base,
        "errors": errors,
        "languages": request.app[LANGUAGES],
        "weekdays": WEEKDAYS,
    }
    return render(request, "branch.html", context, status=status)


def _branch_text(request: web.Request) -> tuple[str, str]:
    office_id = request.match_info["office"]
    draft: Draft = request.app[DRAFT]
    relative = _branch_file(office_id)
    if not re.fullmatch(r"[a-z0-9_]+", office_id) or not (draft.pack_dir / relative).is_file():
        raise web.HTTPNotFound()
    return relative, draft.read(relative)


@routes.get("/offices/{office}/branches/{branch}")
@requires("read")
async def branch_page(request: web.Request) -> web.StreamResponse:
    _, text = _branch_text(request)
    raw = _find_branch(yamledit.load(text), request.match_info["branch"])
    values = _branch_values(raw, request.app[LANGUAGES])
    return _branch_form(request, request.match_info["office"], values, text_hash(text), [])


@routes.post("/offices/{office}/branches/{branch}")
@requires("edit_content")
async def branch_save(request: web.Request) -> web.StreamResponse:
    relative, text = _branch_text(request)
    office_id, branch_id = request.match_info["office"], request.match_info["branch"]
    data = yamledit.load(text)
    raw = _find_branch(data, branch_id)
    languages = request.app[LANGUAGES]
    before = _branch_values(raw, languages)
    form = await request.post()
    values: dict[str, Any] = {field: str(form.get(field, "")).strip() for field in BRANCH_FIELDS}
    values["name"] = {lang: str(form.get(f"name_{lang}", "")).strip() for lang in languages}
    values["hours"] = {day: str(form.get(f"hours_{day}", "")).strip() for day in WEEKDAYS}
    values["sources"] = yamledit.lines(str(form.get("sources", "")))
    values["reviewed"] = str(form.get("reviewed", "")).strip()
    invalid = contacts.problems(values, request["_"])
    if invalid:
        return _branch_form(request, office_id, values, str(form.get("base", "")), invalid, status=400)
    previous = _write_names_and_fields(raw, values, BRANCH_FIELDS)
    yamledit.set_or_drop(raw, "hours", _hours(values["hours"]), after=previous)
    yamledit.set_or_drop(raw, "sources", values["sources"], after="hours" if "hours" in raw else previous)
    yamledit.set_or_drop(raw, "reviewed", yamledit.a_date(values["reviewed"]) if values["reviewed"] else None, after="sources")
    draft: Draft = request.app[DRAFT]
    base = str(form.get("base", ""))
    problems = await draft.save(relative, yamledit.dump(data), base, request["user"].email, f"branch {branch_id}", before, values)
    if problems:
        return _branch_form(request, office_id, values, base, _problem_messages(request, problems), status=400)
    return redirect(f"/offices/{office_id}/branches/{branch_id}?saved=1")
