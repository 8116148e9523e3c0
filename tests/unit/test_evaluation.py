"""The evaluation's figures, computed from known outcomes."""

from __future__ import annotations

import json

import pytest

from bot.core.settings import PROJECT_ROOT
from bot.tools.evaluation import Outcome, Question, extract_meta, read_questions, score, without_training_examples


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
