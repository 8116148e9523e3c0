r"""The socket.io channel for the web widget, cleaning messages like REST does.

What it changes in Rasa 3.6's socket.io channel, and why:

- Custom JSON: ``SocketIOOutput.send_custom_json`` passes it as keyword
  arguments to ``emit`` (``emit(event, meta=..., room=...)``), which fails, so
  no reply-contract ``meta`` ever reached a client. ``ContractSocketIOOutput``
  sends it as ``{"custom": ...}``, the shape the REST channel uses.
- Text: Rasa sends each paragraph of a text as a message of its own; here a
  text is one message (the reply contract counts messages: at most three,
  and ``cards_replace_text`` points at one of them).
- rasa-webchat (Botfront's widget, docs/channels.md) sends its
  ``customData`` under ``customData``, not under ``metadata_key``: it is
  read there when ``metadata_key`` is absent, and its ``language`` is taken
  as ``lang`` (``bot.rasa_server.channels.guard.clean_metadata``). Such a client renders
  Markdown, where a single "\n" is only a space (addresses and phone
  numbers ran into one line): its replies go out as CommonMark with hard
  line breaks (``bot.core.markup.commonmark``). Our widget, which always
  sends ``metadata_key``, gets the reply text format as it is; its parser
  would read the CommonMark form too (it drops trailing spaces).
- Origins: Rasa starts its server with ``cors_allowed_origins=[]``, which
  turns the origin check off; here ``bot.rasa_server.channels.origins`` decides. A
  refused page is logged in one short line (its origin, cut), never more.
- Sessions (``session_persistence: true``): the conversation id is the
  widget's own, kept across page reloads. It is not a secret anyone can
  claim: ``session_confirm`` sends ``{"session_id", "session_key"}``, and a
  ``session_request`` joins an existing id only with its key
  (``bot.core.session_keys``); any other request gets a fresh random id.
  ``enter_room`` is awaited when the installed python-socketio makes it a
  coroutine (from 5.10 it does, and Rasa's handler, not awaiting it, lost
  every reply: Rasa issue #13027). A message may only speak for the
  conversation its socket was given.
- Acknowledgement: ``user_uttered`` answers the client's acknowledgement
  request once the replies are sent, so the widget knows a message arrived
  and resends it after a reconnection if it did not. Bad input (not an
  object, a ``message`` that is not text) gets ``{"ok": false, "error"}``.
- Transport (``HardenedEngineIO``): a long-polling POST larger than
  ``max_http_buffer_size`` (1 MB) is answered 413 at once. Sanic has read
  the whole body before any handler runs (up to ``SANIC_REQUEST_MAX_SIZE``),
  and python-engineio 4.7's sanic driver hands it over as ``wsgi.input``;
  ``AsyncSocket.handle_post_request`` then raises ``ContentTooLongError``,
  and ``AsyncServer.handle_request`` answers it with ``disconnect(sid)``,
  which closes the socket with ``wait=True``: it waits on ``queue.join()``
  until a GET poll takes the close packet, while the client waits for the
  answer to its POST. Neither ever comes, and the POST hung for minutes.
  A websocket that closes normally is no longer logged by Sanic as an error
  ("Invalid response type None"): Engine.IO returns None once a websocket
  it took over has closed, which Sanic accepts from websocket handlers only.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import urllib.parse
import uuid
from typing import Any

import engineio
import socketio
from rasa.core.channels.channel import OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.i18n import translator_for_metadata
from bot.core.markup import commonmark
from bot.core.session_keys import key_matches, load_session_secret, session_key
from bot.rasa_server import patches
from bot.rasa_server.channels.guard import OnNewMessage, guarded
from bot.rasa_server.channels.origins import OriginPolicy

logger = logging.getLogger(__name__)
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: Engine.IO's limit for one long-polling POST or websocket message (python-engineio's default, 1 MB)
MAX_HTTP_BUFFER_SIZE = 1_000_000
#: How much of a refused origin the log keeps
_LOGGED_ORIGIN_CHARS = 80
#: Where rasa-webchat puts its ``customData`` in a ``user_uttered`` message
WEBCHAT_METADATA_KEY = "customData"


class ContractSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output with whole texts, custom JSON as one ``custom`` message, and Markdown for renderers.

    ``markdown``: the client renders Markdown (rasa-webchat): texts go out as
    ``bot.core.markup.commonmark`` writes them. Otherwise (our widget,
    which reads the reply text format itself) they go out as they are.
    """

    def __init__(self, sio: Any, bot_message_evt: str, markdown: bool = False) -> None:
        super().__init__(sio, bot_message_evt)
        self.markdown = markdown

    def _text(self, text: str | None) -> str:
        return commonmark(text or "") if self.markdown else (text or "").strip()

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """One message per text (Rasa's sends each paragraph as a message of its own)."""
        await self._send_message(recipient_id, {"text": self._text(text)})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any) -> None:
        """One message with the buttons as ``quick_replies`` (the shape rasa-webchat and the widget read)."""
        replies = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]}
            for b in buttons
            if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
        ]
        await self._send_message(recipient_id, {"text": self._text(text), "quick_replies": replies})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


def short_origin(origin: str) -> str:
    """An origin as one short log-safe piece of text: printable ASCII only, cut after a few dozen characters."""
    printable = "".join(c if " " <= c <= "~" else "?" for c in origin[: _LOGGED_ORIGIN_CHARS + 1])
    return printable if len(printable) <= _LOGGED_ORIGIN_CHARS else printable[:_LOGGED_ORIGIN_CHARS] + "..."


