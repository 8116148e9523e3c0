"""Every permission rule, for every role and for anonymous visitors, over real HTTP, on SQLite and PostgreSQL.

A permitted read answers 200; a permitted change answers 303 (saved); a
signed-in visitor without the permission gets 403; an anonymous visitor is
sent to sign in (GET, 303) or refused (POST, 401). The change cases submit
the current content unchanged, so that the table can run in any order (an
entry's delete case leaves out its confirmation: 400 past the guard).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from bot.core.content.loader import load_pack
from bot.core.settings import Settings
from bot.staff import yamledit
from bot.staff.draft import text_hash
from tests.staff.harness import StaffServer, strings_form, user_id
from tests.staff.test_plan_pages import plan_file, plan_step_form, plan_texts_form

ROLES = ("anonymous", "editor", "translator", "publisher", "admin")
SIGNED_IN = {"editor", "translator", "publisher", "admin"}


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    allowed: frozenset[str]
    form: Callable[[StaffServer, str], list[tuple[str, str]]] | None = None
    ok: tuple[int, ...] = ()  # the permitted answers when not the usual (200 for GET, 303 for POST)


def _topic_facts(server: StaffServer, role: str) -> list[tuple[str, str]]:
    text = (server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8")
    topic = load_pack(Settings(data_dir=server.draft_pack.parent.parent, pack="latvia", database_url="")).topics["banking"]
    fields = [("base", text_hash(text)), ("reviewed", topic.reviewed.isoformat()), ("sources", "\n".join(topic.sources))]
    return fields + [("offices", office) for office in topic.offices]


def _topic_text(lang: str) -> Callable[[StaffServer, str], list[tuple[str, str]]]:
    def form(server: StaffServer, role: str) -> list[tuple[str, str]]:
        text = (server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8")
        pack = load_pack(Settings(data_dir=server.draft_pack.parent.parent, pack="latvia", database_url=""))
        tr = pack.topics["banking"].translations[lang]
        fields = [("base", text_hash(text)), ("title", tr.title or ""), ("answer", tr.answer or ""), ("examples", "\n".join(tr.examples))]
        return fields + ([("up_to_date", "on")] if not pack.topics["banking"].is_stale(lang) and lang != "en" else [])

    return form


def _first_entry(server: StaffServer) -> str:
    """The key of banking's first entry in the draft (the entry the entry cases use)."""
    return next(iter(yamledit.load((server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8"))["entries"]))


def _entry_facts(server: StaffServer, role: str) -> list[tuple[str, str]]:
    text = (server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8")
    pack = load_pack(Settings(data_dir=server.draft_pack.parent.parent, pack="latvia", database_url=""))
    entry = pack.topics["banking"].entries[_first_entry(server)]
    fields = [("base", text_hash(text)), ("reviewed", entry.reviewed.isoformat()), ("sources", "\n".join(entry.sources))]
    return fields + [("offices", office) for office in entry.offices]


def _entry_text(lang: str) -> Callable[[StaffServer, str], list[tuple[str, str]]]:
    def form(server: StaffServer, role: str) -> list[tuple[str, str]]:
        text = (server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8")
        pack = load_pack(Settings(data_dir=server.draft_pack.parent.parent, pack="latvia", database_url=""))
        entry = pack.topics["banking"].entries[_first_entry(server)]
        tr = entry.translations[lang]
        fields = [("base", text_hash(text)), ("title", tr.title or ""), ("answer", tr.answer or ""), ("examples", "\n".join(tr.examples))]
        return fields + ([("up_to_date", "on")] if not entry.is_stale(lang) and lang != "en" else [])

    return form


def _entry_delete(server: StaffServer, role: str) -> list[tuple[str, str]]:
    """The delete form without its confirmation: past the guard, refused (400), so that the entry stays for the other cases."""
    return [("base", text_hash((server.draft_pack / "topics" / "banking.yml").read_text(encoding="utf-8")))]


def _office(server: StaffServer, role: str) -> list[tuple[str, str]]:
    text = (server.draft_pack / "offices.yml").read_text(encoding="utf-8")
    office = load_pack(Settings(data_dir=server.draft_pack.parent.parent, pack="latvia", database_url="")).offices["ocma"]
    fields = [("base", text_hash(text)), ("short", office.short), ("website", office.website or ""), ("phone", office.phone or "")]
    fields += [("email", office.email or ""), ("address", office.address or ""), ("sources", "\n".join(office.sources))]
    fields += [("reviewed", office.reviewed.isoformat() if office.reviewed else "")]
    return fields + [(f"name_{lang}", name) for lang, name in office.name.items()]


def _branch(server: StaffServer, role: str) -> list[tuple[str, str]]:
    """The branch form as the page fills it (read from the file the same way)."""
    text = (server.draft_pack / "branches" / "ocma.yml").read_text(encoding="utf-8")
    raw = next(b for b in yamledit.load(text)["branches"] if b["id"] == "ocma_riga_3")
    fields = [("base", text_hash(text)), ("sources", "\n".join(raw.get("sources") or [])), ("reviewed", str(raw.get("reviewed") or ""))]
    fields += [(key, str(raw.get(key) or "")) for key in ("city", "address", "phone", "email", "website", "booking")]
    fields += [(f"name_{lang}", name) for lang, name in raw["name"].items()]
    return fields + [
        (f"hours_{day}", ", ".join((raw.get("hours") or {}).get(day) or [])) for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    ]


def _strings(lang: str) -> Callable[[StaffServer, str], list[tuple[str, str]]]:
    def form(server: StaffServer, role: str) -> list[tuple[str, str]]:
        return strings_form(server, lang)

    return form


def _plan_texts(lang: str) -> Callable[[StaffServer, str], list[tuple[str, str]]]:
    def form(server: StaffServer, role: str) -> list[tuple[str, str]]:
        return plan_texts_form(server, lang)

    return form


def _plan_delete(server: StaffServer, role: str) -> list[tuple[str, str]]:
    """Deleting a step others come after: past the guard, refused (400), so that the step stays for the other cases."""
    return [("base", text_hash(plan_file(server))), ("confirm", "yes")]


def _new_user(server: StaffServer, role: str) -> list[tuple[str, str]]:
    return [("email", f"made-by-{role}@example.lv"), ("password", "another long password"), ("roles", "editor")]


def _same_translator(server: StaffServer, role: str) -> list[tuple[str, str]]:
    return [("name", "translator"), ("roles", "translator"), ("languages", "lv"), ("active", "on")]


EVERYONE = frozenset(SIGNED_IN)
EDITOR = frozenset({"editor"})
ADMIN = frozenset({"admin"})
CASES = [
    Case("GET", "/", EVERYONE),
    Case("GET", "/topics", EVERYONE),
    Case("GET", "/topics/banking", EVERYONE),
    Case("GET", "/topics/banking/lv", EVERYONE),
    Case("GET", "/translations?lang=ru", EVERYONE),
    Case("GET", "/offices", EVERYONE),
    Case("GET", "/offices/ocma", EVERYONE),
    Case("GET", "/offices/ocma/branches/ocma_riga_3", EVERYONE),
    Case("GET", "/versions", EVERYONE),
    Case("GET", "/strings/ru", EVERYONE),
    Case("GET", "/preview", EVERYONE),
    Case("GET", "/inbox", EVERYONE),
    Case("GET", "/insights", EVERYONE),
    Case("GET", "/insights?from=2025-11-01&to=2025-11-30", EVERYONE),
    *(Case("GET", f"/insights/{chart}.csv?range=7", EVERYONE) for chart in ("languages", "channels", "topics", "entries", "rates")),
    Case("GET", "/insights/nothing.csv", EVERYONE, ok=(404,)),  # past the guard: no such chart
    Case("GET", "/insights/report", EVERYONE),
    Case("GET", "/insights/report?month=2025-11&download=1", EVERYONE),
    Case(
        "POST",
        "/inbox/example",
        frozenset({"editor", "translator"}),
        lambda server, role: [("example", f"inbox question asked by {role}"), ("topic", "banking"), ("lang", "lv"), ("confirm", "1")],
    ),
    Case(
        "POST",
        "/inbox/example",
        frozenset({"editor", "translator"}),
        lambda server, role: [
            ("example", f"inbox entry question by {role}"),
            ("topic", f"banking.{_first_entry(server)}"),
            ("lang", "lv"),
            ("confirm", "1"),
        ],
    ),
    Case(
        "POST",
        "/inbox/dismiss",
        frozenset({"editor", "translator"}),
        lambda server, role: [("group_text", f"inbox question dismissed by {role}"), ("group_lang", "lv")],
    ),
    Case("POST", "/topics/banking/reviewed/today", EDITOR, lambda server, role: [("next", "/topics/banking/en")]),
    Case("POST", "/entries/banking/{entry}/reviewed/today", EDITOR, lambda server, role: [("next", "/topics/banking")]),
    Case("GET", "/topics?q=bank", EVERYONE),
    # past the guard: no version 999 (404)
    Case("POST", "/versions/999/restore", EDITOR, lambda server, role: [("confirm", "on")], ok=(404,)),
    Case("GET", "/entries/banking/{entry}", EVERYONE),
    Case("GET", "/entries/banking/{entry}/lv", EVERYONE),
    Case("GET", "/preview?answer=banking.{entry}&lang=ru", EVERYONE),
    Case("POST", "/entries/banking", EDITOR, lambda server, role: [("key", f"made_by_{role}"), ("title", "New entry")]),
    Case("POST", "/entries/banking/{entry}", EDITOR, _entry_facts),
    Case("POST", "/entries/banking/{entry}/lv", frozenset({"editor", "translator"}), _entry_text("lv")),
    Case("POST", "/entries/banking/{entry}/ru", EDITOR, _entry_text("ru")),
    Case("POST", "/entries/banking/{entry}/en", EDITOR, _entry_text("en")),
    Case("POST", "/entries/banking/{entry}/delete", EDITOR, _entry_delete, ok=(400,)),  # unconfirmed: "Tick ..."
    Case("GET", "/publish", EVERYONE),
    # published (303) or refused because earlier cases added ways of asking that need training (409)
    # past the guard, and nothing starts: no such topic has changes (400); nothing was ever published on this server (409)
    Case("POST", "/publish", frozenset({"publisher"}), lambda server, role: [("scope", "no_such_topic"), ("confirm", "1")], ok=(400,)),
    Case("POST", "/rollback", frozenset({"publisher"}), lambda server, role: [("confirm", "1")], ok=(409,)),
    # job 1 exists once the publisher's case ran; past the guard, a job not there yet is 404
    Case("GET", "/publish/jobs/1", EVERYONE, ok=(404,)),  # no job ever ran on this server
    Case("GET", "/publish/jobs/1.json", EVERYONE, ok=(404,)),
    Case("GET", "/export.csv", EVERYONE),
    Case("GET", "/export.xlsx", EVERYONE),
    Case("GET", "/import", EVERYONE),
    Case("POST", "/import", EVERYONE, ok=(400,)),  # no file: "Choose a file to upload."
    Case("POST", "/preview", EVERYONE, lambda server, role: [("question", "register my address"), ("lang", "ru")], ok=(200,)),
    Case("GET", "/users", ADMIN),
    Case("GET", "/users/new", ADMIN),
    Case("GET", "/users/{translator}", ADMIN),
    Case("GET", "/audit", ADMIN),
    Case("GET", "/privacy", ADMIN),
    # no such conversation (404), and an unconfirmed deletion (400): past the guard, nothing deleted
    Case("POST", "/privacy/conversation", ADMIN, lambda server, role: [("conversation", f"nobody-{role}")], ok=(404,)),
    Case("POST", "/privacy/conversation/delete", ADMIN, lambda server, role: [("conversation", f"nobody-{role}")], ok=(400,)),
    Case("POST", "/topics/banking", EDITOR, _topic_facts),
    Case("POST", "/topics/banking/lv", frozenset({"editor", "translator"}), _topic_text("lv")),
    Case("POST", "/topics/banking/ru", EDITOR, _topic_text("ru")),
    Case("POST", "/topics/banking/en", EDITOR, _topic_text("en")),
    Case("POST", "/offices/ocma", EDITOR, _office),
    Case("POST", "/offices/ocma/branches/ocma_riga_3", EDITOR, _branch),
    Case("POST", "/strings/lv", frozenset({"editor", "translator"}), _strings("lv")),
    Case("GET", "/plan", EVERYONE),
    Case("GET", "/plan/steps/address", EVERYONE),
    Case("GET", "/plan/texts/lv", EVERYONE),
    Case("GET", "/plan/preview?lang=lv&citizenship=eu&purpose=study&city=riga", EVERYONE),
    Case("GET", "/plan/add", EDITOR),
    Case("POST", "/plan/add", EDITOR, lambda server, role: plan_step_form(server), ok=(400,)),  # no entry or phase: nothing added
    Case("POST", "/plan/steps/address", EDITOR, lambda server, role: plan_step_form(server, "address")),
    Case("POST", "/plan/steps/address/delete", EDITOR, _plan_delete, ok=(400,)),  # steps come after it: refused
    Case("POST", "/plan/texts/lv", frozenset({"editor", "translator"}), _plan_texts("lv")),
    Case("POST", "/plan/texts/ru", EDITOR, _plan_texts("ru")),
    Case("POST", "/plan/texts/en", EDITOR, _plan_texts("en")),
    Case("POST", "/strings/ru", EDITOR, _strings("ru")),
    Case("POST", "/users/new", ADMIN, _new_user),
    Case("POST", "/users/{translator}", ADMIN, _same_translator),
    Case("GET", "/account/password", EVERYONE),
    # a wrong current password: past the guard, refused (400), the password stays
    Case(
        "POST",
        "/account/password",
        EVERYONE,
        lambda server, role: [
            ("current_password", "not the password"),
            ("new_password", "a new long password"),
            ("new_password_again", "a new long password"),
        ],
        ok=(400,),
    ),
    Case("GET", "/audit?action=sign_in&before=1000000", ADMIN),
]


def _expected(case: Case, role: str) -> tuple[int, ...]:
    if role in case.allowed:
        return case.ok or ((200,) if case.method == "GET" else (303,))
    if role == "anonymous":
        return (303,) if case.method == "GET" else (401,)
    return (403,)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
async def test_permission(staff, case: Case, role: str):
    server, browsers = staff
    browser = browsers[role]
    path = case.path
    if "{translator}" in path:
        _, users_page, _ = await browsers["admin"].get("/users")
        path = path.replace("{translator}", user_id(users_page, "translator@example.lv"))
    path = path.replace("{entry}", _first_entry(server))
    if case.method == "GET":
        status, text, answer = await browser.get(path)
    else:
        await browser.get("/" if role != "anonymous" else "/sign-in")  # the visitor's own valid token
        status, text, answer = await browser.post(path, case.form(server, role) if case.form else [])
    assert status in _expected(case, role), text[:3000]
    if status == 303 and role == "anonymous":
        assert answer.headers["Location"].startswith("/sign-in?next=")
    if status == 403:
        assert "Your role does not allow" in text


async def test_nothing_was_created_by_refused_requests(staff):
    _, browsers = staff
    _, users_page, _ = await browsers["admin"].get("/users")
    for role in ROLES:
        assert (f"made-by-{role}@example.lv" in users_page) == (role == "admin"), role
    _, topic_page, _ = await browsers["admin"].get("/topics/banking")
    for role in ROLES:
        assert (f'id="entry-made_by_{role}"' in topic_page) == (role == "editor"), role
