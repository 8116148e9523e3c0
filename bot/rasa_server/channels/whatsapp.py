"""WhatsApp Cloud API (Meta): a channel Rasa 3.6 does not have.

The webhook is checked like Messenger's (``X-Hub-Signature-256`` of the raw
body with the app secret, constant time, 403 on failure; GET verification
with the verify token). Replies go to ``POST /<phone number id>/messages``
of the Graph API with the access token.

Text: the reply text format (a small Markdown subset) written out in
WhatsApp's own formatting: ``*bold*``, "• " bullets, links as "label: url"
(``bot.core.markup.whatsapp_text``).

Buttons: up to 3 whose titles fit in 20 characters become interactive reply
buttons; more, or longer titles ("Documents for school enrolment", cut to
"Documents for school…", would lose what they offer), become an
interactive list (24-character row titles, the full title in the row's
description when it had to be cut), 10 rows per list, so 13 offices are two
lists and no choice is lost. A press comes back as a
``button_reply``/``list_reply`` whose id is the button's payload.

Handled: text, button and list replies, template quick-reply buttons, and
media (a photo's caption is read; a sticker or voice note is a message
without words, which the assistant answers by asking for words). Statuses
(sent, delivered, read), reactions, system messages and messages to another
phone number of the same business account are acknowledged and ignored.
"""

from __future__ import annotations

from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.i18n import translator
from bot.core.markup import split_markup, whatsapp_text
from bot.rasa_server.channels.config import ChannelSettings
from bot.rasa_server.channels.limits import chunks, distinct_titles, shorten
from bot.rasa_server.channels.messenger import SIGNATURE_HEADER, meta_verification
from bot.rasa_server.channels.platform import ApiCall, Incoming, PlatformClient, PlatformInput, PlatformOutput, get_path, text_of
from bot.rasa_server.channels.signatures import appsecret_proof, meta_signature_valid

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
REPLY_BUTTONS_MAX = 3
REPLY_TITLE_CHARS = 20
REPLY_ID_CHARS = 256
LIST_ROWS_MAX = 10
LIST_BUTTON_CHARS = 20
ROW_TITLE_CHARS = 24
ROW_DESCRIPTION_CHARS = 72
ROW_ID_CHARS = 200
_MEDIA_WITH_CAPTION = ("image", "video", "document")
_WITHOUT_WORDS = ("audio", "sticker", "location", "contacts", "unsupported", "order")


