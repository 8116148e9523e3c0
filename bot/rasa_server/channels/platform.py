"""What the three messenger channels share: checked webhooks, handled once, answered natively.

A messenger channel (``telegram``, ``messenger``, ``whatsapp``) subclasses
``PlatformInput`` with three things: how a request proves it comes from the
platform, how the platform's payload becomes ``Incoming`` messages, and its
``PlatformOutput``, which turns text + buttons into the platform's API calls.
The base does the rest the same way for all of them:

1. a request that fails the check gets 403, and nothing of it reaches Rasa;
2. each message is claimed in ``bot.rasa_server.channels.seen``: a redelivery gets 200
   and is not handled again;
3. the message goes through ``bot.rasa_server.channels.guard`` like REST and socket.io;
4. the reply, in the reply text format (a small Markdown subset), is
   written out in the platform's own formatting (``bot.core.markup``)
   and sent with one shared aiohttp session to the platform's API
   (``MIGRANT_BOT_<CHANNEL>_API_URL``), never the web widget's custom JSON.

A channel whose variables are not set is off: its blueprint has no routes,
so its webhook URL answers 404.
"""

from __future__ import annotations

import abc
import asyncio
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, ClassVar

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.privacy.erase import seen_key_prefix
from bot.rasa_server.channels.config import ChannelSettings, channel_settings
from bot.rasa_server.channels.guard import OnNewMessage, guarded
from bot.rasa_server.channels.seen import seen_updates
from bot.rasa_server.channels.senders import namespaced, platform_user_id

logger = logging.getLogger(__name__)
API_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Incoming:
    """One user message taken from a webhook payload."""

    #: unique per platform message (Telegram update_id, Meta message id): a redelivery has the same
    key: str
    #: the platform's id of the user (Telegram chat, Messenger PSID, WhatsApp wa_id)
    user_id: str
    #: the text, a button's payload, or "" for a message without text (sticker, photo, voice)
    text: str
    #: Telegram's callback query to answer (a button press)
    callback_id: str | None = None
    #: the language the user's app is set to (Telegram's ``language_code``): a hint for a message
    #: whose own language cannot be told (``bot.core.language.choose``); ``bot.rasa_server.channels.guard`` keeps it
    #: only when it is one of the pack's languages
    lang_hint: str | None = None

    def metadata(self) -> dict[str, Any] | None:
        """The message's metadata for Rasa (cleaned again by ``bot.rasa_server.channels.guard``)."""
        return {"lang_hint": self.lang_hint} if self.lang_hint else None


@dataclass(frozen=True)
class ApiCall:
    """One request to the platform's HTTP API: a path under the API URL and a JSON body.

    ``fallback`` is sent when the platform refuses the call: Telegram answers
    400 to HTML it cannot parse, and the same text without formatting is
    better than no answer.
    """

    path: str
    body: dict[str, Any]
    fallback: ApiCall | None = None


class PlatformClient:
    """Posts JSON to a platform's API with one aiohttp session per process."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None, params: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self._headers = headers or {}
        self._params = params or {}
        self._session: aiohttp.ClientSession | None = None

    async def post(self, call: ApiCall) -> bool:
        """Sends ``call``; logs and returns False on failure (the user's message is kept either way)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=API_TIMEOUT_SECONDS))
        url = f"{self.base_url}/{call.path.lstrip('/')}"
        try:
            async with self._session.post(url, json=call.body, headers=self._headers, params=self._params) as reply:
                if reply.status < 300:
                    return True
                detail = (await reply.text())[:500]
                logger.warning("platform API %s answered %s: %s", call.path.split("/")[-1], reply.status, detail)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:  # not the same class in Python 3.10
            logger.warning("platform API %s failed: %r", call.path.split("/")[-1], error)
        return False

    async def close(self) -> None:
        """Closes the session (at server stop)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()


class PlatformOutput(OutputChannel, abc.ABC):
    """Text and buttons as the platform's native messages; custom JSON is dropped."""

    channel: ClassVar[str]

    def __init__(self, client: PlatformClient) -> None:
        self.client = client

    @classmethod
    def name(cls) -> str:
        return cls.channel

    @abc.abstractmethod
    def calls(self, user_id: str, text: str, buttons: list[dict[str, Any]], lang: str | None) -> list[ApiCall]:
        """The API calls that show ``text`` with ``buttons`` to ``user_id``.

        ``text`` is in the reply text format (``bot.core.markup``); each
        platform writes it out in its own formatting and splits it for its
        length limit with ``markup.split_markup``.
        """

    async def _send(self, recipient_id: str, text: str, buttons: list[dict[str, Any]], lang: Any) -> None:
        user_id = platform_user_id(self.channel, recipient_id)
        usable = [b for b in buttons if isinstance(b, dict) and b.get("title") and b.get("payload")]
        for call in self.calls(user_id, text or "", usable, lang if isinstance(lang, str) else None):
            if not await self.client.post(call) and call.fallback is not None:
                await self.client.post(call.fallback)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, text, [], kwargs.get("lang"))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any) -> None:
        await self._send(recipient_id, text, buttons, kwargs.get("lang"))

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any) -> None:
        await self._send(recipient_id, text, quick_replies, kwargs.get("lang"))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Dropped: the widget's JSON (``meta``, ``office_card``) means nothing in a messenger."""
        logger.debug("%s: custom JSON not sent (keys %s)", self.channel, sorted(json_message)[:5])


