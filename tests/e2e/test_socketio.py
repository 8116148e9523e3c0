"""The socket.io channel keeps the reply contract too."""

from __future__ import annotations

import asyncio

import socketio

from tests.e2e.replies import meta


async def ask(url: str, message: str, metadata: dict | None = None) -> list[dict]:
    """Sends one message over socket.io and collects replies until the meta arrives."""
    client = socketio.AsyncClient()
    replies: list[dict] = []
    done = asyncio.Event()

    @client.on("bot_uttered")
    async def on_reply(data: dict) -> None:
        replies.append(data)
        if isinstance(data.get("custom"), dict) and "meta" in data["custom"]:
            done.set()

    # long-polling: the websocket client of python-socketio needs aiohttp >= 3.10, Rasa pins 3.9
    await client.connect(url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("user_uttered", {"message": message, "metadata": metadata or {}})
        await asyncio.wait_for(done.wait(), timeout=30)
    finally:
        await client.disconnect()
    return replies


async def test_socketio_reply_holds_text_and_one_meta(assistant):
    replies = await ask(assistant.url, "Як отримати посвідку на проживання?")
    got = meta(replies)
    assert (got["label"], got["lang"], got["offices"]) == ("residence_permit", "uk", ["ocma", "mfa_consular"])
    assert any(r.get("text") for r in replies)


async def test_socketio_metadata_language_and_quick_replies(assistant):
    replies = await ask(assistant.url, "hello", metadata={"lang": "lv"})
    assert (meta(replies)["label"], meta(replies)["lang"]) == ("greet", "lv")
    assert next(q["payload"] for r in replies for q in r.get("quick_replies") or []) == "/residence_permit"
