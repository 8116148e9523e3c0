"""The evaluation's figures, computed from known outcomes."""

from __future__ import annotations

import json

import pytest

from bot.core.settings import PROJECT_ROOT
from bot.tools.evaluation import (
    SOURCE_KINDS,
    Outcome,
    Question,
    extract_meta,
    format_report,
    offered_entries,
    offered_topics,
    read_questions,
    score,
    without_training_examples,
)


def outcome(text: str, lang: str, label: str, got: str, reply_lang: str | None = None) -> Outcome:
    return Outcome(Question(text, lang, label), got, reply_lang or lang)


def test_scores():
    scores = score(
        [
            outcome("a", "en", "housing", "housing"),
            outcome("b", "en", "taxes", "fallback"),
            outcome("c", "lv", "out_of_scope", "out_of_scope"),
            outcome("d", "lv", "out_of_scope", "greet"),
            outcome("e", "uk", "change_language", "change_language", reply_lang="en"),
            outcome("f", "uk", "housing", "housing", reply_lang="ru"),
        ]
    )
    assert scores.accuracy == round(4 / 6, 4)
    assert scores.accuracy_by_lang == {"en": 0.5, "lv": 0.5, "uk": 1.0}
    assert scores.out_of_scope_recall == 0.5
    assert scores.in_scope_fallback_rate == 0.25
    assert scores.reply_language_accuracy == 0.8  # the language request is left out
    assert [e["text"] for e in scores.errors] == ["b", "d"]


def test_a_key_fact_is_a_number_however_grouped_or_words_or_one_of_its_alternatives():
    def holds(fact: str, reply: str) -> bool:
        return Outcome(Question("q", "en", "taxes", key_fact=fact), "taxes", "en", text=reply).holds_key_fact

    assert holds("80200206", "Call VID at 8020 0206.")
    assert not holds("80200206", "Call VID at 8020 0207.")
    assert holds("CSDD", "Exchange it at a csdd customer service centre.")
    assert holds("latvija.lv | latvija.gov.lv", "Use the e-service on latvija.gov.lv.")
    assert holds("latvija.lv | latvija.gov.lv", "Use the e-service on www.latvija.lv.")
    assert not holds("latvija.lv | latvija.gov.lv", "Declare it at the municipality.")


def test_scores_per_kind_of_source():
    def sourced(label: str, got: str, kind: str | None) -> Outcome:
        return Outcome(Question("q", "en", label, source_kind=kind), got, "en")

    scores = score(
        [
            sourced("housing", "housing", "forum"),
            sourced("taxes", "housing", "forum"),
            sourced("taxes", "taxes", "official_faq"),
            sourced("taxes", "taxes", None),
        ]
    )
    assert scores.accuracy_by_source == {"forum": 0.5, "official_faq": 1.0}
    assert scores.questions_by_source == {"forum": 2, "official_faq": 1}
    assert score([outcome("a", "en", "housing", "housing")]).accuracy_by_source == {}


def test_an_entry_is_within_reach_when_answered_or_offered_as_a_button():
    messages = [
        {"text": "answer"},
        {
            "text": "source",
            "buttons": [
                {"title": "Fee", "payload": '/residence_permit{"entry":"fee"}'},
                {"title": "Riga", "payload": "Riga"},
                {"title": "This did not help", "payload": '/ask_human{"feedback":"unhelpful"}'},
            ],
        },
        {"text": "more", "buttons": [{"title": "90/180", "payload": '/visa_short_stay{"entry":"rule_90_180"}'}]},
    ]
    assert offered_entries(messages) == ("residence_permit.fee", "visa_short_stay.rule_90_180")

    def entry_outcome(expected: str, answered: str | None, offered: tuple[str, ...] = ()) -> Outcome:
        return Outcome(
            Question("q", "en", expected.split(".")[0], entry=expected), expected.split(".")[0], "en", entry=answered, offered=offered
        )

    outcomes = [
        entry_outcome("residence_permit.fee", "residence_permit.fee"),
        entry_outcome("residence_permit.fee", "residence_permit.documents", ("residence_permit.fee",)),
        entry_outcome("residence_permit.fee", "residence_permit.documents", ("residence_permit.extension",)),
        entry_outcome("residence_permit.fee", None),
    ]
    scores = score(outcomes)
    assert scores.entry_accuracy == 0.25
    assert scores.entry_within_reach == 0.5


