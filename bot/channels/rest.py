"""The REST channel of the reply contract, with its input checked.

Rasa's own ``RestInput`` accepts any JSON: a missing sender puts the message
into a shared "default" conversation, a client may claim another input
channel, and a non-text message fails deep inside. This one answers a clear
400 instead, and cleans every message through ``bot.channels.guard``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import OnNewMessage, guarded
from bot.channels.senders import MESSENGER_CHANNELS, is_reserved
from bot.i18n import translator_for_metadata

logger = logging.getLogger(__name__)
_SENDER = re.compile(r"^[A-Za-z0-9_.:@+-]{1,128}$")


def _validate(body: Any) -> str | None:
    """The reason the request cannot be answered, or None when it is fine."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    if not isinstance(body.get("sender"), str) or not _SENDER.match(body["sender"]):
        return "'sender' must be 1 to 128 letters, digits or _.:@+-."
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


class ContractRestInput(RestInput):
    """``POST /webhooks/rest/webhook`` with validated input."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handle = guarded(on_new_message, self.name())
        webhook = Blueprint("contract_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises its own error type for bad JSON
                body = None
            reason = _validate(body)
            if reason:
                return _error(body, reason)
            collector = CollectingOutputChannel()
            message = UserMessage(body["message"], collector, body["sender"], metadata=body.get("metadata"))
            try:
                await handle(message)
            except Exception:  # keep the server up; the client may retry
                logger.exception("rest message failed")
                _ = translator_for_metadata(body.get("metadata"))
                return response.json({"error": _("Sorry, something went wrong on our side. Please try again in a minute.")}, status=503)
            return response.json(collector.messages)

        return webhook
