"""CSRF protection: every state-changing request carries a token bound to the visitor.

The token is an HMAC of the session id (signed in) or of a random pre-session
cookie (the sign-in form), so it needs no storage and cannot be guessed by
another site. Forms send it as ``csrf_token``; scripts as ``X-CSRF-Token``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

PRE_COOKIE = "staff_pre"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_for(secret: bytes, kind: str, visitor_id: str) -> str:
    return hmac.new(secret, f"{kind}:{visitor_id}".encode(), hashlib.sha256).hexdigest()


def new_pre_id() -> str:
    return secrets.token_urlsafe(24)


async def submitted_token(request: web.Request) -> str:
    """The token the request carries (header first, then the form field)."""
    header = request.headers.get(HEADER)
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def is_valid(request: web.Request, expected: str | None) -> bool:
    if not expected:
        return False
    return hmac.compare_digest(await submitted_token(request), expected)
