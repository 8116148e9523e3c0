"""Sign-in, sessions, CSRF, rate limits, password hashing, the first admin and the audit log, over real HTTP.

Also the hardening of a security review: hostile spreadsheet uploads, the
sign-in's "next" address, and markup in office contacts.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import sqlite3
import time
import zipfile
from html import unescape
from urllib.parse import quote

import aiohttp
import pytest

from bot.staff import yamledit
from bot.staff.draft import text_hash
from tests.staff.harness import ADMIN_EMAIL, PASSWORD, PRODUCTION_HASHING, Browser, add_staff, user_id
from tests.staff.test_content import errors_shown

CSRF_MESSAGE = "missing its security token"


async def test_session_cookie_is_httponly_samesite_and_not_readable_as_the_id(sqlite_staff):
    server, _ = sqlite_staff
    browser = Browser(server)
    await browser.get("/sign-in")
    status, _, answer = await browser.post("/sign-in", {"email": "editor@example.lv", "password": PASSWORD})
    assert status == 303
    cookie = next(v for v in answer.headers.getall("Set-Cookie") if v.startswith("staff_session="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    session_id = cookie.split(";")[0].split("=", 1)[1]
    with sqlite3.connect(server.root / "staff.db") as db:
        stored = [row[0] for row in db.execute("select id_hash from staff_sessions")]
    # the database keeps only a hash of the id: a leaked table does not sign anyone in
    assert session_id not in stored and hashlib.sha256(session_id.encode()).hexdigest() in stored
    await browser.close()


async def test_secure_cookies_when_configured(fresh_server):
    server = fresh_server(MIGRANT_BOT_STAFF_SECURE_COOKIES="1")
    browser = Browser(server)
    _, _, answer = await browser.get("/sign-in")
    assert "Secure" in answer.headers["Set-Cookie"]
    await browser.close()


async def test_signing_out_ends_the_session_on_the_server(sqlite_staff):
    server, _ = sqlite_staff
    editor = Browser(server)
    assert await editor.sign_in("editor@example.lv") == 303
    stolen = {c.key: c.value for c in editor.session.cookie_jar}["staff_session"]
    status, _, _ = await editor.post("/sign-out", {})
    assert status == 303
    replay = Browser(server)
    replay.session.cookie_jar.update_cookies({"staff_session": stolen})
    status, _, answer = await replay.get("/topics")
    assert status == 303 and answer.headers["Location"].startswith("/sign-in")
    await replay.close()
    await editor.close()


async def test_passwords_are_stored_as_argon2id_with_the_production_cost(fresh_server):
    server = fresh_server(**PRODUCTION_HASHING)
    assert server.command("create-admin", "--email", ADMIN_EMAIL, stdin=PASSWORD + "\n", extra=PRODUCTION_HASHING).returncode == 0
    browser = Browser(server)
    await browser.sign_in(ADMIN_EMAIL)
    await browser.get("/users/new")
    assert (await browser.post("/users/new", [("email", "e@example.lv"), ("password", PASSWORD), ("roles", "editor")]))[0] == 303
    await browser.close()
    with sqlite3.connect(server.root / "staff.db") as db:
        hashes = [row[0] for row in db.execute("select password_hash from staff_users")]
    assert len(hashes) == 2
    assert all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in h for h in hashes)


async def test_wrong_password_is_refused_with_a_message(sqlite_staff):
    server, _ = sqlite_staff
    browser = Browser(server)
    assert await browser.sign_in("editor@example.lv", "not the password at all") == 401
    _, text, _ = await browser.post("/sign-in", {"email": "nobody@example.lv", "password": "whatever"})
    assert "Wrong e-mail or password." in text
    await browser.close()


@pytest.mark.parametrize("token", ["", "0" * 64], ids=["missing", "forged"])
async def test_csrf_token_missing_or_forged_is_refused(sqlite_staff, token):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    before = (server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8")
    status, text, _ = await editor.post("/topics/banking/lv", {"title": "x", "answer": "y", "examples": "z"}, token=token)
    assert status == 403 and CSRF_MESSAGE in text
    status, text, _ = await editor.post("/sign-out", {}, token=token)
    assert status == 403 and CSRF_MESSAGE in text
    assert (server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8") == before
    assert (await editor.get("/topics"))[0] == 200  # still signed in


async def test_csrf_token_of_another_session_is_refused(sqlite_staff):
    _, browsers = sqlite_staff
    await browsers["translator"].get("/")
    status, text, _ = await browsers["editor"].post("/sign-out", {}, token=browsers["translator"].token)
    assert status == 403 and CSRF_MESSAGE in text


async def test_sign_in_form_needs_its_token_too(sqlite_staff):
    server, _ = sqlite_staff
    browser = Browser(server)
    status, text, _ = await browser.post("/sign-in", {"email": ADMIN_EMAIL, "password": PASSWORD}, token="")
    assert status == 403 and CSRF_MESSAGE in text
    await browser.close()


async def test_account_rate_limit_answers_429_and_survives_a_restart(fresh_server):
    server = fresh_server(MIGRANT_BOT_STAFF_ACCOUNT_FAILURES="3")
    assert server.command("create-admin", "--email", ADMIN_EMAIL, stdin=PASSWORD + "\n").returncode == 0
    browser = Browser(server)
    for _ in range(3):
        assert await browser.sign_in(ADMIN_EMAIL, "wrong password guess") == 401
    await browser.get("/sign-in")
    status, text, answer = await browser.post("/sign-in", {"email": ADMIN_EMAIL, "password": PASSWORD})
    assert status == 429 and "Too many failed sign-ins" in text
    assert 800 < int(answer.headers["Retry-After"]) <= 900
    await browser.close()
    server.stop()
    server.start()  # the same database: the failures are still counted
    browser = Browser(server)
    assert await browser.sign_in(ADMIN_EMAIL) == 429
    assert await browser.sign_in("other@example.lv", "some password") == 401  # another account is not blocked
    await browser.close()


async def test_address_rate_limit_across_accounts(fresh_server):
    server = fresh_server(MIGRANT_BOT_STAFF_IP_FAILURES="4")
    assert server.command("create-admin", "--email", ADMIN_EMAIL, stdin=PASSWORD + "\n").returncode == 0
    browser = Browser(server)
    for n in range(4):
        assert await browser.sign_in(f"guess{n}@example.lv", "wrong password") == 401
    assert await browser.sign_in(ADMIN_EMAIL) == 429
    await browser.close()


async def test_first_admin_needs_a_real_password(fresh_server):
    server = fresh_server()
    for stdin in ("\n", "short\n"):
        made = server.command("create-admin", "--email", "boss@example.lv", stdin=stdin)
        assert made.returncode == 2 and "at least 12 characters" in made.stderr
    assert server.command("create-admin", "--email", "not-an-email", stdin=PASSWORD + "\n").returncode == 2
    made = server.command("create-admin", "--email", "boss@example.lv", extra={"MIGRANT_BOT_STAFF_ADMIN_PASSWORD": PASSWORD})
    assert made.returncode == 0, made.stderr
    again = server.command("create-admin", "--email", "boss@example.lv", stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "exists already" in again.stderr
    browser = Browser(server)
    assert await browser.sign_in("boss@example.lv") == 303
    assert (await browser.get("/users"))[0] == 200
    await browser.close()


async def test_admin_changes_are_audited_and_take_effect(sqlite_staff):
    server, browsers = sqlite_staff
    admin = browsers["admin"]
    _, page, _ = await admin.get("/users")
    publisher_id = user_id(page, "publisher@example.lv")
    await admin.get(f"/users/{publisher_id}")
    status, _, _ = await admin.post(
        f"/users/{publisher_id}", [("name", "pub"), ("roles", "publisher"), ("roles", "editor"), ("active", "on")]
    )
    assert status == 303
    with sqlite3.connect(server.root / "staff.db") as db:
        actor, before, after = db.execute(
            "select actor, before, after from staff_audit_log where action='user.update' order by id desc limit 1"
        ).fetchone()
    assert actor == ADMIN_EMAIL and '"roles": ["publisher"]' in before and '"roles": ["editor", "publisher"]' in after
    assert (await browsers["publisher"].get("/topics/banking"))[0] == 200
    # deactivating signs the person out at once
    await admin.get(f"/users/{publisher_id}")
    assert (await admin.post(f"/users/{publisher_id}", [("name", "pub"), ("roles", "publisher")]))[0] == 303
    assert (await browsers["publisher"].get("/topics"))[0] == 303
    assert await Browser(server).sign_in("publisher@example.lv") == 401
    _, audit_page, _ = await admin.get("/audit")
    assert "user.update" in audit_page and "user.create" in audit_page and "sign_in" in audit_page


async def test_admin_form_errors_are_shown_and_nothing_saved(sqlite_staff):
    _, browsers = sqlite_staff
    admin = browsers["admin"]
    await admin.get("/users/new")
    status, text, _ = await admin.post("/users/new", [("email", "nope"), ("password", "short"), ("roles", "translator")])
    assert status == 400
    for message in ("Enter a valid e-mail address.", "at least 12 characters", "A translator needs at least one language."):
        assert message in text
    status, text, _ = await admin.post("/users/new", [("email", "editor@example.lv"), ("password", PASSWORD), ("roles", "editor")])
    assert status == 400 and "exists already" in text
    _, page, _ = await admin.get("/users")
    admin_id = user_id(page, ADMIN_EMAIL)
    status, text, _ = await admin.post(f"/users/{admin_id}", [("roles", "editor"), ("active", "on")])
    assert status == 400 and "cannot remove your own admin role" in text


# --- spreadsheet uploads that inflate, spread or block (bot/staff/spreadsheet.py) -----------------------------------

_XML = b'<?xml version="1.0" encoding="UTF-8"?>'
_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = b"http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEADER = ("topic", "language", "title", "answer", "examples", "status")


def _inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _row(number: int, *cells: bytes) -> bytes:
    return f'<row r="{number}">'.encode() + b"".join(cells) + b"</row>"


def _header_row() -> bytes:
    return _row(1, *(_inline(f"{column}1", name) for column, name in zip("ABCDEF", _HEADER, strict=True)))


def _workbook(rows: bytes, dimension: str = "", strings: tuple[bytes, ...] = ()) -> bytes:
    """A minimal XLSX archive written by hand: what a hostile upload can contain that openpyxl never writes."""
    sml = b"application/vnd.openxmlformats-officedocument.spreadsheetml."
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    shared = b"".join(b"<si><t>" + s + b"</t></si>" for s in strings)
    parts = {
        "[Content_Types].xml": _XML + b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="' + sml + b'sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="' + sml + b'worksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + sml + b'sharedStrings+xml"/>'
        b"</Types>",
        "_rels/.rels": _XML + b'<Relationships xmlns="' + _RELS + b'"><Relationship Id="rId1" Type="' + _DOC + b'/officeDocument" '
        b'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": _XML + b'<workbook xmlns="' + _MAIN + b'" xmlns:r="' + _DOC + b'"><sheets>'
        b'<sheet name="content" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": _XML + b'<Relationships xmlns="' + _RELS + b'">'
        b'<Relationship Id="rId1" Type="' + _DOC + b'/worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="' + _DOC + b'/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": _XML + b'<worksheet xmlns="' + _MAIN + b'">' + dim + b"<sheetData>" + rows + b"</sheetData>"
        b"</worksheet>",
        "xl/sharedStrings.xml": _XML + b'<sst xmlns="' + _MAIN + b'">' + shared + b"</sst>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _one_string_everywhere() -> bytes:
    """3 KB: one 100,000-character shared string in 200 cells (before the limits: a 20 MB stored import and page)."""
    shared = b'<c r="D%d" t="s"><v>0</v></c>'
    cells = b"".join(_row(n, _inline(f"A{n}", "taxes"), _inline(f"B{n}", "lv"), shared % n) for n in range(2, 200))
    return _workbook(_header_row() + cells, strings=(b"x" * 100_000,))


def _declared_wide() -> bytes:
    """27 KB declaring A1:XFD5000: openpyxl padded every row to 16,384 columns (5.6 s of a blocked server)."""
    return _workbook(_header_row() + b"".join(_row(n, _inline(f"A{n}", "taxes")) for n in range(2, 5000)), dimension="A1:XFD5000")


def _zip_bomb() -> bytes:
    """60 KB inflating to 60 MB."""
    return _workbook(_header_row(), strings=(b"0" * 60_000_000,))


def _many_cells() -> bytes:
    """60,000 small cells without a dimension."""
    rows = b"".join(_row(n, *(b'<c r="%s%d"><v>1</v></c>' % (c.encode(), n) for c in "ABCDEFGHIJKL")) for n in range(2, 5002))
    return _workbook(_header_row() + rows)


async def _upload(browser: Browser, name: str, data: bytes) -> tuple[int, str, float]:
    await browser.get("/import")
    form = aiohttp.FormData()
    form.add_field("csrf_token", browser.token)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    started = time.monotonic()
    async with browser.session.post(f"{browser.server.base}/import", data=form, allow_redirects=False) as answer:
        return answer.status, await answer.text(), time.monotonic() - started


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_one_string_everywhere, "characters; a cell holds at most 5000"),
        (_declared_wide, "a sheet has 81920000 cells; at most 50000 are read"),
        (_zip_bomb, "the workbook unpacks to more than 20 MB"),
        (_many_cells, "a sheet has 60006 cells; at most 50000 are read"),
    ],
    ids=["one-string-everywhere", "declared-wide", "zip-bomb", "many-cells"],
)
async def test_a_hostile_xlsx_is_refused_before_it_is_parsed(sqlite_staff, make, message):
    server, browsers = sqlite_staff
    data = make()
    assert len(data) < 200_000  # small files: the request size limit (2 MB) does not stop them
    status, page, _ = await _upload(browsers["editor"], "content.xlsx", data)
    assert status == 400 and message in unescape(page), unescape(page)[-3000:]
    assert len(page) < 100_000  # at most 20 problems are listed
    with sqlite3.connect(server.root / "staff.db") as db:
        assert db.execute("select count(*) from staff_pending_imports").fetchone()[0] == 0


async def test_the_limits_are_explained_in_the_staff_members_language(sqlite_staff):
    server, _ = sqlite_staff
    browser = Browser(server)
    assert await browser.sign_in("editor@example.lv") == 303
    await browser.get("/import")
    await browser.post("/ui-language", {"lang": "lv", "next": "/import"})
    status, page, _ = await _upload(browser, "content.xlsx", _zip_bomb())
    assert status == 400 and "atarhivēta darbgrāmata ir lielāka par 20 MB" in unescape(page)
    await browser.close()


LARGE_ROWS = 4990  # with ten cells each and the header: 49,906 cells, within the limit


def _legal_but_large() -> bytes:
    """4,990 rows of ten cells (within every limit): reading takes a while, so it must not hold up other requests."""

    def cells(n: int) -> list[bytes]:
        return [_inline(f"A{n}", "taxes"), _inline(f"B{n}", "xx"), *(_inline(f"{c}{n}", "w" * 30) for c in "CDEFGHIJ")]

    return _workbook(_header_row() + b"".join(_row(n, *cells(n)) for n in range(2, LARGE_ROWS + 2)))


async def test_reading_an_upload_leaves_the_server_free_for_other_requests(sqlite_staff):
    server, browsers = sqlite_staff
    data = _legal_but_large()
    pinger = Browser(server)
    latencies: list[float] = []
    done = asyncio.Event()

    async def ping() -> None:
        while not done.is_set():
            started = time.monotonic()
            async with pinger.session.get(f"{server.base}/static/staff.css") as answer:
                assert answer.status == 200
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.02)

    pinging = asyncio.create_task(ping())
    await asyncio.sleep(0.3)
    status, page, took = await _upload(browsers["editor"], "content.xlsx", data)
    done.set()
    await pinging
    await pinger.close()
    shown = unescape(page)
    assert status == 400 and "row 2: language 'xx' is not one of" in shown  # read to the end, then refused row by row
    assert f"... and {LARGE_ROWS - 20} more problems." in shown and len(page) < 100_000
    # before, the whole read ran on the event loop: a request waited as long as the upload took
    assert took > 0.3 and max(latencies) < took / 2, (took, sorted(latencies)[-5:])


async def test_an_import_waits_30_minutes_and_expired_ones_are_removed_on_a_timer(fresh_server):
    server = fresh_server(MIGRANT_BOT_STAFF_HOUSEKEEPING_DELAY_S="1")
    browsers = await add_staff(server)
    status, page, _ = await _upload(browsers["editor"], "c.csv", b"topic,language,title\r\ntaxes,lv,Nodokli jauni\r\n")
    assert status == 200, page
    pending = re.search(r'action="/import/([^"]+)"', page).group(1)
    server.stop()
    with sqlite3.connect(server.root / "staff.db") as db:  # one upload 31 minutes old, a copy of it 29 minutes old
        row = db.execute("select user_id, filename, changes, bases from staff_pending_imports where id = ?", (pending,)).fetchone()
        db.execute("update staff_pending_imports set created_at = ? where id = ?", (time.time() - 31 * 60, pending))
        db.execute("insert into staff_pending_imports values ('recent', ?, ?, ?, ?, ?)", (row[0], time.time() - 29 * 60, *row[1:]))
    for browser in browsers.values():
        await browser.close()
    server.start()  # nobody uploads again: the timer removes the expired one
    deadline = time.monotonic() + 20
    while True:
        with sqlite3.connect(server.root / "staff.db") as db:
            left = sorted(r[0] for r in db.execute("select id from staff_pending_imports"))
        if left == ["recent"] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert left == ["recent"]
    browser = Browser(server)
    assert await browser.sign_in("editor@example.lv") == 303
    assert (await browser.post(f"/import/{pending}", {}))[0] == 404
    await browser.close()


# --- the sign-in "next" address (bot/staff/views/auth.py) -----------------------------------------------------------

OPEN_REDIRECTS = [
    "/%09/evil.example/x",  # the browser drops the tab: //evil.example/x
    "/\t/evil.example/x",
    "/%0a/evil.example",
    "/%0d%0aSet-Cookie:x=1",
    "//evil.example",
    "/%2F/evil.example",
    "/%252F%252Fevil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/ /evil.example",
    "/\u2028/evil.example",
    "/\u200b/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
async def test_sign_in_goes_only_to_a_path_on_this_site(sqlite_staff, target):
    server, _ = sqlite_staff
    browser = Browser(server)
    status, page, _ = await browser.get(f"/sign-in?next={quote(target, safe='/%')}")
    assert status == 200 and 'name="next" value="/"' in page
    status, _, answer = await browser.post("/sign-in", {"email": "editor@example.lv", "password": PASSWORD, "next": target})
    assert status == 303 and answer.headers["Location"] == "/"
    await browser.get("/")  # the signed-in session's token
    status, _, answer = await browser.post("/ui-language", {"lang": "lv", "next": target})
    assert status == 303 and answer.headers["Location"] == "/"
    await browser.close()


async def test_sign_in_still_returns_to_the_page_asked_for(sqlite_staff):
    server, _ = sqlite_staff
    browser = Browser(server)
    status, _, answer = await browser.get("/topics/banking")
    assert status == 303 and answer.headers["Location"] == "/sign-in?next=/topics/banking"
    await browser.get("/sign-in?next=/topics/banking")
    status, _, answer = await browser.post("/sign-in", {"email": "editor@example.lv", "password": PASSWORD, "next": "/topics/banking"})
    assert status == 303 and answer.headers["Location"] == "/topics/banking"
    await browser.close()


# --- office and branch contacts (bot/staff/contacts.py) -------------------------------------------------------------


def _office_form(server, **changes: str) -> list[tuple[str, str]]:
    text = (server.draft_pack / "offices.yml").read_text(encoding="utf-8")
    raw = yamledit.load(text)["offices"]["ocma"]
    values = {key: str(raw.get(key) or "") for key in ("short", "website", "phone", "email", "address")}
    values.update(changes)
    fields = [("base", text_hash(text)), ("sources", "\n".join(raw.get("sources") or [])), ("reviewed", str(raw.get("reviewed") or ""))]
    return fields + list(values.items()) + [(f"name_{lang}", name) for lang, name in raw["name"].items()]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", 'pmlp@pmlp.gov.lv"><script>alert(1)</script>', "Enter one e-mail address"),
        ("email", "pmlp@pmlp.gov.lv, other@example.lv", "Enter one e-mail address"),
        ("email", "<b>pmlp</b>@pmlp.gov.lv", "Enter one e-mail address"),
        ("website", 'https://www.pmlp.gov.lv/"onmouseover="alert(1)', "Enter the website as one https:// address"),
        ("website", "https://www.pmlp.gov.lv/<script>", "Enter the website as one https:// address"),
        ("website", "javascript:alert(1)", "website 'javascript:alert(1)' is not a valid https:// address"),  # the content's rule
        ("website", "https://www.pmlp.gov.lv/a b", "Enter the website as one https:// address"),
    ],
)
async def test_an_office_contact_with_markup_is_refused(sqlite_staff, field, value, message):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    before = (server.draft_pack / "offices.yml").read_text(encoding="utf-8")
    await editor.get("/offices/ocma")
    status, page, _ = await editor.post("/offices/ocma", _office_form(server, **{field: value}))
    assert status == 400 and any(message in e for e in errors_shown(page)), page[-2000:]
    assert (server.draft_pack / "offices.yml").read_text(encoding="utf-8") == before


async def test_a_plain_office_contact_is_saved_and_a_branch_booking_page_is_checked_too(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    await editor.get("/offices/ocma")
    form = _office_form(server, email="info.desk+lv@pmlp.gov.lv", website="https://www.pmlp.gov.lv/lv/kontakti?x=1#riga")
    status, page, _ = await editor.post("/offices/ocma", form)
    assert status == 303, page[-2000:]
    raw = yamledit.load((server.draft_pack / "offices.yml").read_text(encoding="utf-8"))["offices"]["ocma"]
    assert raw["email"] == "info.desk+lv@pmlp.gov.lv"
    text = (server.draft_pack / "branches" / "ocma.yml").read_text(encoding="utf-8")
    branch = next(b for b in yamledit.load(text)["branches"] if b["id"] == "ocma_riga_3")
    fields = [("base", text_hash(text)), ("sources", "\n".join(branch.get("sources") or []))]
    fields += [("reviewed", str(branch.get("reviewed") or ""))]
    fields += [(key, str(branch.get(key) or "")) for key in ("city", "address", "phone", "email", "website")]
    fields += [("booking", "https://pieraksts.example.lv/'><img src=x>")] + [(f"name_{lang}", n) for lang, n in branch["name"].items()]
    hours = branch.get("hours") or {}
    fields += [(f"hours_{day}", ", ".join(hours.get(day) or [])) for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
    await editor.get("/offices/ocma/branches/ocma_riga_3")
    status, page, _ = await editor.post("/offices/ocma/branches/ocma_riga_3", fields)
    assert status == 400 and any("Enter the booking page as one https:// address" in e for e in errors_shown(page))
    assert (server.draft_pack / "branches" / "ocma.yml").read_text(encoding="utf-8") == text
