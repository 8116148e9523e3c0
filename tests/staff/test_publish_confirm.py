"""The publish page speaks in words and asks first: what users in each language will read, one topic or all, confirmed rollbacks.

Over real HTTP against the staff app, publishing answer-only changes (no
training, so no Rasa server is needed) into the server's own published folder.
"""

from __future__ import annotations

import json
from html import unescape

from tests.staff.harness import add_staff, publish_from_page
from tests.staff.test_content import draft_pack, new_fee_in_english, text_form

BANKING = "packs/latvia/topics/banking.yml"
SENTENCE = "Pārbaudes teikums par kontu."


def _row(page: str, title: str) -> str:
    """The table row of the answer called ``title`` in the "what users will read" table."""
    table = unescape(page).split('class="what-changes"', 1)[1].split("</table>", 1)[0]
    return next(row for row in table.split("<tr>") if f"{title}" in row.split("</th>", 1)[0])


async def _job_exists(browser, job_id: int) -> bool:
    return (await browser.get(f"/publish/jobs/{job_id}.json"))[0] == 200


async def test_publish_one_topic_after_a_confirmation_that_says_who_keeps_the_old_text_then_roll_back(fresh_server):
    server = fresh_server()
    browsers = await add_staff(server)
    editor, publisher = browsers["editor"], browsers["publisher"]
    published = server.root / "published"
    await new_fee_in_english(server, editor)  # the English fee changes; the Latvian, Russian and Ukrainian texts are not updated
    lv = draft_pack(server).topics["banking"].translations["lv"]
    form = [*text_form(server, "lv", answer=f"{lv.answer}\n{SENTENCE}"), ("up_to_date", "on")]
    assert (await editor.post("/topics/banking/lv", form))[0] == 303

    _, page, _ = await publisher.get("/publish")
    fee = draft_pack(server).topics["address_registration"].entries["fee"].translations["en"].title
    row = _row(page, fee)
    assert row.count("new text") == 1 and row.count("old text: translation out of date") == 3, row  # en new; lv, ru, uk old
    assert "keep reading the old version (for example the old fee)" in unescape(page)
    banking_title = draft_pack(server).topics["banking"].translations["en"].title
    assert _row(page, banking_title).count("new text") == 1

    # the button shows a confirmation; nothing starts before it
    status, page, _ = await publisher.post("/publish", {"scope": BANKING})
    shown = unescape(page)
    assert status == 200 and "Publish?" in shown and f"Only the topic “{banking_title}”" in shown
    assert "1 other changed file stays in the draft for a later publish." in shown and fee not in shown
    assert not await _job_exists(publisher, 1)
    assert (await publisher.post("/publish", {"scope": "packs/latvia/topics/nothing.yml", "confirm": "1"}))[0] == 400

    job = await publish_from_page(publisher, scope=BANKING)
    assert job["state"] == "succeeded", job
    assert SENTENCE in (published / BANKING).read_text(encoding="utf-8")
    assert "EUR 4.27" in (published / "packs/latvia/topics/address_registration.yml").read_text(encoding="utf-8")  # waits in the draft
    _, page, _ = await publisher.get("/publish")
    assert fee in unescape(page) and banking_title not in unescape(page).split("Changes in the draft", 1)[1].split("History", 1)[0]

    # a rollback says what it undoes and that the draft keeps the change
    status, page, _ = await publisher.post("/rollback", {})
    shown = unescape(page)
    assert status == 200 and "Roll back?" in shown and f"This undoes publish {job['id']}" in shown and "The draft is not changed" in shown
    assert not await _job_exists(publisher, job["id"] + 1)
    rollback = await publish_from_page(publisher, "/rollback")
    assert rollback["state"] == "succeeded", rollback
    assert SENTENCE not in (published / BANKING).read_text(encoding="utf-8")
    _, page, _ = await publisher.get(f"/publish/jobs/{rollback['id']}")
    assert "The draft still holds the changes that were rolled back" in unescape(page)

    # nothing left to roll back: said at once, and no failed job is added
    status, page, _ = await publisher.post("/rollback", {"confirm": "1"})
    assert status == 409 and "There is no publish to roll back" in unescape(page)
    assert not await _job_exists(publisher, rollback["id"] + 1)
    history = json.loads((await publisher.get(f"/publish/jobs/{rollback['id']}.json"))[1])
    assert history["kind"] == "rollback"
    for browser in browsers.values():
        await browser.close()


def _plain(text: str) -> str:
    return text


def test_steps_and_failures_are_said_without_servers_paths_or_warnings():
    from bot.staff.views.publish_words import message_in_words, readable_log, step_in_words

    details = {
        "validate": "2 file(s) changed: packs/latvia/topics/banking.yml, locales/lv/LC_MESSAGES/messages.po (and 3 warning(s))",
        "compare": "the ways of asking changed: model config-abc is needed (live: config-def)",
        "train": "model config-abc.tar.gz",
        "baseline": "measured on blue: accuracy 96.3% on 188 questions (en 97.8%, lv 95.7%)",
        "load": "config-abc.tar.gz loaded into green in 12.4 s (drained: 3 sessions)",
        "evaluate": "accuracy 97.1% on 188 questions (en 97.8%)",
        "gate": "passed (allowed drop 1.0%)",
        "go_live": "2 file(s) published; users are on green",
        "check": "rolls back job 7 (answers): model config-def, content of /var/staff/publish/7/before",
    }
    said = {name: step_in_words(_plain, {"name": name, "state": "done", "detail": detail}) for name, detail in details.items()}
    assert said["validate"] == "2 changed files checked: no errors. 3 warnings (for example translations out of date)."
    assert said["baseline"] == "The live model understands 96.3% of the test questions."
    assert said["load"] == "The new model was loaded on the standby server in 12.4 s; users were not affected."
    assert said["check"] == "Found the publish to undo (job 7)."
    for sentence in said.values():
        assert not any(word in sentence for word in ("blue", "green", "config-", "/", ".yml"))
    skipped = step_in_words(_plain, {"name": "train", "state": "skipped", "detail": "answer-only change"})
    assert skipped == "Not needed: only answers changed."
    refused = {"state": "refused", "message": "refused: the new model understands less (more than 1.0% lower): lv 90.0% against 95.7% live"}
    assert message_in_words(_plain, refused).startswith("Refused: the new model understood fewer test questions")
    unknown = {"state": "failed", "message": "unexpected error: KeyError('x') at /srv/app/bot/staff/publish.py"}
    assert "/" not in message_in_words(_plain, unknown)
    log = "Epochs: 100%\n/usr/lib/python3/site.py:12: DeprecationWarning: pkg_resources is deprecated\n  import pkg_resources\ntrained"
    assert readable_log(log) == "Epochs: 100%\ntrained"
