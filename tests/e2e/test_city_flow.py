"""The city prompt and what follows it, over HTTP, in every language (actions/state.py).

After "In which city are you?" the next message is one of: a new question
(answered as such, routed to the city it names), a city typed or pressed as
a button (only "where to go" for that city, never the answer again), or
nonsense (the usual fallback; the awaited answer is dropped). Every reply
keeps the reply contract's shape: at most three text messages, each office
once, no raw web address longer than 40 characters, buttons on the last one.
"""

from __future__ import annotations

import re

import pytest

from bot.core.i18n import translator
from tests.conftest import real_languages
from tests.e2e.replies import buttons, meta, new_sender, texts

LANGS = real_languages()  # every language of data/languages.yml: a new one without its questions fails here
#: a question whose answer asks for the city (PMLP is in several cities)
QUESTION = {
    "en": "How do I get a residence permit in Latvia?",
    "lv": "Kā saņemt uzturēšanās atļauju Latvijā?",
    "ru": "Как получить вид на жительство в Латвии?",
    "uk": "Як отримати посвідку на проживання в Латвії?",
}
#: a new question that names a city (issue 15's Russian example among them)
NEW_QUESTION = {
    "en": "how do I enrol my child in school in Riga?",
    "lv": "kā pieteikt bērnu skolā Rīgā?",
    "ru": "как записать ребенка в школу в Риге?",
    "uk": "як записати дитину до школи в Ризі?",
}
#: a city typed with the words people put around it
CITY = {"en": "in Jelgava", "lv": "Jelgavā", "ru": "в Елгаве", "uk": "у Єлгаві"}
#: nonsense the model cannot place
NONSENSE = {"en": "xyzzy", "lv": "ķēķis ūūū", "ru": "ывапр олдж", "uk": "цвях гуп"}
#: a web address shown as text (not the target of a [label](url) link)
RAW_URL = re.compile(r"(?<!\]\()https?://\S+")
MAX_RAW_URL = 40


def custom(messages: list[dict]) -> dict:
    """The one custom object of a reply (meta, office cards)."""
    (found,) = [m["custom"] for m in messages if isinstance(m.get("custom"), dict) and "meta" in m["custom"]]
    return found


def assert_reply_shape(messages: list[dict]) -> None:
    """The reply contract's shape (docs/reply-contract-draft.md, 1-3)."""
    shown = texts(messages)
    assert 1 <= len(shown) <= 3, shown
    text_messages = [m for m in messages if m.get("text")]
    assert all(not m.get("buttons") for m in text_messages[:-1]), "buttons go on the last message only"
    for text in shown:
        long_raw = [url for url in RAW_URL.findall(text) if len(url) > MAX_RAW_URL]
        assert not long_raw, text
    got = custom(messages)
    assert len(set(got["meta"]["offices"])) == len(got["meta"]["offices"]), got["meta"]
    cards = got.get("office_cards", [])
    offices = [card["office"] for card in cards]
    assert len(set(offices)) == len(offices), f"an office twice: {offices}"
    if cards:
        where = shown[got["cards_replace_text"]]
        for card in cards:  # the text the widget replaces is these cards' text, each office once
            assert where.count(f"**{card['name']}**") == 1, where


def ask(assistant, lang: str) -> tuple[str, list[dict]]:
    """A new conversation whose first answer asks for the city."""
    sender = new_sender()
    first = assistant.send(sender, QUESTION[lang])
    assert (meta(first)["label"], meta(first)["lang"]) == ("residence_permit", lang)
    assert texts(first)[-1] == translator(lang)("In which city are you? I will show you the nearest office.")
    assert_reply_shape(first)
    assert assistant.tracker(sender)["slots"]["awaiting_city"]
    return sender, first


