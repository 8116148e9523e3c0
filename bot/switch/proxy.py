"""The switch proxy: the public port in front of two Rasa servers ("blue" and "green").

    python -m bot.staff proxy

Every request (REST and messenger webhooks, ``/status``, the token-protected
API, socket.io long-polling and websocket upgrades) goes to the *active*
server. Switching is one assignment: new requests go to the new server,
requests in flight finish on the old one. A socket.io session stays on the
server that opened it (its ``sid`` is pinned), until the publish *drains*
that server before loading a model into it: pinned sessions are dropped and
open websockets closed, so the widget reconnects to the active server instead
of waiting for the load.

The control API (``GET /state``, ``POST /switch``, ``POST /drain``) listens on
a separate port bound to 127.0.0.1 and needs ``Authorization: Bearer <token>``
(``MIGRANT_BOT_PROXY_TOKEN`` or ``var/proxy-token``). The public port has no
way to change anything. The active side is kept in ``var/proxy-state.json``
so a restart keeps it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web
from multidict import CIMultiDict

logger = logging.getLogger("bot.switch.proxy")

# RFC 9110 7.6.1 hop-by-hop headers, plus the ones the proxy sets itself
HOP_BY_HOP = frozenset(
    h.lower()
    for h in ("Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade")
)
WS_HANDSHAKE = frozenset(
    h.lower() for h in ("Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept")
)
_SID = re.compile(rb'"sid"\s*:\s*"([A-Za-z0-9_\-]{1,64})"')
PIN_TTL_SECONDS = 3600.0
MAX_PINS = 20_000


@dataclass
class ProxySettings:
    """Where the proxy listens and forwards; read by ``settings_from_env``."""

    upstreams: dict[str, str]  # side name -> base URL
    host: str = "0.0.0.0"
    port: int = 5005
    control_host: str = "127.0.0.1"
    control_port: int = 5009
    token: str = ""
    state_file: Path | None = None
    max_body_bytes: int = 2 * 1024 * 1024
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 300.0


def _connection_tokens(headers: Any) -> set[str]:
    return {t.strip().lower() for v in headers.getall("Connection", []) for t in v.split(",") if t.strip()}


def forward_headers(request: web.Request, websocket: bool = False) -> CIMultiDict[str]:
    """The client's headers for the upstream: hop-by-hop removed, X-Forwarded-* added, Host and Origin kept."""
    drop = HOP_BY_HOP | _connection_tokens(request.headers) | {"content-length"}
    if websocket:
        drop |= WS_HANDSHAKE
    headers = CIMultiDict((k, v) for k, v in request.headers.items() if k.lower() not in drop)
    peer = request.remote or ""
    previous = request.headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{previous}, {peer}" if previous else peer
    headers["X-Forwarded-Proto"] = request.scheme
    headers["X-Forwarded-Host"] = request.host
    return headers


def response_headers(upstream: aiohttp.ClientResponse) -> CIMultiDict[str]:
    """The upstream's headers for the client, hop-by-hop removed (the body is passed on as it came)."""
    drop = HOP_BY_HOP | _connection_tokens(upstream.headers)
    return CIMultiDict((k, v) for k, v in upstream.headers.items() if k.lower() not in drop)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@dataclass
