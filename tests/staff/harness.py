"""Runs the staff app as a real process on a free port, and a browser-like HTTP client for it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.core.settings import PROJECT_ROOT
from tests.postgres import free_port

ADMIN_EMAIL = "admin@example.lv"
PASSWORD = "a long enough test password"
ROLE_USERS = {  # role name in the tests -> (e-mail, roles, languages)
    "editor": ("editor@example.lv", ["editor"], []),
    "translator": ("translator@example.lv", ["translator"], ["lv"]),
    "publisher": ("publisher@example.lv", ["publisher"], []),
}
PRODUCTION_HASHING = {"MIGRANT_BOT_STAFF_ARGON2_MEMORY_KIB": "65536", "MIGRANT_BOT_STAFF_ARGON2_TIME_COST": "3"}
_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class StaffServer:
    """``python -m bot.staff serve`` with its own database, draft folder and settings."""

    root: Path
    database_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def draft_pack(self) -> Path:
        return self.root / "draft" / "packs" / "latvia"

    def env(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("MIGRANT_BOT_STAFF_")}  # not the operator's settings
        return {
            **inherited,
            "MIGRANT_BOT_STAFF_VAR_DIR": str(self.root),
            "MIGRANT_BOT_STAFF_DATABASE_URL": self.database_url,
            "MIGRANT_BOT_STAFF_PORT": str(self.port),
            "MIGRANT_BOT_STAFF_DRAFT_DIR": str(self.root / "draft"),
            # Argon2id at a lower cost than production's 64 MiB x 3 (a test asserts the production default)
            "MIGRANT_BOT_STAFF_ARGON2_MEMORY_KIB": "8192",
            "MIGRANT_BOT_STAFF_ARGON2_TIME_COST": "1",
            "MIGRANT_BOT_DATABASE_URL": f"sqlite:///{self.root / 'no-conversations.db'}",
            # the published content a publish writes to: a copy, never the repository's data/ and locales/
            "MIGRANT_BOT_DATA_DIR": str(self.root / "published"),  # not a developer's conversations
            "MIGRANT_BOT_LOCALES_DIR": str(self.root / "published" / "locales"),
            # no switch proxy or Rasa servers: closed ports, not a developer's running ones
            **{f"MIGRANT_BOT_{name}_PORT": str(free_port()) for name in ("PROXY_CONTROL", "RASA_BLUE", "RASA_GREEN")},
            "MIGRANT_BOT_RASA_PORT": str(free_port()),
            # no live assistant unless a test starts one (a closed port, not a developer's running one)
            "MIGRANT_BOT_STAFF_RASA_URL": f"http://127.0.0.1:{free_port()}",
            **self.extra_env,
        }

    def command(self, *args: str, stdin: str = "", extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        env = {**self.env(), **(extra or {})}
        return subprocess.run(
            [sys.executable, "-m", "bot.staff", *args], input=stdin, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
        )

    def start(self) -> StaffServer:
        self.root.mkdir(parents=True, exist_ok=True)
        env = self.env()
        published, locales = Path(env["MIGRANT_BOT_DATA_DIR"]), Path(env["MIGRANT_BOT_LOCALES_DIR"])
        if not published.exists():
            copy_content(published)
        if not locales.exists():
            shutil.copytree(PROJECT_ROOT / "locales", locales)
        log = (self.root / "staff.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.staff", "serve"], env=self.env(), cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the staff app stopped: {(self.root / 'staff.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/sign-in", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the staff app did not start within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def copy_content(target: Path) -> Path:
    """A copy of the repository's published content (languages and the pack) at ``target``."""
    source = PROJECT_ROOT / "data"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "languages.yml", target / "languages.yml")
    shutil.copytree(source / "packs", target / "packs")
    return target


