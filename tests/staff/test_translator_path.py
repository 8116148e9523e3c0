"""The translator's path over real HTTP, each page and save of the running staff app.

A translator's own languages first, status filters, what changed in the source,
an explicit outcome of every save (still out of date, nothing changed) and the
editors' minor edit.

The last tests read the Latvian interface (bot/staff/locales/lv).
"""

from __future__ import annotations

import re
import sqlite3
from html import unescape

import pytest

from bot.core.content.model import fingerprint
from bot.staff import yamledit
from tests.staff.harness import StaffServer, add_staff, copy_content
from tests.staff.test_content import draft_pack, errors_shown, text_form, topic_file
from tests.staff.test_entries import entry_form

LV = {  # the Latvian strings these tests read (as bot/staff/locales/lv holds them)
    "only_own": "Parādītas tikai jūsu valodas.",
    "stale_filter": "Novecojuši (%d)",
    "still_stale": "Saglabāts, taču šis tulkojums joprojām ir atzīmēts kā novecojis.",
    "changes": "Kas avota tekstā (en) mainījies kopš šī tulkojuma",
    "tick": "Tulkojums atbilst pašreizējam avota tekstam: atzīmēt kā aktuālu",
    "unchanged": "Nekas nav mainīts, tāpēc nekas netika saglabāts.",
    "minor": "Sīks labojums (drukas kļūda, pieturzīmes): tulkojumi paliek aktuāli",
}


def versions_count(server: StaffServer) -> int:
    with sqlite3.connect(server.root / "staff.db") as db:
        return db.execute("SELECT count(*) FROM staff_content_versions").fetchone()[0]


def last_summary(server: StaffServer) -> str:
    with sqlite3.connect(server.root / "staff.db") as db:
        return db.execute("SELECT summary FROM staff_content_versions ORDER BY id DESC LIMIT 1").fetchone()[0]


def section(page: str, element_id: str) -> str:
    """The element with ``element_id`` up to the end of its tag's first closing (enough for the blocks read here)."""
    start = page.index(f'id="{element_id}"')
    tag = page[:start].rsplit("<", 1)[1].split()[0]
    return page[start : page.index(f"</{tag}>", start)]


def marked(block: str, tag: str) -> list[str]:
    """The texts of every <ins> or <del> in ``block``."""
    return [unescape(m) for m in re.findall(rf"<{tag}>(.*?)</{tag}>", block, re.S)]


def rows_shown(page: str) -> list[str]:
    return re.findall(r'<tr class="status-([a-z]+)" id="row-', page)


async def change_english(server: StaffServer, editor, topic: str, old: str, new: str, **extra: str) -> str:
    """The editor replaces ``old`` by ``new`` in a topic's English answer; the page it is sent to."""
    answer = draft_pack(server).topics[topic].translations["en"].answer or ""
    assert old in answer
    form = [*text_form(server, "en", topic=topic, answer=answer.replace(old, new)), *extra.items()]
    status, page, response = await editor.post(f"/topics/{topic}/en", form)
    assert status == 303, errors_shown(page)
    return response.headers["Location"]


async def test_a_translator_sees_their_own_language_first(sqlite_staff):
    server, browsers = sqlite_staff
    translator, editor = browsers["translator"], browsers["editor"]
    _, page, _ = await translator.get("/")
    assert 'id="lang-lv"' in page and 'id="lang-ru"' not in page and 'id="lang-uk"' not in page
    assert "Only your languages are shown." in page and 'href="/?languages=all"' in page
    _, page, _ = await translator.get("/?languages=all")  # the others stay readable
    assert all(f'id="lang-{lang}"' in page for lang in ("lv", "ru", "uk")) and 'id="own-languages"' in page
    _, page, _ = await editor.get("/")
    assert all(f'id="lang-{lang}"' in page for lang in ("lv", "ru", "uk")) and "Only your languages" not in page
    # the translations page: Latvian preselected, the translator's languages first, the others read only
    _, page, _ = await translator.get("/translations")
    own, others = page.split('label="Other languages (read only)"', 1)
    assert '<option value="lv" selected>' in own and 'value="ru"' in others and 'value="uk"' in others
    assert 'label="Your languages"' in own and 'value="ru"' not in own
    _, page, _ = await translator.get("/translations?lang=ru")
    assert "This is not one of your languages: you can read it, not edit it." in page and rows_shown(page)
    _, page, _ = await editor.get("/translations")
    assert "Your languages" not in page and "read only" not in page
    # a topic's and an entry's languages: the translator's own first, the others apart
    for path in ("/topics/banking", f"/entries/banking/{next(iter(draft_pack(server).topics['banking'].entries))}"):
        _, page, _ = await translator.get(path)
        mine, rest = section(page, "own-languages"), section(page, "other-languages")
        assert f'href="{path}/lv"' in mine and f'href="{path}/ru"' not in mine
        assert f'href="{path}/ru"' in rest and f'href="{path}/uk"' in rest and f'href="{path}/en"' in rest
        _, page, _ = await editor.get(path)
        assert 'id="own-languages"' not in page and all(f'href="{path}/{lang}"' in page for lang in ("en", "lv", "ru", "uk"))


