"""Request plumbing: middlewares (security headers, language, session, CSRF) and the permission guard."""

from __future__ import annotations

import functools
import logging
from typing import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.staff import csrf, i18n, sessions
from bot.staff.config import StaffConfig
from bot.staff.draft import Draft
from bot.staff.permissions import can
from bot.staff.templating import render

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONFIG = web.AppKey("config", StaffConfig)
ENGINE = web.AppKey("engine", AsyncEngine)
DRAFT = web.AppKey("draft", Draft)
LANGUAGES = web.AppKey("languages", list)  # the content's language codes

_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def redirect(location: str) -> web.Response:
    """303 See Other: the browser follows with a GET (after a form post)."""
    return web.Response(status=303, headers={"Location": location})


def error_page(request: web.Request, status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    response = render(request, "error.html", {"status": status, "message": message}, status=status)
    response.headers.update(headers or {})
    return response


@web.middleware
async def context_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Language, signed-in user and CSRF token of the request; security headers on every answer."""
    config = request.app[CONFIG]
    lang = i18n.pick_language(request)
    request["ui_lang"] = lang
    request["_"] = i18n.translations(lang).gettext
    request["ngettext"] = i18n.translations(lang).ngettext
    session_id = request.cookies.get(sessions.COOKIE)
    user = await sessions.load(request.app[ENGINE], session_id)
    request["user"] = user
    request["session_id"] = session_id if user else None
    request["can"] = functools.partial(can, user)
    pre_id = request.cookies.get(csrf.PRE_COOKIE)
    new_pre = None
    if user is not None:
        request["csrf_token"] = csrf.token_for(config.secret, "session", session_id or "")
    else:
        if not pre_id or len(pre_id) > 100:
            pre_id = new_pre = csrf.new_pre_id()
            request["csrf_fresh"] = True
        request["csrf_token"] = csrf.token_for(config.secret, "pre", pre_id)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400:
            response = error_page(request, exc.status, exc.reason)
        else:
            response = web.Response(status=exc.status, headers={k: v for k, v in exc.headers.items() if k != "Content-Type"})
    except Exception:
        log.exception("error handling %s %s", request.method, request.path)
        response = error_page(request, 500, request["_"]("Something went wrong on the server; nothing was saved. Try again."))
    if new_pre:
        sessions.set_cookie(response, csrf.PRE_COOKIE, new_pre, config.secure_cookies)
    response.headers.update(_SECURITY_HEADERS)
    return response


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Rejects a state-changing request without the visitor's token (403, with the reason)."""
    if request.method not in csrf.SAFE_METHODS:
        expected = None if request.get("csrf_fresh") else request["csrf_token"]
        if not await csrf.is_valid(request, expected):
            _ = request["_"]
            message = _(
                "This form is missing its security token or the token is out of date (CSRF protection). Reload the page and try again."
            )
            return error_page(request, 403, message)
    return await handler(request)


def requires(permission: str, lang_param: str | None = None) -> Callable[[Handler], Handler]:
    """Guards a handler: anonymous visitors are sent to sign in (GET) or refused (401); others need the permission (403).

    ``lang_param`` names the route part holding the language the permission is for.
    """

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            _ = request["_"]
            user = request["user"]
            if user is None:
                if request.method == "GET":
                    return redirect(f"/sign-in?next={quote(request.rel_url.path, safe='/')}")
                return error_page(request, 401, _("Sign in first."))
            lang = request.match_info.get(lang_param) if lang_param else None
            if not can(user, permission, lang):
                return error_page(request, 403, _("Your role does not allow this."))
            return await handler(request)

        guarded.permission = permission  # type: ignore[attr-defined]
        return guarded

    return wrap
