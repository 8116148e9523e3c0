"""The inbox of unanswered questions: masking, grouping, and one-step examples, over real HTTP.

The conversations are written by the real Rasa server into its real
conversation store (through its HTTP API, as user messages it did not
understand or cover), and the staff app reads them from there. Masking is
bot.core.privacy.masking's (tests/unit); that the inbox uses it, and the archive of
deleted conversations' questions, are tested in test_privacy.py.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from html import unescape

from sqlalchemy import create_engine, insert

from bot.core import event_log
from bot.staff import inbox
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


def _unsampled_time(sender: str) -> float:
    """A time at which a confidently understood message of ``sender`` is not in the inbox's random sample to check."""
    now = time.time()
    while inbox.worth_checking({"sender_id": sender, "timestamp": now, "data": "{}"}):
        now += 0.001
    return now


def _store(rasa_url: str, token: str, sender: str, text: str, intent: str, lang: str, entities: list | None = None) -> None:
    event = {
        "event": "user",
        "timestamp": _unsampled_time(sender),
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
    assert status == 200 and "Open questions: 5." in shown and "Groups shown: 3 of 3." in shown, shown
    assert "29123456" not in shown and "[phone]" in shown and "hello" not in shown and "runāt ar cilvēku" not in shown
    unhelped = next(row for row in shown.split('<li class="group">') if "uzturēšanās atļauja bērnam no Ukrainas" in row)
    assert "marked “did not help”" in unhelped
    first_group = shown.split('<li class="group">', 2)[1]
    assert "3 questions" in first_group and "not understood, not covered" in first_group
    # two steps: the question, confirmed, becomes a way of asking a topic in the draft
    example = "kā dabūt makšķernieka karti"
    await translator.get("/inbox")
    status, _, _ = await translator.post("/inbox/example", {"example": example, "topic": "social_support", "lang": "ru"})
    assert status == 403
    await editor.get("/inbox")
    status, page, _ = await editor.post("/inbox/example", {"example": example, "topic": "social_support", "lang": "lv"})
    assert status == 200 and "Add a way of asking?" in page
    assert example not in draft_pack(server).topics["social_support"].translations["lv"].examples  # not before the confirmation
    status, page, _ = await editor.post("/inbox/example", {"example": example, "topic": "social_support", "lang": "lv", "confirm": "1"})
    assert status == 303, page
    assert draft_pack(server).topics["social_support"].translations["lv"].examples[-1] == example
    status, page, _ = await editor.post("/inbox/example", {"example": example, "topic": "housing", "lang": "lv", "confirm": "1"})
    assert status == 400 and "is already a way of asking" in unescape(page)  # validated like any save, said in plain words
    for browser in browsers.values():
        await browser.close()


def _broker_with(path, events: list[dict]) -> str:
    """An event broker's database (bot.core.event_log) holding these user events; the conversation store's URL beside it."""
    broker = create_engine(f"sqlite:///{path.parent / 'events.db'}")
    event_log.metadata.create_all(broker)
    with broker.begin() as conn:
        for event in events:
            conn.execute(insert(event_log.broker_events).values(**event_log.row({"event": "user", **event})))
    broker.dispose()
    return f"sqlite:///{path}"


def _asked(
    sender: str, text: str, lang: str, ranking: list[tuple[str, float]], entries: list[tuple[str, float]], at: float | None = None
) -> dict:
    """A user message as Rasa publishes it: the topic ranking, the entry selector's ranking, the language."""
    intent = ranking[0] if ranking[0][1] >= 0.4 else ("nlu_fallback", 0.4)  # config.yml's FallbackClassifier
    parse = {
        "text": text,
        "intent": {"name": intent[0], "confidence": intent[1]},
        "intent_ranking": [{"name": name, "confidence": p} for name, p in ranking],
        "response_selector": {
            "default": {
                "response": {"intent_response_key": entries[0][0] if entries else None, "confidence": entries[0][1] if entries else 0.0},
                "ranking": [{"intent_response_key": key, "confidence": p} for key, p in entries],
            }
        },
    }
    return {"sender_id": sender, "timestamp": at or _unsampled_time(sender), "text": text, "parse_data": parse, "metadata": {"lang": lang}}


def _groups(page: str) -> list[str]:
    return unescape(page).split('<li class="group">')[1:]


async def test_the_inbox_suggests_the_assistants_guesses_asks_to_confirm_and_hides_what_was_handled(fresh_server, tmp_path):
    fishing = "kur var nopirkt makšķernieka karti?"  # answered confidently, but the runner-up was close: to check
    housing = "kā pieteikties uz sociālo dzīvokli"  # not understood; the assistant's guesses: a housing entry, then topics
    events = [
        _asked(
            "web:a1", fishing, "lv", [("blue_card", 0.45), ("work_permit", 0.38), ("job_search", 0.1)], [("blue_card/eligibility", 0.7)]
        ),
        _asked(
            "web:a2",
            "vai varu strādāt ar zilo karti?",
            "lv",
            [("blue_card", 0.93), ("work_permit", 0.04)],
            [("blue_card/eligibility", 0.9)],
        ),
        _asked("web:a3", housing, "lv", [("housing", 0.3), ("social_support", 0.25)], [("housing/finding_home", 0.5)]),
        _asked("web:a4", "how do I get a fishing licence", "en", [("out_of_scope", 0.3), ("housing", 0.2)], []),
    ]
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=_broker_with(tmp_path / "tracker.db", events))
    browsers = await add_staff(server)
    editor, translator = browsers["editor"], browsers["translator"]
    pack = draft_pack(server)
    blue_card, housing_topic = pack.topics["blue_card"], pack.topics["housing"]
    renting = housing_topic.entries["finding_home"].translations["en"].title
    status, page, _ = await editor.get("/inbox")
    groups = _groups(page)
    assert status == 200 and len(groups) == 3, unescape(page)  # the clear answer is not offered for checking
    check = next(g for g in groups if fishing in g)
    who = blue_card.entries["eligibility"].translations["en"].title
    assert "answered: please check" in check and f"Answered with: {who} ({blue_card.translations['en'].title})" in check
    unanswered = next(g for g in groups if housing in g)
    guesses = unanswered.split("<optgroup", 2)[1]
    assert "The assistant’s guesses" in guesses and guesses.index(renting) < guesses.index(housing_topic.translations["en"].title)
    assert all(" selected" not in g for g in groups)  # nothing chosen for the staff member
    # filters: by reason, by language, by words typed without diacritics
    assert [fishing in g for g in _groups((await editor.get("/inbox?why=check"))[1])] == [True]
    assert ["fishing licence" in g for g in _groups((await editor.get("/inbox?lang=en"))[1])] == [True]
    assert [fishing in g for g in _groups((await editor.get("/inbox?q=MAKSKERNIEKA"))[1])] == [True]
    # adding asks for a confirmation that says what is learned, and warns when the language differs from the detected one
    form = {"example": housing, "topic": "housing.finding_home", "lang": "en", "group_text": housing, "group_lang": "lv"}
    status, page, _ = await editor.post("/inbox/example", form)
    shown = unescape(page)
    assert status == 200 and "Add a way of asking?" in shown and renting in shown and "detected as Latvian, and you chose English" in shown
    assert housing not in draft_pack(server).topics["housing"].entries["finding_home"].translations["lv"].examples
    status, page, answer = await editor.post("/inbox/example", {**form, "lang": "lv", "confirm": "1"})
    assert status == 303, page
    assert draft_pack(server).topics["housing"].entries["finding_home"].translations["lv"].examples[-1] == housing
    status, page, _ = await editor.get(answer.headers["Location"])
    assert f"Added as a way of asking “{renting}” in Latvian." in unescape(page)
    assert [housing in g for g in _groups(page)] == [False, False] and "Show the 1 handled ones" in page
    # the answer was right: dismissed; a translator may only dismiss in their languages
    assert (await translator.post("/inbox/dismiss", {"group_text": "how do I get a fishing licence", "group_lang": "ru"}))[0] == 403
    status, _, _ = await editor.post("/inbox/dismiss", {"group_text": fishing, "group_lang": "lv"})
    assert status == 303
    groups = _groups((await editor.get("/inbox"))[1])
    assert len(groups) == 1 and "fishing licence" in groups[0]
    handled = _groups((await editor.get("/inbox?handled=1"))[1])
    assert sorted(fishing in g or housing in g for g in handled) == [True, True]
    # asked again after it was handled, the question is open again (the published model may still not know it)
    again = _asked("web:a5", housing, "lv", [("housing", 0.3)], [], at=time.time() + 1)
    _broker_with(tmp_path / "tracker.db", [again])
    assert any(housing in g for g in _groups((await editor.get("/inbox"))[1]))
    # the Latvian interface speaks Latvian: reasons, languages and buttons in words
    await editor.post("/ui-language", {"lang": "lv", "next": "/inbox"})
    page = unescape(re.sub(r"<[^>]+>", " ", (await editor.get("/inbox"))[1]))  # the visible text
    assert "nav saprasts" in page and "latviešu" in page.lower() and "Pievienot…" in page and "nlu_fallback" not in page
    await editor.post("/ui-language", {"lang": "en", "next": "/"})
    for browser in browsers.values():
        await browser.close()


