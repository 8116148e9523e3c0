"""The REST channel of the reply contract, with its input checked.

Rasa's own ``RestInput`` accepts any JSON: a missing sender puts the message
into a shared "default" conversation, a client may claim another input
channel, and a non-text message fails deep inside. This one answers a clear
400 instead, and cleans every message through ``bot.rasa_server.channels.guard``.

**Senders** are 1 to 128 letters, digits or ``_.:@+-`` with at least one
letter or digit (``.`` or ``..`` could not be addressed in the tracker API's
URLs), and never a messenger channel's prefix (``bot.rasa_server.channels.senders``).

**Client keys** (``MIGRANT_BOT_REST_KEYS``, optional): comma-separated
``name:key`` pairs, one per backend that integrates the assistant. When set,
every request needs ``Authorization: Bearer <key>`` (else 401; keys are
compared in constant time), and the conversation id is
``<name>~<sender>``: ``~`` is not allowed in a sender, so backend A cannot
name a conversation of backend B's users, nor a widget's or a messenger's.
Replies still carry the sender the client sent. When unset, the channel is
open as before and the conversation id is the sender itself.

**Deleting** (``DELETE /webhooks/rest/conversations/<sender>``): a backend
whose user asks to be forgotten deletes that conversation with its client
key; the operator may delete any conversation with the API token. Rasa's own
``PUT /conversations/<id>/tracker/events`` cannot do this: its SQL store only
appends. Answers ``{"deleted_events": n}``.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.i18n import translator_for_metadata
from bot.core.settings import PREFIX, load_settings
from bot.rasa_server.channels.guard import OnNewMessage, guarded
from bot.rasa_server.channels.privacy import delete_conversation
from bot.rasa_server.channels.senders import MESSENGER_CHANNELS, is_reserved

logger = logging.getLogger(__name__)
_SENDER = re.compile(r"(?=.*[A-Za-z0-9])[A-Za-z0-9_.:@+-]{1,128}")  # fullmatch: "$" would let a final newline in
KEYS_VARIABLE = PREFIX + "REST_KEYS"
#: Between a client's name and its sender in a conversation id; never in a sender (``_SENDER``).
CLIENT_SEPARATOR = "~"
_CLIENT_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
MIN_KEY_LENGTH = 16


class RestKeysError(ValueError):
    """``MIGRANT_BOT_REST_KEYS`` is not a list of ``name:key`` pairs."""


@dataclass(frozen=True)
class RestClients:
    """The backends allowed to use the channel: name -> key (see the module docstring)."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, raw: str) -> RestClients | None:
        """The clients ``MIGRANT_BOT_REST_KEYS`` lists; None when it is empty (the channel is open)."""
        entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
        if not entries:
            return None
        keys: dict[str, bytes] = {}
        for entry in entries:
            name, _, key = entry.partition(":")
            name, key = name.strip(), key.strip()
            if not _CLIENT_NAME.fullmatch(name):
                raise RestKeysError(f"{KEYS_VARIABLE}: {name[:32]!r} is not a client name (1 to 32 letters, digits, '_' or '-').")
            if len(key) < MIN_KEY_LENGTH or not key.isascii() or not key.isprintable() or "," in key:
                raise RestKeysError(
                    f"{KEYS_VARIABLE}: the key of {name!r} must be at least {MIN_KEY_LENGTH} printable ASCII characters "
                    "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')."
                )
            if name in keys or key.encode() in keys.values():
                raise RestKeysError(f"{KEYS_VARIABLE}: {name!r} or its key is listed twice; give each backend its own.")
            keys[name] = key.encode()
        return cls(tuple(keys.items()))

    def client_for(self, authorization: str | None) -> str | None:
        """The name of the client whose key ``Authorization: Bearer <key>`` holds, or None."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        presented = token.strip().encode("utf-8", "replace") if scheme.lower() == "bearer" else b""
        found = None
        for name, key in self.keys:  # every key is compared, so the time does not tell which one nearly matched
            if hmac.compare_digest(key, presented):
                found = name
        return found


def conversation_id(client: str | None, sender: str) -> str:
    """The conversation id of ``sender`` of ``client`` (the sender itself when the channel is open)."""
    return f"{client}{CLIENT_SEPARATOR}{sender}" if client else sender


class WholeTextCollector(CollectingOutputChannel):
    """Rasa's collector, but one message per text: Rasa's cuts a text at every blank line.

    A reply is at most three messages (the answer, where to go, the sources;
    docs/architecture.md); cut into paragraphs it would be six or more, and
    ``custom.cards_replace_text`` would point at the wrong message.
    """

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))


def _validate(body: Any) -> str | None:
    """The reason the request cannot be answered, or None when it is fine."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    if not isinstance(body.get("sender"), str) or not _SENDER.fullmatch(body["sender"]):
        return "'sender' must be 1 to 128 letters, digits or _.:@+-, with at least one letter or digit."
    if is_reserved(body["sender"]):
        return f"'sender' must not start with a messenger channel's prefix ({', '.join(c + ':' for c in MESSENGER_CHANNELS)})."
    if not isinstance(body.get("message"), str):
        return "'message' must be text."
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "'metadata' must be a JSON object."
    return None