class PlatformInput(InputChannel, abc.ABC):
    """A messenger webhook (see the module docstring); off when its variables are not set."""

    channel: ClassVar[str]

    def __init__(self, settings: ChannelSettings | None) -> None:
        self.settings = settings
        self._output: PlatformOutput | None = None

    @classmethod
    def name(cls) -> str:
        return cls.channel

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Reads the environment, not credentials.yml: secrets never live in the repository."""
        return cls(channel_settings(cls.channel))

    @abc.abstractmethod
    def make_output(self, settings: ChannelSettings) -> PlatformOutput:
        """The output channel for these settings."""

    @abc.abstractmethod
    def authentic(self, request: Request) -> bool:
        """True when the POST request provably comes from the platform."""

    @abc.abstractmethod
    def messages(self, payload: dict[str, Any]) -> list[Incoming]:
        """The user messages in a webhook payload (everything else ignored; never raises)."""

    def verification(self, request: Request) -> HTTPResponse:
        """The answer to a GET on the webhook (Meta's subscription check); 404 when there is none."""
        return response.json({"error": "not found"}, status=404)

    async def before_handling(self, incoming: Incoming) -> None:
        """Platform chores before the message is handled (Telegram answers the button press)."""

    def get_output_channel(self) -> OutputChannel | None:
        if self.settings is None:
            return None
        if self._output is None:
            self._output = self.make_output(self.settings)
        return self._output

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        keep_channel_log_level()
        webhook = Blueprint(f"{self.channel}_platform_webhook", __name__)
        if self.settings is None:
            return webhook
        output = self.get_output_channel()
        assert output is not None
        handle = guarded(on_new_message, self.name())

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self.verification(request)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.authentic(request):
                logger.warning("%s: webhook request without a valid signature refused", self.channel)
                return response.json({"error": "forbidden"}, status=403)
            payload = _json_object(request.body)
            if payload is None:
                return response.json({"error": "the body must be a JSON object"}, status=400)
            for incoming in self._messages(payload):
                if not await self._handle_once(incoming, output, handle):
                    return response.json({"error": "temporarily unavailable"}, status=503)
            return response.json({"status": "ok"})

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await output.client.close()

        return webhook

    def _messages(self, payload: dict[str, Any]) -> list[Incoming]:
        try:
            return self.messages(payload)
        except Exception:  # a payload shape nobody foresaw: acknowledged, so the platform does not retry it forever
            logger.exception("%s: webhook payload not understood", self.channel)
            return []

    async def _handle_once(self, incoming: Incoming, output: PlatformOutput, handle: OnNewMessage) -> bool:
        """Handles a message unless it was handled before; False when handling failed."""
        sender = namespaced(self.channel, incoming.user_id)
        # the sender first, so that deleting a conversation finds its records (bot.core.privacy.erase)
        key = f"{seen_key_prefix(sender)}{self.channel}:{incoming.key}"
        try:
            first = await seen_updates().claim(key)
        except Exception:  # the database is down: let the platform retry later
            logger.exception("%s: could not record update %s", self.channel, incoming.key)
            return False
        if not first:
            logger.info("%s: redelivered update %s acknowledged, not handled again", self.channel, incoming.key)
            return True
        try:
            await self.before_handling(incoming)
            message = UserMessage(incoming.text, output, sender, input_channel=self.channel, message_id=key, metadata=incoming.metadata())
            await handle(message)
        except Exception:  # keep the server up; the platform redelivers, and the release lets it through
            logger.exception("%s: message %s failed", self.channel, incoming.key)
            try:
                await seen_updates().release(key)
            except Exception:
                logger.exception("%s: could not release update %s; its redelivery will be ignored", self.channel, incoming.key)
            return False
        return True


def keep_channel_log_level() -> None:
    """Puts the channels' loggers at Rasa's log level (``LOG_LEVEL``, INFO by default).

    Rasa sets the level of its own ``rasa`` logger only. Ours inherit the
    root logger's, which Rasa's coloredlogs set to INFO, until the model is
    loaded: skops (which persists Rasa's sklearn parts) imports every sklearn
    module, one of them imports numpy.distutils, and its log module sets the
    root logger to WARNING. Every INFO line of the channels (an update
    acknowledged and why, a redelivery, a deleted conversation) was lost.
    """
    level = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO").upper())
    logging.getLogger("bot.rasa_server.channels").setLevel(level if isinstance(level, int) else logging.INFO)


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def get_path(data: Any, *keys: str | int) -> Any:
    """``data[k1][k2]...`` or None when any step is missing or of the wrong type."""
    for key in keys:
        if isinstance(key, int):
            data = data[key] if isinstance(data, list) and -len(data) <= key < len(data) else None
        else:
            data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def text_of(value: Any) -> str | None:
    """``value`` when it is a string, else None."""
    return value if isinstance(value, str) else None
