"""Preview: the draft's answer to a question, before publishing; with and without the live assistant."""

from __future__ import annotations

from html import escape, unescape

from tests.staff.harness import Browser, add_staff
from tests.staff.test_content import draft_pack, new_fee_in_english, new_fee_in_entry, text_form


def _reply_blocks(page: str) -> list[str]:
    return [unescape(block.split(">", 1)[1].split("</pre>", 1)[0]) for block in page.split('<pre class="bubble bot answer reply"')[1:]]


async def _new_fee_and_way_of_asking(server, editor: Browser) -> str:
    """An editor changes the fee (English, the source, then Latvian) and adds a new way of asking (draft only); returns that question."""
    await new_fee_in_english(server, editor)
    tr = draft_pack(server).topics["address_registration"].translations["lv"]
    assert "4,27 EUR" in tr.answer
    question = "cik šogad maksā dzīvesvietas deklarēšana klātienē pašvaldībā"
    form = text_form(server, "lv", topic="address_registration", answer=tr.answer.replace("4,27 EUR", "5,10 EUR"))
    form = [(k, v) for k, v in form if k != "examples"] + [("examples", "\n".join([*tr.examples, question])), ("up_to_date", "on")]
    status, text, _ = await editor.post("/topics/address_registration/lv", form)
    assert status == 303, text
    await new_fee_in_entry(server, editor, "lv")
    return question


async def test_a_new_way_of_asking_and_a_new_fee_are_previewed_from_the_draft(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    question = await _new_fee_and_way_of_asking(server, editor)
    await editor.get("/preview")
    status, page, _ = await editor.post("/preview", {"question": question.upper() + "  ", "lang": "lv"})
    assert status == 200
    topic_title = draft_pack(server).topics["address_registration"].translations["en"].title
    assert f"Recognised as: “{topic_title}” (one of the draft's ways of asking" in unescape(page)
    assert f'<p class="bubble user">{escape(question.upper())}</p>' in page  # shown as in the chat
    replies = _reply_blocks(page)
    assert "5,10 EUR" in replies[0] and "4,27 EUR" not in replies[0]
    assert any(reply.startswith(("Avots:", "Avoti:")) for reply in replies)  # the sources line, as the action writes it
    # a question the draft does not know needs the live assistant, which is not running here
    status, page, _ = await editor.post("/preview", {"question": "kā nokārtot makšķernieka karti", "lang": "lv"})
    assert status == 200 and "Is the assistant running? Ask the person who runs it." in page and "make run" not in page


async def test_preview_input_is_validated(sqlite_staff):
    _, browsers = sqlite_staff
    translator = browsers["translator"]
    await translator.get("/preview")
    assert (await translator.post("/preview", {"question": "x", "lang": "xx"}))[0] == 400
    assert (await translator.post("/preview", {"question": "", "lang": "lv"}))[0] == 400
    assert (await translator.post("/preview", {"question": "y" * 1001, "lang": "lv"}))[0] == 400
    # the reply language follows the interface language, languages by name
    assert '<option value="en" selected>English</option>' in (await translator.get("/preview"))[1]
    await translator.post("/ui-language", {"lang": "lv", "next": "/preview"})
    assert '<option value="lv" selected>Latviešu</option>' in (await translator.get("/preview"))[1]
    await translator.post("/ui-language", {"lang": "en", "next": "/"})


async def test_preview_asks_the_live_model_and_answers_from_the_draft(live_rasa, fresh_server):
    url, token, _ = live_rasa
    server = fresh_server(MIGRANT_BOT_STAFF_RASA_URL=url)
    (server.root / "api-token").write_text(token, encoding="utf-8")  # where `make run` keeps it (var/api-token)
    server.stop()
    server.start()
    browsers = await add_staff(server)
    editor = browsers["editor"]
    await _new_fee_and_way_of_asking(server, editor)
    await editor.get("/preview")
    status, page, _ = await editor.post("/preview", {"question": "cik maksā deklarēt dzīvesvietu", "lang": "lv"})
    assert status == 200, page
    topic_title = draft_pack(server).topics["address_registration"].translations["en"].title
    assert f"Recognised as: “{topic_title}” by the live model" in unescape(page)
    assert "5,10 EUR" in _reply_blocks(page)[0]  # the draft's answer, not the published one
    for browser in browsers.values():
        await browser.close()
