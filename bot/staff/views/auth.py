"""Signing in and out, and the interface language."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from aiohttp import web

from bot.staff import audit, i18n, ratelimit, sessions
from bot.staff.passwords import verify_password
from bot.staff.templating import render
from bot.staff.users import find_by_email
from bot.staff.web import CONFIG, ENGINE, error_page, redirect

routes = web.RouteTableDef()


MAX_NEXT = 2000


def _spelled(value: str) -> list[str]:
    """``value`` and what it decodes to, percent-decoding again while that changes it (a few times at most)."""
    forms = [value]
    for _ in range(3):
        decoded = unquote(forms[-1])
        if decoded == forms[-1]:
            break
        forms.append(decoded)
    return forms


def _unsafe_character(text: str) -> bool:
    """A control, format or separator character, or any whitespace: a browser drops a tab, so ``/%09/host`` would be ``//host``."""
    return any(c.isspace() or unicodedata.category(c)[0] in "CZ" for c in text)


def is_local_path(value: str) -> bool:
    """True only for a path on this site: one leading "/", no "//", no backslash, no scheme, no hidden characters.

    Checked as sent and as decoded, since a browser or proxy may decode before it reads the path.
    """
    if not value or len(value) > MAX_NEXT:
        return False
    for form in _spelled(value):
        if not form.startswith("/") or "//" in form or "\\" in form or _unsafe_character(form):
            return False
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return False
    return True


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no open redirect): ``value`` when it is one, else the overview."""
    return value if value and is_local_path(value) else "/"


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
