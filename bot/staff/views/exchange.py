"""Export and import of topic and entry texts as a spreadsheet (CSV, XLSX), with the changes shown before they are applied.

An upload is read in a worker thread (openpyxl is CPU work that would hold up
every other request). The changes it would make wait in ``staff_pending_imports``
for the person to confirm, for ``PENDING_SECONDS`` at most; a periodic job
(``delete_expired_imports``, started in bot/staff/app.py) removes the expired ones.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import secrets
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from aiohttp import web
from sqlalchemy import delete, select

from bot.core.content.model import ENTRY_SEPARATOR, Pack
from bot.staff import spreadsheet, yamledit
from bot.staff.db import pending_imports
from bot.staff.draft import Draft, FileChange, text_hash
from bot.staff.templating import render
from bot.staff.views.content import problem_messages
from bot.staff.web import DRAFT, ENGINE, error_page, redirect, requires

routes = web.RouteTableDef()
PENDING_SECONDS = 30 * 60  # an upload's changes wait this long for the person to confirm them
CLEANUP_EVERY_S = 5 * 60
_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@routes.get("/export.{kind:csv|xlsx}")
@requires("read")
async def export(request: web.Request) -> web.StreamResponse:
    kind = request.match_info["kind"]
    rows = spreadsheet.export_rows(await request.app[DRAFT].pack())
    body = await asyncio.to_thread(spreadsheet.to_csv if kind == "csv" else spreadsheet.to_xlsx, rows)
    headers = {"Content-Disposition": f'attachment; filename="content.{kind}"'}
    return web.Response(body=body, headers=headers, content_type=_TYPES[kind].split(";")[0], charset="utf-8" if kind == "csv" else None)


def _import_page(request: web.Request, errors: list[str], status: int = 200, **context: Any) -> web.Response:
    return render(request, "import.html", {"errors": errors, "changes": None, "pending": None, **context}, status=status)


@routes.get("/import")
@requires("read")
async def import_form(request: web.Request) -> web.StreamResponse:
    return _import_page(request, [])


def _forbidden(request: web.Request, changes: list[spreadsheet.Change]) -> list[str]:
    _ = request["_"]
    langs = sorted({c.lang for c in changes if not request["can"]("edit_language", c.lang)})
    return [_("Your role does not allow editing the language %(lang)s.") % {"lang": lang} for lang in langs]


async def delete_expired_imports(app: web.Application) -> int:
    """Removes the uploads nobody confirmed in time; returns how many (the periodic job of bot/staff/app.py)."""
    async with app[ENGINE].begin() as conn:
        result = await conn.execute(delete(pending_imports).where(pending_imports.c.created_at <= time.time() - PENDING_SECONDS))
    return int(result.rowcount or 0)


#: Reads uploaded files in a process of its own: openpyxl's XML parsing holds the GIL for up to half a second
#: at a time, which a worker thread would take from every other request (measured: a 0.45 s gap on an idle machine).
_reader: ProcessPoolExecutor | None = None


def _file_reader() -> ProcessPoolExecutor:
    global _reader
    if _reader is None:
        _reader = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _reader


async def close_file_reader(_: web.Application) -> None:
    """Stops the reading process with the app."""
    global _reader
    if _reader is not None:
        _reader.shutdown(wait=False, cancel_futures=True)
        _reader = None


async def _read_changes(pack: Pack, filename: str, data: bytes) -> list[spreadsheet.Change]:
    global _reader
    try:
        rows = await asyncio.get_running_loop().run_in_executor(_file_reader(), spreadsheet.read_upload, filename, data)
    except BrokenProcessPool:  # the reader died (killed, out of memory): the next upload gets a new one
        _reader = None
        raise
    return await asyncio.to_thread(spreadsheet.changes, pack, rows)


@routes.post("/import")
@requires("read")
async def import_upload(request: web.Request) -> web.StreamResponse:
    _ = request["_"]
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        return _import_page(request, [_("Choose a file to upload.")], status=400)
    draft: Draft = request.app[DRAFT]
    try:
        found = await _read_changes(await draft.pack(), upload.filename, upload.file.read())
    except spreadsheet.SheetError as error:
        return _import_page(request, error.messages(_), status=400)
    forbidden = _forbidden(request, found)
    if forbidden:
        return _import_page(request, forbidden, status=403)
    if not found:
        return _import_page(request, [], nothing=True)
    files = sorted({_file_of(c) for c in found})
    pending_id = secrets.token_urlsafe(24)
    row = {
        "id": pending_id,
        "user_id": request["user"].id,
        "created_at": time.time(),
        "filename": upload.filename[:300],
        "changes": json.dumps([c.as_dict() for c in found], ensure_ascii=False),
        "bases": json.dumps({f: text_hash(draft.read(f)) for f in files}),
    }
    async with request.app[ENGINE].begin() as conn:
        await conn.execute(pending_imports.insert().values(**row))
    return _import_page(request, [], changes=found, pending=pending_id, filename=upload.filename)


def _label(change: spreadsheet.Change) -> str:
    """How the audit row names a change's field: ``lv.answer`` for the overview, ``fee.lv.answer`` for an entry."""
    key = change.topic.partition(ENTRY_SEPARATOR)[2]
    return f"{key}." if key else ""


