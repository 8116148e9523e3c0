"""The inbox of unanswered questions: masking, grouping, and one-step examples, over real HTTP.

The conversations are written by the real Rasa server into its real
conversation store (through its HTTP API, as user messages it did not
understand or cover), and the staff app reads them from there. Masking is
bot.privacy.masking's (tests/unit); that the inbox uses it, and the archive of
deleted conversations' questions, are tested in test_privacy.py.
"""

from __future__ import annotations

import json
import time
import urllib.request
from html import unescape

from bot.staff.inbox import Question, group
from tests.staff.harness import add_staff
from tests.staff.test_content import draft_pack


def test_similar_questions_are_grouped_and_counted():
    def q(text: str, lang: str = "lv", at: float = 0.0) -> Question:
        return Question(text=text, lang=lang, reason="nlu_fallback", at=at)

    groups = group(
        [
            q("kā dabūt makšķernieka karti", at=1),
            q("kā dabūt makšķernieka karti?", at=2),
            q("ka dabut makskernieka karti", at=3),
            q("kur nopirkt makšķernieka karti", at=4),
            q("cik maksā suņa čipošana", at=5),
            q("how to get a fishing licence", lang="en", at=6),
        ]
    )
    # the same question with and without diacritics, and reworded, is one group; other languages stay apart
    assert [(g.count, g.lang, g.text) for g in groups] == [
        (4, "lv", "kā dabūt makšķernieka karti"),
        (1, "en", "how to get a fishing licence"),
        (1, "lv", "cik maksā suņa čipošana"),
    ]


def _store(rasa_url: str, token: str, sender: str, text: str, intent: str, lang: str, entities: list | None = None) -> None:
    event = {
        "event": "user",
        "timestamp": time.time(),
        "text": text,
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": 0.2}, "entities": entities or []},
        "metadata": {"lang": lang},
    }
    request = urllib.request.Request(
        f"{rasa_url}/conversations/{sender}/tracker/events?token={token}",
        data=json.dumps(event).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200


async def test_the_inbox_groups_masked_questions_and_an_editor_adds_one_as_an_example(live_rasa, fresh_server):
    rasa_url, token, conversations = live_rasa
    asked = [
        ("kā dabūt makšķernieka karti, mans tel. +371 29123456", "nlu_fallback", "lv"),
        ("kā dabūt makšķernieka karti?", "nlu_fallback", "lv"),
        ("ka dabut makskernieka karti", "out_of_scope", "lv"),
        ("what is the weather in riga", "out_of_scope", "en"),
        ("hello", "greet", "en"),  # understood: not in the inbox
    ]
    for n, (text, intent, lang) in enumerate(asked):
        _store(rasa_url, token, f"inbox-user-{n}", text, intent, lang)
    # an answered question, then "this did not help" pressed under its answer (the button's payload, as Rasa parses it)
    _store(rasa_url, token, "inbox-unhelped", "uzturēšanās atļauja bērnam no Ukrainas", "residence_permit", "lv")
    mark = [{"entity": "feedback", "value": "unhelpful", "start": 0, "end": 0}]
    _store(rasa_url, token, "inbox-unhelped", '/ask_human{"feedback":"unhelpful"}', "ask_human", "lv", mark)
    _store(rasa_url, token, "inbox-asked-for-a-person", "es gribu runāt ar cilvēku", "ask_human", "lv")  # not a mark
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=conversations)
    browsers = await add_staff(server)
    editor, translator = browsers["editor"], browsers["translator"]
    status, page, _ = await translator.get("/inbox")
    shown = unescape(page)
    assert status == 200 and "5 questions in 3 groups." in shown, shown
    assert "29123456" not in shown and "[phone]" in shown and "hello" not in shown and "runāt ar cilvēku" not in shown
    unhelped = next(row for row in shown.split('<tr class="group">') if "uzturēšanās atļauja bērnam no Ukrainas" in row)
    assert "unhelpful" in unhelped
    first_group = shown.split('<tr class="group">', 2)[1]
    assert "<td>3</td>" in first_group and "nlu_fallback, out_of_scope" in first_group
    # one step: the question becomes a way of asking a topic in the draft
    example = "kā dabūt makšķernieka karti"
    await translator.get("/inbox")
    status, _, _ = await translator.post("/inbox/example", {"example": example, "topic": "social_support", "lang": "ru"})
    assert status == 403
    await editor.get("/inbox")
    status, page, _ = await editor.post("/inbox/example", {"example": example, "topic": "social_support", "lang": "lv"})
    assert status == 303, page
    assert draft_pack(server).topics["social_support"].translations["lv"].examples[-1] == example
    status, page, _ = await editor.post("/inbox/example", {"example": example, "topic": "housing", "lang": "lv"})
    assert status == 400 and "is also used for" in unescape(page)  # validated like any save
    for browser in browsers.values():
        await browser.close()