def _error(body: Any, reason: str) -> HTTPResponse:
    metadata = body.get("metadata") if isinstance(body, dict) else None
    _ = translator_for_metadata(metadata)
    return response.json({"error": _("Your message could not be read. Please try again."), "detail": reason}, status=400)


def _unauthorised() -> HTTPResponse:
    body = {
        "error": "This client is not authorised to use the REST channel.",
        "detail": "Send 'Authorization: Bearer <key>' with the key the assistant's operator gave your backend.",
    }
    return response.json(body, status=401, headers={"WWW-Authenticate": 'Bearer realm="rest"'})


class ContractRestInput(RestInput):
    """``POST /webhooks/rest/webhook`` with validated input (and client keys when they are set)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handle = guarded(on_new_message, self.name())
        settings = load_settings()
        clients = RestClients.parse(settings.rest_keys)
        webhook = Blueprint("contract_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            client = clients.client_for(request.headers.get("authorization")) if clients else None
            if clients and client is None:
                return _unauthorised()
            try:
                body = request.json
            except Exception:  # sanic raises its own error type for bad JSON
                body = None
            reason = _validate(body)
            if reason:
                return _error(body, reason)
            collector = WholeTextCollector()
            sender_id = conversation_id(client, body["sender"])
            message = UserMessage(body["message"], collector, sender_id, metadata=body.get("metadata"))
            try:
                await handle(message)
            except Exception:  # keep the server up; the client may retry
                logger.exception("rest message failed")
                _ = translator_for_metadata(body.get("metadata"))
                return response.json({"error": _("Sorry, something went wrong on our side. Please try again in a minute.")}, status=503)
            return response.json([{**reply, "recipient_id": body["sender"]} for reply in collector.messages])

        @webhook.route("/conversations/<sender>", methods=["DELETE"])
        async def delete(request: Request, sender: str) -> HTTPResponse:
            """Deletes a conversation when the integrating backend's user asks for it (docs/privacy.md)."""
            authorization = request.headers.get("authorization")
            client = clients.client_for(authorization) if clients else None
            operator = _is_api_token(authorization, settings.api_token)
            if client is None and not operator:
                return _unauthorised()
            if not _SENDER.fullmatch(sender) or (is_reserved(sender) and not operator):
                return response.json({"error": "unknown conversation id", "detail": "'sender' as in the messages"}, status=400)
            deleted = delete_conversation(conversation_id(None if operator else client, sender))
            return response.json({"deleted_events": deleted})

        return webhook


def _is_api_token(authorization: str | None, token: str) -> bool:
    """True when ``Authorization: Bearer`` holds the API token (the operator's)."""
    scheme, _, presented = (authorization or "").strip().partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())
