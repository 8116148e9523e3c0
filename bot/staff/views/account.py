"""A signed-in person's own account: changing their password.

The current password is asked for again (a session left open on a shared
computer is not enough to take the account over), and a wrong one counts
as a failed sign-in of the account and the address: the sign-in limits
(bot/staff/ratelimit.py) stop guessing here as they do on the sign-in page.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.staff import audit, i18n, ratelimit, sessions
from bot.staff.passwords import MAX_LENGTH, MIN_LENGTH, password_problem, verify_password
from bot.staff.templating import render
from bot.staff.users import change_own_password, find_by_id
from bot.staff.web import CONFIG, ENGINE, error_page, redirect, requires

routes = web.RouteTableDef()

PATH = "/account/password"
MAX_TYPED = 1000  # a longer "password" is not hashed (the rules allow 200 characters)
FIELDS = ("current_password", "new_password", "new_password_again")


def _page(request: web.Request, field_errors: dict[str, str], status: int = 200) -> web.Response:
    context: dict[str, Any] = {
        "field_errors": field_errors,
        "errors": [field_errors[name] for name in FIELDS if name in field_errors],
        "changed": request.query.get("changed") == "1" and not field_errors,
        "min_length": MIN_LENGTH,
        "max_length": MAX_LENGTH,
    }
    return render(request, "account_password.html", context, status=status)


@routes.get(PATH)
@requires("read")
async def password_form(request: web.Request) -> web.StreamResponse:
    return _page(request, {})


def _limits(request: web.Request) -> tuple[dict[str, int], tuple[str, str]]:
    """The sign-in limits of this account and address, and their keys."""
    config = request.app[CONFIG]
    account_key, ip_key = ratelimit.keys(request["user"].email, request.remote or "unknown")
    return {account_key: config.account_failures, ip_key: config.ip_failures}, (account_key, ip_key)


def _too_many(request: web.Request, wait: int) -> web.Response:
    minutes = max(1, round(wait / 60))
    ngettext = i18n.translations(request["ui_lang"]).ngettext
    message = ngettext(
        "Too many wrong passwords for this account. Nothing was changed. Try again in %(minutes)d minute.",
        "Too many wrong passwords for this account. Nothing was changed. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    return error_page(request, 429, message, {"Retry-After": str(wait)})


def _new_password_problems(request: web.Request, new: str, again: str) -> dict[str, str]:
    """The user-creation rules for the new password, and the two typings must match."""
    _ = request["_"]
    problems = {}
    problem = password_problem(new, _)
    if problem:
        problems["new_password"] = problem
    if again != new:
        problems["new_password_again"] = _("The two new passwords differ. Type the same new password in both boxes.")
    return problems


async def _current_password_is_right(request: web.Request, typed: str) -> bool:
    async with request.app[ENGINE].connect() as conn:
        row = await find_by_id(conn, request["user"].id)
    return await verify_password(row["password_hash"] if row else None, typed)


async def _count_wrong_password(request: web.Request, keys: tuple[str, str]) -> None:
    """A wrong current password: one failure for the sign-in limits, and an audit row."""
    engine, email = request.app[ENGINE], request["user"].email
    await ratelimit.record_failure(engine, keys, request.app[CONFIG].failure_window_s)
    async with engine.begin() as conn:
        await audit.record(conn, email, "password.change.failed", email)


@routes.post(PATH)
@requires("read")
async def change_password(request: web.Request) -> web.StreamResponse:
    _ = request["_"]
    engine = request.app[ENGINE]
    limits, keys = _limits(request)
    wait = await ratelimit.retry_after(engine, limits, request.app[CONFIG].failure_window_s)
    if wait:
        return _too_many(request, wait)
    form = await request.post()
    current, new, again = (str(form.get(name, ""))[:MAX_TYPED] for name in FIELDS)
    problems = _new_password_problems(request, new, again)
    if not await _current_password_is_right(request, current):
        await _count_wrong_password(request, keys)
        problems = {"current_password": _("This is not your current password."), **problems}
    if problems:
        return _page(request, problems, status=400)
    await ratelimit.clear(engine, keys[0])
    await change_own_password(engine, request["user"].id, new, sessions.id_hash(request["session_id"]))
    return redirect(f"{PATH}?changed=1")