def test_a_confident_answer_is_checked_when_the_runner_up_was_close_or_by_a_stable_sample():
    def row(first: float, second: float, sender: str = "web:x", at: float = 1.0) -> dict:
        ranking = [{"name": "blue_card", "confidence": first}, {"name": "work_permit", "confidence": second}]
        return {"sender_id": sender, "timestamp": at, "data": json.dumps({"parse_data": {"intent_ranking": ranking}})}

    assert inbox.worth_checking(row(0.5, 0.4))
    sampled = [inbox.worth_checking(row(0.95, 0.02, f"web:{n}", 1000.0 + n)) for n in range(5000)]
    assert 0.01 < sum(sampled) / len(sampled) < 0.03  # about one in SAMPLE (50)
    assert sampled == [inbox.worth_checking(row(0.95, 0.02, f"web:{n}", 1000.0 + n)) for n in range(5000)]  # the same every time


def _pressed(sender: str, topic: str, key: str, lang: str, at: float) -> dict:
    """The press of an entry's button, as Rasa publishes it (the payload's intent and entity)."""
    payload = f'/{topic}{{"entry":"{key}"}}'
    parse = {"text": payload, "intent": {"name": topic, "confidence": 1.0}, "entities": [{"entity": "entry", "value": key}]}
    return {"sender_id": sender, "timestamp": at, "text": payload, "parse_data": parse, "metadata": {"lang": lang}}


