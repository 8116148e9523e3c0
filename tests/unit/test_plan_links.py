"""Links to a plan: encrypted, tamper-proof, expiring after a week, no answer readable in the address."""

from __future__ import annotations

import base64
import json
import time

import pytest

from bot.core.plan.links import (
    MAX_TOKEN_LENGTH,
    PLAN_LINK_TTL_SECONDS,
    _fernet,
    expired_plan_token_lang,
    plan_token,
    read_plan_token,
)
from bot.core.plan.model import QUESTIONS
from bot.core.settings import load_settings

SECRET = b"s" * 48
ANSWERS = {
    "location": "abroad",
    "citizenship": "third_country",
    "purpose": "work",
    "city": "daugavpils",
    "family": "spouse_and_children",
    "when": None,
}
DAY = 24 * 3600


def test_a_link_works_for_seven_days():
    assert PLAN_LINK_TTL_SECONDS == 7 * DAY


def test_round_trip_with_the_pack_plan(pack):
    token = plan_token(ANSWERS, "lv", SECRET)
    assert read_plan_token(token, SECRET, plan=pack.plan, cities=pack.directory.cities) == (ANSWERS, "lv")


def test_a_missing_question_reads_as_skipped():
    token = plan_token({"purpose": "study"}, "uk", SECRET)
    answers, lang = read_plan_token(token, SECRET)
    assert lang == "uk"
    assert answers == {q: ("study" if q == "purpose" else None) for q in QUESTIONS}


def test_no_answer_can_be_read_from_the_token():
    token = plan_token(ANSWERS, "ru", SECRET)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for value in [v for v in ANSWERS.values() if v] + ["ru"]:
        assert value.encode() not in raw, value
    for value in [v for v in ANSWERS.values() if v]:
        assert value not in token.lower()
    assert "=" not in token and len(token) <= MAX_TOKEN_LENGTH
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_two_tokens_of_the_same_answers_differ():
    assert plan_token(ANSWERS, "en", SECRET) != plan_token(ANSWERS, "en", SECRET)


def test_the_longest_answers_stay_a_short_link(pack):
    longest = {q.id: max((o.id for o in q.options), key=len, default="aizkraukle") for q in pack.plan.questions}
    token = plan_token(longest, "uk", SECRET)
    assert len(token) < 400
    assert read_plan_token(token, SECRET, plan=pack.plan, cities=pack.directory.cities) == (longest, "uk")


@pytest.mark.parametrize("position", [0, 10, 30, 60, 100, -5])
def test_a_changed_token_is_refused(position):
    token = plan_token(ANSWERS, "lv", SECRET)
    at = position % len(token)
    changed = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]
    assert read_plan_token(changed, SECRET) is None
    assert expired_plan_token_lang(changed, SECRET) is None


def test_another_secret_opens_nothing():
    token = plan_token(ANSWERS, "lv", SECRET)
    assert read_plan_token(token, b"t" * 48) is None


def test_an_old_token_has_expired_and_says_its_language():
    now = int(time.time())
    old = plan_token(ANSWERS, "ru", SECRET, at_time=now - 8 * DAY)
    recent = plan_token(ANSWERS, "ru", SECRET, at_time=now - 6 * DAY)
    assert read_plan_token(old, SECRET) is None
    assert read_plan_token(recent, SECRET) == (ANSWERS, "ru")
    assert expired_plan_token_lang(old, SECRET) == "ru"
    assert expired_plan_token_lang(recent, SECRET) is None
    assert read_plan_token(recent, SECRET, ttl_seconds=5 * DAY) is None
    assert read_plan_token(old, SECRET, now=now - 2 * DAY) == (ANSWERS, "ru")


def test_a_token_from_the_future_is_refused():
    future = plan_token(ANSWERS, "en", SECRET, at_time=int(time.time()) + DAY)
    assert read_plan_token(future, SECRET) is None


def test_options_the_plan_does_not_have_are_refused(pack):
    cities = pack.directory.cities
    unknown_option = plan_token({**ANSWERS, "citizenship": "martian"}, "en", SECRET)
    assert read_plan_token(unknown_option, SECRET) is not None  # well formed ...
    assert read_plan_token(unknown_option, SECRET, plan=pack.plan, cities=cities) is None  # ... but not an option
    unknown_city = plan_token({**ANSWERS, "city": "atlantis"}, "en", SECRET)
    assert read_plan_token(unknown_city, SECRET, plan=pack.plan, cities=cities) is None
    abroad = plan_token({**ANSWERS, "city": "abroad"}, "en", SECRET)
    assert read_plan_token(abroad, SECRET, plan=pack.plan, cities=cities) is not None
    city_as_option = plan_token({**ANSWERS, "purpose": "riga"}, "en", SECRET)
    assert read_plan_token(city_as_option, SECRET, plan=pack.plan, cities=cities) is None


@pytest.mark.parametrize(
    "payload",
    [
        [2, "en", *([None] * len(QUESTIONS))],  # another layout
        [1, "en", *([None] * (len(QUESTIONS) - 1))],  # too short
        [1, "EN!", *([None] * len(QUESTIONS))],
        [1, "en", 5, *([None] * (len(QUESTIONS) - 1))],
        [1, "en", "<script>", *([None] * (len(QUESTIONS) - 1))],
        {"lang": "en"},
        "text",
    ],
)
def test_a_genuine_token_with_a_payload_we_never_write_is_refused(payload):
    token = _fernet(SECRET).encrypt(json.dumps(payload).encode()).decode().rstrip("=")
    assert read_plan_token(token, SECRET) is None


def test_a_genuine_token_that_is_not_json_is_refused():
    token = _fernet(SECRET).encrypt(b"\xff\xfe not json").decode().rstrip("=")
    assert read_plan_token(token, SECRET) is None


@pytest.mark.parametrize("token", ["", "abc", "gAAAA!!", "ā" * 20, "A" * 5000, "../../etc/passwd", None, 42])
def test_malformed_tokens_are_refused(token):
    assert read_plan_token(token, SECRET) is None


@pytest.mark.parametrize(
    ("answers", "lang"),
    [({"favourite_colour": "blue"}, "en"), ({"purpose": "Work!"}, "en"), ({"purpose": "work"}, "english"), ({"purpose": 3}, "en")],
)
def test_only_option_ids_of_known_questions_are_put_in_a_token(answers, lang):
    with pytest.raises(ValueError):
        plan_token(answers, lang, SECRET)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", ""), ("https://help.example.lv/", "https://help.example.lv"), ("http://127.0.0.1:5005", "http://127.0.0.1:5005")],
)
def test_the_public_address_messengers_link_to(monkeypatch, value, expected):
    monkeypatch.setenv("MIGRANT_BOT_PUBLIC_URL", value)
    assert load_settings().public_url == expected


@pytest.mark.parametrize("value", ["http://help.example.lv", "help.example.lv", "https://help.example.lv/?x=<script>"])
def test_a_public_address_that_is_not_https_or_not_plain_is_refused_with_its_name(monkeypatch, value):
    monkeypatch.setenv("MIGRANT_BOT_PUBLIC_URL", value)
    with pytest.raises(ValueError, match="MIGRANT_BOT_PUBLIC_URL"):
        load_settings()