class Switch:
    """The active side, the socket.io sessions pinned to a side, and the open websockets per side."""

    upstreams: dict[str, str]
    active: str
    state_file: Path | None = None
    pins: dict[str, tuple[str, float]] = field(default_factory=dict)  # sid -> (side, last use)
    sockets: dict[str, set[web.WebSocketResponse]] = field(default_factory=dict)
    switched_at: float = field(default_factory=time.time)

    def set_active(self, side: str) -> None:
        if side not in self.upstreams:
            raise ValueError(f"unknown side {side!r}; the sides are {sorted(self.upstreams)}")
        self.active = side  # one assignment: the switch
        self.switched_at = time.time()
        if self.state_file:
            partial = self.state_file.with_name(self.state_file.name + ".tmp")
            partial.write_text(json.dumps({"active": side}), encoding="utf-8")
            os.replace(partial, self.state_file)

    def side_for(self, sid: str | None) -> str:
        """The pinned side of a socket.io session, or the active side."""
        if sid and sid in self.pins:
            side, _ = self.pins[sid]
            self.pins[sid] = (side, time.monotonic())
            return side
        return self.active

    def pin(self, sid: str, side: str) -> None:
        if len(self.pins) >= MAX_PINS:
            cutoff = time.monotonic() - PIN_TTL_SECONDS
            self.pins = {k: v for k, v in self.pins.items() if v[1] >= cutoff}
            if len(self.pins) >= MAX_PINS:  # still full: forget the oldest half
                for key in sorted(self.pins, key=lambda k: self.pins[k][1])[: MAX_PINS // 2]:
                    del self.pins[key]
        self.pins[sid] = (side, time.monotonic())

    async def drain(self, side: str) -> dict[str, int]:
        """Drops the sessions pinned to ``side`` and closes its websockets (their clients reconnect to the active side)."""
        if side not in self.upstreams:
            raise ValueError(f"unknown side {side!r}")
        if side == self.active:
            raise ValueError(f"{side!r} is the active side; switch away from it first")
        dropped = [sid for sid, (pinned, _) in self.pins.items() if pinned == side]
        for sid in dropped:
            del self.pins[sid]
        sockets = list(self.sockets.get(side, ()))
        for ws in sockets:
            await ws.close(code=1012, message=b"server switch")  # 1012: service restart; clients reconnect
        return {"sessions": len(dropped), "websockets": len(sockets)}

    def state(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "upstreams": self.upstreams,
            "switched_at": self.switched_at,
            "pinned_sessions": {side: sum(1 for s, _ in self.pins.values() if s == side) for side in self.upstreams},
            "websockets": {side: len(self.sockets.get(side, ())) for side in self.upstreams},
        }


def _sid(request: web.Request) -> str | None:
    return request.query.get("sid") if request.path.startswith("/socket.io") else None


class Forwarder:
    """The public side: forwards HTTP and websockets to the side ``Switch`` names."""

    def __init__(self, switch: Switch, settings: ProxySettings) -> None:
        self.switch = switch
        self.settings = settings
        self.session: aiohttp.ClientSession | None = None

    async def start(self, _app: web.Application) -> None:
        timeout = aiohttp.ClientTimeout(total=None, connect=self.settings.connect_timeout_s, sock_read=self.settings.read_timeout_s)
        # bodies pass through as they came (no decompression); no cookie jar: cookies are the clients'.
        # A new upstream connection per request (loopback: a fraction of a millisecond): a pooled one the
        # Rasa server (Sanic, 5 s keep-alive) has just closed would fail a request that cannot be retried.
        self.session = aiohttp.ClientSession(
            timeout=timeout,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            connector=aiohttp.TCPConnector(limit=0, force_close=True),
        )

    async def stop(self, _app: web.Application) -> None:
        for sockets in self.switch.sockets.values():
            for ws in list(sockets):
                await ws.close(code=1001, message=b"proxy stopping")
        if self.session:
            await self.session.close()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        side = self.switch.side_for(_sid(request))
        base = self.switch.upstreams[side]
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request, side, base)
        return await self._http(request, side, base)

    async def _http(self, request: web.Request, side: str, base: str) -> web.StreamResponse:
        assert self.session is not None
        if request.content_length is not None and request.content_length > self.settings.max_body_bytes:
            return _error(413, f"the request body is larger than {self.settings.max_body_bytes} bytes")
        try:
            body = await request.read()  # bounded by the app's client_max_size
        except web.HTTPRequestEntityTooLarge:
            return _error(413, f"the request body is larger than {self.settings.max_body_bytes} bytes")
        headers = forward_headers(request)
        skip = [h for h in ("User-Agent", "Accept-Encoding") if h not in request.headers]
        try:
            async with self.session.request(
                request.method,
                base + str(request.rel_url),
                headers=headers,
                data=body if body else None,
                allow_redirects=False,
                skip_auto_headers=skip,
            ) as upstream:
                return await self._relay(request, upstream, side)
        except asyncio.TimeoutError:
            return _error(504, "the assistant did not answer in time")
        except aiohttp.ClientError as error:
            logger.warning("upstream %s (%s) failed: %r", side, base, error)
            return _error(502, "the assistant is not reachable; try again in a moment")

    async def _relay(self, request: web.Request, upstream: aiohttp.ClientResponse, side: str) -> web.StreamResponse:
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason, headers=response_headers(upstream))
        if request.path.startswith("/socket.io") and "sid" not in request.query and upstream.status == 200:
            body = await upstream.read()  # an engine.io handshake is small; its sid pins the session to this side
            match = _SID.search(body)
            if match:
                self.switch.pin(match.group(1).decode(), side)
            response.content_length = len(body)
            await response.prepare(request)
            await response.write(body)
            await response.write_eof()
            return response
        if upstream.content_length is not None:
            response.content_length = upstream.content_length
        await response.prepare(request)
        try:
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # the status line is sent already: all that is left is to end the connection
            logger.warning("upstream %s broke off a response to %s %s: %r", side, request.method, request.path, error)
            raise
        await response.write_eof()
        return response

    async def _websocket(self, request: web.Request, side: str, base: str) -> web.StreamResponse:
        assert self.session is not None
        protocols = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
        headers = forward_headers(request, websocket=True)
        headers.pop("Sec-WebSocket-Protocol", None)
        try:
            upstream = await self.session.ws_connect(
                base + str(request.rel_url), headers=headers, protocols=protocols, max_msg_size=self.settings.max_body_bytes
            )
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("websocket to %s (%s) failed: %r", side, base, error)
            return _error(502, "the assistant is not reachable; try again in a moment")
        client = web.WebSocketResponse(
            protocols=[upstream.protocol] if upstream.protocol else (), max_msg_size=self.settings.max_body_bytes
        )
        await client.prepare(request)
        sockets = self.switch.sockets.setdefault(side, set())
        sockets.add(client)
        try:
            await _pump(client, upstream)
        finally:
            sockets.discard(client)
            await upstream.close()
            await client.close()
        return client


