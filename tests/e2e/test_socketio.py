"""The socket.io channel: reply contract, persistent sessions, allowed origins."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio
import yaml

from bot.core.settings import PROJECT_ROOT
from tests.e2e.replies import meta


class WidgetSocket:
    """A socket.io client that talks like the web widget: session_request, then acknowledged messages.

    Without ``session_id`` it asks for a new conversation; with it (and its
    ``session_key``) it asks to continue one. Either way ``session_id`` and
    ``session_key`` are then what the server confirmed.
    """

    def __init__(self, url: str, session_id: str | None = None, origin: str | None = None, session_key: str | None = None) -> None:
        self.url = url
        self.session_id = session_id
        self.session_key = session_key
        self.origin = origin
        self.client = socketio.AsyncClient()
        self.replies: list[dict] = []
        self.confirmed: asyncio.Future | None = None
        self.client.on("bot_uttered", self.replies.append)
        self.client.on("session_confirm", self._confirm)

    async def _confirm(self, confirmed: dict) -> None:
        if self.confirmed and not self.confirmed.done():
            self.confirmed.set_result(confirmed)

    async def __aenter__(self) -> WidgetSocket:
        headers = {"Origin": self.origin} if self.origin else {}
        # long-polling: the websocket transport is what browsers use, and the browser tests cover it
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"], headers=headers)
        await self.request_session({"session_id": self.session_id, "session_key": self.session_key} if self.session_id else {})
        return self

    async def request_session(self, data: dict) -> dict:
        """Sends ``session_request`` with ``data``; returns what ``session_confirm`` said (and keeps it)."""
        self.confirmed = asyncio.get_running_loop().create_future()
        await self.client.emit("session_request", data)
        confirmed = await asyncio.wait_for(self.confirmed, timeout=10)
        assert isinstance(confirmed, dict), confirmed
        self.session_id, self.session_key = confirmed["session_id"], confirmed["session_key"]
        return confirmed

    async def __aexit__(self, *exc: object) -> None:
        await self.client.disconnect()

    async def ask(self, message: str, metadata: dict | None = None, session_id: str | None = None) -> tuple[dict, list[dict]]:
        """Sends one message; returns the server's acknowledgement and the replies that came before it."""
        start = len(self.replies)
        data = {"message": message, "session_id": session_id or self.session_id, "metadata": metadata or {}}
        ack = await self.client.call("user_uttered", data, timeout=60)
        await asyncio.sleep(0.2)  # the acknowledgement follows the replies on the same connection
        return ack, self.replies[start:]


def _card(replies: list[dict]) -> dict | None:
    return next((r["custom"]["office_cards"][0] for r in replies if (r.get("custom") or {}).get("office_cards")), None)


def test_credentials_keep_sessions():
    channels = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    assert channels["bot.rasa_server.channels.socketio.WidgetSocketIOInput"]["session_persistence"] is True


async def test_socketio_reply_holds_text_and_one_meta(assistant):
    async with WidgetSocket(assistant.url) as widget:
        ack, replies = await widget.ask("Як отримати посвідку на проживання?")
    assert ack == {"ok": True}
    got = meta(replies)
    assert (got["label"], got["lang"], got["offices"]) == ("residence_permit", "uk", ["ocma", "mfa_consular"])
    assert any(r.get("text") for r in replies)


async def test_socketio_metadata_language_and_quick_replies(assistant):
    async with WidgetSocket(assistant.url) as widget:
        _, replies = await widget.ask("hello", metadata={"lang": "lv"})
    assert (meta(replies)["label"], meta(replies)["lang"]) == ("greet", "lv")
    assert next(q["payload"] for r in replies for q in r.get("quick_replies") or []) == "/residence_permit"


async def test_conversation_continues_on_a_new_connection(assistant):
    """With session_persistence the conversation id is the widget's: a reload continues it (with the id's key)."""
    async with WidgetSocket(assistant.url) as first:
        session_id, session_key = first.session_id, first.session_key
        _, replies = await first.ask("Where do I apply for a residence permit?", metadata={"lang": "en"})
    assert meta(replies)["label"] == "residence_permit"
    assert _card(replies) is None  # it asks for the city first
    async with WidgetSocket(assistant.url, session_id=session_id, session_key=session_key) as second:
        assert second.session_id == session_id
        _, replies = await second.ask("Daugavpils", metadata={"lang": "en"})
    card = _card(replies)
    assert card is not None and card["office"] == "ocma", replies
    assert assistant.tracker(session_id)["latest_input_channel"] == "socketio"


async def test_message_for_another_conversation_is_refused(assistant):
    async with WidgetSocket(assistant.url) as widget:
        ack, replies = await widget.ask("hello", session_id=uuid.uuid4().hex)
    assert ack["ok"] is False
    assert replies == []


async def test_invalid_session_id_gets_a_fresh_one(assistant):
    async with WidgetSocket(assistant.url, session_id="../../etc/passwd", session_key="0" * 64) as widget:
        assert widget.session_id != "../../etc/passwd" and len(widget.session_id) == 32
        assert len(widget.session_key) == 64


async def test_own_and_local_origins_connect(assistant):
    for origin in (assistant.url, "http://localhost:8080"):
        async with WidgetSocket(assistant.url, origin=origin) as widget:
            assert widget.session_id


async def test_foreign_origin_is_refused(assistant):
    with pytest.raises(socketio.exceptions.ConnectionError):
        async with WidgetSocket(assistant.url, origin="https://evil.example"):
            pass
