"""A stand-in for the assistant that answers the web widget with scripted replies.

The browser tests of the widget's own behaviour (the reply text format, office
cards in the new and the older reply shapes, where the view lands, labels in
the reply's language) need replies that do not change when the content or the
dialogue does. This serves the widget's real files and strings
(``bot.rasa_server.widget``) and speaks the same socket.io events as
``bot.rasa_server.channels.socketio`` (``session_request`` / ``session_confirm``,
``user_uttered`` with an acknowledgement, ``bot_uttered``), answering each
message with the list of ``bot_uttered`` payloads scripted for its text.
It runs aiohttp and python-socketio in a thread of its own, on a free port.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import socketio
from aiohttp import web

from bot.core.content.store import default_store
from bot.rasa_server.widget.assets import static_file, widget_bundle
from bot.rasa_server.widget.strings import language_list, widget_strings
from tests.e2e.servers import free_port

#: message text -> the bot_uttered payloads that answer it, in order
Script = dict[str, list[dict[str, Any]]]
SESSION_ID = "0123456789abcdef0123456789abcdef"


class ScriptedAssistant:
    """The widget's files and a socket.io server answering from ``script`` (see the module docstring)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.port = free_port()
        self.received: list[dict[str, Any]] = []
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _app(self) -> web.Application:
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        app = web.Application()
        sio.attach(app)
        pack = default_store().pack()

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            await sio.emit("session_confirm", {"session_id": SESSION_ID, "session_key": "k" * 64}, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any = None) -> dict[str, Any]:
            self.received.append(data)
            for message in self.script.get(data.get("message", ""), [{"text": "(no scripted reply)"}]):
                await sio.emit("bot_uttered", message, room=sid)
            return {"ok": True}

        async def script_file(request: web.Request) -> web.Response:
            return web.Response(body=widget_bundle().body, content_type="application/javascript", charset="utf-8")

        async def languages(request: web.Request) -> web.Response:
            return web.json_response(language_list(pack.languages, pack.default_language))

        async def strings(request: web.Request) -> web.Response:
            lang = request.match_info["lang"]
            if lang not in pack.languages:
                return web.json_response({"error": "unknown language"}, status=404)
            return web.json_response({"lang": lang, "direction": pack.languages[lang].direction, "strings": widget_strings(lang)})

        async def static(request: web.Request) -> web.Response:
            asset = static_file(request.match_info["name"])
            if asset is None:
                raise web.HTTPNotFound()
            return web.Response(body=asset.body, headers={"Content-Type": asset.content_type})

        app.router.add_get("/widget/widget.js", script_file)
        app.router.add_get("/widget/languages.json", languages)
        app.router.add_get("/widget/strings/{lang}.json", strings)
        app.router.add_get("/widget/{name}", static)
        return app

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._runner = web.AppRunner(self._app())
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._started.set()
        self._loop.run_forever()

    def start(self) -> ScriptedAssistant:
        threading.Thread(target=self._serve, daemon=True).start()
        assert self._started.wait(30), "the scripted assistant did not start"
        return self

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]  # Engine.IO's pings
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
