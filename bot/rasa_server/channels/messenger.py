"""Facebook Messenger: webhook checked by ``X-Hub-Signature-256``, replies with quick replies.

Rasa 3.6's ``FacebookInput`` checks only the old SHA-1 ``X-Hub-Signature``,
compares it with ``==`` and answers 200 when it fails. This channel checks
the SHA-256 signature of the raw body with the app secret in constant time
and answers 403; the GET subscription check compares the verify token in
constant time too.

Text: Messenger shows no formatting, so the reply text format is sent as
plain text with "• " bullets and links as "label: url"
(``bot.core.markup.plain_text``).

Handled: text messages, quick reply presses (their payload), postbacks (the
"Get Started" button and persistent menu: their payload). Messages with only
attachments (a sticker, a photo, a voice note) are handled as a message
without words, which the assistant answers by asking for words in the
conversation's language. Echoes of the page's own messages, deliveries,
reads, reactions and standby events are acknowledged and ignored.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.markup import plain_text, split_markup
from bot.rasa_server.channels.config import ChannelSettings
from bot.rasa_server.channels.limits import distinct_titles
from bot.rasa_server.channels.platform import ApiCall, Incoming, PlatformClient, PlatformInput, PlatformOutput, get_path, text_of
from bot.rasa_server.channels.signatures import appsecret_proof, meta_signature_valid, verify_token_valid

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
TEXT_LIMIT = 2000
QUICK_REPLIES_MAX = 13
QUICK_REPLY_TITLE_CHARS = 20
QUICK_REPLY_PAYLOAD_CHARS = 1000


def quick_replies(buttons: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Messenger's ``quick_replies``: at most 13, titles of at most 20 characters, payloads whole."""
    usable = [b for b in buttons if len(b["payload"]) <= QUICK_REPLY_PAYLOAD_CHARS]
    if len(usable) > QUICK_REPLIES_MAX:
        logger.warning("messenger: %d buttons, only the first %d fit as quick replies", len(usable), QUICK_REPLIES_MAX)
        usable = usable[:QUICK_REPLIES_MAX]
    titles = distinct_titles([b["title"] for b in usable], QUICK_REPLY_TITLE_CHARS)
    return [{"content_type": "text", "title": t, "payload": b["payload"]} for t, b in zip(titles, usable, strict=True)]


def meta_verification(request: Request, verify_token: str) -> HTTPResponse:
    """Meta's GET subscription check: echo ``hub.challenge`` when the verify token matches."""
    if request.args.get("hub.mode") == "subscribe" and verify_token_valid(verify_token, request.args.get("hub.verify_token")):
        return response.text(request.args.get("hub.challenge") or "")
    return response.json({"error": "forbidden"}, status=403)


class MessengerOutput(PlatformOutput):
    """Send API messages; quick replies on the last part."""

    channel = "messenger"

    def calls(self, user_id: str, text: str, buttons: list[dict[str, Any]], lang: str | None) -> list[ApiCall]:
        parts = [plain_text(p) for p in split_markup(text, TEXT_LIMIT)]
        parts = [p for p in parts if p.strip()] or (["…"] if buttons else [])
        messages: list[dict[str, Any]] = [{"text": part} for part in parts]
        if buttons and messages:
            messages[-1]["quick_replies"] = quick_replies(buttons)
        return [ApiCall("me/messages", {"recipient": {"id": user_id}, "messaging_type": "RESPONSE", "message": m}) for m in messages]


def _event_message(event: dict[str, Any]) -> Incoming | None:
    sender = text_of(get_path(event, "sender", "id"))
    if sender is None:
        return None
    message, postback = event.get("message"), event.get("postback")
    if isinstance(message, dict):
        mid = text_of(message.get("mid"))
        if message.get("is_echo") or mid is None:
            return None
        payload = text_of(get_path(message, "quick_reply", "payload"))
        return Incoming(f"mid:{mid}", sender, payload if payload is not None else text_of(message.get("text")) or "")
    if isinstance(postback, dict):
        payload = text_of(postback.get("payload")) or ""
        mid = text_of(postback.get("mid"))
        if mid is None:  # older postbacks carry no id: the moment and the payload tell them apart
            digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
            mid = f"{sender}:{event.get('timestamp')}:{digest}"
        return Incoming(f"postback:{mid}", sender, payload)
    return None  # delivery, read, reaction, optin, referral, ...


def page_messages(payload: dict[str, Any]) -> list[Incoming]:
    """The user messages in a Messenger webhook payload (``object: page``)."""
    if payload.get("object") != "page" or not isinstance(payload.get("entry"), list):
        return []
    found = []
    for entry in payload["entry"]:
        events = get_path(entry, "messaging")
        for event in events if isinstance(events, list) else []:
            incoming = _event_message(event) if isinstance(event, dict) else None
            if incoming is not None:
                found.append(incoming)
    return found


class MessengerInput(PlatformInput):
    """``GET`` and ``POST /webhooks/messenger/webhook``."""

    channel = "messenger"

    def make_output(self, settings: ChannelSettings) -> MessengerOutput:
        token = settings["MESSENGER_PAGE_TOKEN"]
        proof = appsecret_proof(token, settings["MESSENGER_APP_SECRET"])
        return MessengerOutput(PlatformClient(settings.api_url, params={"access_token": token, "appsecret_proof": proof}))

    def authentic(self, request: Request) -> bool:
        assert self.settings is not None
        return meta_signature_valid(self.settings["MESSENGER_APP_SECRET"], request.body, request.headers.get(SIGNATURE_HEADER))

    def verification(self, request: Request) -> HTTPResponse:
        assert self.settings is not None
        return meta_verification(request, self.settings["MESSENGER_VERIFY_TOKEN"])

    def messages(self, payload: dict[str, Any]) -> list[Incoming]:
        return page_messages(payload)
