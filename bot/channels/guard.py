"""What every channel does to a message before Rasa sees it."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from bot.channels.payloads import sanitize_incoming
from bot.content.model import Pack
from bot.content.store import default_store

#: Metadata keys a client may send; everything else is dropped.
CLIENT_METADATA_KEYS = ("lang",)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def clean_metadata(metadata: object, pack: Pack) -> dict[str, Any]:
    """Keeps only metadata the assistant understands, with valid values."""
    if not isinstance(metadata, dict):
        return {}
    lang = metadata.get("lang")
    if isinstance(lang, str) and lang.lower() in pack.languages:
        return {"lang": lang.lower()}
    return {}


def guarded(on_new_message: OnNewMessage, channel_name: str) -> OnNewMessage:
    """Wraps Rasa's message handler so that every message is cleaned first."""

    async def handle(message: UserMessage) -> Any:
        pack = default_store().pack()
        message.text = sanitize_incoming(message.text, pack)
        message.metadata = clean_metadata(message.metadata, pack)
        message.input_channel = channel_name
        return await on_new_message(message)

    return handle
