"""What every channel does to a message before Rasa sees it."""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from bot.channels.payloads import sanitize_incoming
from bot.channels.senders import may_use
from bot.content.model import Pack
from bot.content.store import default_store

#: Metadata keys a client may send; everything else is dropped.
CLIENT_METADATA_KEYS = ("lang",)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
logger = logging.getLogger(__name__)


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
        if not may_use(channel_name, str(message.sender_id)):
            # e.g. a web client naming itself "telegram:<id>": never into a messenger user's conversation
            logger.warning("%s: message for another channel's conversation dropped", channel_name)
            return None
        pack = default_store().pack()
        message.text = sanitize_incoming(message.text, pack)
        message.metadata = clean_metadata(message.metadata, pack)
        message.input_channel = channel_name
        return await on_new_message(message)

    return handle