class HardenedEngineIO(engineio.AsyncServer):
    """Engine.IO's server asking an ``OriginPolicy`` which pages may connect, and answering what it would not."""

    origin_policy = OriginPolicy(listed=frozenset(), local_development=False)

    def _cors_allowed_origins(self, environ: dict[str, Any]) -> list[str]:
        own = super()._cors_allowed_origins(environ)  # cors_allowed_origins=None: the server's own origin(s)
        origin = environ.get("HTTP_ORIGIN")
        if origin and self.origin_policy.allows(origin, own):
            return [*own, origin]
        return own

    async def handle_request(self, request: Request) -> HTTPResponse | None:
        """Engine.IO's handler, with refused origins and oversize POSTs answered before it."""
        environ = self._async["translate_request"](request)
        origin = environ.get("HTTP_ORIGIN")
        if origin and origin not in self._cors_allowed_origins(environ):
            logger.warning("socket.io connection refused for origin %s", short_origin(origin))
            return await self._make_response(self._bad_request("This page's origin may not connect."), environ)
        if request.method == "POST" and len(request.body or b"") > self.max_http_buffer_size:
            await self._close_session(environ)
            return await self._make_response(_too_large(self.max_http_buffer_size), environ)
        return await super().handle_request(request)

    # Sanic logs a handler's None as an error ("Invalid response type None") unless the handler is a
    # websocket's; Engine.IO returns None exactly when a websocket it took over has closed.
    handle_request.is_websocket = True  # type: ignore[attr-defined]

    async def _close_session(self, environ: dict[str, Any]) -> None:
        """Closes the POST's session without waiting for its client to fetch the close packet."""
        sid = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("sid", [None])[0]
        socket = self.sockets.pop(sid, None) if sid else None
        if socket is not None:
            await socket.close(wait=False)  # a GET that is waiting gets the close packet; new ones get 400


def _too_large(limit: int) -> dict[str, Any]:
    message = json.dumps(f"The request body is larger than {limit} bytes.")
    return {"status": "413 PAYLOAD TOO LARGE", "headers": [("Content-Type", "text/plain")], "response": message.encode()}


class OriginCheckingServer(socketio.AsyncServer):
    """python-socketio's server on ``HardenedEngineIO``."""

    def __init__(self, origin_policy: OriginPolicy, **kwargs: Any) -> None:
        patches.check_versions()  # HardenedEngineIO overrides private engineio hooks
        super().__init__(cors_allowed_origins=None, max_http_buffer_size=MAX_HTTP_BUFFER_SIZE, **kwargs)
        self.eio.origin_policy = origin_policy

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return HardenedEngineIO


def valid_session_id(value: object) -> str | None:
    """The session id a client asked for, if it looks like one the server makes."""
    return value if isinstance(value, str) and _SESSION_ID.fullmatch(value) else None


def granted_session_id(data: object, secret: bytes) -> str:
    """The id a ``session_request`` gets: the one it names if its ``session_key`` matches, else a fresh one."""
    if isinstance(data, dict):
        asked = valid_session_id(data.get("session_id"))
        if asked and key_matches(secret, asked, data.get("session_key")):
            return asked
    return uuid.uuid4().hex


def _metadata(value: object) -> object:
    if isinstance(value, str):  # Rasa's channel accepted metadata as a JSON string too
        try:
            return json.loads(value)
        except ValueError:
            return {}
    return value


class WidgetSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with the changes of the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        output = super().get_output_channel()
        return ContractSocketIOOutput(output.sio, output.bot_message_evt) if isinstance(output, SocketIOOutput) else output

    def _authorised(self, auth: dict | None) -> bool:
        if not self.jwt_key:
            return True
        token = auth.get("token") if isinstance(auth, dict) else None
        return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handle = guarded(on_new_message, self.name())
        secret = load_session_secret()
        sio = OriginCheckingServer(OriginPolicy.from_environment(), async_mode="sanic")
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        sessions: dict[str, str] = {}  # socket id -> conversation id
        namespace = self.namespace

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            return self._authorised(auth)

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            session_id = granted_session_id(data, secret)
            previous = sessions.get(sid)
            if self.session_persistence:
                if previous and previous != session_id:
                    await _maybe_await(sio.leave_room(sid, previous, namespace=namespace))
                await _maybe_await(sio.enter_room(sid, session_id, namespace=namespace))
            sessions[sid] = session_id
            confirm = {"session_id": session_id, "session_key": session_key(secret, session_id)}
            await sio.emit("session_confirm", confirm, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def user_uttered(sid: str, data: Any = None) -> dict[str, Any]:
            if not isinstance(data, dict):
                return {"ok": False, "error": "the message must be a JSON object"}
            text = data.get("message", "")
            if not isinstance(text, str):
                return {"ok": False, "error": "'message' must be text"}
            sender_id = sid
            if self.session_persistence:
                session = sessions.get(sid)
                if session is None or data.get("session_id") not in (None, session):
                    logger.warning("socket.io message for a conversation its socket was not given: ignored")
                    return {"ok": False, "error": "send session_request first and use the session id it confirmed"}
                sender_id = session
            # our widget always sends metadata_key; rasa-webchat sends customData and renders Markdown
            ours = self.metadata_key in data
            metadata = _metadata(data.get(self.metadata_key) if ours else data.get(WEBCHAT_METADATA_KEY))
            output = ContractSocketIOOutput(sio, self.bot_message_evt, markdown=not ours)
            message = UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)
            try:
                await handle(message)
            except Exception:  # keep the connection; tell the user
                logger.exception("socket.io message failed")
                _ = translator_for_metadata(message.metadata)  # cleaned by the guard: rasa-webchat's "language" is "lang" there
                await output.send_text_message(sender_id, _("Sorry, something went wrong on our side. Please try again in a minute."))
                return {"ok": False, "error": "the message could not be handled"}
            return {"ok": True}

        return webhook


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result