def _city(sender: str, text: str, lang: str, at: float) -> dict:
    parse = {"text": text, "intent": {"name": "inform_city", "confidence": 1.0}, "entities": []}
    return {"sender_id": sender, "timestamp": at, "text": text, "parse_data": parse, "metadata": {"lang": lang}}


async def test_a_question_after_which_the_user_chose_another_entry_suggests_that_entry_first(fresh_server, tmp_path):
    stay = "cik ilgi drīkst būt Latvijā bez vīzas"  # answered "who needs a visa"; the user pressed the 90/180 rule
    fee = "cik maksā uzturēšanās atļauja"  # answered the fee; after the city reply, the user pressed the documents
    agreed = "kas ir jāņem līdzi uz PMLP"  # the user pressed the entry that had answered: nothing to learn
    t = time.time() - 100
    visa = [("visa_short_stay", 0.9)]
    events = [
        _asked("web:c1", stay, "lv", visa, [("visa_short_stay/who_needs", 0.9), ("visa_short_stay/rule_90_180", 0.05)], at=t),
        _pressed("web:c1", "visa_short_stay", "rule_90_180", "lv", t + 1),
        _asked("web:c2", fee, "lv", [("residence_permit", 0.95)], [("residence_permit/fee", 0.97)], at=t + 2),
        _city("web:c2", "Rīgā", "lv", t + 3),
        _pressed("web:c2", "residence_permit", "documents", "lv", t + 4),
        _asked("web:c3", agreed, "lv", [("residence_permit", 0.95)], [("residence_permit/documents", 0.6)], at=t + 5),
        _pressed("web:c3", "residence_permit", "documents", "lv", t + 6),
        _asked("web:c4", "labdien", "lv", [("greet", 0.99)], [], at=t + 7),  # then the menu: a topic, an entry
        _pressed("web:c4", "taxes", "tax_return", "lv", t + 8),
    ]
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=_broker_with(tmp_path / "tracker.db", events))
    browsers = await add_staff(server)
    editor = browsers["editor"]
    pack = draft_pack(server)
    status, page, _ = await editor.get("/inbox?why=chose_entry")
    groups = _groups(page)
    assert status == 200 and sorted(stay in g or fee in g for g in groups) == [True, True], unescape(page)
    assert not any(agreed in g or "labdien" in g for g in groups)
    chose = next(g for g in groups if stay in g)
    assert "the user chose another answer" in chose
    guesses = chose.split("<optgroup", 2)[1]
    rule, who = (pack.topics["visa_short_stay"].entries[k].translations["en"].title for k in ("rule_90_180", "who_needs"))
    assert guesses.index(rule) < guesses.index(who)  # the user's choice first, then the assistant's
    for browser in browsers.values():
        await browser.close()
