"""Sign-in, sessions, CSRF, rate limits, password hashing, the first admin and the audit log, over real HTTP."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from tests.staff.harness import ADMIN_EMAIL, PASSWORD, PRODUCTION_HASHING, Browser, user_id

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
