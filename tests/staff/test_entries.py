"""Knowledge-base entries in the staff app over real HTTP, each save through the validated draft.

Listing, adding, editing, translating and deleting entries; their preview,
spreadsheet rows and the inbox's "add as a way of asking an entry".
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import time
from html import escape, unescape

from sqlalchemy import create_engine, insert

from bot.core import event_log
from bot.core.content.check import MAX_ENTRY_ANSWER_CHARS
from bot.core.content.model import fingerprint
from bot.staff import yamledit
from bot.staff.draft import text_hash
from tests.staff.harness import StaffServer, add_staff
from tests.staff.test_content import draft_pack, errors_shown, topic_file
from tests.staff.test_exchange import _download, _pending, _upload, _xlsx, _xlsx_rows
from tests.staff.test_preview import _reply_blocks

NEW_KEY = "card_fees"
EN = {
    "title": "Bank card fees",
    "answer": "Banks set their own card fees: compare the price lists on their websites before you choose an account.",
    "examples": [
        "how much do latvian banks charge for a payment card",
        "monthly fee for a debit card in latvia",
        "is there a fee for my bank card here",
        "compare card prices of banks in riga",
        "why does my bank take money for the card",
        "card maintenance fee latvian bank",
    ],
}
LV = {
    "title": "Bankas kartes maksa",
    "answer": "Bankas pašas nosaka kartes maksu: pirms konta izvēles salīdziniet cenrāžus to tīmekļa vietnēs.",
    "examples": [
        "cik banka ņem par maksājumu karti",
        "ikmēneša maksa par debetkarti",
        "vai par bankas karti jāmaksā",
        "salīdzināt karšu cenas bankās",
        "kāpēc banka ņem naudu par karti",
        "kartes apkalpošanas maksa latvijā",
    ],
}


def entry_form(server: StaffServer, lang: str, key: str = NEW_KEY, topic: str = "banking", **changes: object) -> list[tuple[str, str]]:
    """An entry's language form as the page fills it, with ``changes``."""
    tr = draft_pack(server).topics[topic].entries[key].translations.get(lang)
    values = {"title": "", "answer": "", "examples": ""}
    if tr is not None:
        values = {"title": tr.title or "", "answer": tr.answer or "", "examples": "\n".join(tr.examples)}
    values.update({k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in changes.items()})
    return [("base", text_hash(topic_file(server, topic))), *values.items()]


def entry_facts_form(server: StaffServer, key: str = NEW_KEY, topic: str = "banking", **changes: object) -> list[tuple[str, str]]:
    entry = draft_pack(server).topics[topic].entries[key]
    values: dict[str, object] = {
        "reviewed": entry.reviewed.isoformat(),
        "sources": "\n".join(entry.sources),
        "offices": list(entry.offices),
    }
    values.update(changes)
    fields = [("base", text_hash(topic_file(server, topic)))]
    for name, value in values.items():
        fields += [(name, v) for v in value] if isinstance(value, list) else [(name, str(value))]
    return fields


def _row(page: str, row_id: str) -> str:
    return page.split(f'id="{row_id}"', 1)[1].split("</tr>", 1)[0]


async def _add_new_entry(server: StaffServer, browsers: dict) -> None:
    """The editor adds ``banking.card_fees`` and writes its English and Latvian text (once per module)."""
    if NEW_KEY in draft_pack(server).topics["banking"].entries:
        return
    editor = browsers["editor"]
    await editor.get("/topics/banking")
    status, page, answer = await editor.post("/entries/banking", {"key": NEW_KEY, "title": EN["title"]})
    assert status == 303 and answer.headers["Location"] == f"/entries/banking/{NEW_KEY}?saved=1", page
    status, page, _ = await editor.post(f"/entries/banking/{NEW_KEY}/en", entry_form(server, "en", **EN))
    assert status == 303, errors_shown(page)
    status, page, _ = await browsers["translator"].post(
        f"/entries/banking/{NEW_KEY}/lv", [*entry_form(server, "lv", **LV), ("up_to_date", "on")]
    )
    assert status == 303, errors_shown(page)


