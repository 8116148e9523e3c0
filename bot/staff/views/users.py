"""Admin pages: staff accounts, their roles and languages; the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.staff import audit
from bot.staff.passwords import password_problem
from bot.staff.permissions import ROLES
from bot.staff.templating import render
from bot.staff.users import EMAIL, UserExists, all_users, create_user, find_by_id, update_user
from bot.staff.web import CONFIG, ENGINE, LANGUAGES, redirect, requires

routes = web.RouteTableDef()


def _languages(request: web.Request) -> list[str]:
    return list(request.app[LANGUAGES])


def _read_form(form: Any, request: web.Request) -> tuple[set[str], set[str], list[str]]:
    """Roles and languages chosen in the form, and what is wrong with them."""
    _ = request["_"]
    roles = {str(r) for r in form.getall("roles", [])}
    languages = {str(lang) for lang in form.getall("languages", [])}
    errors = []
    if roles - set(ROLES):
        errors.append(_("Unknown role."))
    if languages - set(_languages(request)):
        errors.append(_("Unknown language."))
    if "translator" in roles and not languages:
        errors.append(_("A translator needs at least one language."))
    return roles, languages, errors


@routes.get("/users")
@requires("manage_users")
async def user_list(request: web.Request) -> web.StreamResponse:
    return render(request, "users.html", {"users": await all_users(request.app[ENGINE])})


def _user_form(request: web.Request, values: dict[str, Any], errors: list[str], status: int = 200) -> web.Response:
    context = {"values": values, "errors": errors, "roles": ROLES, "languages": _languages(request)}
    return render(request, "user_form.html", context, status=status)


@routes.get("/users/new")
@requires("manage_users")
async def new_user_form(request: web.Request) -> web.StreamResponse:
    return _user_form(request, {"id": None, "email": "", "name": "", "roles": [], "languages": [], "active": True}, [])


@routes.post("/users/new")
@requires("manage_users")
async def new_user(request: web.Request) -> web.StreamResponse:
    _ = request["_"]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()
    name = str(form.get("name", "")).strip()[:200]
    password = str(form.get("password", ""))
    roles, languages, errors = _read_form(form, request)
    if not EMAIL.match(email) or len(email) > 254:
        errors.insert(0, _("Enter a valid e-mail address."))
    problem = password_problem(password, _)
    if problem:
        errors.append(problem)
    values = {"id": None, "email": email, "name": name, "roles": sorted(roles), "languages": sorted(languages), "active": True}
    if not errors:
        try:
            await create_user(request.app[ENGINE], request["user"].email, email, name, password, roles, languages)
        except UserExists:
            errors.append(_("An account with this e-mail exists already."))
        else:
            return redirect("/users")
    return _user_form(request, values, errors, status=400)


async def _load(request: web.Request) -> Any:
    try:
        user_id = int(request.match_info["user_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    async with request.app[ENGINE].connect() as conn:
        row = await find_by_id(conn, user_id)
    if row is None:
        raise web.HTTPNotFound()
    return row


@routes.get("/users/{user_id}")
@requires("manage_users")
async def edit_user_form(request: web.Request) -> web.StreamResponse:
    row = await _load(request)
    values = {**row, "roles": row["roles"].split(), "languages": row["languages"].split()}
    return _user_form(request, values, [])


@routes.post("/users/{user_id}")
@requires("manage_users")
async def edit_user(request: web.Request) -> web.StreamResponse:
    _ = request["_"]
    row = await _load(request)
    form = await request.post()
    roles, languages, errors = _read_form(form, request)
    active = form.get("active") == "on"
    name = str(form.get("name", "")).strip()[:200]
    password = str(form.get("password", ""))
    if password:
        problem = password_problem(password, _)
        if problem:
            errors.append(problem)
    if row["id"] == request["user"].id and ("admin" not in roles or not active):
        errors.append(_("You cannot remove your own admin role or deactivate yourself."))
    values = {
        "id": row["id"],
        "email": row["email"],
        "name": name,
        "roles": sorted(roles),
        "languages": sorted(languages),
        "active": active,
    }
    if errors:
        return _user_form(request, values, errors, status=400)
    changes = {"name": name, "roles": " ".join(sorted(roles)), "languages": " ".join(sorted(languages)), "active": active}
    await update_user(request.app[ENGINE], request["user"].email, row["id"], changes, password or None)
    return redirect("/users")


def action_names(request: web.Request) -> dict[str, str]:
    """What each audit action code means, in the interface language (a code not named here is shown as it is)."""
    _ = request["_"]
    return {
        "sign_in": _("Signed in"),
        "sign_in.failed": _("Failed sign-in"),
        "sign_out": _("Signed out"),
        "password.change": _("Changed their own password"),
        "password.change.failed": _("Wrong current password when changing the password"),
        "user.create": _("Added a user"),
        "user.update": _("Changed a user"),
        "content.save": _("Saved content in the draft"),
        "publish.start": _("Started a publish"),
        "publish.finish": _("A publish ended"),
        "rollback.start": _("Started a rollback"),
        "rollback.finish": _("A rollback ended"),
        "conversation.delete": _("Deleted a conversation"),
        "retention": _("Deleted old conversations (retention)"),
    }


# One clear, unambiguous format per interface language: day.month.year in Latvian, ISO order in English.
TIME_FORMATS = {"lv": "%d.%m.%Y %H:%M", "en": "%Y-%m-%d %H:%M"}


def local_time(moment: datetime, lang: str) -> str:
    """``moment`` as a date and time written the way of the interface language ``lang``."""
    return moment.strftime(TIME_FORMATS.get(lang, TIME_FORMATS["en"]))


def _row_id(value: str | None) -> int | None:
    """A paging id from the query (a whole number), else None."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


