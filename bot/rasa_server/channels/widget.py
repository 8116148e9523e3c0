"""Serves the web widget from the Rasa server: ``GET /widget/...``.

Not a message channel (messages go through socket.io,
``bot.rasa_server.channels.socketio``): Rasa mounts input channels' blueprints, so this
is the way to serve the widget's files, its interface strings and the
language list beside the assistant with no second server.

- ``/widget/widget.js``: the widget with its socket.io client (``bot.rasa_server.widget.assets``);
- ``/widget/widget.css``, ``/widget/demo.html``, ``/widget/socket.io-client.LICENSE``;
- ``/widget/languages.json``: the picker's languages, names and text direction;
- ``/widget/strings/<lang>.json``: the widget's interface strings in a language;
- ``/widget/privacy?lang=<lang>``: the privacy notice as a small page (the
  widget's menu opens it in a new tab); an unknown language gets the default one;
- ``/widget/plan/<token>`` and ``/widget/plan/<token>.pdf``: a person's plan
  for the move as a printable page and as a PDF (``bot.core.plan.page``). The token
  is the plan's answers encrypted (``bot.core.plan.links``), valid for 7 days; the
  pages are not cached and send no referrer, since the token is in the address.

Everything here is public and read-only, so any page may fetch it (CORS
``*``); who may *talk* to the assistant is the socket.io channel's business.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import datetime, timezone
from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.content.store import default_store
from bot.core.plan.page import PLAN_PAGE_CSP, render_plan_response
from bot.core.privacy.notice import privacy_notice
from bot.core.session_keys import load_session_secret
from bot.rasa_server.channels.guard import OnNewMessage
from bot.rasa_server.widget.assets import Asset, static_file, widget_bundle
from bot.rasa_server.widget.strings import language_list, widget_strings

_LANG = re.compile(r"^[a-z]{2,3}$")
#: The demo page runs under a strict policy: no inline script or style, and
#: it talks only to its own origin. The widget must keep working under it.
DEMO_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
)
_PUBLIC = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}
#: The privacy page is text and one stylesheet of its own origin; no other site may frame it.
PAGE_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
#: A plan's page and PDF: the address holds the token, so no cache keeps them and no link passes the address on.
PLAN_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": PLAN_PAGE_CSP,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def _asset_response(request: Request, asset: Asset, extra: dict[str, str] | None = None) -> HTTPResponse:
    headers = {**_PUBLIC, "ETag": asset.etag, "Vary": "Accept-Encoding", **(extra or {})}
    if request.headers.get("if-none-match") == asset.etag:
        return response.empty(status=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return response.raw(asset.gzipped, content_type=asset.content_type, headers={**headers, "Content-Encoding": "gzip"})
    return response.raw(asset.body, content_type=asset.content_type, headers=headers)


def _json(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, headers=_PUBLIC, ensure_ascii=False)


def privacy_page(lang: str, direction: str, paragraphs: list[str]) -> str:
    """The notice as an HTML page: its first paragraph is the title; every text is escaped."""
    title, *rest = paragraphs or [""]
    body = "\n".join(f"<p>{html.escape(text)}</p>" for text in rest)
    return (
        f'<!doctype html>\n<html lang="{html.escape(lang)}" dir="{html.escape(direction)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{html.escape(title)}</title>\n<link rel="stylesheet" href="demo.css">\n</head>\n'
        f"<body>\n<main>\n<h1>{html.escape(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n"
    )


class WidgetInput(InputChannel):
    """The widget's files and data under ``/widget`` (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "widget"

    def url_prefix(self) -> str:
        # Rasa joins this to "/webhooks/"; an absolute path puts it at the root
        return "/widget"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        files = Blueprint("migrant_widget", __name__)

        @files.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            return response.redirect("demo.html")

        @files.route("/widget.js", methods=["GET"])
        async def script(request: Request) -> HTTPResponse:
            return _asset_response(request, widget_bundle())

        @files.route("/languages.json", methods=["GET"])
        async def languages(request: Request) -> HTTPResponse:
            pack = default_store().pack()
            return _json(language_list(pack.languages, pack.default_language))

        @files.route("/strings/<name>", methods=["GET"])
        async def strings(request: Request, name: str) -> HTTPResponse:
            pack = default_store().pack()
            lang = name.removesuffix(".json")
            if not name.endswith(".json") or not _LANG.match(lang) or lang not in pack.languages:
                return _json({"error": f"unknown language {lang[:10]!r}", "languages": list(pack.languages)}, status=404)
            return _json({"lang": lang, "direction": pack.languages[lang].direction, "strings": widget_strings(lang)})

        @files.route("/privacy", methods=["GET"])
        async def privacy(request: Request) -> HTTPResponse:
            pack = default_store().pack()
            asked = request.args.get("lang", "")
            lang = asked if asked in pack.languages else pack.default_language
            page = privacy_page(lang, pack.languages[lang].direction, privacy_notice(lang))
            headers = {**_PUBLIC, "Content-Security-Policy": PAGE_CSP, "Referrer-Policy": "no-referrer"}
            return response.html(page, headers=headers)

        plan_secret: list[bytes] = []  # read on the first plan asked for (the same secret as the session keys')

        @files.route("/plan/<name>", methods=["GET"])
        async def plan(request: Request, name: str) -> HTTPResponse:
            token, fmt = (name.removesuffix(".pdf"), "pdf") if name.endswith(".pdf") else (name, "html")
            if not plan_secret:
                plan_secret.append(load_session_secret())
            pack = default_store().pack()
            now = datetime.now(timezone.utc)
            # a PDF takes a good part of a second to write: not on the event loop that serves every conversation
            result = await asyncio.get_running_loop().run_in_executor(None, render_plan_response, token, fmt, pack, plan_secret[0], now)
            headers = {**PLAN_HEADERS, **result.headers}
            return response.raw(result.body, status=result.status, content_type=result.content_type, headers=headers)

        @files.route("/<name>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            asset = static_file(name)
            if asset is None:
                return _json({"error": "not found"}, status=404)
            return _asset_response(request, asset, {"Content-Security-Policy": DEMO_CSP} if name == "demo.html" else None)

        return files
