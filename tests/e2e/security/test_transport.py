"""The channels' transport: oversize bodies, bad input, unaddressable senders, and what the log keeps.

Each test replays a finding of the security review against the running
assistant, with raw HTTP (``requests``) or a socket.io client.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.e2e.test_socketio import WidgetSocket

EIO = {"EIO": "4", "transport": "polling"}


def engineio_session(url: str) -> str:
    """Opens an Engine.IO long-polling session and its socket.io namespace, as any client can: its sid."""
    opened = requests.get(f"{url}/socket.io/", params=EIO, timeout=10)
    assert opened.status_code == 200 and opened.text.startswith("0"), opened.text
    sid = json.loads(opened.text[1:])["sid"]
    joined = requests.post(f"{url}/socket.io/", params={**EIO, "sid": sid}, data="40", timeout=10)
    assert joined.status_code == 200
    return sid


def test_an_oversize_polling_post_is_answered_413_at_once(assistant):
    """It used to hang for minutes: python-engineio closed the session and waited for a GET that never came."""
    sid = engineio_session(assistant.url)
    started = time.monotonic()
    response = requests.post(f"{assistant.url}/socket.io/", params={**EIO, "sid": sid}, data="4" + "x" * 1_100_000, timeout=15)
    assert response.status_code == 413
    assert time.monotonic() - started < 10
    # the session is closed: its next poll is refused, and a new one can be opened
    assert requests.get(f"{assistant.url}/socket.io/", params={**EIO, "sid": sid}, timeout=10).status_code == 400
    assert engineio_session(assistant.url)


def test_a_polling_post_under_the_limit_is_still_read(assistant):
    sid = engineio_session(assistant.url)
    response = requests.post(f"{assistant.url}/socket.io/", params={**EIO, "sid": sid}, data="3", timeout=10)  # a pong
    assert response.status_code == 200 and response.text == "OK"


@pytest.mark.parametrize("message", [42, 4.2, {"text": "hi"}, ["hi"], None, True])
async def test_a_message_that_is_not_text_gets_the_error_acknowledgement(assistant, message):
    async with WidgetSocket(assistant.url) as widget:
        ack = await widget.client.call("user_uttered", {"message": message, "session_id": widget.session_id}, timeout=15)
        assert ack == {"ok": False, "error": "'message' must be text"}
        ack, replies = await widget.ask("hello", metadata={"lang": "en"})  # the connection is still fine
        assert ack == {"ok": True} and replies


@pytest.mark.parametrize("sender", [".", "..", "...", "_", "-.-"])
def test_a_sender_without_a_letter_or_digit_is_refused(assistant, sender):
    """Senders like "." and ".." were accepted, but the tracker API's URLs cannot address them."""
    response = requests.post(f"{assistant.url}/webhooks/rest/webhook", json={"sender": sender, "message": "hi"}, timeout=30)
    assert response.status_code == 400
    assert "letter or digit" in response.json()["detail"]


# --- the log


class LogTail:
    """What a server log gains from now on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.start = path.stat().st_size

    def new(self) -> str:
        with self.path.open("rb") as handle:
            handle.seek(self.start)
            return handle.read().decode("utf-8", "replace")


async def test_a_normal_websocket_close_is_not_an_error(assistant):
    tail = LogTail(assistant.workdir / "rasa.log")
    for _ in range(3):
        client = socketio.AsyncClient()
        await client.connect(assistant.url, socketio_path="/socket.io", transports=["websocket"])
        await client.emit("session_request", {})
        await asyncio.sleep(0.3)
        await client.disconnect()
    await asyncio.sleep(1.5)
    logged = tail.new()
    assert "Invalid response type" not in logged
    assert "ERROR" not in logged, logged[-2000:]


def test_a_refused_origin_is_logged_in_one_short_line(assistant):
    tail = LogTail(assistant.workdir / "rasa.log")
    origin = "https://evil.example/" + "x" * 3000
    headers = {"Origin": origin, "X-Probe": "header-value-that-must-not-be-logged", "Cookie": "session=cookie-value"}
    for transport in ("polling", "websocket"):
        response = requests.get(f"{assistant.url}/socket.io/", params={"EIO": "4", "transport": transport}, headers=headers, timeout=10)
        assert response.status_code == 400
    time.sleep(1)
    lines = [line for line in tail.new().splitlines() if "evil.example" in line]
    assert len(lines) == 2, lines  # one line per refusal
    assert all(len(line) < 250 for line in lines), lines
    logged = tail.new()
    assert "header-value-that-must-not-be-logged" not in logged and "cookie-value" not in logged and "x" * 200 not in logged
