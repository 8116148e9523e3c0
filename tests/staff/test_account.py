"""A person changes their own password, and an admin reads the audit log by person, action and page, over real HTTP.

Assertions on Latvian words use the translations of
bot/staff/locales/lv/LC_MESSAGES/messages.po (see ``LATVIAN``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timezone
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.staff.harness import ADMIN_EMAIL, PASSWORD, Browser, StaffServer, add_staff

EDITOR = "editor@example.lv"
NEW_PASSWORD = "three unrelated words again"
ROBOT = "robot@example.lv"
ROBOT_ROWS = 120
# 12:03 UTC on 5 December 2026 is 14:03 in Riga (EET, UTC+2)
KNOWN_AT = datetime(2026, 12, 5, 12, 3, tzinfo=timezone.utc).timestamp()
LATVIAN = {  # the Latvian of the strings these tests read (as the catalog holds them)
    "Saved content in the draft": "Saglabāja saturu melnrakstā",
    "Change password": "Mainīt paroli",
    "This is not your current password.": "Šī nav jūsu pašreizējā parole.",
}


def _password_hash(server: StaffServer, email: str) -> str:
    with sqlite3.connect(server.root / "staff.db") as db:
        return db.execute("select password_hash from staff_users where email = ?", (email,)).fetchone()[0]


def _audit_rows(server: StaffServer, action: str) -> list[tuple]:
    with sqlite3.connect(server.root / "staff.db") as db:
        return db.execute("select actor, target, before, after from staff_audit_log where action = ? order by id", (action,)).fetchall()


def _whole_audit_log(server: StaffServer) -> str:
    with sqlite3.connect(server.root / "staff.db") as db:
        return json.dumps(db.execute("select * from staff_audit_log").fetchall(), ensure_ascii=False)


def _field_error(page: str, field: str) -> str:
    """The message shown next to ``field`` ("" when there is none)."""
    found = re.search(rf'<ul class="errors field-errors" id="errors-{field}"><li>(.*?)</li>', page, re.DOTALL)
    return unescape(found.group(1)) if found else ""


async def _sign_in_once(server: StaffServer, email: str, password: str = PASSWORD) -> int:
    """A sign-in from a browser of its own (closed after)."""
    browser = Browser(server)
    try:
        return await browser.sign_in(email, password)
    finally:
        await browser.close()


def _password_form(current: str, new: str, again: str | None = None) -> dict[str, str]:
    return {"current_password": current, "new_password": new, "new_password_again": new if again is None else again}


async def test_a_person_changes_their_own_password_and_their_other_sessions_end(fresh_server):
    server = fresh_server()
    browsers = await add_staff(server)
    editor = browsers["editor"]
    elsewhere = Browser(server)  # the same person signed in on another device
    assert await elsewhere.sign_in(EDITOR) == 303
    hash_before = _password_hash(server, EDITOR)

    status, page, _ = await editor.get("/")
    assert status == 200 and '<a href="/account/password" id="account-password"' in page  # in the header, beside the name
    status, page, _ = await editor.get("/account/password")
    assert status == 200 and all(f'name="{field}"' in page for field in ("current_password", "new_password", "new_password_again"))
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page

    refused = [
        (_password_form("not my password at all", NEW_PASSWORD), "current_password", "This is not your current password."),
        (_password_form(PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!"), "new_password_again", "The two new passwords differ."),
        (_password_form(PASSWORD, "too short"), "new_password", "The password needs at least 12 characters."),
        (_password_form(PASSWORD, "x" * 201), "new_password", "The password may have at most 200 characters."),
    ]
    for form, field, message in refused:
        status, page, _ = await editor.post("/account/password", form)
        assert status == 400 and message in _field_error(page, field), (field, page[-3000:])
        assert f'id="{field}" name="{field}"' in page and 'aria-invalid="true"' in page
        assert PASSWORD not in page and NEW_PASSWORD not in page  # typed passwords are never sent back
        assert _password_hash(server, EDITOR) == hash_before, field
        assert (await elsewhere.get("/topics"))[0] == 200, field  # nothing changed: still signed in elsewhere
    assert _audit_rows(server, "password.change.failed") == [(EDITOR, EDITOR, None, None)]  # only the wrong current password

    status, _, answer = await editor.post("/account/password", _password_form(PASSWORD, NEW_PASSWORD))
    assert status == 303 and answer.headers["Location"] == "/account/password?changed=1"
    status, page, _ = await editor.get("/account/password?changed=1")
    assert status == 200 and 'id="password-changed"' in page and "Your password was changed." in page
    assert _password_hash(server, EDITOR) != hash_before
    assert (await editor.get("/topics"))[0] == 200  # this session goes on
    status, _, answer = await elsewhere.get("/topics")  # the other one ended
    assert status == 303 and answer.headers["Location"].startswith("/sign-in")
    assert await _sign_in_once(server, EDITOR, PASSWORD) == 401
    assert await elsewhere.sign_in(EDITOR, NEW_PASSWORD) == 303

    assert _audit_rows(server, "password.change") == [(EDITOR, EDITOR, None, json.dumps({"other_sessions_ended": 1}))]
    whole_log = _whole_audit_log(server)
    assert PASSWORD not in whole_log and NEW_PASSWORD not in whole_log and "$argon2" not in whole_log
    for browser in [*browsers.values(), elsewhere]:
        await browser.close()


async def test_wrong_current_passwords_count_against_the_sign_in_limit(fresh_server):
    """Guessing the password of a session left open is limited like guessing on the sign-in page (the same counter)."""
    server = fresh_server(MIGRANT_BOT_STAFF_ACCOUNT_FAILURES="3")
    browsers = await add_staff(server)
    editor = browsers["editor"]
    hash_before = _password_hash(server, EDITOR)
    await editor.get("/account/password")
    for _ in range(3):
        status, _, _ = await editor.post("/account/password", _password_form("a wrong guess here", NEW_PASSWORD))
        assert status == 400
    status, page, answer = await editor.post("/account/password", _password_form(PASSWORD, NEW_PASSWORD))
    assert status == 429 and "Too many wrong passwords for this account. Nothing was changed." in unescape(page)
    assert 800 < int(answer.headers["Retry-After"]) <= 900
    assert _password_hash(server, EDITOR) == hash_before
    assert await _sign_in_once(server, EDITOR) == 429  # the sign-in page counts them too
    assert await _sign_in_once(server, "publisher@example.lv") == 303  # only this account
    for browser in browsers.values():
        await browser.close()


def _add_audit_rows(server: StaffServer) -> None:
    """The robot's rows: 120 alternating content saves and sign-ins, oldest first; the last save at a known time."""
    rows = []
    for number in range(ROBOT_ROWS):
        save = number % 2 == 0
        before = {"answer": f"old answer {number}", "title": "Same title", "name": {"lv": "Vārds"}} if save else None
        after = {"answer": f"<b>new</b> answer {number}\nsecond line", "title": "Same title", "examples": ["one", "two"], "active": True}
        at = KNOWN_AT if number == ROBOT_ROWS - 2 else KNOWN_AT - 86400 + number
        action = "content.save" if save else "sign_in"
        rows.append(
            (at, ROBOT, action, f"topics/t{number}.yml", json.dumps(before) if before else None, json.dumps(after) if save else None)
        )
    with sqlite3.connect(server.root / "staff.db") as db:
        db.executemany("insert into staff_audit_log (at, actor, action, target, before, after) values (?, ?, ?, ?, ?, ?)", rows)


