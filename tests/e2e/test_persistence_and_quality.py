"""Figures on the held-out set, and conversations that survive a restart."""

from __future__ import annotations

import asyncio

from bot.core.settings import PROJECT_ROOT
from bot.tools.evaluation import read_questions, run_questions, score, without_training_examples
from tests.e2e.replies import meta, new_sender


def test_held_out_questions_meet_the_targets(assistant, pack):
    questions, _overlap = without_training_examples(read_questions(PROJECT_ROOT / "data" / "eval" / "heldout.jsonl"), pack)
    scores = score(asyncio.run(run_questions(assistant.url, questions)))
    assert set(scores.accuracy_by_lang) == {"en", "lv", "ru", "uk"}
    assert all(value >= 0.90 for value in scores.accuracy_by_lang.values()), scores.accuracy_by_lang
    assert scores.out_of_scope_recall >= 0.85
    assert scores.in_scope_fallback_rate <= 0.05


def test_real_questions_from_outside_the_team_stay_at_their_measured_level(assistant, pack):
    """A floor under the figures of docs/evaluation.md on the real set, not the targets.

    Measured on the 163 questions (6 December, without the out-of-scope examples that mirrored real
    questions): topic 71.8%, entry 58.1% (54 of 93; answered or offered as a button in the first
    reply: 63.4%, 59 of 93), key fact 69.7% (23 of 33), out-of-scope recall 45.8% (11 of 24),
    in-scope fallback 5.0% (7 of 139; the right topic among the fallback's choices for 4 of
    the 7); one training example more or fewer moves two questions,
    hence the slack.
    """
    questions, _overlap = without_training_examples(read_questions(PROJECT_ROOT / "data" / "eval" / "real.jsonl"), pack)
    scores = score(asyncio.run(run_questions(assistant.url, questions)))
    assert scores.accuracy >= 0.70, scores.errors
    assert scores.entry_accuracy >= 0.55
    assert scores.entry_within_reach >= scores.entry_accuracy + 0.03  # the next entries offered reach 3 more of 93
    assert scores.key_fact_rate >= 0.6  # 20 of 33
    assert scores.out_of_scope_recall >= 0.41  # 10 of 24: the measured 11 less one
    assert scores.in_scope_fallback_rate <= 0.065  # 9 of 139
    assert scores.fallback_offers_topic >= 0.4  # 4 of 7 measured


def test_conversation_survives_a_restart(assistant):
    sender = new_sender()
    assert meta(assistant.send(sender, "Як отримати посвідку на проживання?"))["label"] == "residence_permit"
    assistant.stop("rasa")
    assistant.start_rasa()
    # the topic is remembered: a follow-up that names none is answered about it
    got = meta(assistant.send(sender, "а скільки це коштує?"))
    assert (got["label"], got["lang"]) == ("residence_permit", "uk")
    user_events = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert len(user_events) == 2
