"""Bad input is answered sensibly, nothing crashes, and no conversation is lost."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.replies import buttons, meta, new_sender

JUNK = "\x00\x01\x02\ufffd\x7f\x1b[2J" + "".join(chr(c) for c in range(0xE000, 0xE010))


@pytest.mark.parametrize(
    ("message", "label"),
    [("", "fallback"), ("   ", "fallback"), ("👍🎉😀", "fallback"), (JUNK, "fallback"), ("12345", "fallback")],
)
def test_message_without_words_asks_for_words(assistant, message, label):
    messages = assistant.send(new_sender(), message)
    assert meta(messages)["label"] == label
    assert buttons(messages), "the reply offers topics to choose from"


def test_ten_thousand_characters_are_answered(assistant):
    got = meta(assistant.send(new_sender(), "How do I get a residence permit? " * 300))
    assert got["label"] == "residence_permit"


def test_another_script_keeps_the_conversation_language(assistant):
    sender = new_sender()
    assistant.send(sender, "Kā saņemt uzturēšanās atļauju?")
    got = meta(assistant.send(sender, "我想知道如何申请签证"))
    assert got["lang"] == "lv"


def test_bad_input_loses_nothing(assistant):
    sender = new_sender()
    assert meta(assistant.send(sender, "How do I get a residence permit?"))["label"] == "residence_permit"
    for junk in ["", JUNK, "👍", "x" * 10_000, "/restart", "/session_start", '/greet{"language":"ru"}']:
        assistant.send(sender, junk)
    # the topic is still known, so a follow-up still works, and every message is kept
    assert meta(assistant.send(sender, "how much does it cost?"))["label"] == "residence_permit"
    events = assistant.tracker(sender)["events"]
    user_texts = [e.get("text") for e in events if e["event"] == "user"]
    assert len(user_texts) == 9
    assert "restart" in user_texts and not any(e["event"] == "restart" for e in events)


def test_typed_slash_commands_do_not_force_intents(assistant):
    sender = new_sender()
    assistant.send(sender, "/out_of_scope")
    latest = assistant.tracker(sender)["latest_message"]
    assert latest["text"] == "out_of_scope"
    assert latest["intent"]["confidence"] < 1.0 or latest["intent"]["name"] != "out_of_scope"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2, 3]",
        b'{"message": "hi"}',
        b'{"sender": "", "message": "hi"}',
        b'{"sender": "a b c", "message": "hi"}',
        b'{"sender": "ok", "message": 42}',
        b'{"sender": "ok", "message": null}',
        b'{"sender": "ok", "message": "hi", "metadata": "uk"}',
        b'{"sender": "' + b"x" * 200 + b'", "message": "hi"}',
    ],
)
def test_malformed_requests_get_a_clear_400(assistant, body):
    response = requests.post(f"{assistant.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"]


def test_error_message_is_in_the_clients_language(assistant):
    body = {"sender": "bad sender!", "message": "hi", "metadata": {"lang": "uk"}}
    response = requests.post(f"{assistant.url}/webhooks/rest/webhook", json=body, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"] == "Не вдалося прочитати ваше повідомлення. Будь ласка, спробуйте ще раз."


def test_unknown_client_language_is_ignored(assistant):
    got = meta(assistant.send(new_sender(), "Kā saņemt uzturēšanās atļauju?", metadata={"lang": "xx", "other": 1}))
    assert got["lang"] == "lv"


def test_the_api_that_changes_state_needs_the_token(assistant):
    sender = new_sender()
    assistant.send(sender, "hello")
    url = f"{assistant.url}/conversations/{sender}/tracker/events"
    assert requests.post(url, json=[{"event": "restart"}], timeout=30).status_code == 401
    assert requests.put(f"{assistant.url}/model", json={"model_file": "x"}, timeout=30).status_code == 401