async def test_the_translations_page_filters_by_status_and_counts_each(sqlite_staff):
    server, browsers = sqlite_staff
    translator = browsers["translator"]
    await change_english(server, browsers["editor"], "housing", "contact your municipality", "ask your municipality")
    pack = draft_pack(server)
    expected = {status: 0 for status in ("ok", "missing", "stale")}
    for answer in pack.answers():
        tr = answer.translations.get("lv")
        status = "missing" if tr is None or not tr.answer or not tr.title else "stale" if answer.is_stale("lv") else "ok"
        expected[status] += 1
    assert expected["stale"] >= 1
    _, page, _ = await translator.get("/translations")
    options = unescape(section(page, "filters"))
    assert f"All ({len(pack.answers())})" in options and f"Out of date ({expected['stale']})" in options
    assert f"Missing ({expected['missing']})" in options and f"Up to date ({expected['ok']})" in options
    assert len(rows_shown(page)) == len(pack.answers())  # "All" by default
    for status, count in expected.items():
        _, page, _ = await translator.get(f"/translations?lang=lv&status={status}")
        assert f'<option value="{status}" selected>' in page
        assert rows_shown(page) == [status] * count
        if count == 0:
            assert "Nothing matches this filter." in page
    _, page, _ = await translator.get("/translations?lang=lv&status=stale")
    assert 'id="row-housing"' in page and 'id="row-banking"' not in page


async def test_the_page_shows_what_changed_in_the_english_word_by_word(sqlite_staff):
    server, browsers = sqlite_staff
    editor, translator = browsers["editor"], browsers["translator"]
    followed = draft_pack(server).topics["taxes"].translations["lv"].translated_from
    _, page, _ = await translator.get("/topics/taxes/lv")
    assert 'id="source-changes"' not in page  # up to date: nothing to compare
    await change_english(server, editor, "taxes", "check with VID.", "ask VID, which answers by phone too.")
    await change_english(server, editor, "taxes", "Taxes are handled by", "Taxes are managed by")  # a second change: walked back
    _, page, _ = await translator.get("/topics/taxes/lv")
    changes = section(page, "source-changes")
    answer = section(page, "diff-answer")
    assert "handled" in marked(answer, "del") and "managed" in marked(answer, "ins")
    assert "which answers by phone too" in " ".join(marked(answer, "ins")) and "check" in " ".join(marked(answer, "del"))
    assert followed not in changes and fingerprint("x", "y") not in changes  # words, not fingerprint codes
    # an entry's title
    entry = draft_pack(server).topics["taxes"].entries["tax_return"]
    new_title = "Yearly tax return deadline"
    status, page, _ = await editor.post("/entries/taxes/tax_return/en", entry_form(server, "en", "tax_return", "taxes", title=new_title))
    assert status == 303, errors_shown(page)
    _, page, _ = await translator.get("/entries/taxes/tax_return/lv")
    title = section(page, "diff-title")
    assert marked(title, "del") == ["Annual"] and marked(title, "ins") == ["Yearly"], title
    assert entry.translations["en"].title == "Annual tax return deadline"
    # the overview shows plain words, not the content check's developer instructions
    for path in ("/", "/entries/taxes/tax_return/lv"):
        _, page, _ = await translator.get(path)
        assert "content-stamp" not in page
    _, page, _ = await translator.get("/")
    assert 'id="how-to-update"' in page and "The translation matches the current source text" in page


