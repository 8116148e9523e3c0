"""Knowledge-base entries over HTTP: the entry asked for, follow-ups, two-part questions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.e2e.replies import buttons, meta, new_sender, texts

QUESTIONS = yaml.safe_load((Path(__file__).parent / "data" / "entry_questions.yml").read_text(encoding="utf-8"))


#: Shares of the entry questions that must get their topic, and their entry (a model misses some; every miss is listed).
TOPIC_TARGET, ENTRY_TARGET = 0.95, 0.80


def test_entry_level_questions_get_their_topic_and_entry(assistant, pack):
    topic_misses, entry_misses = [], []
    for question in QUESTIONS:
        entry = pack.entry(question["entry"])
        messages = assistant.send(new_sender(), question["text"])
        got = meta(messages)
        assert got["lang"] == question["lang"], question["text"]
        if got["label"] != entry.topic:
            topic_misses.append((question["text"], entry.id, got["label"]))
        elif got["entry"] != entry.id:
            entry_misses.append((question["text"], entry.id, got["entry"]))
        else:  # the entry's own text, sources and offices (a question of two parts adds its second entry's)
            assert texts(messages)[0].startswith(entry.translations[question["lang"]].answer)
            assert got["sources"][: len(entry.sources)] == list(entry.sources)
            assert got["offices"][: len(entry.offices)] == list(entry.offices)
    total = len(QUESTIONS)
    assert len(topic_misses) <= (1 - TOPIC_TARGET) * total, topic_misses
    assert len(topic_misses) + len(entry_misses) <= (1 - ENTRY_TARGET) * total, entry_misses + topic_misses


def test_every_topic_and_language_has_an_entry_question(pack):
    covered = {(pack.entry(q["entry"]).topic, q["lang"]) for q in QUESTIONS}
    assert covered == {(topic, lang) for topic in pack.topics for lang in pack.languages}


def test_entry_questions_are_not_training_examples(pack):
    trained = {" ".join(e.lower().split()) for examples in pack.examples_by_language().values() for e in examples}
    assert [q["text"] for q in QUESTIONS if " ".join(q["text"].lower().split()) in trained] == []


FOLLOW_UPS = [
    # (language, first question, follow-up, the entry that answers the follow-up, a fact it must state)
    ("en", "Where can I take Latvian language courses?", "and how much does it cost?", "language_courses.test_fee", "52"),
    ("lv", "Kā saņemt uzturēšanās atļauju Latvijā?", "a kur to var izdarīt?", "residence_permit.how_to_apply", None),
    ("ru", "Как задекларировать место жительства в Латвии?", "а какой срок?", "address_registration.deadline", None),
    ("uk", "Як отримати посвідку на проживання в Латвії?", "скільки це коштує?", "residence_permit.fee", None),
]


@pytest.mark.parametrize(("lang", "first", "follow_up", "entry_id", "fact"), FOLLOW_UPS, ids=[f[0] for f in FOLLOW_UPS])
def test_a_follow_up_gets_the_entry_of_the_topic_answered_last(assistant, pack, lang, first, follow_up, entry_id, fact):
    sender = new_sender()
    entry = pack.entry(entry_id)
    assert meta(assistant.send(sender, first))["label"] == entry.topic
    messages = assistant.send(sender, follow_up)
    got = meta(messages)
    assert (got["label"], got["entry"], got["lang"]) == (entry.topic, entry_id, lang)
    assert any(entry.translations[lang].answer in text for text in texts(messages))
    if fact:
        assert any(fact in text for text in texts(messages))


def test_a_two_part_question_gets_both_entries(assistant, pack):
    messages = assistant.send(new_sender(), "How long does it take to get a residence permit and how much does it cost?")
    got = meta(messages)
    fee, time = pack.entry("residence_permit.fee"), pack.entry("residence_permit.processing_time")
    assert got["label"] == "residence_permit"
    assert got["entry"] in {fee.id, time.id}
    # one answer message, a paragraph per part (at most three messages in all)
    assert len(texts(messages)) <= 3
    for entry in (fee, time):
        assert entry.translations["en"].answer in texts(messages)[0]
    assert set(fee.sources) | set(time.sources) == set(got["sources"])


def test_a_job_offer_question_gets_the_work_permit_not_job_search(assistant):
    got = meta(assistant.send(new_sender(), "I got a job offer in Riga, what permit do I need?"))
    assert got["label"] == "work_permit"


def test_the_overview_offers_its_entries_and_a_button_answers_one(assistant, pack):
    sender = new_sender()
    topic = pack.topics["taxes"]
    messages = assistant.send(sender, "taxes?", metadata={"lang": "en"})  # a broad question: the overview
    assert (meta(messages)["label"], meta(messages)["entry"]) == ("taxes", None)
    assert topic.translations["en"].answer in texts(messages)
    offered = [b for b in buttons(messages) if b["payload"].startswith('/taxes{"entry":')]
    assert offered, buttons(messages)
    key = offered[0]["payload"].split('"entry":"')[1].rstrip('"}')
    pressed = assistant.send(sender, offered[0]["payload"])
    assert meta(pressed)["entry"] == f"taxes.{key}"
    assert texts(pressed)[0] == topic.entries[key].translations["en"].answer


def test_an_entry_answer_offers_two_more_entries_of_its_topic_and_a_button_answers_one(assistant, pack):
    sender = new_sender()
    messages = assistant.send(sender, "How much does a residence permit cost in Riga?")  # the city named: no city prompt
    got = meta(messages)
    assert (got["label"], got["entry"]) == ("residence_permit", "residence_permit.fee")
    offered = [b["payload"] for b in buttons(messages) if '{"entry":' in b["payload"]]
    keys = [payload.split('"entry":"')[1].rstrip('"}') for payload in offered]
    assert len(keys) == 2 and "fee" not in keys, buttons(messages)
    assert all(payload.startswith('/residence_permit{"entry":') for payload in offered)
    pressed = assistant.send(sender, offered[0])
    assert meta(pressed)["entry"] == f"residence_permit.{keys[0]}"
    assert texts(pressed)[0] == pack.entry(f"residence_permit.{keys[0]}").translations["en"].answer
    # the user chose: no more entries are offered
    assert [b for b in buttons(pressed) if '{"entry":' in b["payload"]] == []
