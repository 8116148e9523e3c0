import pytest

from bot.core.payloads import button_payload, sanitize_incoming


def test_button_payload_format():
    assert button_payload("residence_permit") == "/residence_permit"
    assert button_payload("change_language", language="uk") == '/change_language{"language":"uk"}'


@pytest.mark.parametrize(
    "payload",
    [
        "/residence_permit",
        "/greet",
        '/change_language{"language":"uk"}',
        '/office_lookup{"office":"nva"}',
        '/ask_human{"feedback":"unhelpful"}',
    ],
)
def test_known_button_payloads_pass(pack, payload):
    assert sanitize_incoming(payload, pack) == payload


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ('/greet{"name":"x"}', 'greet{"name":"x"}'),
        ('/change_language{"language":"xx"}', 'change_language{"language":"xx"}'),
        ('/office_lookup{"office":"nowhere"}', 'office_lookup{"office":"nowhere"}'),
        ("/out_of_scope", "out_of_scope"),
        ("/ask_human", "ask_human"),  # only "this did not help" may name ask_human
        ('/ask_human{"feedback":"helpful"}', 'ask_human{"feedback":"helpful"}'),
        ('/residence_permit{"feedback":"unhelpful"}', 'residence_permit{"feedback":"unhelpful"}'),
        ("/residence_permit@0.99", "residence_permit@0.99"),
    ],
)
def test_anything_else_loses_its_slash(pack, typed, seen):
    assert sanitize_incoming(typed, pack) == seen
