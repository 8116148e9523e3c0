"""Names instead of codes, a search on Topics, Latvian dates, and the review-date prompt after a changed number.

Over real HTTP against the staff app; the content is the draft of the
server's own copy of the pack.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape
from zoneinfo import ZoneInfo

from bot.staff.draft import text_hash
from tests.staff.harness import add_staff, strings_form
from tests.staff.test_content import draft_pack, facts_form, text_form, topic_file


async def test_topics_are_listed_by_name_and_found_by_any_title_without_diacritics(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    pack = draft_pack(server)
    banking = pack.topics["banking"]
    _, page, _ = await editor.get("/topics")
    shown = unescape(page)
    assert f'<a href="/topics/banking">{banking.translations["en"].title}</a> <small class="code">banking</small>' in shown
    assert "<th>Latvian</th>" in shown and "<th>lv</th>" not in shown
    # an entry's Latvian title, typed without diacritics, finds its topic
    entry = next(iter(banking.entries.values()))
    typed = entry.translations["lv"].title.lower().translate(str.maketrans("āčēģīķļņšūž", "acegiklnsuz"))
    _, page, _ = await editor.get(f"/topics?q={typed}")
    assert 'id="row-banking"' in page and "found." in page
    _, page, _ = await editor.get("/topics?q=zzzz-nothing")
    assert "0 topics found." in page and 'id="row-' not in page
    # the topic page: its title as the heading, languages and offices by name
    _, page, _ = await editor.get("/topics/banking")
    shown = unescape(page)
    assert f"<h1>{banking.translations['en'].title} <small" in shown and "Latvian (" in shown
    assert 'type="date" name="reviewed"' in page


async def test_a_latvian_date_is_accepted_as_the_review_date(sqlite_staff):
    server, browsers = sqlite_staff
    status, page, _ = await browsers["editor"].post("/topics/banking", facts_form(server, reviewed="05.12.2026"))
    assert status == 303, page
    assert draft_pack(server).topics["banking"].reviewed == date(2026, 12, 5)
    status, _, _ = await browsers["editor"].post("/topics/banking", facts_form(server, reviewed="31.02.2026"))
    assert status == 400 and draft_pack(server).topics["banking"].reviewed == date(2026, 12, 5)


async def test_changing_a_number_asks_whether_the_fact_was_checked_today(fresh_server):
    server = fresh_server()
    browsers = await add_staff(server)
    editor, translator = browsers["editor"], browsers["translator"]
    topic = draft_pack(server).topics["address_registration"]
    old = [
        ("base", text_hash(topic_file(server, "address_registration"))),
        ("reviewed", "2026-01-02"),
        ("sources", "\n".join(topic.sources)),
    ]
    assert (await editor.post("/topics/address_registration", old + [("offices", o) for o in topic.offices]))[0] == 303
    lv = draft_pack(server).topics["address_registration"].translations["lv"]
    # the Latvian text without a changed number: no prompt
    form = [*text_form(server, "lv", topic="address_registration", answer=lv.answer + " Paldies."), ("up_to_date", "on")]
    status, _, answer = await editor.post("/topics/address_registration/lv", form)
    assert status == 303 and "review=1" not in answer.headers["Location"]
    # the English fee changed: the editor is asked whether the fact was checked today (translators may not set the date)
    en = draft_pack(server).topics["address_registration"].translations["en"]
    changed = [*text_form(server, "en", topic="address_registration", answer=en.answer.replace("EUR 4.27", "EUR 5.10"))]
    status, _, answer = await editor.post("/topics/address_registration/en", changed)
    assert status == 303 and "review=1" in answer.headers["Location"]
    status, page, _ = await editor.get(answer.headers["Location"])
    assert 'id="review-prompt"' in page and "You changed a number" in page
    assert (await translator.post("/topics/address_registration/reviewed/today", {"next": "/topics/address_registration/en"}))[0] == 403
    status, _, answer = await editor.post("/topics/address_registration/reviewed/today", {"next": "/topics/address_registration/en"})
    assert status == 303 and answer.headers["Location"] == "/topics/address_registration/en?saved=1"
    reviewed = draft_pack(server).topics["address_registration"].reviewed
    assert reviewed == datetime.now(ZoneInfo("Europe/Riga")).date()  # today in the staff app's time zone
    # the same for an entry
    fee = draft_pack(server).topics["address_registration"].entries["fee"]
    form = [
        ("base", text_hash(topic_file(server, "address_registration"))),
        ("title", fee.translations["en"].title),
        ("answer", fee.translations["en"].answer.replace("EUR 4.27", "EUR 5.10")),
        ("examples", "\n".join(fee.translations["en"].examples)),
    ]
    status, _, answer = await editor.post("/entries/address_registration/fee/en", form)
    assert status == 303 and "review=1" in answer.headers["Location"]
    status, _, answer = await editor.post("/entries/address_registration/fee/reviewed/today", {"next": "/evil.example/x"})
    assert status == 303 and answer.headers["Location"] == "/entries/address_registration/fee?saved=1"  # only its own pages
    assert draft_pack(server).topics["address_registration"].entries["fee"].reviewed == reviewed
    for browser in browsers.values():
        await browser.close()


def test_every_kind_of_save_problem_is_said_in_plain_words_with_its_field():
    from bot.staff.problems import explain, shown

    def plain(text: str) -> str:
        return text

    cases = {
        "topics/banking.yml: 'lv' answer has 812 characters; at most 700 fit a messenger": "answer",
        "banking.fees: 'lv' has no answer": "answer",
        "topics/banking.yml: 'lv' has no title": "title",
        "topics/banking.yml: 'lv' title is longer than 30 characters": "title",
        "topics/banking.yml: 'lv' has 3 examples; at least 15 are needed": "examples",
        "banking: example 'kā atvērt kontu' is also used for 'banking.fees'": "examples",
        "banking: example 'kā atvērt kontu' is a held-out question (data/eval/); held-out questions are never trained on": "examples",
        "topics/banking.yml: 'lv' answer's numbers differ from the 'en' answer: it lacks 5.10 and adds 4.27": "answer",
        "topics/banking.yml: 'reviewed' must be a date like 2026-11-22, not '2026-02-30'": "reviewed",
        "topics/banking.yml: source 'http://example.com' is not a valid https:// address": "sources",
        "topics/banking.yml: no source URL": "sources",
        "topics/banking.yml: office 'nowhere' does not exist in offices.yml": "offices",
    }
    for raw, field in cases.items():
        problem = explain(plain, raw)
        assert problem.field == field, raw
        assert "topics/" not in problem.text and ".yml" not in problem.text and "'lv'" not in problem.text, problem.text
    numbers = explain(plain, "x.yml: 'lv' answer's numbers differ from the 'en' answer: it lacks 5.10 and adds 4.27").text
    assert "Missing here: 5.10." in numbers and "Not in the source text: 4.27." in numbers
    placeholder = "locales/lv/LC_MESSAGES/messages.po: 'From {city}': the translation must keep the placeholders ['{city}']"
    assert [(s.field, s.raw) for s in shown(plain, [placeholder])] == [("string:From {city}", placeholder)]
    unknown = "something the staff app has no words for"
    assert explain(plain, unknown).text == unknown and explain(plain, unknown).field is None


async def test_a_refused_save_says_what_to_fix_in_latvian_next_to_the_field(fresh_server):
    server = fresh_server()
    browsers = await add_staff(server)
    editor = browsers["editor"]
    await editor.post("/ui-language", {"lang": "lv", "next": "/topics"})
    status, page, _ = await editor.post("/topics/banking/lv", text_form(server, "lv", answer="x" * 800))
    assert status == 400
    shown = unescape(page)
    under_answer = shown.split('name="answer"', 1)[1].split("</label>", 1)[1].split("<label", 1)[0]
    assert 'class="field-error"' in under_answer and "rakstzīmes" in under_answer  # in Latvian, at the answer
    assert "at most 700 fit a messenger" in shown.split('class="errors"', 1)[1]  # the checker's words, as secondary text
    # an interface string without its placeholder: the message is at that string's box
    msgid = "The nearest branch is {distance} km from {city}:"
    status, page, _ = await editor.post("/strings/lv", strings_form(server, "lv", **{msgid: "Tuvākā filiāle ir {distance} km attālumā:"}))
    assert status == 400
    row = unescape(page).split(f'aria-label="{msgid}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="field-error"' in row and "{city}" in row.split('class="field-error"', 1)[1]
    await editor.post("/ui-language", {"lang": "en", "next": "/"})
    for browser in browsers.values():
        await browser.close()


async def test_a_version_can_be_gone_back_to_after_a_tick(fresh_server):
    server = fresh_server()
    browsers = await add_staff(server)
    editor, translator = browsers["editor"], browsers["translator"]
    original = topic_file(server)
    lv = draft_pack(server).topics["banking"].translations["lv"]
    form = [*text_form(server, "lv", answer=f"{lv.answer}\nPirmais teikums."), ("up_to_date", "on")]
    assert (await editor.post("/topics/banking/lv", form))[0] == 303
    form = [*text_form(server, "lv", answer=f"{lv.answer}\nOtrais teikums."), ("up_to_date", "on")]
    assert (await editor.post("/topics/banking/lv", form))[0] == 303
    _, page, _ = await editor.get("/versions")
    first, second = sorted(int(v) for v in re.findall(r'href="/versions/(\d+)"', page))[-2:]
    _, page, _ = await editor.get(f"/versions/{first}")
    assert 'id="restore"' in page and "1 later change to this file is undone too." in page
    assert 'id="restore"' not in (await translator.get(f"/versions/{first}"))[1]
    assert (await translator.post(f"/versions/{first}/restore", {"confirm": "on"}))[0] == 403
    status, page, _ = await editor.post(f"/versions/{first}/restore", {})
    assert status == 400 and "Tick the box" in page and "Otrais teikums." in topic_file(server)  # nothing without the tick
    status, _, answer = await editor.post(f"/versions/{first}/restore", {"confirm": "on"})
    assert status == 303 and answer.headers["Location"] == f"/versions?restored={first}"
    assert topic_file(server) == original  # both later changes are gone, as the page said
    _, page, _ = await editor.get(answer.headers["Location"])
    assert f"The file is back as it was before version {first}." in page and f"restored as before version {first}" in page
    assert second > first
    for browser in browsers.values():
        await browser.close()
