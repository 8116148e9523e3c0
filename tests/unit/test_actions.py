"""Actions run on named tracker states (tests/data/trackers/), checking exact events and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerTopic, ActionFallback, ActionFollowUp
from actions.conversation import ActionAskHuman, ActionGreet, ActionThanks
from actions.language import ActionChangeLanguage
from actions.offices import ActionOfficeLookup

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


async def test_topic_answer_in_ukrainian(pack):
    messages, events = await run(ActionAnswerTopic(), "topic_uk")
    topic = pack.topics["residence_permit"]
    assert messages[0]["text"] == topic.translations["uk"].answer
    assert metas(messages) == [
        {"label": "residence_permit", "entry": None, "lang": "uk", "offices": ["ocma", "mfa_consular"], "sources": list(topic.sources)}
    ]
    assert messages[-3]["text"].startswith("Джерело: ")
    # PMLP is in several cities and the city is not known yet: it is asked for, once
    assert messages[-2]["text"] == "У якому ви місті? Я покажу найближчий офіс."
    assert [b["title"] for b in messages[-2]["buttons"]][:2] == ["Рига", "Даугавпілс"]
    assert messages[-2]["buttons"][-1] == {"title": "Я ще за кордоном", "payload": "Я ще за кордоном"}
    assert events == [
        SlotSet("language", "uk"),
        SlotSet("topic", "residence_permit"),
        SlotSet("awaiting_city", "residence_permit"),
        SlotSet("city_asked", "yes"),
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
    custom = next(m["custom"] for m in messages if m.get("custom"))
    assert custom["meta"]["offices"] == ["ocma"]
    assert custom["office_card"]["id"] == "ocma_jelgava"
    assert messages[0]["text"].startswith("PMLP Jelgava Division")
    assert SlotSet("city", "jelgava") in events


async def test_office_lookup_from_a_town_without_a_branch_gives_the_nearest(pack):
    messages, _events = await run(ActionOfficeLookup(), "office_lookup_sigulda_lv")
    card = next(m["custom"] for m in messages if m.get("custom"))["office_card"]
    assert card["office"] == "ocma" and pack.directory.cities[next(b.city for b in pack.directory.branches if b.id == card["id"])]
    assert messages[0]["text"].startswith("Tuvākā filiāle ir ")
    assert "no pilsētas Sigulda:" in messages[0]["text"]


async def test_office_lookup_remembers_the_city():
    messages, _events = await run(ActionOfficeLookup(), "office_lookup_remembered_city")
    assert next(m["custom"] for m in messages if m.get("custom"))["office_card"]["id"] == "ocma_daugavpils"


async def test_the_city_answer_routes_the_waiting_topic():
    messages, events = await run(ActionGreet(), "city_answer_jelgava_uk")  # whatever the model guessed
    custom = next(m["custom"] for m in messages if m.get("custom"))
    assert custom["meta"]["label"] == "residence_permit"
    assert custom["office_card"]["id"] == "ocma_jelgava"
    assert SlotSet("city", "jelgava") in events and SlotSet("awaiting_city", None) in events


async def test_still_abroad_points_to_the_embassy(pack):
    messages, events = await run(ActionThanks(), "city_answer_abroad_uk")
    meta = metas(messages)[0]
    assert meta["label"] == "residence_permit" and "mfa_consular" in meta["offices"]
    assert any(pack.offices["mfa_consular"].phone in m.get("text", "") for m in messages)
    assert SlotSet("city", "abroad") in events


async def test_the_city_is_asked_once_only():
    messages, events = await run(ActionAnswerTopic(), "topic_after_city_asked")
    assert all(b["payload"].startswith("/") for m in messages for b in m.get("buttons") or [])  # no cities (a city button sends its name)
    assert not any(e.get("name") == "awaiting_city" for e in events)