async def test_without_the_source_text_it_followed_the_page_says_so(fresh_server, tmp_path):
    """The history was imported: the draft started with translations out of date, and no version holds their source."""
    published = copy_content(tmp_path / "s0" / "published")
    path = published / "packs" / "latvia" / "topics" / "banking.yml"
    data = yamledit.load(path.read_text(encoding="utf-8"))
    data["translations"]["lv"]["translated_from"] = yamledit.quoted("0badc0de")  # an older text, not in any version
    del data["translations"]["ru"]["translated_from"]  # never marked
    path.write_text(yamledit.dump(data), encoding="utf-8")
    server = fresh_server()
    browsers = await add_staff(server)
    translator, editor = browsers["translator"], browsers["editor"]
    source = draft_pack(server).topics["banking"].translations["en"]
    _, page, _ = await translator.get("/topics/banking/lv")
    changes = unescape(section(page, "source-changes"))
    assert "is not among the saved versions" in changes and "<del>" not in changes
    assert source.title in unescape(page) and source.answer.splitlines()[0] in unescape(page)  # the current source
    _, page, _ = await editor.get("/topics/banking/ru")
    assert "has never been marked as matching a source text" in unescape(section(page, "source-changes"))
    for browser in browsers.values():
        await browser.close()


async def test_a_save_without_the_tick_warns_that_it_is_still_out_of_date(sqlite_staff):
    server, browsers = sqlite_staff
    editor, translator = browsers["editor"], browsers["translator"]
    await change_english(server, editor, "healthcare", "call 113 or 112.", "call 113 or 112 at once.")
    _, page, _ = await translator.get("/topics/healthcare/lv")
    tick = re.search(r'<input type="checkbox" name="up_to_date" id="up-to-date"( checked)?>', page)
    assert tick and tick.group(1) is None  # not ticked while out of date
    save_row = page.split('class="save-row stale"', 1)[1].split("</div>", 1)[0]
    assert "The translation matches the current source text: mark it up to date" in save_row and 'type="submit"' in save_row
    lv = draft_pack(server).topics["healthcare"].translations["lv"]
    form = text_form(server, "lv", topic="healthcare", answer=lv.answer + " Nekavējoties.")
    status, _, response = await translator.post("/topics/healthcare/lv", form)
    assert status == 303 and response.headers["Location"] == "/topics/healthcare/lv?outcome=stale"
    _, page, _ = await translator.get(response.headers["Location"])
    warning = unescape(section(page, "outcome"))
    assert 'class="notice warning"' in page and "still marked out of date" in warning and "tick" in warning
    assert 'class="saved"' not in page
    assert draft_pack(server).topics["healthcare"].is_stale("lv")
    # with the tick: saved and up to date
    status, _, response = await translator.post(
        "/topics/healthcare/lv", [*text_form(server, "lv", topic="healthcare"), ("up_to_date", "on")]
    )
    assert status == 303 and response.headers["Location"] == "/topics/healthcare/lv?saved=1"
    _, page, _ = await translator.get(response.headers["Location"])
    assert 'class="saved"' in page and 'class="notice warning"' not in page and 'id="source-changes"' not in page
    assert not draft_pack(server).topics["healthcare"].is_stale("lv")
    # an entry the same way
    doctor = draft_pack(server).topics["healthcare"].entries["family_doctor"]
    en = doctor.translations["en"].answer.replace("first stop", "first place to go")
    assert (await editor.post("/entries/healthcare/family_doctor/en", entry_form(server, "en", "family_doctor", "healthcare", answer=en)))[
        0
    ] == 303
    examples = [*doctor.translations["lv"].examples, "kā ātri pierakstīties pie ģimenes ārsta"]
    form = entry_form(server, "lv", "family_doctor", "healthcare", examples=examples)
    status, page, response = await translator.post("/entries/healthcare/family_doctor/lv", form)
    assert status == 303 and response.headers["Location"] == "/entries/healthcare/family_doctor/lv?outcome=stale", errors_shown(page)
    _, page, _ = await translator.get(response.headers["Location"])
    assert "still marked out of date" in page and "place to go" in marked(section(page, "diff-answer"), "ins")
    form = [*entry_form(server, "lv", "family_doctor", "healthcare"), ("up_to_date", "on")]
    status, _, response = await translator.post("/entries/healthcare/family_doctor/lv", form)
    assert status == 303 and response.headers["Location"] == "/entries/healthcare/family_doctor/lv?saved=1"
    assert not draft_pack(server).topics["healthcare"].entries["family_doctor"].is_stale("lv")