def answer_text(pack, got: dict, lang: str) -> str:
    """The answer text of the reply contract's topic or entry, in ``lang``."""
    answer = pack.entry(got["entry"]) if got["entry"] else pack.topics[got["label"]]
    return answer.translations[lang].answer


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_question_after_the_city_prompt_is_answered(assistant, pack, lang):
    sender, first = ask(assistant, lang)
    waiting = texts(first)[0]
    messages = assistant.send(sender, NEW_QUESTION[lang])
    got = meta(messages)
    assert (got["label"], got["lang"]) == ("children_education", lang)
    assert texts(messages)[0] == answer_text(pack, got, lang)
    assert waiting not in texts(messages), "the residence-permit answer is not given again"
    assert "ocma" not in got["offices"]
    # routed to the city the question names: the Riga municipality
    assert [card["id"] for card in custom(messages)["office_cards"]] == ["municipality_riga"]
    assert_reply_shape(messages)
    assert assistant.tracker(sender)["slots"]["awaiting_city"] is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_city_after_the_city_prompt_gets_only_where_to_go(assistant, pack, lang):
    sender, first = ask(assistant, lang)
    messages = assistant.send(sender, CITY[lang])
    got = meta(messages)
    assert (got["label"], got["entry"], got["lang"]) == (meta(first)["label"], meta(first)["entry"], lang)
    (where,) = texts(messages)  # one message: where to go, never the answer again
    assert texts(first)[0] not in where
    assert where.startswith(translator(lang)("Where to turn:"))
    cards = custom(messages)["office_cards"]
    assert cards[0]["id"] == "ocma_jelgava" and custom(messages)["cards_replace_text"] == 0
    assert got["offices"] == [card["office"] for card in cards]
    assert_reply_shape(messages)
    assert assistant.tracker(sender)["slots"]["city"] == "jelgava"
    # the entries the answer offers come now, not beside the city buttons: two after an entry, six after an overview
    assert not [b for b in buttons(first) if '{"entry":' in b["payload"]]
    offered = [b["payload"] for b in buttons(messages) if '{"entry":' in b["payload"]]
    assert len(offered) == (2 if got["entry"] else 6), buttons(messages)
    assert all(p.startswith('/residence_permit{"entry":') for p in offered)
    assert not got["entry"] or f'"{got["entry"].split(".")[1]}"' not in "".join(offered)
    assert assistant.tracker(sender)["slots"]["entries_after_city"] is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_city_button_after_the_city_prompt_gets_only_where_to_go(assistant, pack, lang):
    sender, first = ask(assistant, lang)
    daugavpils = pack.directory.cities["daugavpils"].name_in(lang)
    (button,) = [b for b in buttons(first) if b["title"] == daugavpils]
    messages = assistant.send(sender, button["payload"])
    got = meta(messages)
    # a city name says nothing about the language: "Daugavpils" keeps an English conversation English
    assert (got["label"], got["lang"]) == ("residence_permit", lang)
    (where,) = texts(messages)
    assert texts(first)[0] not in where
    assert custom(messages)["office_cards"][0]["id"] == "ocma_daugavpils"
    assert_reply_shape(messages)


@pytest.mark.parametrize("lang", LANGS)
def test_still_abroad_after_the_city_prompt_gets_the_embassy(assistant, pack, lang):
    sender, first = ask(assistant, lang)
    abroad = translator(lang)("I am still abroad")
    assert buttons(first)[-1] == {"title": abroad, "payload": abroad}
    messages = assistant.send(sender, abroad)
    got = meta(messages)
    assert (got["label"], got["lang"]) == ("residence_permit", lang)
    (where,) = texts(messages)
    assert pack.offices["mfa_consular"].phone in where
    assert [card["office"] for card in custom(messages)["office_cards"]] == ["mfa_consular"]
    assert_reply_shape(messages)


@pytest.mark.parametrize("lang", LANGS)
def test_nonsense_after_the_city_prompt_gets_the_fallback_and_drops_the_waiting_answer(assistant, lang):
    sender, first = ask(assistant, lang)
    messages = assistant.send(sender, NONSENSE[lang])
    assert meta(messages)["label"] == "fallback"
    assert texts(first)[0] not in texts(messages)
    assert "office_cards" not in custom(messages)
    assert_reply_shape(messages)
    assert assistant.tracker(sender)["slots"]["awaiting_city"] is None
    # the waiting answer is gone: a city now is no longer taken as its answer
    later = assistant.send(sender, CITY[lang])
    assert meta(later)["label"] != "residence_permit"


def test_a_latvian_question_after_the_work_permit_prompt_is_answered(assistant, pack):
    # issue 15's Latvian report: the address question was answered with the work permit's Riga branch
    sender = new_sender()
    first = assistant.send(sender, "Kā saņemt darba atļauju?")
    assert meta(first)["label"] == "work_permit" and assistant.tracker(sender)["slots"]["awaiting_city"]
    messages = assistant.send(sender, "Kur deklarēt dzīvesvietu Rīgā?")
    got = meta(messages)
    assert (got["label"], got["lang"]) == ("address_registration", "lv")
    assert texts(messages)[0] == answer_text(pack, got, "lv")
    assert texts(first)[0] not in texts(messages)
    assert custom(messages)["office_cards"][0]["id"] == "municipality_riga"
    assert_reply_shape(messages)


def test_the_issues_own_latvian_words_are_a_new_question(assistant):
    # "kur reģistrēt dzīvesvietu Rīgā": the model is unsure of it; either answered or offered, never the work permit again
    sender = new_sender()
    first = assistant.send(sender, "Kā saņemt darba atļauju?")
    messages = assistant.send(sender, "kur reģistrēt dzīvesvietu Rīgā")
    got = meta(messages)
    offered = [b["payload"].lstrip("/") for b in buttons(messages)]
    assert got["label"] == "address_registration" or (got["label"] == "fallback" and "address_registration" in offered), (got, offered)
    assert texts(first)[0] not in texts(messages)
    assert_reply_shape(messages)
