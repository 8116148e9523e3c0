"""Which entries answer a turn: the entry selector's ranking read by the actions (tests/data/trackers/)."""

from __future__ import annotations

from actions.answers import ActionAnswerTopic, ActionFollowUp
from tests.unit.test_actions import metas, run


def answers_of(pack, *entry_ids: str, lang: str = "en") -> list[str]:
    return [pack.entry(entry_id).translations[lang].answer for entry_id in entry_ids]


async def test_a_sure_entry_answers_with_its_own_text_sources_and_id(pack):
    messages, events = await run(ActionAnswerTopic(), "entry_fee_en")
    fee = pack.entry("residence_permit.fee")
    assert messages[0]["text"] == fee.translations["en"].answer
    expected = {"label": "residence_permit", "entry": fee.id, "lang": "en", "offices": list(fee.offices), "sources": list(fee.sources)}
    assert metas(messages) == [expected]
    assert any(e.get("name") == "topic" and e.get("value") == "residence_permit" for e in events)


async def test_a_two_part_question_gets_both_entries(pack):
    messages, _events = await run(ActionAnswerTopic(), "two_part_en")
    texts = [m.get("text") for m in messages]
    assert texts[0] == "\n\n".join(answers_of(pack, "residence_permit.processing_time", "residence_permit.fee"))  # one message
    meta = metas(messages)[0]
    assert meta["entry"] == "residence_permit.processing_time"
    assert set(meta["sources"]) == {*pack.entry("residence_permit.fee").sources, *pack.entry("residence_permit.processing_time").sources}


async def test_a_one_part_question_gets_one_entry_even_when_the_second_is_close(pack):
    messages, _events = await run(ActionAnswerTopic(), "single_part_close_second_en")
    assert [m.get("text") for m in messages][:1] == answers_of(pack, "residence_permit.processing_time")
    assert pack.entry("residence_permit.fee").translations["en"].answer not in [m.get("text") for m in messages]


async def test_an_unsure_entry_gives_the_overview_with_the_entries_as_buttons(pack):
    messages, _events = await run(ActionAnswerTopic(), "unsure_entry_en")
    topic = pack.topics["residence_permit"]
    assert messages[0]["text"] == topic.translations["en"].answer
    assert metas(messages)[0]["entry"] is None
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert payloads[:2] == [f'/residence_permit{{"entry":"{key}"}}' for key in list(topic.entries)[:2]]


async def test_a_follow_up_takes_the_best_entry_of_the_topic_answered_last(pack):
    messages, _events = await run(ActionFollowUp(), "follow_up_fee_uk")
    test_fee = pack.entry("language_courses.test_fee")
    assert messages[0]["text"].endswith("\n" + test_fee.translations["uk"].answer)
    assert metas(messages)[0]["entry"] == test_fee.id


async def test_a_follow_up_whose_topic_was_not_ranked_takes_the_same_kind_of_entry(pack):
    messages, _events = await run(ActionFollowUp(), "follow_up_kind_only_lv")
    assert metas(messages)[0]["entry"] == "residence_permit.fee"
    assert messages[0]["text"].endswith("\n" + pack.entry("residence_permit.fee").translations["lv"].answer)


async def test_an_entry_button_answers_that_entry_whatever_was_ranked(pack):
    messages, _events = await run(ActionAnswerTopic(), "entry_button_ru")
    assert messages[0]["text"] == pack.entry("taxes.tax_return").translations["ru"].answer
    assert metas(messages)[0]["entry"] == "taxes.tax_return"


def entry_payloads(messages: list[dict]) -> list[str]:
    """The payloads of the buttons that choose an entry, in order."""
    return [b["payload"] for m in messages for b in m.get("buttons") or [] if '{"entry":' in b["payload"]]


def entry_payload(entry_id: str) -> str:
    topic, key = entry_id.split(".")
    return f'/{topic}{{"entry":"{key}"}}'


async def test_an_entry_answer_offers_the_two_entries_ranked_next_never_the_overview(pack):
    messages, _events = await run(ActionAnswerTopic(), "entry_with_next_ranked_en")
    assert metas(messages)[0]["entry"] == "residence_permit.travel_schengen"
    assert entry_payloads(messages) == [entry_payload("residence_permit.extension"), entry_payload("residence_permit.processing_time")]
    titles = [b["title"] for m in messages for b in m.get("buttons") or []]
    assert titles[0] == pack.entry("residence_permit.extension").translations["en"].title
    assert len(titles) == 3  # and "this did not help": what WhatsApp shows as reply buttons


async def test_an_overview_offers_the_likely_entries_first_then_the_rest_in_the_contents_order(pack):
    messages, _events = await run(ActionAnswerTopic(), "unsure_entry_ranked_en")
    assert metas(messages)[0]["entry"] is None
    keys = ["overstay", "extension", "fee", "documents", "processing_time", "how_to_apply"]
    assert entry_payloads(messages) == [entry_payload(f"residence_permit.{key}") for key in keys]


async def test_a_two_part_answer_a_button_and_a_city_prompt_offer_no_other_entries(pack):
    for tracker in ("two_part_en", "entry_button_ru", "entry_city_prompt_en"):
        messages, _events = await run(ActionAnswerTopic(), tracker)
        assert metas(messages)[0]["entry"], tracker
        assert entry_payloads(messages) == [], tracker
    city_buttons = [b["title"] for m in messages for b in m.get("buttons") or []]
    assert "Riga" in city_buttons  # the city prompt keeps its own buttons only
