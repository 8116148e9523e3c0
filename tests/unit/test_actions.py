"""Actions run on named tracker states (tests/data/trackers/), checking exact events and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerTopic, ActionFallback, ActionFollowUp
from actions.city import ActionCityReply
from actions.conversation import ActionAskHuman, ActionGreet
from actions.language import ActionChangeLanguage
from actions.offices import ActionOfficeLookup
from actions.state import place_only
from bot.core.i18n import translator

STATES = Path(__file__).resolve().parent.parent / "data" / "trackers"


def tracker(name: str) -> Tracker:
    state = json.loads((STATES / f"{name}.json").read_text(encoding="utf-8"))
    return Tracker.from_dict(state)


async def run(action, name: str) -> tuple[list[dict], list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(name), {})
    return dispatcher.messages, events


def metas(messages: list[dict]) -> list[dict]:
    return [m["custom"]["meta"] for m in messages if m.get("custom")]


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]


def custom(messages: list[dict]) -> dict:
    """The one custom message of the reply (meta, office cards)."""
    (found,) = [m["custom"] for m in messages if m.get("custom")]
    return found


def cards(messages: list[dict]) -> list[dict]:
    return custom(messages).get("office_cards", [])


async def test_topic_answer_in_ukrainian(pack):
    messages, events = await run(ActionAnswerTopic(), "topic_uk")
    topic = pack.topics["residence_permit"]
    assert messages[0]["text"] == topic.translations["uk"].answer
    assert metas(messages) == [
        {"label": "residence_permit", "entry": None, "lang": "uk", "offices": ["ocma", "mfa_consular"], "sources": list(topic.sources)}
    ]
    # PMLP is in several cities and the city is not known yet: the answer, its sources, then the city asked for, once
    assert len(texts(messages)) == 3
    assert texts(messages)[1] == (
        "Джерела: [pmlp.gov.lv](https://www.pmlp.gov.lv/lv/kur-var-iesniegt-dokumentus-0), "
        "[vissparmigraciju.pmlp.gov.lv](https://vissparmigraciju.pmlp.gov.lv/?page_id=413) · перевірено 22 листопада 2026\u202fр."
    )
    assert messages[-2]["text"] == "У якому ви місті? Я покажу найближчий офіс."
    assert [b["title"] for b in messages[-2]["buttons"]][:2] == ["Рига", "Даугавпілс"]
    assert messages[-2]["buttons"][-1] == {"title": "Я ще за кордоном", "payload": "Я ще за кордоном"}
    assert "office_cards" not in custom(messages)  # where to go comes with the city
    assert events == [
        SlotSet("language", "uk"),
        SlotSet("topic", "residence_permit"),
        SlotSet("awaiting_city", "residence_permit"),
        SlotSet("city_asked", "yes"),
        # the overview's entry buttons come with "where to go", after the city
        SlotSet("entries_after_city", " ".join(e.id for e in list(pack.topics["residence_permit"].entries.values())[:6])),
    ]


async def test_follow_up_answers_the_kept_topic_and_names_it(pack):
    messages, events = await run(ActionFollowUp(), "follow_up_after_topic_lv")
    title = pack.topics["residence_permit"].translations["lv"].title
    assert messages[0]["text"].startswith(f"Par tēmu “{title}”:\n")
    assert metas(messages)[0]["label"] == "residence_permit"
    assert SlotSet("language", "lv") in events


async def test_follow_up_without_topic_offers_the_menu(pack):
    messages, _events = await run(ActionFollowUp(), "follow_up_without_topic")
    assert metas(messages)[0]["label"] == "fallback"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [f"/{t}" for t in pack.menu] + ["/greet"]


async def test_fallback_offers_the_three_likeliest_topics():
    messages, events = await run(ActionFallback(), "unsure")
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/residence_permit", "/work_permit", "/blue_card", "/greet"]
    assert metas(messages)[0]["label"] == "fallback"
    assert events == [SlotSet("language", "en")]


async def test_emoji_is_not_taken_for_what_the_model_guessed():
    messages, _events = await run(ActionAnswerTopic(), "emoji_only")
    assert metas(messages)[0]["label"] == "fallback"
    assert messages[0]["text"].startswith("I could not read a question")


async def test_change_language_on_request():
    messages, events = await run(ActionChangeLanguage(), "change_language_ru_to_en")
    assert messages[0]["text"] == "Okay, from now on I will answer in English."
    assert events == [SlotSet("language", "en"), SlotSet("chosen_language", "en")]


async def test_language_button():
    messages, events = await run(ActionChangeLanguage(), "language_button")
    assert messages[0]["text"] == "Гаразд, відтепер я відповідатиму українською."
    assert SlotSet("chosen_language", "uk") in events


async def test_a_chosen_language_sticks():
    messages, _events = await run(ActionAnswerTopic(), "chosen_language_sticks")
    assert metas(messages)[0] == {**metas(messages)[0], "label": "work_permit", "entry": None, "lang": "uk"}


async def test_client_language_wins_and_is_remembered():
    messages, events = await run(ActionGreet(), "client_language")
    assert metas(messages)[0]["lang"] == "lv"
    assert SlotSet("chosen_language", "lv") in events


async def test_messenger_channels_get_no_json():
    messages, _events = await run(ActionAnswerTopic(), "telegram_topic")
    assert messages and not metas(messages)
    assert all("custom" not in m or not m["custom"] for m in messages)


async def test_ask_human_gives_the_topics_office(pack):
    messages, _events = await run(ActionAskHuman(), "ask_human_after_job_search")
    assert metas(messages)[0]["offices"] == ["nva"]
    assert pack.offices["nva"].phone in messages[0]["text"]


async def test_this_did_not_help_says_so_and_gives_the_office_of_the_topic(pack):
    messages, _events = await run(ActionAskHuman(), "unhelpful_after_job_search_uk")
    expected = {"label": "ask_human", "entry": None, "lang": "uk", "offices": ["nva"], "sources": list(pack.offices["nva"].sources)}
    assert metas(messages) == [expected]
    assert messages[0]["text"].startswith("Шкода, що це не допомогло.")
    assert pack.offices["nva"].phone in messages[0]["text"]


async def test_a_full_topic_answer_ends_with_this_did_not_help(pack):
    messages, _events = await run(ActionAnswerTopic(), "topic_after_city_asked")
    buttons = [b for m in messages for b in m.get("buttons") or []]
    # the overview offers its entries, then "this did not help"
    assert buttons[-1] == {"title": "This did not help", "payload": '/ask_human{"feedback":"unhelpful"}'}
    assert all(b["payload"].startswith('/job_search{"entry":') for b in buttons[:-1])


async def test_office_lookup_by_alias(pack):
    messages, _events = await run(ActionOfficeLookup(), "office_lookup_pmlp_ru")
    assert metas(messages)[0] == {
        "label": "office_lookup",
        "entry": None,
        "lang": "ru",
        "offices": ["ocma"],
        "sources": list(pack.offices["ocma"].sources),
    }


@pytest.mark.parametrize("name", sorted(p.stem for p in STATES.glob("*.json")))
async def test_every_state_gives_exactly_one_meta_on_the_web(name):
    action = (
        ActionOfficeLookup()
        if name.startswith("office_lookup")
        else {"ask_human_after_job_search": ActionAskHuman()}.get(name, ActionAnswerTopic())
    )
    messages, _events = await run(action, name)
    assert len(metas(messages)) == (0 if name.startswith("telegram") else 1)


async def test_office_lookup_routes_to_the_branch_in_the_city():
    messages, events = await run(ActionOfficeLookup(), "office_lookup_jelgava_en")
    got = custom(messages)
    assert got["meta"]["offices"] == ["ocma"]
    assert [card["id"] for card in got["office_cards"]] == ["ocma_jelgava"]
    # one "where to go" message, which the widget replaces with the card
    assert len(texts(messages)) == 1 and got["cards_replace_text"] == 0
    assert messages[0]["text"].startswith("**PMLP Jelgava Division**")
    assert SlotSet("city", "jelgava") in events


async def test_office_lookup_from_a_town_without_a_branch_gives_the_nearest(pack):
    messages, _events = await run(ActionOfficeLookup(), "office_lookup_sigulda_lv")
    (card,) = cards(messages)
    assert card["office"] == "ocma" and pack.directory.cities[next(b.city for b in pack.directory.branches if b.id == card["id"])]
    assert messages[0]["text"].startswith("Tuvākā filiāle ir ")
    assert "no pilsētas Sigulda:\n**" in messages[0]["text"]
    assert card["note"] == messages[0]["text"].splitlines()[0]  # the widget shows the distance on the card


async def test_office_lookup_remembers_the_city():
    messages, _events = await run(ActionOfficeLookup(), "office_lookup_remembered_city")
    assert [card["id"] for card in cards(messages)] == ["ocma_daugavpils"]


async def test_office_lookup_without_a_city_gives_the_national_contacts_as_a_card(pack):
    messages, _events = await run(ActionOfficeLookup(), "office_lookup_pmlp_ru")
    ocma = pack.offices["ocma"]
    (card,) = cards(messages)
    assert (card["id"], card["phone"], card["website"]) == ("ocma", ocma.phone, ocma.website)
    assert texts(messages) == [
        f"**{ocma.name['ru']} (PMLP)**\n📍 {ocma.address}\n☎ {ocma.phone} · ✉ {ocma.email}\n[pmlp.gov.lv]({ocma.website})"
    ]


async def test_still_abroad_points_to_the_embassy(pack):
    messages, events = await run(ActionCityReply(), "city_answer_abroad_uk")
    meta = metas(messages)[0]
    assert meta["label"] == "residence_permit" and meta["offices"] == ["mfa_consular"]
    (where,) = texts(messages)  # only where to go: the answer was given with the city question
    assert where.startswith("Куди звертатися:\nЗ-за кордону ") and pack.offices["mfa_consular"].phone in where
    assert SlotSet("city", "abroad") in events


async def test_the_city_is_asked_once_only():
    messages, events = await run(ActionAnswerTopic(), "topic_after_city_asked")
    assert all(b["payload"].startswith("/") for m in messages for b in m.get("buttons") or [])  # no cities (a city button sends its name)
    assert not any(e.get("name") == "awaiting_city" for e in events)


# The city prompt and what follows it (actions.state): a new question, a city, a city button, nonsense.


async def test_a_new_question_after_the_city_prompt_is_answered_as_a_new_question(pack):
    messages, events = await run(ActionAnswerTopic(), "city_prompt_new_question_ru")
    entry = pack.entry("children_education.school_enrolment")
    assert metas(messages)[0] == {**metas(messages)[0], "label": "children_education", "entry": entry.id, "lang": "ru"}
    assert texts(messages)[0] == entry.translations["ru"].answer
    # the waiting residence-permit answer is not given, not even as its office
    assert pack.topics["residence_permit"].translations["ru"].answer not in texts(messages)
    assert [card["id"] for card in cards(messages)] == ["municipality_riga"]  # routed to the city the question names
    assert len(texts(messages)) == 3 and custom(messages)["cards_replace_text"] == 1
    assert SlotSet("awaiting_city", None) in events and SlotSet("city", "riga") in events
    assert SlotSet("topic", "children_education") in events


async def test_a_new_latvian_question_after_the_city_prompt_gets_its_own_offices(pack):
    messages, events = await run(ActionAnswerTopic(), "city_prompt_new_question_lv")
    assert (metas(messages)[0]["label"], metas(messages)[0]["entry"]) == ("address_registration", "address_registration.how_to_declare")
    # its own offices, each once: the Riga municipality first, then PMLP
    assert [card["office"] for card in cards(messages)] == ["municipality", "ocma"]
    assert SlotSet("awaiting_city", None) in events


@pytest.mark.parametrize(
    ("state", "action", "answer_id", "branch", "lang"),
    [
        ("city_answer_jelgava_uk", ActionCityReply(), "residence_permit", "ocma_jelgava", "uk"),  # "Єлгава"
        ("city_prompt_city_lv", ActionCityReply(), "work_permit", "ocma_riga_1", "lv"),  # "Rīgā"
        ("city_prompt_button_en", ActionCityReply(), "residence_permit.how_to_apply", "ocma_daugavpils", "en"),  # a city button
        ("city_prompt_filler_ru", ActionCityReply(), "job_search", "nva_daugavpils", "ru"),  # "я живу в Даугавпилсе"
    ],
)
async def test_a_city_after_the_city_prompt_gets_only_where_to_go(pack, state, action, answer_id, branch, lang):
    messages, events = await run(action, state)
    topic_id, entry = pack.topic_and_entry(answer_id)
    answer = entry or pack.topics[topic_id]
    got = custom(messages)
    assert (got["meta"]["label"], got["meta"]["entry"], got["meta"]["lang"]) == (topic_id, entry.id if entry else None, lang)
    # one message, where to go for that city, never the answer again
    (where,) = texts(messages)
    assert answer.translations[lang].answer not in where
    assert where.startswith(translator(lang)("Where to turn:") + "\n**")
    assert got["office_cards"][0]["id"].startswith(branch.rsplit("_", 1)[0]) and got["cards_replace_text"] == 0
    offices = [card["office"] for card in got["office_cards"]]
    assert offices == got["meta"]["offices"] and len(set(offices)) == len(offices) and offices[0] == answer.offices[0]
    unhelpful = {"title": translator(lang)("This did not help"), "payload": '/ask_human{"feedback":"unhelpful"}'}
    assert messages[0]["buttons"] == [unhelpful]  # on the last (only) text message
    assert SlotSet("awaiting_city", None) in events and SlotSet("topic", topic_id) in events


async def test_the_entries_the_awaited_answer_offers_come_with_where_to_go(pack):
    messages, events = await run(ActionCityReply(), "city_prompt_entries_after_city_en")
    assert cards(messages)[0]["id"] == "ocma_daugavpils"
    fee, documents = pack.entry("residence_permit.fee"), pack.entry("residence_permit.documents")
    # an entry the content no longer has is left out; "this did not help" stays last
    assert messages[-2]["buttons"] == [
        {"title": fee.translations["en"].title, "payload": '/residence_permit{"entry":"fee"}'},
        {"title": documents.translations["en"].title, "payload": '/residence_permit{"entry":"documents"}'},
        {"title": "This did not help", "payload": '/ask_human{"feedback":"unhelpful"}'},
    ]
    assert SlotSet("entries_after_city", None) in events


async def test_the_city_prompt_routes_to_the_branch_of_that_city(pack):
    messages, events = await run(ActionCityReply(), "city_answer_jelgava_uk")
    assert cards(messages)[0]["id"] == "ocma_jelgava"
    assert SlotSet("city", "jelgava") in events


async def test_an_action_answers_what_it_was_chosen_for_even_while_a_city_is_awaited():
    # which action runs is the rules' choice (inform_city + awaiting_city); no action swaps in the waiting answer
    messages, events = await run(ActionGreet(), "city_answer_jelgava_uk")
    assert metas(messages)[0]["label"] == "greet" and "office_cards" not in custom(messages)
    assert SlotSet("awaiting_city", None) in events


async def test_the_city_reply_action_without_a_waiting_answer_gives_the_fallback():
    messages, _ = await run(ActionCityReply(), "city_prompt_nonsense_uk")
    assert metas(messages)[0]["label"] == "fallback"


async def test_nonsense_after_the_city_prompt_gets_the_fallback_and_drops_the_waiting_answer():
    messages, events = await run(ActionFallback(), "city_prompt_nonsense_uk")
    assert metas(messages)[0]["label"] == "fallback"
    assert texts(messages) == ["Я не впевнений, що зрозумів. Ви мали на увазі одну з цих тем?"]
    assert SlotSet("awaiting_city", None) in events


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Riga", "riga"),
        ("in Riga", "riga"),
        ("I live in Jelgava", "jelgava"),
        ("I am still abroad", "abroad"),
        ("Rīgā", "riga"),
        ("es dzīvoju Rīgā", "riga"),
        ("Liepāja, lūdzu", "liepaja"),
        ("Es vēl esmu ārzemēs", "abroad"),
        ("в Риге", "riga"),
        ("я живу в Даугавпилсе", "daugavpils"),
        ("v rige", "riga"),
        ("Я ещё за границей", "abroad"),
        ("у Ризі", "riga"),
        ("Єлгава.", "jelgava"),
        ("Я ще за кордоном", "abroad"),
    ],
)
def test_a_place_with_filler_words_is_a_city_reply(pack, text, place):
    assert place_only(text, pack) == place


@pytest.mark.parametrize(
    "text",
    [
        "how do I enrol my child in school in Riga?",
        "Kur deklarēt dzīvesvietu Rīgā?",
        "kur reģistrēt dzīvesvietu Rīgā",
        "NVA Rīgā",
        "как записать ребенка в школу в Риге?",
        "де зареєструвати місце проживання у Ризі?",
        "qwerty Riga",
        "блабла",
        "hello",
        "/residence_permit",
    ],
)
def test_a_question_or_nonsense_is_no_city_reply(pack, text):
    assert place_only(text, pack) is None
