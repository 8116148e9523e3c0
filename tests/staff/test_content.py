"""Editing content through the staff app over real HTTP: saves, versions, audit, translations, validation."""

from __future__ import annotations

import re
import shutil
import sqlite3
from html import unescape

import pytest

from bot.core.content.check import MAX_ANSWER_CHARS, MIN_EXAMPLES, check_pack
from bot.core.content.loader import load_pack
from bot.core.content.model import Pack
from bot.core.settings import PROJECT_ROOT, Settings
from bot.staff import yamledit
from bot.staff.draft import text_hash
from tests.staff.harness import StaffServer, strings_form

PUBLISHED_TOPIC = PROJECT_ROOT / "data" / "packs" / "latvia" / "topics" / "banking.yml"


def draft_pack(server: StaffServer) -> Pack:
    return load_pack(Settings(data_dir=server.root / "draft", pack="latvia", database_url=""))


def topic_file(server: StaffServer, topic: str = "banking") -> str:
    return (server.draft_pack / "topics" / f"{topic}.yml").read_text(encoding="utf-8")


def text_form(server: StaffServer, lang: str, topic: str = "banking", **changes: object) -> list[tuple[str, str]]:
    """The language form as the page fills it, with ``changes``."""
    tr = draft_pack(server).topics[topic].translations[lang]
    values = {"title": tr.title or "", "answer": tr.answer or "", "examples": "\n".join(tr.examples)}
    values.update({k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in changes.items()})
    return [("base", text_hash(topic_file(server, topic))), *values.items()]


async def new_fee_in_english(server: StaffServer, editor) -> None:
    """The editor changes the address-declaration fee in the source language (English) first, overview and fee entry.

    Numbers must agree across languages (content-check), so a new fee is saved in
    the source first; its translations are then out of date until each is updated.
    """
    en = draft_pack(server).topics["address_registration"].translations["en"]
    assert "EUR 4.27" in (en.answer or "")
    form = text_form(server, "en", topic="address_registration", answer=(en.answer or "").replace("EUR 4.27", "EUR 5.10"))
    status, page, _ = await editor.post("/topics/address_registration/en", form)
    assert status == 303, page
    await new_fee_in_entry(server, editor, "en")


async def new_fee_in_entry(server: StaffServer, editor, lang: str) -> None:
    """The editor changes the fee in the topic's fee entry too (the entry answers "how much does it cost")."""
    tr = draft_pack(server).topics["address_registration"].entries["fee"].translations[lang]
    old, new = ("EUR 4.27", "EUR 5.10") if lang == "en" else ("4,27 EUR", "5,10 EUR")
    assert old in (tr.answer or "")
    form = [
        ("base", text_hash(topic_file(server, "address_registration"))),
        ("title", tr.title or ""),
        ("answer", (tr.answer or "").replace(old, new)),
        ("examples", "\n".join(tr.examples)),
        *([("up_to_date", "on")] if lang != "en" else []),
    ]
    status, page, _ = await editor.post(f"/entries/address_registration/fee/{lang}", form)
    assert status == 303, page


def facts_form(server: StaffServer, **changes: object) -> list[tuple[str, str]]:
    topic = draft_pack(server).topics["banking"]
    values: dict[str, object] = {
        "reviewed": topic.reviewed.isoformat(),
        "sources": "\n".join(topic.sources),
        "offices": list(topic.offices),
    }
    values.update(changes)
    fields = [("base", text_hash(topic_file(server)))]
    for key, value in values.items():
        fields += [(key, v) for v in value] if isinstance(value, list) else [(key, str(value))]
    return fields


def errors_shown(html: str) -> list[str]:
    """The problems listed above a refused form, in the content checker's words (the secondary text of each item)."""
    found = []
    for item in re.findall(r"<li>(.*?)</li>", _errors_block(html), re.S):
        technical = re.search(r'<small class="technical" lang="en">(.*?)</small>', item, re.S)
        found.append(unescape(technical.group(1) if technical else item))
    return found


def plain_errors_shown(html: str) -> list[str]:
    """The problems listed above a refused form, in the plain words a staff member reads first."""
    return [unescape(re.sub(r"\s*<small.*?</small>", "", m, flags=re.S)) for m in re.findall(r"<li>(.*?)</li>", _errors_block(html), re.S)]