async def test_the_topic_page_lists_its_entries_with_titles_and_statuses(sqlite_staff):
    server, browsers = sqlite_staff
    pack = draft_pack(server)
    banking = pack.topics["banking"]
    assert banking.entries, "the test needs a topic with entries"
    status, page, _ = await browsers["translator"].get("/topics/banking")
    assert status == 200
    for key, entry in banking.entries.items():
        row = unescape(_row(page, f"entry-{key}"))
        assert f'href="/entries/banking/{key}"' in row and entry.translations["en"].title in row
        for lang in pack.languages:
            assert f'href="/entries/banking/{key}/{lang}"' in row
    assert 'id="add-entry"' not in page  # translators do not add entries
    # the title in the staff member's interface language (Latvian here)
    latvian = browsers["translator"]
    await latvian.post("/ui-language", {"lang": "lv", "next": "/topics/banking"})
    _, page, _ = await latvian.get("/topics/banking")
    first_key, first = next(iter(banking.entries.items()))
    assert first.translations["lv"].title in unescape(_row(page, f"entry-{first_key}"))
    await latvian.post("/ui-language", {"lang": "en", "next": "/"})


async def test_entry_keys_are_validated_when_an_entry_is_added(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    existing = next(iter(draft_pack(server).topics["banking"].entries))
    before = topic_file(server)
    await editor.get("/topics/banking")
    for key, message in [
        ("Card Fees", "An entry key uses lowercase letters, digits and _ only"),
        ("2fees", "An entry key uses lowercase letters, digits and _ only"),
        ("card-fees", "An entry key uses lowercase letters, digits and _ only"),
        ("overview", "The key overview is the topic's own answer"),
        (existing, f"This topic already has an entry {existing}."),
    ]:
        status, page, _ = await editor.post("/entries/banking", {"key": key, "title": "x"})
        assert status == 400 and any(message in e for e in errors_shown(page)), (key, errors_shown(page))
    status, page, _ = await editor.post("/entries/banking", {"key": "long_title", "title": "x" * 41})
    assert status == 400 and any("at most 40 characters" in e for e in errors_shown(page))
    assert topic_file(server) == before


async def test_a_new_entry_needs_no_developer_added_written_and_translated(sqlite_staff):
    server, browsers = sqlite_staff
    await _add_new_entry(server, browsers)
    entry = draft_pack(server).topics["banking"].entries[NEW_KEY]
    assert entry.id == f"banking.{NEW_KEY}" and entry.translations["en"].answer == EN["answer"]
    assert list(entry.translations["lv"].examples) == LV["examples"]
    assert entry.offices == draft_pack(server).topics["banking"].offices  # it points to the topic's offices
    assert "offices" not in yamledit.load(topic_file(server))["entries"][NEW_KEY]
    assert entry.translations["lv"].translated_from == fingerprint(EN["title"], EN["answer"]) and not entry.is_stale("lv")
    _, page, _ = await browsers["editor"].get("/topics/banking")
    row = _row(page, f"entry-{NEW_KEY}")
    assert "Bank card fees" in row and row.count(">up to date<") == 2 and row.count(">missing<") == 2  # ru and uk still to write
    _, page, _ = await browsers["editor"].get(f"/entries/banking/{NEW_KEY}")
    assert "Still to do before the draft can be published" in page and "&#39;ru&#39; translation is missing" in page
    # versions and audit rows, as for any save
    _, versions, _ = await browsers["editor"].get("/versions")
    assert f"new entry {NEW_KEY}" in versions and f"entry {NEW_KEY} en text" in versions and f"entry {NEW_KEY} lv text" in versions
    with sqlite3.connect(server.root / "staff.db") as db:
        actions = db.execute("SELECT actor, action, target, after FROM staff_audit_log WHERE after LIKE ?", (f'%"{NEW_KEY}"%',)).fetchall()
    assert ("editor@example.lv", "content.save", "topics/banking.yml") == actions[0][:3]


async def test_the_answer_is_limited_and_counted_and_every_problem_is_shown(sqlite_staff):
    server, browsers = sqlite_staff
    await _add_new_entry(server, browsers)
    translator = browsers["translator"]
    status, page, _ = await translator.get(f"/entries/banking/{NEW_KEY}/lv")
    assert status == 200
    assert f'data-max="{MAX_ENTRY_ANSWER_CHARS}"' in page and f"<output>{len(LV['answer'])}</output> / {MAX_ENTRY_ANSWER_CHARS}" in page
    assert '<script src="/static/counter.js" defer></script>' in page
    _, script, _ = await translator.get("/static/counter.js")
    assert "data-max" in script
    before = topic_file(server)
    too_long = "ā" * (MAX_ENTRY_ANSWER_CHARS + 1)
    taken = next(iter(draft_pack(server).topics["taxes"].translations["lv"].examples))
    status, page, _ = await translator.post(
        f"/entries/banking/{NEW_KEY}/lv", entry_form(server, "lv", answer=too_long, examples=[*LV["examples"][:4], taken])
    )
    assert status == 400
    shown = errors_shown(page)
    where = f"topics/banking.yml (entry {NEW_KEY})"
    assert f"{where}: 'lv' answer has {MAX_ENTRY_ANSWER_CHARS + 1} characters; at most {MAX_ENTRY_ANSWER_CHARS} fit a messenger" in shown
    assert f"{where}: 'lv' has 5 examples; at least 6 are needed" in shown
    assert any(repr(taken) in e and "is also used for" in e for e in shown), shown
    assert topic_file(server) == before
    # a translator edits only their languages; the source language is the editors'
    status, _, _ = await translator.post(f"/entries/banking/{NEW_KEY}/ru", entry_form(server, "ru", title="Плата за карту"))
    assert status == 403


async def test_changing_an_entrys_source_marks_its_translations_out_of_date(sqlite_staff):
    server, browsers = sqlite_staff
    await _add_new_entry(server, browsers)
    editor, translator = browsers["editor"], browsers["translator"]
    new_answer = EN["answer"] + " Some cards are free for students."
    assert (await editor.post(f"/entries/banking/{NEW_KEY}/en", entry_form(server, "en", answer=new_answer)))[0] == 303
    assert draft_pack(server).topics["banking"].entries[NEW_KEY].is_stale("lv")
    _, page, _ = await translator.get("/translations?lang=lv")
    row = _row(page, f"row-banking.{NEW_KEY}")
    assert "out of date" in row and f'href="/entries/banking/{NEW_KEY}/lv"' in row
    assert "status-stale" in page.split(f'id="row-banking.{NEW_KEY}"', 1)[0].rsplit("<tr", 1)[1]
    _, side_by_side, _ = await translator.get(f"/entries/banking/{NEW_KEY}/lv")
    assert "Some cards are free for students." in side_by_side  # the source next to the form
    # saved without the tick it stays out of date; with it, it follows the current source
    lv_answer = LV["answer"] + " Dažas kartes studentiem ir bez maksas."
    assert (await translator.post(f"/entries/banking/{NEW_KEY}/lv", entry_form(server, "lv", answer=lv_answer)))[0] == 303
    assert draft_pack(server).topics["banking"].entries[NEW_KEY].is_stale("lv")
    form = [*entry_form(server, "lv"), ("up_to_date", "on")]
    assert (await translator.post(f"/entries/banking/{NEW_KEY}/lv", form))[0] == 303
    entry = draft_pack(server).topics["banking"].entries[NEW_KEY]
    assert not entry.is_stale("lv") and entry.translations["lv"].answer == lv_answer
    _, page, _ = await translator.get("/translations?lang=ru")
    assert "missing" in _row(page, f"row-banking.{NEW_KEY}")
    # every entry of every topic is listed, next to its topic
    pack = draft_pack(server)
    assert all(f'id="row-{entry.id}"' in page for topic in pack.topics.values() for entry in topic.entries.values())


async def test_an_editor_sets_an_entrys_offices_sources_and_review_date(sqlite_staff):
    server, browsers = sqlite_staff
    await _add_new_entry(server, browsers)
    editor = browsers["editor"]
    status, page, _ = await editor.get(f"/entries/banking/{NEW_KEY}")
    assert status == 200 and "Now the topic's offices" in page
    sources = ["https://www.bank.lv/en/", "https://www.fktk.lv/en/"]
    form = entry_facts_form(server, offices=["ombudsman"], sources="\n".join(sources), reviewed="2026-12-01")
    status, page, _ = await editor.post(f"/entries/banking/{NEW_KEY}", form)
    assert status == 303, errors_shown(page)
    entry = draft_pack(server).topics["banking"].entries[NEW_KEY]
    assert entry.offices == ("ombudsman",) and list(entry.sources) == sources and entry.reviewed.isoformat() == "2026-12-01"
    before = topic_file(server)
    status, page, _ = await editor.post(f"/entries/banking/{NEW_KEY}", entry_facts_form(server, reviewed="soon", sources="http://x.lv"))
    assert status == 400
    shown = errors_shown(page)
    assert any("'reviewed' must be a date" in e for e in shown) and any("is not a valid https:// address" in e for e in shown), shown
    assert topic_file(server) == before
    assert (await browsers["translator"].post(f"/entries/banking/{NEW_KEY}", entry_facts_form(server)))[0] == 403


async def test_preview_shows_an_entrys_answer_as_the_assistant_renders_it(sqlite_staff):
    server, browsers = sqlite_staff
    await _add_new_entry(server, browsers)
    translator = browsers["translator"]
    entry = draft_pack(server).topics["banking"].entries[NEW_KEY]
    await translator.get("/preview")
    status, page, _ = await translator.post("/preview", {"question": LV["examples"][1].upper(), "lang": "lv"})
    assert status == 200
    assert f"Recognised as: “{entry.translations['en'].title}” (one of the draft's ways of asking" in unescape(page)
    assert f'<small class="entry-id">banking.{NEW_KEY}</small>' in page
    replies = _reply_blocks(page)
    assert replies[0] == entry.translations["lv"].answer
    assert any(reply.startswith(("Avots:", "Avoti:")) for reply in replies)  # the sources line, as the action writes it
    # the entry's page links to its preview, which renders it without a question
    _, entry_page, _ = await translator.get(f"/entries/banking/{NEW_KEY}/lv")
    assert f'href="/preview?answer=banking.{NEW_KEY}&amp;lang=lv"' in entry_page
    status, page, _ = await translator.get(f"/preview?answer=banking.{NEW_KEY}&lang=lv")
    assert status == 200 and _reply_blocks(page)[0] == entry.translations["lv"].answer
    assert (await translator.get("/preview?answer=banking.nope&lang=lv"))[0] == 404


async def test_spreadsheets_hold_entries_and_an_import_changes_them(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    pack = draft_pack(server)
    entries = [entry for topic in pack.topics.values() for entry in topic.entries.values()]
    rows = list(csv.DictReader(io.StringIO((await _download(editor, "csv")).decode("utf-8-sig"))))
    assert len(rows) == (len(pack.topics) + len(entries)) * len(pack.languages)
    key, entry = next(iter(pack.topics["taxes"].entries.items()))
    row = next(r for r in rows if r["topic"] == f"taxes.{key}" and r["language"] == "lv")
    assert row["answer"] == entry.translations["lv"].answer and row["examples"].split("\n") == list(entry.translations["lv"].examples)
    xlsx_rows = _xlsx_rows(await _download(editor, "xlsx"))
    lv = next(r for r in xlsx_rows if r["topic"] == f"taxes.{key}" and r["language"] == "lv")
    lv["examples"] += "\nnodokļu ieraksta piemērs no izklājlapas"
    overview = next(r for r in xlsx_rows if r["topic"] == "taxes" and r["language"] == "ru")
    overview["title"] += "!"
    status, page = await _upload(editor, "content.xlsx", _xlsx(xlsx_rows))
    assert status == 200 and "What the file content.xlsx changes (2)" in unescape(page), page
    assert f"<td>taxes.{key}</td>" in page
    status, page, _ = await editor.post(f"/import/{_pending(page)}", {})
    assert status == 303, page
    taxes = draft_pack(server).topics["taxes"]
    assert taxes.entries[key].translations["lv"].examples[-1] == "nodokļu ieraksta piemērs no izklājlapas"
    assert taxes.translations["ru"].title.endswith("!")
    with sqlite3.connect(server.root / "staff.db") as db:
        after = db.execute("SELECT after FROM staff_audit_log WHERE target = 'topics/taxes.yml' ORDER BY id DESC").fetchone()[0]
    assert f"{key}.lv.examples" in json.loads(after) and "ru.title" in json.loads(after)
    # an entry that does not exist is refused with its row; new entries are added on the topic's page
    status, page = await _upload(editor, "c.csv", b"id,language,answer\r\ntaxes.nope,lv,x\r\nnope.fee,lv,y\r\n")
    assert status == 400
    assert errors_shown(page) == [
        "row 2: entry 'taxes.nope' does not exist (add new entries on the topic's page)",
        "row 3: topic 'nope.fee' does not exist",
    ]
    # an entry row's check problems are shown, and nothing changes
    before = topic_file(server, "taxes")
    body = f"topic,language,answer\r\ntaxes.{key},uk,{'ї' * (MAX_ENTRY_ANSWER_CHARS + 5)}\r\n".encode()
    status, page = await _upload(editor, "c.csv", body)
    assert status == 200
    status, page, _ = await editor.post(f"/import/{_pending(page)}", {})
    assert status == 400 and any(f"'uk' answer has {MAX_ENTRY_ANSWER_CHARS + 5} characters" in e for e in errors_shown(page))
    assert topic_file(server, "taxes") == before
    # a translator's entry rows are held to their languages too
    status, page = await _upload(browsers["translator"], "c.csv", f"topic,language,title\r\ntaxes.{key},ru,x\r\n".encode())
    assert status == 403 and "Your role does not allow editing the language ru." in page


def _conversations_with(path, questions: list[tuple[str, str]]) -> str:
    """A conversation store with Rasa's ``events`` table holding these not-understood user messages (text, language).

    The event broker's database beside it (the default ``MIGRANT_BOT_EVENTS_URL``) holds the same events: the inbox reads them there.
    """
    broker = create_engine(f"sqlite:///{path.parent / 'events.db'}")
    event_log.metadata.create_all(broker)
    with sqlite3.connect(path) as db, broker.begin() as conn:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255), timestamp FLOAT,"
            " intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
        for n, (text, lang) in enumerate(questions):
            data = {"event": "user", "text": text, "parse_data": {"intent": {"name": "nlu_fallback"}}, "metadata": {"lang": lang}}
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) VALUES (?, 'user', ?, 'nlu_fallback', ?)",
                (f"user-{n}", time.time() - n, json.dumps(data)),
            )
            row = event_log.row({**data, "sender_id": f"user-{n}", "timestamp": time.time() - n})
            conn.execute(insert(event_log.broker_events).values(**row))
    broker.dispose()
    return f"sqlite:///{path}"


