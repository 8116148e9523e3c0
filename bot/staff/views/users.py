"""Admin pages: staff accounts, their roles and languages; the audit log."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.staff import audit
from bot.staff.passwords import password_problem
from bot.staff.permissions import ROLES
from bot.staff.templating import render
from bot.staff.users import EMAIL, UserExists, all_users, create_user, find_by_id, update_user
from bot.staff.web import ENGINE, LANGUAGES, redirect, requires

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


@routes.get("/audit")
@requires("manage_users")
async def audit_page(request: web.Request) -> web.StreamResponse:
    return render(request, "audit.html", {"rows": await audit.recent(request.app[ENGINE])})