def _row_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr id="audit-(\d+)">', page)]


def _link(page: str, kind: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="\w+" class="{kind}">', page)
    return unescape(found.group(1)) if found else None


def _row(page: str, target: str) -> str:
    return page.split(f"<td>{target}</td>", 1)[1].split("</tr>", 1)[0]


async def _follow(admin: Browser, link: str | None) -> str:
    assert link is not None
    status, page, _ = await admin.get(link)
    assert status == 200
    return page


async def test_the_audit_log_by_person_action_and_page(fresh_server):
    server = fresh_server()
    browsers = await add_staff(server)
    admin = browsers["admin"]
    assert await _sign_in_once(server, "somebody.typing@example.lv") == 401  # a failed sign-in: its typed e-mail is no "who"
    _add_audit_rows(server)

    _, page, _ = await admin.get("/audit")
    assert f'<option value="{ROBOT}">' in page and f'<option value="{ADMIN_EMAIL}">' in page
    assert '<option value="somebody.typing@example.lv">' not in page
    assert '<option value="content.save">Saved content in the draft</option>' in page
    failed = await _follow(admin, "/audit?action=sign_in.failed")
    assert "Matching rows: 1." in failed and "<td>somebody.typing@example.lv</td>" in failed

    # one person: 50 rows a page, newest first, the links keep the filter
    first = await _follow(admin, f"/audit?actor={ROBOT}")
    assert f"Matching rows: {ROBOT_ROWS}." in first and f'<option value="{ROBOT}" selected>' in first
    assert _link(first, "newer") is None
    second = await _follow(admin, _link(first, "older"))
    third = await _follow(admin, _link(second, "older"))
    assert _link(third, "older") is None
    pages = [_row_ids(first), _row_ids(second), _row_ids(third)]
    assert [len(ids) for ids in pages] == [50, 50, 20]
    every_id = [row_id for ids in pages for row_id in ids]
    assert every_id == sorted(every_id, reverse=True) and len(set(every_id)) == ROBOT_ROWS
    assert set(re.findall(r'<td data-label="Who">(.*?)</td>', first + second + third)) == {ROBOT}
    for link in (_link(second, "older"), _link(second, "newer"), _link(third, "newer")):
        assert parse_qs(urlsplit(link).query)["actor"] == [ROBOT]
    assert _row_ids(await _follow(admin, _link(third, "newer"))) == pages[1]
    assert _row_ids(await _follow(admin, _link(second, "newer"))) == pages[0]
    past_the_end = await _follow(admin, f"/audit?actor={ROBOT}&before={every_id[-1]}")
    assert _row_ids(past_the_end) == [] and _row_ids(await _follow(admin, _link(past_the_end, "newer")))[-1] == every_id[-1]

    # one person and one action
    saves = await _follow(admin, f"/audit?actor={ROBOT}&action=content.save")
    assert f"Matching rows: {ROBOT_ROWS // 2}." in saves and len(_row_ids(saves)) == 50
    assert saves.count('<small class="code">content.save</small>') == 50 and '<small class="code">sign_in</small>' not in saves
    assert parse_qs(urlsplit(_link(saves, "older")).query) == {
        "actor": [ROBOT],
        "action": ["content.save"],
        "before": [str(_row_ids(saves)[-1])],
    }
    assert "Matching rows: 0." in (await _follow(admin, "/audit?actor=nobody@example.lv"))

    # the row at a known time: the staff app's time zone, before and after as readable, escaped key: value lists
    row = _row(first, f"topics/t{ROBOT_ROWS - 2}.yml")
    assert '<time datetime="2026-12-05T14:03:00+02:00">2026-12-05 14:03</time>' in first
    assert '<code class="key">answer</code>: <span class="value">&lt;b&gt;new&lt;/b&gt; answer 118\nsecond line</span>' in row
    assert '<li class="same"><code class="key">title</code>: <span class="value">Same title</span></li>' in row
    assert '<code class="key">name.lv</code>: <span class="value">Vārds</span>' in row
    assert '<code class="key">examples</code>: <span class="value">one, two</span>' in row
    assert '<code class="key">active</code>: <span class="value">yes</span>' in row
    assert "<b>" not in row and "{" not in row  # escaped, and no JSON
    for browser in browsers.values():
        await browser.close()


async def test_the_audit_log_in_latvian(fresh_server):
    """The audit log in the Latvian interface: words from the catalog, times as Latvians write them."""
    server = fresh_server()
    browsers = await add_staff(server)
    admin = browsers["admin"]
    _add_audit_rows(server)
    status, _, _ = await admin.post("/ui-language", {"lang": "lv", "next": "/audit"})
    assert status == 303
    _, page, _ = await admin.get(f"/audit?actor={ROBOT}&action=content.save")
    assert '<html lang="lv">' in page
    assert '<time datetime="2026-12-05T14:03:00+02:00">05.12.2026 14:03</time>' in page
    assert f'<option value="content.save" selected>{LATVIAN["Saved content in the draft"]}</option>' in page
    assert f"{LATVIAN['Change password']}</a>" in page
    await admin.get("/account/password")
    _, page, _ = await admin.post("/account/password", _password_form("wrong, sorry", NEW_PASSWORD))
    assert _field_error(page, "current_password") == LATVIAN["This is not your current password."]
    for browser in browsers.values():
        await browser.close()
