"""Signing in and out, and the interface language."""

from __future__ import annotations

from aiohttp import web

from bot.staff import audit, i18n, ratelimit, sessions
from bot.staff.passwords import verify_password
from bot.staff.templating import render
from bot.staff.users import find_by_email
from bot.staff.web import CONFIG, ENGINE, error_page, redirect

routes = web.RouteTableDef()


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@routes.get("/sign-in")
async def sign_in_form(request: web.Request) -> web.StreamResponse:
    if request["user"] is not None:
        return redirect("/")
    return render(request, "sign_in.html", {"next": _safe_next(request.query.get("next")), "email": "", "error": None})


@routes.post("/sign-in")
async def sign_in(request: web.Request) -> web.StreamResponse:
    _ = request["_"]
    config = request.app[CONFIG]
    engine = request.app[ENGINE]
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()[:254]
    password = str(form.get("password", ""))[:1000]
    next_path = _safe_next(str(form.get("next", "")))
    account_key, ip_key = ratelimit.keys(email, request.remote or "unknown")
    limits = {account_key: config.account_failures, ip_key: config.ip_failures}
    wait = await ratelimit.retry_after(engine, limits, config.failure_window_s)
    if wait:
        minutes = max(1, round(wait / 60))
        message = _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes}
        return error_page(request, 429, message, {"Retry-After": str(wait)})
    async with engine.connect() as conn:
        row = await find_by_email(conn, email) if email else None
    ok = await verify_password(row["password_hash"] if row else None, password)
    if not ok or not row["active"]:
        await ratelimit.record_failure(engine, (account_key, ip_key), config.failure_window_s)
        async with engine.begin() as conn:
            await audit.record(conn, email or "(empty)", "sign_in.failed", email)
        context = {"next": next_path, "email": email, "error": _("Wrong e-mail or password.")}
        return render(request, "sign_in.html", context, status=401)
    await ratelimit.clear(engine, account_key)
    session_id = await sessions.start(engine, row["id"], config.session_hours)
    async with engine.begin() as conn:
        await audit.record(conn, row["email"], "sign_in", row["email"])
    response = redirect(next_path)
    sessions.set_cookie(response, sessions.COOKIE, session_id, config.secure_cookies, max_age=config.session_hours * 3600)
    return response


@routes.post("/sign-out")
async def sign_out(request: web.Request) -> web.StreamResponse:
    engine = request.app[ENGINE]
    user = request["user"]
    await sessions.end(engine, request["session_id"])
    if user is not None:
        async with engine.begin() as conn:
            await audit.record(conn, user.email, "sign_out", user.email)
    response = redirect("/sign-in")
    response.del_cookie(sessions.COOKIE, path="/")
    return response


@routes.post("/ui-language")
async def ui_language(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    lang = str(form.get("lang", ""))
    if lang not in i18n.UI_LANGUAGES:
        _ = request["_"]
        return error_page(request, 400, _("Unknown interface language."))
    response = redirect(_safe_next(str(form.get("next", ""))))
    sessions.set_cookie(response, i18n.COOKIE, lang, request.app[CONFIG].secure_cookies, max_age=365 * 24 * 3600)
    return response