def _errors_block(html: str) -> str:
    return html.split('<div class="errors" role="alert">', 1)[1].split("</div>", 1)[0]


async def test_an_editor_saves_a_latvian_answer_and_example_with_a_version_and_an_audit_row(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    published_before = PUBLISHED_TOPIC.read_text(encoding="utf-8")
    tr = draft_pack(server).topics["banking"].translations["lv"]
    new_answer = tr.answer + "\nJauns teikums par kontu."
    new_example = "kā atvērt kontu bankā ar uzturēšanās atļauju"
    await editor.get("/topics/banking/lv")
    status, text, _ = await editor.post(
        "/topics/banking/lv", text_form(server, "lv", answer=new_answer, examples=[*tr.examples, new_example])
    )
    assert status == 303, text
    saved = draft_pack(server).topics["banking"].translations["lv"]
    assert saved.answer == new_answer and saved.examples[-1] == new_example
    assert not draft_pack(server).topics["banking"].is_stale("lv")  # the stamp was kept
    assert PUBLISHED_TOPIC.read_text(encoding="utf-8") == published_before  # users still get the published content
    _, versions_page, _ = await editor.get("/versions")
    version_id = re.search(r'href="/versions/(\d+)"', versions_page).group(1)
    assert "editor@example.lv" in versions_page and "topics/banking.yml" in versions_page and "lv text" in versions_page
    _, diff_page, _ = await editor.get(f"/versions/{version_id}")
    assert "+      Jauns teikums par kontu." in unescape(diff_page) and f"+      - {new_example}" in unescape(diff_page)
    with sqlite3.connect(server.root / "staff.db") as db:
        actor, target, before, after = db.execute(
            "select actor, target, before, after from staff_audit_log where action='content.save' order by id desc limit 1"
        ).fetchone()
    assert (actor, target) == ("editor@example.lv", "topics/banking.yml")
    assert "Jauns teikums" not in before and "Jauns teikums" in after and new_example in after


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answer": "x" * (MAX_ANSWER_CHARS + 1)}, f"at most {MAX_ANSWER_CHARS} fit a messenger"),
        ({"examples": ["viens", "divi", "trīs"]}, f"'lv' has 3 examples; at least {MIN_EXAMPLES} are needed"),
        ({"title": ""}, "'lv' has no title"),
        ({"answer": ""}, "'lv' has no answer"),
    ],
    ids=["answer-too-long", "too-few-examples", "no-title", "no-answer"],
)
async def test_text_that_fails_the_content_checks_is_not_saved(sqlite_staff, change, message):
    server, browsers = sqlite_staff
    before = topic_file(server)
    status, text, _ = await browsers["translator"].post("/topics/banking/lv", text_form(server, "lv", **change))
    assert status == 400
    assert any(message in error for error in errors_shown(text)), errors_shown(text)
    assert topic_file(server) == before


async def test_an_example_of_another_topic_is_refused(sqlite_staff):
    server, browsers = sqlite_staff
    taken = draft_pack(server).topics["healthcare"].translations["lv"].examples[0]
    tr = draft_pack(server).topics["banking"].translations["lv"]
    status, text, _ = await browsers["editor"].post("/topics/banking/lv", text_form(server, "lv", examples=[*tr.examples, taken]))
    assert status == 400 and any(f"example {taken!r} is also used for" in e for e in errors_shown(text))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"offices": ["ocma", "nowhere"]}, "office 'nowhere' does not exist in offices.yml"),
        ({"sources": "http://example.com/page"}, "source 'http://example.com/page' is not a valid https:// address"),
        ({"sources": ""}, "no source URL"),
        ({"reviewed": "2026-02-30"}, "'reviewed' must be a date like 2026-11-22, not '2026-02-30'"),
    ],
    ids=["unknown-office", "malformed-url", "no-source", "bad-date"],
)
async def test_topic_facts_are_validated(sqlite_staff, change, message):
    server, browsers = sqlite_staff
    before = topic_file(server)
    status, text, _ = await browsers["editor"].post("/topics/banking", facts_form(server, **change))
    assert status == 400
    assert any(message in error for error in errors_shown(text)), errors_shown(text)
    assert topic_file(server) == before
    assert 'value="2026-02-30"' in text or change.get("reviewed") is None  # the form keeps what was typed


