"""Export and import of topic texts as CSV and XLSX, over real HTTP: changes are shown before they are applied."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import aiohttp
from openpyxl import load_workbook

from bot.core.content.check import MAX_ANSWER_CHARS
from tests.staff.harness import Browser
from tests.staff.test_content import draft_pack, errors_shown, topic_file


async def _download(browser: Browser, kind: str) -> bytes:
    async with browser.session.get(f"{browser.server.base}/export.{kind}") as answer:
        assert answer.status == 200
        assert answer.headers["Content-Disposition"] == f'attachment; filename="content.{kind}"'
        return await answer.read()


def _xlsx_rows(data: bytes) -> list[dict[str, str]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _upload(browser: Browser, name: str, data: bytes) -> tuple[int, str]:
    await browser.get("/import")
    form = aiohttp.FormData()
    form.add_field("csrf_token", browser.token)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    async with browser.session.post(f"{browser.server.base}/import", data=form, allow_redirects=False) as answer:
        return answer.status, await answer.text()


def _pending(page: str) -> str:
    return re.search(r'action="/import/([^"]+)"', page).group(1)


async def test_export_has_every_topic_in_every_language_as_csv_and_xlsx(sqlite_staff):
    server, browsers = sqlite_staff
    pack = draft_pack(server)
    csv_rows = list(csv.DictReader(io.StringIO((await _download(browsers["translator"], "csv")).decode("utf-8-sig"))))
    xlsx_rows = _xlsx_rows(await _download(browsers["translator"], "xlsx"))
    assert len(csv_rows) == len(xlsx_rows) == len(pack.answers()) * len(pack.languages)  # every topic's overview and entries
    row = next(r for r in xlsx_rows if r["topic"] == "taxes" and r["language"] == "lv")
    tr = pack.topics["taxes"].translations["lv"]
    assert row["answer"] == tr.answer and row["examples"].split("\n") == list(tr.examples) and row["status"] == "up to date"
    assert next(r for r in csv_rows if r["topic"] == "taxes" and r["language"] == "lv")["answer"] == tr.answer


async def test_an_xlsx_import_shows_the_changes_then_applies_them_together(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    rows = _xlsx_rows(await _download(editor, "xlsx"))
    lv = next(r for r in rows if r["topic"] == "taxes" and r["language"] == "lv")
    lv["answer"] += "\nJauna rinda no izklājlapas."
    lv["examples"] += "\nkā samaksāt nodokļus no izklājlapas"
    ru = next(r for r in rows if r["topic"] == "taxes" and r["language"] == "ru")
    ru["title"] = ru["title"] + " (РФ)"
    before = topic_file(server, "taxes")
    status, page = await _upload(editor, "content.xlsx", _xlsx(rows))
    assert status == 200, page
    shown = unescape(page)
    assert "What the file content.xlsx changes (3)" in shown and "Jauna rinda no izklājlapas." in shown
    assert topic_file(server, "taxes") == before  # nothing applied yet
    pending = _pending(page)
    status, page, _ = await editor.post(f"/import/{pending}", {})
    assert status == 303, page
    tr = draft_pack(server).topics["taxes"].translations
    assert tr["lv"].answer.endswith("Jauna rinda no izklājlapas.") and tr["lv"].examples[-1] == "kā samaksāt nodokļus no izklājlapas"
    assert tr["ru"].title.endswith(" (РФ)")
    _, versions, _ = await editor.get("/versions")
    assert "import content.xlsx" in versions
    status, _, _ = await editor.post(f"/import/{pending}", {})
    assert status == 404  # applied once only


async def test_a_csv_import_that_fails_the_checks_changes_nothing(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    rows = list(csv.DictReader(io.StringIO((await _download(editor, "csv")).decode("utf-8-sig"))))
    row = next(r for r in rows if r["topic"] == "housing" and r["language"] == "uk")
    row["answer"] = "- " + "я" * MAX_ANSWER_CHARS  # starts like a formula and is too long
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    before = topic_file(server, "housing")
    status, page = await _upload(editor, "content.csv", out.getvalue().encode("utf-8"))
    assert status == 200 and "What the file content.csv changes (1)" in unescape(page)
    status, page, _ = await editor.post(f"/import/{_pending(page)}", {})
    assert status == 400
    assert any(f"'uk' answer has {MAX_ANSWER_CHARS + 2} characters" in e for e in errors_shown(page)), errors_shown(page)
    assert topic_file(server, "housing") == before


async def test_unusable_files_and_rows_are_explained(sqlite_staff):
    _, browsers = sqlite_staff
    editor = browsers["editor"]
    bad_rows = b"topic,language,answer\r\nnope,lv,x\r\ntaxes,xx,y\r\ntaxes,lv,a\r\ntaxes,lv,b\r\n"
    status, page = await _upload(editor, "c.csv", bad_rows)
    assert status == 400
    assert errors_shown(page) == [
        "row 2: topic 'nope' does not exist",
        "row 3: language 'xx' is not one of en, lv, ru, uk",
        "row 5: taxes/lv appears twice",
    ]
    assert (await _upload(editor, "c.txt", b"x"))[0] == 400
    status, page = await _upload(editor, "c.xlsx", b"not a workbook")
    assert status == 400 and any("is not an XLSX workbook" in e for e in errors_shown(page))
    status, page = await _upload(editor, "c.csv", b"name,value\r\n")
    assert status == 400 and any("the first row must name the columns" in e for e in errors_shown(page))


async def test_a_translator_imports_only_their_languages_and_only_their_own_upload(sqlite_staff):
    server, browsers = sqlite_staff
    translator, editor = browsers["translator"], browsers["editor"]
    rows = _xlsx_rows(await _download(translator, "xlsx"))
    next(r for r in rows if r["topic"] == "study" and r["language"] == "ru")["title"] += "!"
    status, page = await _upload(translator, "content.xlsx", _xlsx(rows))
    assert status == 403 and "Your role does not allow editing the language ru." in unescape(page)
    rows = _xlsx_rows(await _download(translator, "xlsx"))
    next(r for r in rows if r["topic"] == "study" and r["language"] == "lv")["title"] += "!"
    status, page = await _upload(translator, "content.xlsx", _xlsx(rows))
    assert status == 200
    pending = _pending(page)
    await editor.get("/")
    assert (await editor.post(f"/import/{pending}", {}))[0] == 404  # not the editor's upload
    assert (await translator.post(f"/import/{pending}", {}))[0] == 303
    assert draft_pack(server).topics["study"].translations["lv"].title.endswith("!")
