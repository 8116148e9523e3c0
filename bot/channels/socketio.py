"""The socket.io channel for the web widget, cleaning messages like REST does.

Rasa 3.6's ``SocketIOOutput.send_custom_json`` passes the custom JSON as
keyword arguments to ``emit`` (``emit(event, meta=..., room=...)``), which
fails: no custom message, so no reply-contract ``meta``, ever reaches a
socket.io client. ``ContractSocketIOOutput`` sends it as ``{"custom": ...}``,
the shape the REST channel uses.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.guard import OnNewMessage, guarded


class ContractSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output with custom JSON sent as one ``custom`` message."""

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WidgetSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel; every message goes through ``bot.channels.guard``."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handle = guarded(on_new_message, self.name())

        async def with_contract_output(message: UserMessage) -> Any:
            output = message.output_channel
            if isinstance(output, SocketIOOutput) and not isinstance(output, ContractSocketIOOutput):
                message.output_channel = ContractSocketIOOutput(output.sio, output.bot_message_evt)
            return await handle(message)

        return super().blueprint(with_contract_output)