def reply_buttons(body: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """An interactive ``button`` message (at most 3 buttons)."""
    titles = distinct_titles([b["title"] for b in buttons], REPLY_TITLE_CHARS)
    return {
        "type": "button",
        "body": {"text": body},
        "action": {"buttons": [{"type": "reply", "reply": {"id": b["payload"], "title": t}} for t, b in zip(titles, buttons, strict=True)]},
    }


def list_message(body: str, buttons: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """An interactive ``list`` message (at most 10 rows)."""
    titles = distinct_titles([b["title"] for b in buttons], ROW_TITLE_CHARS)
    rows = []
    for title, button in zip(titles, buttons, strict=True):
        row = {"id": button["payload"], "title": title}
        if title != " ".join(button["title"].split()):
            row["description"] = shorten(button["title"], ROW_DESCRIPTION_CHARS)
        rows.append(row)
    label = shorten(label, LIST_BUTTON_CHARS)
    return {
        "type": "list",
        "body": {"text": body},
        "action": {"button": label, "sections": [{"title": shorten(label, ROW_TITLE_CHARS), "rows": rows}]},
    }


def _fits_reply_button(title: str) -> bool:
    return len(" ".join(title.split())) <= REPLY_TITLE_CHARS


def interactive_messages(text: str, buttons: list[dict[str, Any]], lang: str | None) -> list[dict[str, Any]]:
    """The ``messages`` request bodies' content for ``text`` with ``buttons`` (without ``to``).

    ``text`` is in the reply text format; it is cut on its Markdown (never
    inside a bold span or a link) and each part written out for WhatsApp.
    """
    parts = split_markup(text, TEXT_LIMIT) or ["…"]
    usable = [b for b in buttons if len(b["payload"]) <= ROW_ID_CHARS]
    if not usable:
        return [{"type": "text", "text": {"body": whatsapp_text(part)}} for part in parts]
    body_parts = split_markup(parts.pop(), BODY_LIMIT)
    texts = [*parts, *body_parts[:-1]]
    messages: list[dict[str, Any]] = [{"type": "text", "text": {"body": whatsapp_text(t)}} for t in texts]
    body = whatsapp_text(body_parts[-1]) if body_parts else "…"
    if len(usable) <= REPLY_BUTTONS_MAX and all(_fits_reply_button(b["title"]) for b in usable):
        return [*messages, {"type": "interactive", "interactive": reply_buttons(body, usable)}]
    _ = translator(lang or "en")
    for i, group in enumerate(chunks(usable, LIST_ROWS_MAX)):
        list_body = body if i == 0 else _("More options:")
        messages.append({"type": "interactive", "interactive": list_message(list_body, group, _("Choose"))})
    return messages


class WhatsAppOutput(PlatformOutput):
    """Cloud API messages: text, reply buttons or lists."""

    channel = "whatsapp"

    def __init__(self, client: PlatformClient, phone_number_id: str) -> None:
        super().__init__(client)
        self.phone_number_id = phone_number_id

    def calls(self, user_id: str, text: str, buttons: list[dict[str, Any]], lang: str | None) -> list[ApiCall]:
        base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": user_id}
        return [ApiCall(f"{self.phone_number_id}/messages", {**base, **m}) for m in interactive_messages(text, buttons, lang)]


def _message_text(message: dict[str, Any]) -> str | None:
    """The text of a WhatsApp message, "" for one without words, None for one to ignore."""
    kind = message.get("type")
    if kind == "text":
        return text_of(get_path(message, "text", "body")) or ""
    if kind == "interactive":
        reply = get_path(message, "interactive", "button_reply") or get_path(message, "interactive", "list_reply")
        return text_of(get_path(reply, "id")) or ""
    if kind == "button":  # a template's quick-reply button
        return text_of(get_path(message, "button", "payload")) or text_of(get_path(message, "button", "text")) or ""
    if kind in _MEDIA_WITH_CAPTION:
        return text_of(get_path(message, kind, "caption")) or ""
    if kind in _WITHOUT_WORDS:
        return ""
    return None  # reaction, system, ephemeral, ...


def account_messages(payload: dict[str, Any], phone_number_id: str) -> list[Incoming]:
    """The user messages to ``phone_number_id`` in a Cloud API webhook payload."""
    if payload.get("object") != "whatsapp_business_account" or not isinstance(payload.get("entry"), list):
        return []
    found = []
    for entry in payload["entry"]:
        changes = get_path(entry, "changes")
        for change in changes if isinstance(changes, list) else []:
            value = get_path(change, "value")
            if get_path(change, "field") != "messages" or get_path(value, "metadata", "phone_number_id") != phone_number_id:
                continue
            messages = get_path(value, "messages")
            for message in messages if isinstance(messages, list) else []:
                sender, message_id = text_of(get_path(message, "from")), text_of(get_path(message, "id"))
                text = _message_text(message) if isinstance(message, dict) else None
                if sender and message_id and text is not None:
                    found.append(Incoming(f"message:{message_id}", sender, text))
    return found


class WhatsAppInput(PlatformInput):
    """``GET`` and ``POST /webhooks/whatsapp/webhook``."""

    channel = "whatsapp"

    def make_output(self, settings: ChannelSettings) -> WhatsAppOutput:
        token = settings["WHATSAPP_TOKEN"]
        proof = appsecret_proof(token, settings["WHATSAPP_APP_SECRET"])
        client = PlatformClient(settings.api_url, headers={"Authorization": f"Bearer {token}"}, params={"appsecret_proof": proof})
        return WhatsAppOutput(client, settings["WHATSAPP_PHONE_NUMBER_ID"])

    def authentic(self, request: Request) -> bool:
        assert self.settings is not None
        return meta_signature_valid(self.settings["WHATSAPP_APP_SECRET"], request.body, request.headers.get(SIGNATURE_HEADER))

    def verification(self, request: Request) -> HTTPResponse:
        assert self.settings is not None
        return meta_verification(request, self.settings["WHATSAPP_VERIFY_TOKEN"])

    def messages(self, payload: dict[str, Any]) -> list[Incoming]:
        assert self.settings is not None
        return account_messages(payload, self.settings["WHATSAPP_PHONE_NUMBER_ID"])