def _file_of(change: spreadsheet.Change) -> str:
    """The topic file that holds a change's answer (a topic's overview or one of its entries)."""
    return f"topics/{change.topic.partition(ENTRY_SEPARATOR)[0]}.yml"


@routes.post("/import/{pending}")
@requires("read")
async def import_apply(request: web.Request) -> web.StreamResponse:
    _ = request["_"]
    engine = request.app[ENGINE]
    query = select(pending_imports).where(
        pending_imports.c.id == request.match_info["pending"],
        pending_imports.c.user_id == request["user"].id,
        pending_imports.c.created_at > time.time() - PENDING_SECONDS,
    )
    async with engine.connect() as conn:
        pending = (await conn.execute(query)).mappings().first()
    if pending is None:
        return error_page(request, 404, _("This import has expired or was applied already. Upload the file again."))
    found = [spreadsheet.Change(**c) for c in json.loads(pending["changes"])]
    forbidden = _forbidden(request, found)
    if forbidden:
        return _import_page(request, forbidden, status=403)
    draft: Draft = request.app[DRAFT]
    bases = json.loads(pending["bases"])
    by_file: dict[str, list[spreadsheet.Change]] = {}
    for change in found:
        by_file.setdefault(_file_of(change), []).append(change)
    file_changes = []
    for relative, changes in by_file.items():
        data = yamledit.load(draft.read(relative))
        for (answer_id, lang), values in spreadsheet.as_values(changes).items():
            _topic, _sep, key = answer_id.partition(ENTRY_SEPARATOR)
            target = yamledit.answer_mapping(data, key or None)
            if target is None:  # the entry was deleted since the upload
                gone = _("The entry %(id)s no longer exists. Upload the file again.") % {"id": answer_id}
                return _import_page(request, [gone], status=409)
            yamledit.set_translation(target, lang, values)
        before = {f"{_label(c)}{c.lang}.{c.field}": c.before for c in changes}
        after = {f"{_label(c)}{c.lang}.{c.field}": c.after for c in changes}
        file_changes.append(FileChange(draft.pack_file(relative), yamledit.dump(data), bases[relative], relative, before, after))
    saved = await draft.save_files(file_changes, request["user"].email, f"import {pending['filename']}")
    if saved.refused:
        return _import_page(request, problem_messages(request, saved), status=400, changes=found, pending=None)
    async with engine.begin() as conn:
        await conn.execute(delete(pending_imports).where(pending_imports.c.id == pending["id"]))
    return redirect("/versions?saved=1")