def test_the_fallbacks_choices_are_scored_on_in_scope_questions():
    choices = [{"text": "Did you mean?", "buttons": [{"title": "Taxes", "payload": "/taxes"}, {"title": "Other", "payload": "/greet"}]}]
    assert offered_topics(choices) == ("taxes", "greet")
    assert offered_topics([{"buttons": [{"title": "Fee", "payload": '/residence_permit{"entry":"fee"}'}]}]) == ()

    def fell_back(label: str, offered: tuple[str, ...]) -> Outcome:
        return Outcome(Question("q", "en", label), "fallback", "en", offered_topics=offered)

    scores = score([fell_back("taxes", ("taxes", "greet")), fell_back("housing", ("taxes",)), fell_back("out_of_scope", ("taxes",))])
    assert (scores.in_scope_fallbacks, scores.fallback_offers_topic) == (2, 0.5)
    assert "in-scope ended in fallback:   100.0%\n  of those 2, the right topic among the choices: 50.0%\n" in format_report(scores)


def test_extract_meta_needs_exactly_one():
    meta = {"label": "x", "entry": None, "lang": "en", "offices": [], "sources": []}
    assert extract_meta([{"text": "hi"}, {"custom": {"meta": meta}}]) == meta
    assert extract_meta([{"text": "hi"}]) == {}
    assert extract_meta([{"custom": {"meta": meta}}, {"custom": {"meta": meta}}]) == {}


def test_read_questions_reports_the_bad_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"text": "hi", "lang": "en", "label": "greet"}) + "\n{not json}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"q\.jsonl:2"):
        read_questions(path)


def test_read_questions_refuses_an_unknown_kind_of_source(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"text": "hi", "lang": "en", "topic": "taxes", "source_kind": "blog"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"q\.jsonl:1.*source_kind 'blog'"):
        read_questions(path)


def test_the_real_set_is_labelled_with_the_packs_topics_and_entries_and_sourced(pack):
    path = PROJECT_ROOT / "data" / "eval" / "real.jsonl"
    questions = read_questions(path)
    web = ("https://", "http://")
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({q.text for q in questions}) == len(questions), "a question is in the set twice"
    for question, line in zip(questions, raw, strict=True):
        assert question.label in set(pack.topics) | {"out_of_scope"}, question.text
        assert question.lang in pack.languages, question.text
        assert question.source_kind in SOURCE_KINDS, question.text
        assert line["source_url"].startswith(web), question.text
        if question.entry:
            assert pack.entry(question.entry) is not None, question.entry
            assert question.entry.startswith(f"{question.label}."), question.entry
        if question.key_fact:
            assert str(line.get("fact_source")).startswith(web), f"{question.text}: a key fact needs the official page"


def test_the_held_out_set_is_balanced_and_valid(pack):
    questions = read_questions(PROJECT_ROOT / "data" / "eval" / "heldout.jsonl")
    labels = set(pack.topics) | {"greet", "goodbye", "thanks", "ask_human", "change_language", "office_lookup", "out_of_scope"}
    assert all(q.label in labels and q.lang in pack.languages for q in questions)
    for lang in pack.languages:
        assert sum(q.lang == lang for q in questions) >= 40
    kept, overlapping = without_training_examples(questions, pack)
    assert overlapping < len(questions) * 0.15, "most held-out questions must be new to the model"
    for lang in pack.languages:
        assert sum(q.lang == lang for q in kept) >= 40