async def test_the_inbox_adds_a_question_to_an_entry_or_the_overview(fresh_server, tmp_path):
    question = "vai bankas karte studentam ir bez maksas"
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=_conversations_with(tmp_path / "tracker.db", [(question, "lv")]))
    browsers = await add_staff(server)
    editor, translator = browsers["editor"], browsers["translator"]
    pack = draft_pack(server)
    key = next(iter(pack.topics["banking"].entries))
    status, page, _ = await translator.get("/inbox")
    assert status == 200 and question in unescape(page)
    topic_title, entry_title = pack.topics["banking"].translations["en"].title, pack.topics["banking"].entries[key].translations["en"].title
    assert (
        f'<option value="banking">{escape(topic_title)}: overview</option>' in page
        and f'<option value="banking.{key}">{escape(entry_title)}</option>' in page
    )
    status, page, answer = await translator.post(
        "/inbox/example", {"example": question, "topic": f"banking.{key}", "lang": "lv", "confirm": "1"}
    )
    assert status == 303 and answer.headers["Location"] == f"/inbox?added=banking.{key}&in=lv", page
    banking = draft_pack(server).topics["banking"]
    assert banking.entries[key].translations["lv"].examples[-1] == question
    assert question not in banking.translations["lv"].examples
    status, page, _ = await translator.post(
        "/inbox/example", {"example": question, "topic": f"banking.{key}", "lang": "lv", "confirm": "1"}
    )
    assert status == 400 and "already a way of asking" in page
    status, page, _ = await editor.post("/inbox/example", {"example": question, "topic": "banking", "lang": "lv", "confirm": "1"})
    assert status == 400 and "is already a way of asking" in unescape(page)  # validated like any save: one owner per way of asking
    assert (await translator.post("/inbox/example", {"example": "cits jautājums", "topic": f"banking.{key}", "lang": "ru"}))[0] == 403
    assert (await editor.post("/inbox/example", {"example": "cits jautājums", "topic": "banking.nope", "lang": "lv"}))[0] == 400
    other = "kā pārskaitīt naudu uz ārzemēm"
    status, _, answer = await editor.post("/inbox/example", {"example": other, "topic": "banking", "lang": "lv", "confirm": "1"})
    assert status == 303 and answer.headers["Location"] == "/inbox?added=banking&in=lv"
    assert draft_pack(server).topics["banking"].translations["lv"].examples[-1] == other
    with sqlite3.connect(server.root / "staff.db") as db:
        summaries = [s for (s,) in db.execute("SELECT summary FROM staff_content_versions ORDER BY id")]
    assert summaries == [f"lv example from the inbox for entry {key}", "lv example from the inbox"]
    for browser in browsers.values():
        await browser.close()


