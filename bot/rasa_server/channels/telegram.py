"""Telegram: webhook checked by its secret token, replies in HTML with inline keyboards.

Rasa 3.6's ``TelegramInput`` checks no secret (anyone who knows the URL can
write as any user), calls ``getMe`` on every update and ``setWebhook`` at
every start. This channel instead:

- accepts an update only with ``X-Telegram-Bot-Api-Secret-Token`` equal to
  ``MIGRANT_BOT_TELEGRAM_SECRET`` (the ``secret_token`` given to setWebhook);
- answers private chats only (a group is not the place for someone's
  residence permit questions). A chat is private when its ``type`` says so
  or, as in the sample updates of Telegram's webhook guide (which have no
  ``type`` and no ``is_bot``), when the chat's id is the sender's own; a
  sender is a bot only when ``is_bot`` is true;
- answers ``message`` and ``callback_query`` updates; the button of a
  message the update does not include (an inline message, as in the guide's
  sample) is answered in the presser's private chat. Every other update
  (edited messages, channel posts, membership changes, inline queries,
  polls, payments, ...) is acknowledged and logged in one INFO line with its
  ``update_id`` and why it was not answered, never with personal data;
- passes the user's app language (``from.language_code``) as the hint
  ``lang_hint``: a Ukrainian user pressing *Start* is greeted in Ukrainian,
  while a message written in another language is still answered in that
  language (``bot.core.language.choose``);
- sends text as HTML (``bot.core.markup.telegram_html``), cut at
  paragraphs into messages of at most 4096 characters, without link
  previews, and the same text without formatting if Telegram refuses the HTML;
- sends buttons as an inline keyboard, one button a row; a payload longer
  than the 64 bytes of ``callback_data`` is sent as a hash and looked up
  again when pressed; a press is answered (``answerCallbackQuery``) so the
  button stops spinning;
- turns ``/start`` into the greeting.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sanic.request import Request

from bot.core.content.store import default_store
from bot.core.dialogue import Label
from bot.core.markup import plain_text, split_markup, telegram_html, utf16_length
from bot.core.payloads import button_payload, known_payloads
from bot.rasa_server.channels.config import ChannelSettings
from bot.rasa_server.channels.platform import ApiCall, Incoming, PlatformClient, PlatformInput, PlatformOutput, get_path, text_of
from bot.rasa_server.channels.signatures import secret_token_valid

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: characters of one message after the HTML is parsed, counted in UTF-16 units
TEXT_LIMIT = 4096
CALLBACK_DATA_BYTES = 64
_HASH_PREFIX = "#"
_MEMO_SIZE = 2048
#: payloads sent as a hash by this process, so a press finds them again
_sent_hashes: OrderedDict[str, str] = OrderedDict()

#: Update kinds that never hold a question to answer, and why (https://core.telegram.org/bots/api#update)
IGNORED_KINDS = {
    "edited_message": "an edited message (its first version was answered)",
    "channel_post": "a channel post (the assistant answers private chats only)",
    "edited_channel_post": "an edited channel post (the assistant answers private chats only)",
    "business_connection": "a business account update (not used)",
    "business_message": "a business account message (not used)",
    "edited_business_message": "a business account message (not used)",
    "deleted_business_messages": "a business account update (not used)",
    "message_reaction": "a reaction",
    "message_reaction_count": "a reaction count",
    "inline_query": "an inline query (inline mode is not offered)",
    "chosen_inline_result": "an inline result (inline mode is not offered)",
    "shipping_query": "a payment update (nothing is sold)",
    "pre_checkout_query": "a payment update (nothing is sold)",
    "purchased_paid_media": "a payment update (nothing is sold)",
    "poll": "a poll update",
    "poll_answer": "a poll answer",
    "my_chat_member": "the bot's membership in a chat changed (started, blocked, or added to a group)",
    "chat_member": "a chat member update",
    "chat_join_request": "a request to join a chat",
    "chat_boost": "a chat boost",
    "removed_chat_boost": "a chat boost",
}
#: what of an update's own words may go into a log line (a kind or a chat type, never user text)
_LOGGABLE = re.compile(r"[a-z_]{1,40}")
#: an IETF language tag as Telegram sends it: "uk", "en-US", "pt-br"
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


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


def send_message(chat_id: str, markup: str, reply_markup: dict[str, Any] | None = None) -> ApiCall:
    """``sendMessage`` of one part in HTML, with the same part as plain text to fall back on."""
    body: dict[str, Any] = {"chat_id": chat_id, "link_preview_options": {"is_disabled": True}}
    if reply_markup is not None:
        body["reply_markup"] = reply_markup
    plain = ApiCall("sendMessage", {**body, "text": plain_text(markup)})
    return ApiCall("sendMessage", {**body, "text": telegram_html(markup), "parse_mode": "HTML"}, fallback=plain)


class TelegramOutput(PlatformOutput):
    """``sendMessage`` in HTML, with an inline keyboard on the last part."""

    channel = "telegram"

    def calls(self, user_id: str, text: str, buttons: list[dict[str, Any]], lang: str | None) -> list[ApiCall]:
        parts = [p for p in split_markup(text, TEXT_LIMIT, utf16_length) if telegram_html(p).strip()]
        if not parts and buttons:
            parts = ["…"]  # Telegram sends no keyboard without a text
        keyboard = inline_keyboard(buttons) if buttons else None
        return [send_message(user_id, part, keyboard if i == len(parts) - 1 else None) for i, part in enumerate(parts)]

    async def answer_callback(self, callback_id: str) -> None:
        """Stops the pressed button's spinner."""
        await self.client.post(ApiCall("answerCallbackQuery", {"callback_query_id": callback_id}))