async def test_a_minor_edit_keeps_the_translations_up_to_date(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    _, page, _ = await editor.get("/topics/study/en")
    assert "Minor edit (typo, punctuation): translations stay up to date" in page and 'name="minor_edit"' in page
    _, page, _ = await editor.get("/topics/study/lv")
    assert 'name="minor_edit"' not in page  # only on the source language's page
    # a real change first: every translation out of date; lv and ru are then brought up to date, uk is not
    await change_english(server, editor, "study", "see the PMLP price list.", "see the PMLP price list. Ask your university.")
    for lang in ("lv", "ru"):
        status, _, _ = await editor.post("/topics/study/" + lang, [*text_form(server, lang, topic="study"), ("up_to_date", "on")])
        assert status == 303
    assert [lang for lang in ("lv", "ru", "uk") if draft_pack(server).topics["study"].is_stale(lang)] == ["uk"]
    before = versions_count(server)
    location = await change_english(server, editor, "study", "Ask your university.", "Ask your university!", minor_edit="on")
    assert location == "/topics/study/en?saved=1&kept=lv,ru"
    study = draft_pack(server).topics["study"]
    assert study.translations["en"].answer.endswith("Ask your university!")
    assert not study.is_stale("lv") and not study.is_stale("ru") and study.is_stale("uk")  # the stale one stays stale
    assert versions_count(server) == before + 1 and last_summary(server) == "en text, minor edit: lv, ru kept up to date"
    _, page, _ = await editor.get(location)
    assert "Minor edit: these translations stay up to date: lv, ru" in section(page, "kept")
    # uk still shows everything that changed since the text it followed
    _, page, _ = await editor.get("/topics/study/uk")
    assert any("Ask your university!" in text for text in marked(section(page, "diff-answer"), "ins"))
    # a minor edit cannot change a number: the translations would keep stating the old one
    text = topic_file(server, "study")
    status, page, _ = await editor.post(
        "/topics/study/en",
        [*text_form(server, "en", topic="study", answer=study.translations["en"].answer + " Call 67000000."), ("minor_edit", "on")],
    )
    assert status == 400 and errors_shown(page)[0].startswith(
        "A minor edit keeps the translations up to date, so it cannot change numbers."
    )
    assert topic_file(server, "study") == text
    # an entry: every translation followed the old text, so every one stays up to date
    entry = draft_pack(server).topics["job_search"].entries["vacancies_portal"]
    answer = entry.translations["en"].answer.replace("private employers post jobs too", "private employers post jobs, too")
    form = [*entry_form(server, "en", "vacancies_portal", "job_search", answer=answer), ("minor_edit", "on")]
    status, page, response = await editor.post("/entries/job_search/vacancies_portal/en", form)
    assert status == 303 and response.headers["Location"] == "/entries/job_search/vacancies_portal/en?saved=1&kept=lv,ru,uk", page
    entry = draft_pack(server).topics["job_search"].entries["vacancies_portal"]
    assert entry.translations["en"].answer == answer and not any(entry.is_stale(lang) for lang in ("lv", "ru", "uk"))
    assert last_summary(server) == "entry vacancies_portal en text, minor edit: lv, ru, uk kept up to date"
    # without the tick the same kind of change marks them out of date, as before
    form = entry_form(server, "en", "vacancies_portal", "job_search", answer=answer.replace("jobs, too", "jobs too"))
    assert (await editor.post("/entries/job_search/vacancies_portal/en", form))[0] == 303
    assert draft_pack(server).topics["job_search"].entries["vacancies_portal"].is_stale("lv")


@pytest.mark.parametrize(
    ("role", "path", "form"),
    [
        ("translator", "/topics/citizenship/lv", lambda server: text_form(server, "lv", topic="citizenship")),
        ("translator", "/topics/citizenship/lv", lambda server: [*text_form(server, "lv", topic="citizenship"), ("up_to_date", "on")]),
        ("editor", "/topics/citizenship/en", lambda server: text_form(server, "en", topic="citizenship")),
        ("editor", "/topics/citizenship", None),
        ("translator", "/entries/citizenship/renounce/lv", lambda server: entry_form(server, "lv", "renounce", "citizenship")),
        ("editor", "/entries/citizenship/renounce", None),
    ],
    ids=["translation", "translation-ticked", "source", "topic-facts", "entry-translation", "entry-facts"],
)
async def test_an_unchanged_form_says_nothing_changed_and_writes_no_version(sqlite_staff, role, path, form):
    server, browsers = sqlite_staff
    browser = browsers[role]
    _, page, _ = await browser.get(path)
    fields = form(server) if form else facts_from(page)
    text, before = topic_file(server, "citizenship"), versions_count(server)
    status, page, response = await browser.post(path, fields)
    assert status == 303 and response.headers["Location"] == f"{path}?outcome=unchanged", page
    _, page, _ = await browser.get(response.headers["Location"])
    assert "Nothing changed, so nothing was saved." in page and 'class="saved"' not in page
    assert versions_count(server) == before and topic_file(server, "citizenship") == text


def facts_from(page: str) -> list[tuple[str, str]]:
    """A facts form (topic or entry) as the page filled it."""
    fields = [("base", re.search(r'name="base" value="([0-9a-f]+)"', page).group(1))]
    fields += [("offices", v) for v in re.findall(r'name="offices" value="([^"]+)" checked', page)]
    fields.append(("sources", unescape(re.search(r'<textarea name="sources"[^>]*>(.*?)</textarea>', page, re.S).group(1))))
    fields.append(("reviewed", re.search(r'name="reviewed" value="([^"]*)"', page).group(1)))
    return fields


# --- the Latvian interface ---------------------------------------------------------------------------------------


async def test_the_translator_path_in_latvian(sqlite_staff):
    server, browsers = sqlite_staff
    editor, translator = browsers["editor"], browsers["translator"]
    await translator.get("/")
    assert (await translator.post("/ui-language", {"lang": "lv", "next": "/"}))[0] == 303
    try:
        answer = draft_pack(server).topics["anti_discrimination"].translations["en"].answer or ""
        await change_english(server, editor, "anti_discrimination", answer.split()[0], answer.split()[0].upper())
        _, page, _ = await translator.get("/")
        assert LV["only_own"] in page and "make content-stamp" not in page
        _, page, _ = await translator.get("/translations?status=stale")
        stale = len(rows_shown(page))
        assert stale >= 1 and LV["stale_filter"] % stale in page
        _, page, _ = await translator.get("/topics/anti_discrimination/lv")
        assert LV["changes"] in page and LV["tick"] in page and "<del>" in section(page, "diff-answer")
        form = text_form(server, "lv", topic="anti_discrimination")
        status, _, response = await translator.post("/topics/anti_discrimination/lv", form)
        assert status == 303 and response.headers["Location"] == "/topics/anti_discrimination/lv?outcome=unchanged"
        _, page, _ = await translator.get(response.headers["Location"])
        assert LV["unchanged"] in page
        lv = draft_pack(server).topics["anti_discrimination"].translations["lv"]
        form = text_form(server, "lv", topic="anti_discrimination", answer=lv.answer + " Paldies.")
        status, _, response = await translator.post("/topics/anti_discrimination/lv", form)
        _, page, _ = await translator.get(response.headers["Location"])
        assert LV["still_stale"] in page
        await editor.post("/ui-language", {"lang": "lv", "next": "/"})
        _, page, _ = await editor.get("/topics/anti_discrimination/en")
        assert LV["minor"] in page
    finally:
        await translator.post("/ui-language", {"lang": "en", "next": "/"})
        await editor.post("/ui-language", {"lang": "en", "next": "/"})