def _changes(before: Any, after: Any, _: Callable[[str], str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Before and after as key/text pairs; a pair whose text is the same on both sides is marked ``same``."""
    before_pairs, after_pairs = audit.readable(before, _), audit.readable(after, _)
    before_map, after_map = dict(before_pairs), dict(after_pairs)

    def marked(pairs: list[tuple[str, str]], other: dict[str, str]) -> list[dict[str, Any]]:
        return [{"key": key, "text": text, "same": other.get(key) == text} for key, text in pairs]

    return marked(before_pairs, after_map), marked(after_pairs, before_map)


def _audit_row(row: dict[str, Any], request: web.Request, names: dict[str, str]) -> dict[str, Any]:
    """A row as the page shows it: the time in the staff app's time zone, the action in words, before and after as pairs."""
    moment = datetime.fromtimestamp(row["at"], ZoneInfo(request.app[CONFIG].timezone))
    before, after = _changes(row["before"], row["after"], request["_"])
    return {
        "id": row["id"],
        "when": local_time(moment, request["ui_lang"]),
        "iso": moment.isoformat(timespec="seconds"),
        "actor": row["actor"],
        "action": row["action"],
        "action_name": names.get(row["action"], row["action"]),
        "target": row["target"],
        "before": before,
        "after": after,
    }


def _audit_link(filters: audit.Filters, **cursor: int) -> str:
    query = {key: value for key, value in (("actor", filters.actor), ("action", filters.action)) if value}
    return "/audit?" + urlencode({**query, **cursor})


async def _filter_choices(request: web.Request, filters: audit.Filters, names: dict[str, str]) -> dict[str, list[str]]:
    """The people and actions to choose from (the chosen ones always among them), actions sorted by their words."""
    actors, actions = await audit.choices(request.app[ENGINE])
    return {
        "actors": sorted({*actors, *([filters.actor] if filters.actor else [])}),
        "actions": sorted({*actions, *([filters.action] if filters.action else [])}, key=lambda code: names.get(code, code).lower()),
    }


@routes.get("/audit")
@requires("manage_users")
async def audit_page(request: web.Request) -> web.StreamResponse:
    query = request.query
    filters = audit.Filters(actor=query.get("actor", "")[:254], action=query.get("action", "")[:100])
    found = await audit.page(request.app[ENGINE], filters, before=_row_id(query.get("before")), after=_row_id(query.get("after")))
    names = action_names(request)
    context = {
        "rows": [_audit_row(row, request, names) for row in found.rows],
        "matching": found.matching,
        "filters": filters,
        **await _filter_choices(request, filters, names),
        "action_names": names,
        "timezone": request.app[CONFIG].timezone,
        "newer_link": _audit_link(filters, after=found.newer_than) if found.newer_than is not None else None,
        "older_link": _audit_link(filters, before=found.older_than) if found.older_than is not None else None,
    }
    return render(request, "audit.html", context)