class Browser:
    """A cookie-keeping client that fills in the CSRF token like a browser submitting a form."""

    def __init__(self, server: StaffServer) -> None:
        self.server = server
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.token = ""

    async def get(self, path: str) -> tuple[int, str, Any]:
        async with self.session.get(self.server.base + path, allow_redirects=False) as answer:
            text = await answer.text(errors="replace")  # downloads (XLSX) are not text
        found = _TOKEN.search(text)
        if found:
            self.token = found.group(1)
        return answer.status, text, answer

    async def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]], token: str | None = None) -> tuple[int, str, Any]:
        """Posts a form with the visitor's current token (``token`` overrides it; "" sends none)."""
        if token is None:
            if not self.token:
                await self.get("/sign-in")
            token = self.token
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        if token:
            fields.append(("csrf_token", token))
        async with self.session.post(self.server.base + path, data=fields, allow_redirects=False) as answer:
            return answer.status, await answer.text(), answer

    async def sign_in(self, email: str, password: str = PASSWORD) -> int:
        await self.get("/sign-in")
        status, _, _ = await self.post("/sign-in", {"email": email, "password": password, "next": "/"})
        if status == 303:
            await self.get("/")  # the signed-in session's token
        return status

    async def close(self) -> None:
        await self.session.close()


def strings_form(server: StaffServer, lang: str, **changes: str) -> list[tuple[str, str]]:
    """The interface-strings form of ``lang`` as the page fills it, with ``changes`` (message id -> new text)."""
    from babel.messages.pofile import read_po

    from bot.staff.draft import text_hash
    from bot.staff.views.strings import field_name

    locales = server.root / "draft" / "locales"
    with (locales / "messages.pot").open("rb") as handle:
        ids = [m.id for m in read_po(handle) if m.id]
    path = locales / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    values = {msgid: changes.get(msgid, catalog.get(msgid).string if catalog.get(msgid) else "") for msgid in ids}
    return [("base", text_hash(path.read_text(encoding="utf-8"))), *((field_name(k), v) for k, v in values.items())]


def user_id(users_page: str, email: str) -> str:
    """The id of ``email``'s account, from the admin's user list."""
    found = re.search(rf'href="/users/(\d+)">{re.escape(email)}<', users_page)
    assert found, f"{email} is not in the user list"
    return found.group(1)


async def add_staff(server: StaffServer) -> dict[str, Browser]:
    """Creates the first admin (command line) and the other roles (admin pages); one signed-in browser per role."""
    made = server.command("create-admin", "--email", ADMIN_EMAIL, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    admin = Browser(server)
    assert await admin.sign_in(ADMIN_EMAIL) == 303
    for email, roles, languages in ROLE_USERS.values():
        await admin.get("/users/new")
        fields = [("email", email), ("name", email.split("@")[0]), ("password", PASSWORD)]
        fields += [("roles", r) for r in roles] + [("languages", lang) for lang in languages]
        status, text, _ = await admin.post("/users/new", fields)
        assert status == 303, text
    browsers = {"admin": admin, "anonymous": Browser(server)}
    for role, (email, _, _) in ROLE_USERS.items():
        browsers[role] = Browser(server)
        assert await browsers[role].sign_in(email) == 303
    return browsers


async def publish_from_page(browser: Browser, path: str = "/publish", timeout_s: float = 120, scope: str = "") -> dict:
    """Presses a button of the publish page and confirms, follows the job page's JSON until the job ends; the finished job."""
    status, page, _ = await browser.post(path, {"scope": scope})
    assert status == 200 and 'name="confirm" value="1"' in page, page  # the confirmation comes first
    status, page, answer = await browser.post(path, {"scope": scope, "confirm": "1"})
    assert status == 303, page
    location = answer.headers["Location"]
    assert location.startswith("/publish/jobs/")
    deadline = time.monotonic() + timeout_s
    while True:
        status, text, _ = await browser.get(location + ".json")
        assert status == 200, text
        job = json.loads(text)
        if job["state"] != "running":
            break
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.5)
    status, page, _ = await browser.get(location)  # the page shows the steps
    assert status == 200 and all(f'id="step-{s["name"]}"' in page for s in job["steps"])
    return job