async def test_deleting_an_entry_needs_the_confirmation_and_an_editor(sqlite_staff):
    server, browsers = sqlite_staff
    await _add_new_entry(server, browsers)
    editor = browsers["editor"]
    _, page, _ = await editor.get(f"/entries/banking/{NEW_KEY}")
    assert 'id="delete-entry"' in page and 'name="confirm" value="yes" required' in page
    base = text_hash(topic_file(server))
    status, page, _ = await editor.post(f"/entries/banking/{NEW_KEY}/delete", {"base": base})
    assert status == 400 and "Yes, delete this entry" in page
    assert NEW_KEY in draft_pack(server).topics["banking"].entries
    assert (await browsers["translator"].post(f"/entries/banking/{NEW_KEY}/delete", {"base": base, "confirm": "yes"}))[0] == 403
    _, page, _ = await browsers["translator"].get(f"/entries/banking/{NEW_KEY}")
    assert 'id="delete-entry"' not in page
    status, page, answer = await editor.post(f"/entries/banking/{NEW_KEY}/delete", {"base": base, "confirm": "yes"})
    assert status == 303 and answer.headers["Location"] == "/topics/banking?saved=1", page
    assert NEW_KEY not in draft_pack(server).topics["banking"].entries and NEW_KEY not in topic_file(server)
    assert (await editor.get(f"/entries/banking/{NEW_KEY}"))[0] == 404
    _, versions, _ = await editor.get("/versions")
    version_id = re.search(r'href="/versions/(\d+)"', versions).group(1)
    _, diff, _ = await editor.get(f"/versions/{version_id}")
    assert f"deleted entry {NEW_KEY}" in versions and f"-  {NEW_KEY}:" in unescape(diff)