@dataclass(frozen=True)
class Ignored:
    """An update that is acknowledged and not answered, and why (logged; never personal data)."""

    reason: str


def _person_id(user: Any) -> int | None:
    """The id of a sender who is a person (``is_bot`` absent or false), else None."""
    if get_path(user, "is_bot") is True:
        return None
    user_id = get_path(user, "id")
    return user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None


def _private_chat(chat: Any, user_id: int) -> str | Ignored:
    """The chat's id when it is the private chat with ``user_id``, else why it is not answered."""
    chat_id = get_path(chat, "id")
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):
        return Ignored("a message without a chat id")
    kind = get_path(chat, "type")
    if kind is None:  # the webhook guide's samples: a private chat's id is its user's
        kind = "private" if chat_id == user_id and chat_id > 0 else "unknown"
    if kind != "private":
        shown = kind if isinstance(kind, str) and _LOGGABLE.fullmatch(kind) else "unknown"
        return Ignored(f"a message in a {shown} chat (the assistant answers private chats only)")
    return str(chat_id)


def language_hint(user: Any) -> str | None:
    """The primary language of a user's ``language_code`` ("uk" of "uk-UA"), or None.

    The guard keeps it only when the pack speaks it (``bot.rasa_server.channels.guard``).
    """
    code = text_of(get_path(user, "language_code"))
    found = _LANGUAGE_TAG.fullmatch(code.strip()) if code else None
    return found.group(1).lower() if found else None


def _message_text(message: dict[str, Any]) -> str:
    text = text_of(message.get("text"))
    if text is not None:
        command = text.strip().split(maxsplit=1)[0].split("@")[0] if text.strip() else ""
        return button_payload(Label.GREET) if command == "/start" else text
    return text_of(message.get("caption")) or ""  # a photo's caption may be the question; a sticker has none


def _from_message(key: str, message: Any) -> Incoming | Ignored:
    if not isinstance(message, dict):
        return Ignored("a message that is not an object")
    user = message.get("from")
    user_id = _person_id(user)
    if user_id is None:
        return Ignored("a message from a bot or without a sender")
    chat = _private_chat(message.get("chat"), user_id)
    if isinstance(chat, Ignored):
        return chat
    return Incoming(key, chat, _message_text(message), lang_hint=language_hint(user))


def _from_button(key: str, query: dict[str, Any]) -> Incoming | Ignored:
    user = query.get("from")
    user_id = _person_id(user)
    data, query_id = text_of(query.get("data")), text_of(query.get("id"))
    if user_id is None or query_id is None:
        return Ignored("a button press from a bot or without a sender")
    if data is None:
        return Ignored("a button press without data (a game's button)")
    message = query.get("message")
    if isinstance(message, dict):  # the pressed button's message is the bot's own; the presser is the query's sender
        chat = _private_chat(message.get("chat"), user_id)
    else:  # an inline message's button: the update has no message, so the presser is answered privately
        chat = str(user_id) if user_id > 0 else Ignored("a button press without a chat")
    if isinstance(chat, Ignored):
        return chat
    return Incoming(key, chat, payload_of(data), callback_id=query_id, lang_hint=language_hint(user))


def read_update(update: dict[str, Any]) -> Incoming | Ignored:
    """The user message in a Telegram ``Update``, or why there is none to answer."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return Ignored("an update without a valid update_id")
    key = f"update:{update_id}"
    if "callback_query" in update:
        query = update["callback_query"]
        return _from_button(key, query) if isinstance(query, dict) else Ignored("a button press that is not an object")
    if "message" in update:
        return _from_message(key, update["message"])
    kinds = [k for k in update if k != "update_id"]
    if not kinds:
        return Ignored("an update with nothing in it")
    kind = kinds[0] if _LOGGABLE.fullmatch(kinds[0]) else "unknown"
    return Ignored(IGNORED_KINDS.get(kind, f"an update of a kind this channel does not handle ({kind})"))


def updates(update: dict[str, Any]) -> list[Incoming]:
    """The user message in a Telegram ``Update`` (at most one); an update not answered is logged with the reason."""
    found = read_update(update)
    if isinstance(found, Ignored):
        update_id = update.get("update_id")
        shown = update_id if isinstance(update_id, int) and not isinstance(update_id, bool) else "?"
        logger.info("telegram: update %s acknowledged, not answered: %s", shown, found.reason)
        return []
    return [found]


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
