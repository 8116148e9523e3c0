"""The socket.io channel for the web widget, cleaning messages like REST does."""

from __future__ import annotations

from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.channels.guard import OnNewMessage, guarded


class WidgetSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel; every message goes through ``bot.channels.guard``."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(guarded(on_new_message, self.name()))
