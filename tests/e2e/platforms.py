"""A fake messenger platform API for the tests, and webhook requests as the platforms send them.

``FakePlatform`` stands in for api.telegram.org and graph.facebook.com: the
assistant's channels are pointed at it (``MIGRANT_BOT_*_API_URL``), and it
records every call so a test can see what a user would have received.
The payload builders follow the platforms' documented webhook shapes.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from bot.rasa_server.channels.signatures import appsecret_proof, meta_signature

TELEGRAM_TOKEN = "123456:TEST-token"
TELEGRAM_SECRET = "test-secret_token-1"
MESSENGER_PAGE_TOKEN = "page-token-test"
MESSENGER_APP_SECRET = "messenger-app-secret"
MESSENGER_VERIFY_TOKEN = "messenger-verify"
WHATSAPP_TOKEN = "whatsapp-token-test"
WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
WHATSAPP_APP_SECRET = "whatsapp-app-secret"
WHATSAPP_VERIFY_TOKEN = "whatsapp-verify"
_ids = itertools.count(int(time.time()))


def next_id() -> int:
    """A fresh id (update_id, user id, message id) for this test session."""
    return next(_ids)


class FakePlatform:
    """Records the API calls; answers like the platforms do when all is well."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                split = urlsplit(self.path)
                call = {"path": split.path, "query": parse_qs(split.query), "headers": dict(self.headers), "body": body}
                with platform._lock:
                    platform.calls.append(call)
                reply = json.dumps({"ok": True, "result": {"message_id": 1}, "messages": [{"id": "wamid.fake"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakePlatform:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def channel_env(self) -> dict[str, str]:
        """The environment that switches all three channels on, pointed at this fake."""
        return {
            "MIGRANT_BOT_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "MIGRANT_BOT_TELEGRAM_SECRET": TELEGRAM_SECRET,
            "MIGRANT_BOT_TELEGRAM_API_URL": f"{self.url}/telegram",
            "MIGRANT_BOT_MESSENGER_PAGE_TOKEN": MESSENGER_PAGE_TOKEN,
            "MIGRANT_BOT_MESSENGER_APP_SECRET": MESSENGER_APP_SECRET,
            "MIGRANT_BOT_MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY_TOKEN,
            "MIGRANT_BOT_MESSENGER_API_URL": f"{self.url}/graph",
            "MIGRANT_BOT_WHATSAPP_TOKEN": WHATSAPP_TOKEN,
            "MIGRANT_BOT_WHATSAPP_PHONE_NUMBER_ID": WHATSAPP_PHONE_NUMBER_ID,
            "MIGRANT_BOT_WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
            "MIGRANT_BOT_WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY_TOKEN,
            "MIGRANT_BOT_WHATSAPP_API_URL": f"{self.url}/graph",
        }

    def _telegram_calls(self) -> list[dict[str, Any]]:
        prefix = f"/telegram/bot{TELEGRAM_TOKEN}/"
        with self._lock:
            return [{**c["body"], "method": c["path"][len(prefix) :]} for c in self.calls if c["path"].startswith(prefix)]

    def telegram_sent(self, chat_id: int) -> list[dict[str, Any]]:
        """The Bot API calls to chat ``chat_id`` (sendMessage), with ``method`` added."""
        return [c for c in self._telegram_calls() if c.get("chat_id") == str(chat_id)]

    def telegram_answered(self, query_id: str) -> list[dict[str, Any]]:
        """The ``answerCallbackQuery`` calls for button press ``query_id``."""
        return [c for c in self._telegram_calls() if c["method"] == "answerCallbackQuery" and c.get("callback_query_id") == query_id]

    def messenger_sent(self, psid: str) -> list[dict[str, Any]]:
        """The Send API messages to ``psid`` (asserting the page token went with each)."""
        with self._lock:
            calls = [c for c in self.calls if c["path"] == "/graph/me/messages" and c["body"]["recipient"]["id"] == psid]
        assert all(c["query"]["access_token"] == [MESSENGER_PAGE_TOKEN] for c in calls)
        assert all(c["query"]["appsecret_proof"] == [appsecret_proof(MESSENGER_PAGE_TOKEN, MESSENGER_APP_SECRET)] for c in calls)
        return [c["body"]["message"] for c in calls]

    def whatsapp_sent(self, wa_id: str) -> list[dict[str, Any]]:
        """The Cloud API messages to ``wa_id`` (asserting the access token went with each)."""
        with self._lock:
            calls = [c for c in self.calls if c["path"] == f"/graph/{WHATSAPP_PHONE_NUMBER_ID}/messages" and c["body"]["to"] == wa_id]
        assert all(c["headers"]["Authorization"] == f"Bearer {WHATSAPP_TOKEN}" for c in calls)
        assert all(c["query"]["appsecret_proof"] == [appsecret_proof(WHATSAPP_TOKEN, WHATSAPP_APP_SECRET)] for c in calls)
        return [c["body"] for c in calls]


# --- Telegram: https://core.telegram.org/bots/api#update


def telegram_message(
    chat_id: int, text: str | None, chat_type: str = "private", language_code: str | None = "uk", **extra: Any
) -> dict[str, Any]:
    """An ``Update`` with a ``message`` from user ``chat_id`` whose app is set to ``language_code``."""
    user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Olena"}
    if language_code is not None:
        user["language_code"] = language_code
    chat = {"id": chat_id if chat_type == "private" else -chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = "Olena"
    else:
        chat["title"] = "Newcomers"
    message = {"message_id": next_id() % 100000, "from": user, "chat": chat, "date": int(time.time()), **extra}
    if text is not None:
        message["text"] = text
    return {"update_id": next_id(), "message": message}


def telegram_button_press(chat_id: int, data: str, language_code: str | None = None) -> dict[str, Any]:
    """An ``Update`` with a ``callback_query``: the user pressed an inline keyboard button."""
    user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Olena"}
    if language_code is not None:
        user["language_code"] = language_code
    bot = {"id": 1, "is_bot": True, "first_name": "Bot"}
    message = {"message_id": 7, "from": bot, "chat": {"id": chat_id, "type": "private"}, "date": 1}
    query = {"id": str(next_id()), "from": user, "message": message, "chat_instance": "-1", "data": data}
    return {"update_id": next_id(), "callback_query": query}


GUIDE_UPDATES = Path(__file__).resolve().parents[1] / "data" / "telegram" / "webhook_guide_updates.json"
_GUIDE_USER = 1111111


def telegram_guide_updates(user_id: int) -> dict[str, dict[str, Any]]:
    """The sample updates of Telegram's webhook guide, for user ``user_id`` and with fresh update ids.

    They differ from real updates in ways a channel must survive: the first
    has no ``chat.type``, none has ``from.is_bot``, an inline query's sender
    has a ``type``, and the callback query comes without its ``message``
    (an inline message's button). Kept as the guide writes them in
    tests/data/telegram/webhook_guide_updates.json.
    """
    samples = json.loads(GUIDE_UPDATES.read_text(encoding="utf-8"))
    samples.pop("_source")
    text = json.dumps(samples).replace(str(_GUIDE_USER), str(user_id))
    return {name: {**update, "update_id": next_id()} for name, update in json.loads(text).items()}


#: The guide's samples that are never answered, and the reason logged for each
TELEGRAM_GUIDE_IGNORED = {
    "edited": "an edited message",
    "inline query": "an inline query",
    "chosen inline result": "an inline result",
}


def post_telegram(url: str, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return requests.post(f"{url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=60)


# --- Messenger: https://developers.facebook.com/docs/messenger-platform/webhooks


def messenger_payload(*events: dict[str, Any]) -> dict[str, Any]:
    """An ``object: page`` payload with ``events`` in one entry."""
    return {"object": "page", "entry": [{"id": "PAGE_ID", "time": int(time.time() * 1000), "messaging": list(events)}]}


def messenger_text(psid: str, text: str, quick_reply: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"mid": f"m_{next_id()}", "text": text}
    if quick_reply is not None:
        message["quick_reply"] = {"payload": quick_reply}
    return {"sender": {"id": psid}, "recipient": {"id": "PAGE_ID"}, "timestamp": int(time.time() * 1000), "message": message}


def messenger_postback(psid: str, payload: str, title: str = "Get Started") -> dict[str, Any]:
    postback = {"mid": f"m_{next_id()}", "title": title, "payload": payload}
    return {"sender": {"id": psid}, "recipient": {"id": "PAGE_ID"}, "timestamp": int(time.time() * 1000), "postback": postback}


# --- WhatsApp Cloud API: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components


def whatsapp_payload(value_extra: dict[str, Any], phone_number_id: str = WHATSAPP_PHONE_NUMBER_ID) -> dict[str, Any]:
    """An ``object: whatsapp_business_account`` payload with one ``messages`` change."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
        **value_extra,
    }
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]}


def whatsapp_message(wa_id: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """A payload with one message of type ``kind`` from ``wa_id``."""
    message = {"from": wa_id, "id": f"wamid.{next_id()}", "timestamp": str(int(time.time())), "type": kind, kind: content}
    return whatsapp_payload({"contacts": [{"profile": {"name": "Olena"}, "wa_id": wa_id}], "messages": [message]})


def post_meta(url: str, channel: str, payload: dict[str, Any], app_secret: str | None) -> requests.Response:
    """POSTs ``payload`` as Meta does, signed with ``app_secret`` (unsigned when None)."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if app_secret is not None:
        headers["X-Hub-Signature-256"] = meta_signature(app_secret, body)
    return requests.post(f"{url}/webhooks/{channel}/webhook", data=body, headers=headers, timeout=60)