async def test_the_form_shows_exactly_what_make_content_check_reports(sqlite_staff, tmp_path):
    server, browsers = sqlite_staff
    status, text, _ = await browsers["editor"].post("/topics/banking/lv", text_form(server, "lv", answer="x" * 800))
    assert status == 400
    # the same change checked by bot.core.content.check on a copy (what `make content-check` runs)
    shutil.copytree(server.root / "draft", tmp_path / "data")
    copy = tmp_path / "data" / "packs" / "latvia" / "topics" / "banking.yml"
    data = yamledit.load(copy.read_text(encoding="utf-8"))
    data["translations"]["lv"]["answer"] = "x" * 800
    copy.write_text(yamledit.dump(data), encoding="utf-8")
    pack = load_pack(Settings(data_dir=tmp_path / "data", pack="latvia", database_url=""))
    reported = [str(f).removeprefix("error: ") for f in check_pack(pack) if f.severity == "error"]
    assert reported and reported == errors_shown(text)


async def test_a_save_over_a_newer_change_is_refused(sqlite_staff):
    server, browsers = sqlite_staff
    old_form = text_form(server, "lv")
    tr = draft_pack(server).topics["banking"].translations["lv"]
    assert (await browsers["editor"].post("/topics/banking/lv", text_form(server, "lv", title=tr.title + "!")))[0] == 303
    status, text, _ = await browsers["translator"].post("/topics/banking/lv", old_form)
    assert status == 400 and "Someone else saved this since you opened it" in text
    assert draft_pack(server).topics["banking"].translations["lv"].title == tr.title + "!"
    assert (await browsers["editor"].post("/topics/banking/lv", text_form(server, "lv", title=tr.title)))[0] == 303


async def test_changing_the_source_flags_translations_until_the_translator_updates_them(sqlite_staff):
    server, browsers = sqlite_staff
    editor, translator = browsers["editor"], browsers["translator"]
    en = draft_pack(server).topics["banking"].translations["en"]
    assert (await editor.post("/topics/banking/en", text_form(server, "en", answer=en.answer + " Bring your passport.")))[0] == 303
    _, page, _ = await translator.get("/translations?lang=lv")
    row = page.split('id="row-banking"', 1)[1].split("</tr>", 1)[0]
    assert "status-stale" in page.split('id="row-banking"', 1)[0].rsplit("<tr", 1)[1] and "out of date" in row
    _, side_by_side, _ = await translator.get("/topics/banking/lv")
    assert "Bring your passport." in side_by_side  # the source text is shown next to the form
    lv = draft_pack(server).topics["banking"].translations["lv"]
    form = [*text_form(server, "lv", answer=lv.answer + " Ņemiet līdzi pasi."), ("up_to_date", "on")]
    assert (await translator.post("/topics/banking/lv", form))[0] == 303
    pack = draft_pack(server)
    assert not pack.topics["banking"].is_stale("lv") and pack.topics["banking"].is_stale("ru")
    _, page, _ = await translator.get("/translations?lang=ru")
    assert "out of date: 1" in page


