"""The assistant's interface strings (buttons, prompts, error messages): its gettext catalogs, edited in the draft.

The message id is the English text; each language's catalog gives its
translation. Saving runs the same check as ``make messages-check`` (every
string translated, placeholders such as ``{city}`` kept).
"""

from __future__ import annotations

import hashlib
import math
from io import BytesIO
from typing import Any

from aiohttp import web
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.staff.draft import Draft, text_hash
from bot.staff.templating import render
from bot.staff.views.content import problem_messages
from bot.staff.web import DRAFT, LANGUAGES, redirect, requires

routes = web.RouteTableDef()
TEMPLATE = "locales/messages.pot"


def catalog_file(lang: str) -> str:
    return f"locales/{lang}/LC_MESSAGES/messages.po"


def field_name(msgid: str) -> str:
    """A stable form field for a message (the id itself may hold any character)."""
    return "m_" + hashlib.sha256(msgid.encode("utf-8")).hexdigest()[:16]


def _read(text: str, lang: str | None = None) -> Catalog:
    return read_po(BytesIO(text.encode("utf-8")), locale=lang)


def _write(catalog: Catalog) -> str:
    out = BytesIO()
    write_po(out, catalog, width=100, no_location=True)  # the layout of `make messages-extract`
    return out.getvalue().decode("utf-8")


def _language(request: web.Request) -> str:
    lang = request.match_info["lang"]
    if lang not in request.app[LANGUAGES]:
        raise web.HTTPNotFound()
    return lang


CHARS_PER_LINE = 40  # about what a phone-wide box holds; a wider box shows the text in fewer lines
MAX_ROWS = 20


def textarea_rows(*texts: str) -> int:
    """Rows a box needs to show the longest of ``texts`` whole at phone width (the English text sizes an empty box)."""

    def lines(text: str) -> int:
        return sum(max(1, math.ceil(len(line) / CHARS_PER_LINE)) for line in text.split("\n"))

    return min(MAX_ROWS, max(2, *(lines(text) for text in texts)))


def _rows(draft: Draft, lang: str, submitted: dict[str, str] | None = None) -> list[dict[str, Any]]:
    template = [m.id for m in _read(draft.read_file(TEMPLATE)) if m.id]
    english = {m.id: m.string for m in _read(draft.read_file(catalog_file("en")), "en") if m.id}
    catalog = {m.id: m for m in _read(draft.read_file(catalog_file(lang)), lang) if m.id}
    rows = []
    for msgid in template:
        entry = catalog.get(msgid)
        value = submitted[field_name(msgid)] if submitted is not None else (entry.string if entry else "")
        status = "missing" if not value else ("stale" if entry is not None and entry.fuzzy else "ok")
        english_text = english.get(msgid) or msgid
        rows.append(
            {
                "id": msgid,
                "field": field_name(msgid),
                "english": english_text,
                "value": value,
                "status": status,
                "lines": textarea_rows(value, english_text),
            }
        )
    return rows


def _page(request: web.Request, lang: str, rows: list[dict[str, Any]], base: str, errors: list[str], status: int = 200) -> web.Response:
    context = {"lang": lang, "rows": rows, "base": base, "errors": errors, "languages": request.app[LANGUAGES]}
    context["may_edit"] = request["can"]("edit_language", lang)
    return render(request, "strings.html", context, status=status)


@routes.get("/strings")
@requires("read")
async def strings_index(request: web.Request) -> web.StreamResponse:
    user = request["user"]
    mine = [lang for lang in sorted(user.languages) if lang in request.app[LANGUAGES]]
    return redirect(f"/strings/{(mine or request.app[LANGUAGES])[0]}")


@routes.get("/strings/{lang}")
@requires("read")
async def strings_page(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    lang = _language(request)
    return _page(request, lang, _rows(draft, lang), text_hash(draft.read_file(catalog_file(lang))), [])


@routes.post("/strings/{lang}")
@requires("edit_language", lang_param="lang")
async def strings_save(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    lang = _language(request)
    form = await request.post()
    relative = catalog_file(lang)
    catalog = _read(draft.read_file(relative), lang)
    template = [m.id for m in _read(draft.read_file(TEMPLATE)) if m.id]
    submitted = {field_name(msgid): str(form.get(field_name(msgid), "")).strip() for msgid in template}
    before, after = {}, {}
    for msgid in template:
        entry = catalog.get(msgid)
        old = entry.string if entry else ""
        new = submitted[field_name(msgid)]
        if entry is None:
            entry = catalog.add(msgid, new)
        elif new != old:
            entry.string = new
            entry.flags.discard("fuzzy")  # a person has looked at it
        if new != old:
            before[msgid], after[msgid] = old, new
    base = str(form.get("base", ""))
    saved = await draft.save_file(relative, _write(catalog), base, request["user"].email, f"{lang} interface strings", before, after)
    if saved.refused:
        return _page(request, lang, _rows(draft, lang, submitted), base, problem_messages(request, saved), status=400)
    return redirect(f"/strings/{lang}?saved=1")
