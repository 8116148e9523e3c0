"""REST client keys (``MIGRANT_BOT_REST_KEYS``): each backend reaches only its own users' conversations.

A second Rasa server, started with two client keys, shares the session's
action server and the session secret (``var/session-secret``): it also shows
that a widget's session key works on every server sharing the secret, as
the blue/green pair behind the switch proxy needs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import requests

from tests.e2e.replies import meta, new_sender
from tests.e2e.servers import Assistant, free_port
from tests.e2e.test_socketio import WidgetSocket

KEY_CITY = "city-backend-key-0123456789abcdef"
KEY_NGO = "ngo-backend-key-fedcba9876543210"


@pytest.fixture(scope="module")
def keyed(assistant, tmp_path_factory) -> Iterator[Assistant]:
    """A Rasa server whose REST channel needs a key: clients "city" and "ngo"."""
    extra_env = {**assistant.extra_env, "MIGRANT_BOT_REST_KEYS": f"city:{KEY_CITY},ngo:{KEY_NGO}"}
    running = dataclasses.replace(
        assistant, workdir=tmp_path_factory.mktemp("keyed"), rasa_port=free_port(), processes={}, extra_env=extra_env
    )
    try:
        running.start_rasa()  # the session's action server answers it too
        yield running
    finally:
        running.stop_all()


def post(server: Assistant, body: object, key: str | None = None, scheme: str = "Bearer") -> requests.Response:
    headers = {"Authorization": f"{scheme} {key}"} if key is not None else {}
    return requests.post(f"{server.url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60)


@pytest.mark.parametrize(
    ("key", "scheme"),
    [(None, "Bearer"), ("", "Bearer"), ("wrong-key-0123456789", "Bearer"), (KEY_CITY, "Basic"), (KEY_CITY + "x", "Bearer")],
)
def test_without_a_listed_key_the_answer_is_401(keyed, key, scheme):
    sender = new_sender()
    response = post(keyed, {"sender": sender, "message": "hello"}, key, scheme)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"] and response.json()["error"]
    for conversation in (sender, f"city~{sender}"):  # nothing was stored
        tracker = requests.get(f"{keyed.url}/conversations/{conversation}/tracker", params={"token": keyed.token}, timeout=30)
        assert not [e for e in tracker.json()["events"] if e["event"] == "user"]


def test_each_backend_has_its_own_conversations(keyed):
    sender = new_sender()
    city = post(keyed, {"sender": sender, "message": "Where do I apply for a residence permit?", "metadata": {"lang": "en"}}, KEY_CITY)
    assert city.status_code == 200, city.text
    assert meta(city.json())["label"] == "residence_permit"
    assert {reply["recipient_id"] for reply in city.json()} == {sender}  # the client's own sender id comes back
    # backend B names the same sender: a conversation of its own, which knows nothing of the city's question
    ngo = post(keyed, {"sender": sender, "message": "Daugavpils", "metadata": {"lang": "en"}}, KEY_NGO)
    assert ngo.status_code == 200
    assert not any((reply.get("custom") or {}).get("office_cards") for reply in ngo.json())
    assert [e["text"] for e in keyed.tracker(f"city~{sender}")["events"] if e["event"] == "user"] == [
        "Where do I apply for a residence permit?"
    ]
    assert [e["text"] for e in keyed.tracker(f"ngo~{sender}")["events"] if e["event"] == "user"] == ["Daugavpils"]
    assert not [e for e in keyed.tracker(sender)["events"] if e["event"] == "user"]


def test_a_sender_cannot_name_another_backends_conversation(keyed):
    response = post(keyed, {"sender": "city~someone", "message": "hello"}, KEY_NGO)
    assert response.status_code == 400
    assert "sender" in response.json()["detail"]


def test_without_keys_the_channel_stays_open(assistant):
    sender = new_sender()
    assert assistant.send(sender, "hello")
    assert [e["text"] for e in assistant.tracker(sender)["events"] if e["event"] == "user"] == ["hello"]


async def test_a_session_key_works_on_every_server_sharing_the_secret(assistant, keyed):
    async with WidgetSocket(assistant.url) as first:
        await first.ask("hello", metadata={"lang": "en"})
    async with WidgetSocket(keyed.url, session_id=first.session_id, session_key=first.session_key) as other_server:
        assert other_server.session_id == first.session_id
    async with WidgetSocket(keyed.url, session_id=first.session_id) as without_key:
        assert without_key.session_id != first.session_id


def test_a_backend_deletes_its_own_users_conversation_and_no_other(keyed):
    sender = new_sender()
    for key in (KEY_CITY, KEY_NGO):
        assert post(keyed, {"sender": sender, "message": "hello"}, key).status_code == 200
    url = f"{keyed.url}/webhooks/rest/conversations/{sender}"
    answer = requests.delete(url, headers={"Authorization": f"Bearer {KEY_CITY}"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["deleted_events"] > 0
    assert not [e for e in keyed.tracker(f"city~{sender}")["events"] if e["event"] == "user"]
    assert [e for e in keyed.tracker(f"ngo~{sender}")["events"] if e["event"] == "user"], "the other backend's user keeps theirs"
    assert (
        requests.delete(
            f"{keyed.url}/webhooks/rest/conversations/telegram:1", headers={"Authorization": f"Bearer {KEY_NGO}"}, timeout=30
        ).status_code
        == 400
    )