async def test_an_office_edit_keeps_the_file_comments_and_validates_the_website(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    path = server.draft_pack / "offices.yml"
    _, page, _ = await editor.get("/offices/ocma")
    fields = re.findall(r'<input name="([a-z_]+)" value="([^"]*)"', page)
    fields = [(k, unescape(v)) for k, v in fields]
    sources = unescape(re.search(r'<textarea name="sources"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    base = re.search(r'name="base" value="([0-9a-f]+)"', page).group(1)
    bad = [("base", base), ("sources", sources), *[(k, "ftp://pmlp" if k == "website" else v) for k, v in fields]]
    status, text, _ = await editor.post("/offices/ocma", bad)
    assert status == 400 and any("website 'ftp://pmlp' is not a valid https:// address" in e for e in errors_shown(text))
    good = [("base", base), ("sources", sources), *[(k, "+371 67209999" if k == "phone" else v) for k, v in fields]]
    status, text, _ = await editor.post("/offices/ocma", good)
    assert status == 303, text
    saved = path.read_text(encoding="utf-8")
    assert saved.startswith("# National (headquarters) contacts") and 'phone: "+371 67209999"' in saved
    assert draft_pack(server).offices["ocma"].phone == "+371 67209999"


async def test_the_interface_speaks_latvian(sqlite_staff):
    _, browsers = sqlite_staff
    translator = browsers["translator"]
    await translator.get("/")
    assert (await translator.post("/ui-language", {"lang": "lv", "next": "/topics"}))[0] == 303
    _, page, _ = await translator.get("/topics/banking/lv")
    assert "Saglabāt" in page and "Save" not in page and '<html lang="lv">' in page
    await translator.post("/ui-language", {"lang": "en", "next": "/"})
    _, page, _ = await translator.get("/topics/banking/lv")
    assert "Save" in page


def branch_form(page: str, **changes: str) -> list[tuple[str, str]]:
    """The branch form as the page filled it, with ``changes``."""
    fields = {k: unescape(v) for k, v in re.findall(r'<input name="([a-z_]+)" value="([^"]*)"', page)}
    fields["sources"] = unescape(re.search(r'<textarea name="sources"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    fields["base"] = re.search(r'name="base" value="([0-9a-f]+)"', page).group(1)
    fields.update(changes)
    return list(fields.items())


async def test_branch_hours_and_contacts_are_edited_and_validated(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    path = server.draft_pack / "branches" / "ocma.yml"
    before = path.read_text(encoding="utf-8")
    _, page, _ = await editor.get("/offices/ocma")
    assert 'href="/offices/ocma/branches/ocma_riga_3"' in page
    _, page, _ = await editor.get("/offices/ocma/branches/ocma_riga_3")
    for change, message in [
        ({"hours_mon": "8-17"}, "opening hours '8-17' are not like 08:30-17:00"),
        ({"booking": "www.qticket.lv"}, "booking 'www.qticket.lv' is not a valid https:// address"),
        ({"city": "atlantis"}, "city 'atlantis' is not in cities.yml"),
    ]:
        status, text, _ = await editor.post("/offices/ocma/branches/ocma_riga_3", branch_form(page, **change))
        assert status == 400 and any(message in e for e in errors_shown(text)), errors_shown(text)
        assert path.read_text(encoding="utf-8") == before
    hours = {f"hours_{d}": "08:30-12:00, 12:30-17:00" for d in ("mon", "tue", "wed", "thu")}
    form = branch_form(page, phone="+37167000001", hours_fri="08:30-15:00", hours_sat="", hours_sun="", **hours)
    status, text, _ = await editor.post("/offices/ocma/branches/ocma_riga_3", form)
    assert status == 303, text
    saved = path.read_text(encoding="utf-8")
    assert 'mon: ["08:30-12:00", "12:30-17:00"]' in saved and "sat: []" in saved and 'phone: "+37167000001"' in saved
    assert "# the page writes the address as" in saved  # comments stay
    branch = next(b for b in draft_pack(server).directory.branches if b.id == "ocma_riga_3")
    assert branch.phone == "+37167000001" and branch.hours is not None and len(branch.hours.days[0]) == 2


async def test_interface_strings_are_edited_and_checked_like_make_messages_check(sqlite_staff):
    server, browsers = sqlite_staff
    translator = browsers["translator"]
    path = server.root / "draft" / "locales" / "lv" / "LC_MESSAGES" / "messages.po"
    before = path.read_text(encoding="utf-8")
    msgid = "The nearest branch is {distance} km from {city}:"
    _, page, _ = await translator.get("/strings/lv")
    assert unescape(msgid) in unescape(page)
    for text, message in [
        ("Tuvākā filiāle ir {distance} km attālumā:", "the translation must keep the placeholders ['{distance}', '{city}']"),
        ("", "not translated"),
    ]:
        status, page, _ = await translator.post("/strings/lv", strings_form(server, "lv", **{msgid: text}))
        assert status == 400 and any(message in e for e in errors_shown(page)), errors_shown(page)
        assert path.read_text(encoding="utf-8") == before
    new = "Tuvākā filiāle ir {distance} km no {city} (pārbaudīts):"
    status, page, _ = await translator.post("/strings/lv", strings_form(server, "lv", **{msgid: new}))
    assert status == 303, page
    saved = path.read_text(encoding="utf-8")
    assert f'msgstr "{new}"' in saved
    # nothing else in the file changed (the catalog keeps the layout of make messages-extract)
    assert saved.replace(f'msgstr "{new}"', "") == before.replace('msgstr "Tuvākā filiāle ir {distance} km no pilsētas {city}:"', "")
    _, versions_page, _ = await translator.get("/versions")
    assert "locales/lv/LC_MESSAGES/messages.po" in versions_page and "lv interface strings" in versions_page
