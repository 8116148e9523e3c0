"""The socket.io channel for the web widget, cleaning messages like REST does.

What it changes in Rasa 3.6's socket.io channel, and why:

- Custom JSON: ``SocketIOOutput.send_custom_json`` passes it as keyword
  arguments to ``emit`` (``emit(event, meta=..., room=...)``), which fails, so
  no reply-contract ``meta`` ever reached a client. ``ContractSocketIOOutput``
  sends it as ``{"custom": ...}``, the shape the REST channel uses.
- Origins: Rasa starts its server with ``cors_allowed_origins=[]``, which
  turns the origin check off; here ``bot.channels.origins`` decides.
- Sessions (``session_persistence: true``): the conversation id is the
  widget's own, kept across page reloads. ``enter_room`` is awaited when the
  installed python-socketio makes it a coroutine (from 5.10 it does, and
  Rasa's handler, not awaiting it, lost every reply: Rasa issue #13027). A
  message may only speak for the conversation its socket asked for, not
  for any id a client names; the id must look like one the widget makes.
- Acknowledgement: ``user_uttered`` answers the client's acknowledgement
  request once the replies are sent, so the widget knows a message arrived
  and resends it after a reconnection if it did not.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import uuid
from typing import Any

import engineio
import socketio
from rasa.core.channels.channel import OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import OnNewMessage, guarded
from bot.channels.origins import OriginPolicy
from bot.i18n import translator_for_metadata

logger = logging.getLogger(__name__)
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class ContractSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output with custom JSON sent as one ``custom`` message."""

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class _OriginCheckingEngineIO(engineio.AsyncServer):
    """Engine.IO's server asking an ``OriginPolicy`` which pages may connect."""

    origin_policy = OriginPolicy(listed=frozenset(), local_development=False)

    def _cors_allowed_origins(self, environ: dict[str, Any]) -> list[str]:
        own = super()._cors_allowed_origins(environ)  # cors_allowed_origins=None: the server's own origin(s)
        origin = environ.get("HTTP_ORIGIN")
        if origin and self.origin_policy.allows(origin, own):
            return [*own, origin]
        return own


class OriginCheckingServer(socketio.AsyncServer):
    """python-socketio's server on ``_OriginCheckingEngineIO``."""

    def __init__(self, origin_policy: OriginPolicy, **kwargs: Any) -> None:
        super().__init__(cors_allowed_origins=None, **kwargs)
        self.eio.origin_policy = origin_policy

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return _OriginCheckingEngineIO


def valid_session_id(value: object) -> str | None:
    """The session id a client asked for, if it looks like one the widget makes."""
    return value if isinstance(value, str) and _SESSION_ID.match(value) else None


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
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = valid_session_id(asked) or uuid.uuid4().hex
            previous = sessions.get(sid)
            if self.session_persistence:
                if previous and previous != session_id:
                    await _maybe_await(sio.leave_room(sid, previous, namespace=namespace))
                await _maybe_await(sio.enter_room(sid, session_id, namespace=namespace))
            sessions[sid] = session_id
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def user_uttered(sid: str, data: Any = None) -> dict[str, Any]:
            if not isinstance(data, dict):
                return {"ok": False, "error": "the message must be a JSON object"}
            sender_id = sid
            if self.session_persistence:
                session = sessions.get(sid)
                if session is None or data.get("session_id") not in (None, session):
                    logger.warning("socket.io message for a conversation its socket did not ask for: ignored")
                    return {"ok": False, "error": "send session_request first and use the session id it confirmed"}
                sender_id = session
            metadata = _metadata(data.get(self.metadata_key))
            output = ContractSocketIOOutput(sio, self.bot_message_evt)
            message = UserMessage(data.get("message", ""), output, sender_id, input_channel=self.name(), metadata=metadata)
            try:
                await handle(message)
            except Exception:  # keep the connection; tell the user
                logger.exception("socket.io message failed")
                _ = translator_for_metadata(metadata)
                await output.send_text_message(sender_id, _("Sorry, something went wrong on our side. Please try again in a minute."))
                return {"ok": False, "error": "the message could not be handled"}
            return {"ok": True}

        return webhook


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result