async def _copy(source: Any, target: Any) -> None:
    async for message in source:
        if message.type == WSMsgType.TEXT:
            await target.send_str(message.data)
        elif message.type == WSMsgType.BINARY:
            await target.send_bytes(message.data)
        else:
            break


async def _pump(client: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse) -> None:
    """Copies messages both ways until either side closes."""
    tasks = [asyncio.create_task(_copy(client, upstream)), asyncio.create_task(_copy(upstream, client))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def public_app(switch: Switch, settings: ProxySettings) -> web.Application:
    """The public application: every path and method forwarded."""
    forwarder = Forwarder(switch, settings)
    app = web.Application(client_max_size=settings.max_body_bytes)
    app.on_startup.append(forwarder.start)
    app.on_shutdown.append(forwarder.stop)
    app.router.add_route("*", "/{tail:.*}", forwarder.handle)
    return app


async def _healthy(base: str) -> bool:
    try:
        timeout = aiohttp.ClientTimeout(total=3)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(base + "/") as response:
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


async def _side_from(request: web.Request, key: str) -> str:
    try:
        data = await request.json()
    except ValueError as error:
        raise web.HTTPBadRequest(text=json.dumps({"error": "the body must be JSON"}), content_type="application/json") from error
    side = data.get(key) if isinstance(data, dict) else None
    if not isinstance(side, str):
        raise web.HTTPBadRequest(text=json.dumps({"error": f"give {key!r}: one of the sides"}), content_type="application/json")
    return side


def control_app(switch: Switch, token: str) -> web.Application:
    """The control API (loopback only, bearer token): state, switch, drain."""
    if not token:
        raise ValueError("the control API needs a token")

    @web.middleware
    async def auth(request: web.Request, handler: Any) -> web.StreamResponse:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return _error(401, "the control API needs Authorization: Bearer <token>")
        return await handler(request)

    async def state(_request: web.Request) -> web.Response:
        return web.json_response(switch.state())

    async def switch_to(request: web.Request) -> web.Response:
        side = await _side_from(request, "active")
        if side not in switch.upstreams:
            return _error(400, f"unknown side {side!r}; the sides are {sorted(switch.upstreams)}")
        if not await _healthy(switch.upstreams[side]):
            return _error(409, f"{side} ({switch.upstreams[side]}) is not answering; not switched")
        before = switch.active
        switch.set_active(side)
        logger.info("switched from %s to %s", before, side)
        return web.json_response({"before": before, **switch.state()})

    async def drain(request: web.Request) -> web.Response:
        side = await _side_from(request, "side")
        try:
            closed = await switch.drain(side)
        except ValueError as error:
            return _error(409, str(error))
        logger.info("drained %s: %s", side, closed)
        return web.json_response({"drained": side, **closed})

    app = web.Application(middlewares=[auth], client_max_size=4096)
    app.router.add_get("/state", state)
    app.router.add_post("/switch", switch_to)
    app.router.add_post("/drain", drain)
    return app


def initial_side(upstreams: dict[str, str], state_file: Path | None) -> str:
    """The side the last run left active (``state_file``), else the first one."""
    if state_file and state_file.exists():
        try:
            side = json.loads(state_file.read_text(encoding="utf-8")).get("active")
        except (ValueError, AttributeError):
            side = None
        if side in upstreams:
            return side
    return next(iter(upstreams))


async def serve(settings: ProxySettings) -> None:
    """Runs the public and the control servers until cancelled."""
    switch = Switch(settings.upstreams, initial_side(settings.upstreams, settings.state_file), settings.state_file)
    public = web.AppRunner(public_app(switch, settings), access_log=None, shutdown_timeout=5)
    control = web.AppRunner(control_app(switch, settings.token), access_log=None)
    await public.setup()
    await control.setup()
    await web.TCPSite(control, settings.control_host, settings.control_port).start()
    await web.TCPSite(public, settings.host, settings.port).start()
    print(f"Proxy: http://{settings.host}:{settings.port}/ -> {switch.active} ({settings.upstreams[switch.active]})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await public.cleanup()
        await control.cleanup()
