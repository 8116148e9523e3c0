"""Telegram: webhook checked by its secret token, replies with inline keyboards.

Rasa 3.6's ``TelegramInput`` checks no secret (anyone who knows the URL can
write as any user), calls ``getMe`` on every update and ``setWebhook`` at
every start. This channel instead:

- accepts an update only with ``X-Telegram-Bot-Api-Secret-Token`` equal to
  ``MIGRANT_BOT_TELEGRAM_SECRET`` (the ``secret_token`` given to setWebhook);
- answers private chats only (a group is not the place for someone's
  residence permit questions); edited messages, channel posts, bots and
  membership updates are acknowledged and ignored;
- sends buttons as an inline keyboard, one button a row; a payload longer
  than the 64 bytes of ``callback_data`` is sent as a hash and looked up
  again when pressed; a press is answered (``answerCallbackQuery``) so the
  button stops spinning;
- turns ``/start`` into the greeting.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from typing import Any

from sanic.request import Request

from bot.channels.config import ChannelSettings
from bot.channels.limits import split_text
from bot.channels.payloads import button_payload, known_payloads
from bot.channels.platform import ApiCall, Incoming, PlatformClient, PlatformInput, PlatformOutput, get_path, text_of
from bot.channels.signatures import secret_token_valid
from bot.content.store import default_store

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4096
CALLBACK_DATA_BYTES = 64
_HASH_PREFIX = "#"
_MEMO_SIZE = 2048
#: payloads sent as a hash by this process, so a press finds them again
_sent_hashes: OrderedDict[str, str] = OrderedDict()


def _hash(payload: str) -> str:
    return _HASH_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def callback_data(payload: str) -> str:
    """The ``callback_data`` of a button: the payload, or its hash when longer than 64 bytes."""
    if len(payload.encode("utf-8")) <= CALLBACK_DATA_BYTES and not payload.startswith(_HASH_PREFIX):
        return payload
    data = _hash(payload)
    _sent_hashes[data] = payload
    _sent_hashes.move_to_end(data)
    while len(_sent_hashes) > _MEMO_SIZE:
        _sent_hashes.popitem(last=False)
    return data


def payload_of(data: str) -> str:
    """The payload a pressed button stands for ("" for a hash nobody knows any more)."""
    if not data.startswith(_HASH_PREFIX):
        return data
    if data in _sent_hashes:
        return _sent_hashes[data]
    # after a restart: every payload a button may carry can be listed from the pack
    return next((p for p in known_payloads(default_store().pack()) if _hash(p) == data), "")


def inline_keyboard(buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """Telegram's ``reply_markup``: one button a row, titles in full (Telegram wraps them)."""
    return {"inline_keyboard": [[{"text": b["title"], "callback_data": callback_data(b["payload"])}] for b in buttons]}


class TelegramOutput(PlatformOutput):
    """``sendMessage`` with an inline keyboard on the last part."""

    channel = "telegram"

    def calls(self, user_id: str, text: str, buttons: list[dict[str, Any]], lang: str | None) -> list[ApiCall]:
        parts = split_text(text, TEXT_LIMIT) or (["…"] if buttons else [])
        calls = [ApiCall("sendMessage", {"chat_id": user_id, "text": part}) for part in parts]
        if buttons and calls:
            calls[-1].body["reply_markup"] = inline_keyboard(buttons)
        return calls

    async def answer_callback(self, callback_id: str) -> None:
        """Stops the pressed button's spinner."""
        await self.client.post(ApiCall("answerCallbackQuery", {"callback_query_id": callback_id}))


def _private_chat_id(message: Any, sender: Any) -> str | None:
    """The chat's id when it is a private chat with a person, else None."""
    chat = get_path(message, "chat")
    if get_path(chat, "type") != "private" or get_path(sender, "is_bot") is not False:
        return None
    chat_id = get_path(chat, "id")
    return str(chat_id) if isinstance(chat_id, int) and not isinstance(chat_id, bool) else None


def _message_text(message: dict[str, Any]) -> str:
    text = text_of(message.get("text"))
    if text is not None:
        command = text.strip().split(maxsplit=1)[0].split("@")[0] if text.strip() else ""
        return button_payload("greet") if command == "/start" else text
    return text_of(message.get("caption")) or ""  # a photo's caption may be the question; a sticker has none


def updates(update: dict[str, Any]) -> list[Incoming]:
    """The user message in a Telegram ``Update`` (at most one)."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return []
    key = f"update:{update_id}"
    query = update.get("callback_query")
    if isinstance(query, dict):
        # the pressed button's message is the bot's own; the presser is the query's sender
        chat_id = _private_chat_id(get_path(query, "message"), query.get("from"))
        data = text_of(query.get("data"))
        query_id = text_of(query.get("id"))
        if chat_id is None or data is None or query_id is None:
            return []
        return [Incoming(key, chat_id, payload_of(data), callback_id=query_id)]
    message = update.get("message")
    if isinstance(message, dict):
        chat_id = _private_chat_id(message, message.get("from"))
        return [] if chat_id is None else [Incoming(key, chat_id, _message_text(message))]
    return []  # edited_message, channel_post, my_chat_member, poll, ...: nothing to answer


class TelegramInput(PlatformInput):
    """``POST /webhooks/telegram/webhook``."""

    channel = "telegram"

    def make_output(self, settings: ChannelSettings) -> TelegramOutput:
        return TelegramOutput(PlatformClient(f"{settings.api_url}/bot{settings['TELEGRAM_TOKEN']}"))

    def authentic(self, request: Request) -> bool:
        assert self.settings is not None
        return secret_token_valid(self.settings["TELEGRAM_SECRET"], request.headers.get(SECRET_HEADER))

    def messages(self, payload: dict[str, Any]) -> list[Incoming]:
        return updates(payload)

    async def before_handling(self, incoming: Incoming) -> None:
        if incoming.callback_id and isinstance(self._output, TelegramOutput):
            await self._output.answer_callback(incoming.callback_id)
