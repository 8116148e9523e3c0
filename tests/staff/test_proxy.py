"""The switch proxy over real HTTP: two small upstream servers ("blue", "green"), the proxy's public and control ports."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.switch.proxy import ProxySettings, Switch, control_app, initial_side, public_app
from tests.postgres import free_port

TOKEN = "control-token-for-tests"


def upstream_app(name: str) -> web.Application:
    """An upstream that says who it is and echoes what it got."""

    async def echo(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    await ws.send_str(f"{name}:{message.data}")
            return ws
        if request.path == "/slow":
            await asyncio.sleep(1.0)
        if request.path.startswith("/socket.io") and "sid" not in request.query:
            return web.Response(text=f'0{{"sid":"{name}-sid-1","upgrades":["websocket"]}}')
        body = await request.read()
        return web.json_response(
            {
                "server": name,
                "method": request.method,
                "path_qs": str(request.rel_url),
                "body": body.decode(),
                "headers": {k.lower(): v for k, v in request.headers.items()},
            },
            headers={"Connection": "keep-alive, X-Private", "X-Private": "hop", "X-Upstream": name},
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


async def _site(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


@pytest.fixture
async def proxy(tmp_path: Path):
    """Blue and green upstreams, the proxy in front of them (blue active), and its control API."""
    ports = {"blue": free_port(), "green": free_port()}
    runners = [await _site(upstream_app(name), port) for name, port in ports.items()]
    settings = ProxySettings(
        upstreams={name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
        port=free_port(),
        control_port=free_port(),
        token=TOKEN,
        state_file=tmp_path / "proxy-state.json",
        max_body_bytes=1024,
    )
    switch = Switch(settings.upstreams, "blue", settings.state_file)
    runners.append(await _site(public_app(switch, settings), settings.port))
    runners.append(await _site(control_app(switch, TOKEN), settings.control_port))
    async with aiohttp.ClientSession() as session:
        yield session, f"http://127.0.0.1:{settings.port}", f"http://127.0.0.1:{settings.control_port}", switch, runners[:2]
    for runner in reversed(runners):
        await runner.cleanup()


def _auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_forwards_method_path_body_and_headers(proxy):
    session, public, _control, _switch, _ = proxy
    headers = {"Origin": "https://example.lv", "X-Forwarded-For": "203.0.113.9", "Connection": "X-Secret", "X-Secret": "drop me"}
    async with session.post(f"{public}/webhooks/rest/webhook?token=abc", data=b'{"sender":"a"}', headers=headers) as response:
        assert response.status == 200
        got = await response.json()
        assert response.headers["X-Upstream"] == "blue"
        assert "X-Private" not in response.headers  # named in the upstream's Connection header: hop-by-hop
    assert got["server"] == "blue" and got["method"] == "POST"
    assert got["path_qs"] == "/webhooks/rest/webhook?token=abc"
    assert got["body"] == '{"sender":"a"}'
    assert got["headers"]["origin"] == "https://example.lv"
    assert got["headers"]["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert got["headers"]["host"] == public.removeprefix("http://")  # the client's Host, for same-origin checks
    assert "x-secret" not in got["headers"]


async def test_body_too_large_is_refused(proxy):
    session, public, *_ = proxy
    async with session.post(f"{public}/webhooks/rest/webhook", data=b"x" * 2048) as response:
        assert response.status == 413
        assert "larger than 1024 bytes" in (await response.json())["error"]


async def test_control_api_needs_the_token_and_is_not_on_the_public_port(proxy):
    session, public, control, switch, _ = proxy
    async with session.get(f"{control}/state") as response:
        assert response.status == 401
    async with session.post(f"{control}/switch", json={"active": "green"}, headers=_auth("wrong")) as response:
        assert response.status == 401
    async with session.post(f"{public}/switch", json={"active": "green"}, headers=_auth()) as response:
        assert (await response.json())["server"] == "blue"  # the public port only forwards
    assert switch.active == "blue"


async def test_switch_moves_new_requests_and_lets_in_flight_ones_finish(proxy, tmp_path):
    session, public, control, switch, _ = proxy
    slow = asyncio.create_task(session.get(f"{public}/slow"))
    await asyncio.sleep(0.3)  # the slow request is on blue now
    async with session.post(f"{control}/switch", json={"active": "green"}, headers=_auth()) as response:
        assert response.status == 200
        assert (await response.json())["active"] == "green"
    async with session.get(f"{public}/status") as response:
        assert (await response.json())["server"] == "green"
    async with await slow as response:
        assert response.status == 200 and (await response.json())["server"] == "blue"
    assert json.loads((tmp_path / "proxy-state.json").read_text())["active"] == "green"
    assert initial_side(switch.upstreams, tmp_path / "proxy-state.json") == "green"  # a restart keeps the side


async def test_switch_input_is_validated(proxy):
    session, _public, control, switch, _ = proxy
    for body in ({"active": "purple"}, {"active": 3}, [1]):
        async with session.post(f"{control}/switch", json=body, headers=_auth()) as response:
            assert response.status == 400
    async with session.post(f"{control}/switch", data=b"not json", headers=_auth()) as response:
        assert response.status == 400
    assert switch.active == "blue"


async def test_no_switch_to_a_server_that_is_down_and_502_when_the_active_one_is(proxy):
    session, public, control, switch, upstreams = proxy
    await upstreams[1].cleanup()  # green stops
    async with session.post(f"{control}/switch", json={"active": "green"}, headers=_auth()) as response:
        assert response.status == 409
    assert switch.active == "blue"
    switch.set_active("green")  # as if it had died after the switch
    async with session.post(f"{public}/webhooks/rest/webhook", json={"sender": "a", "message": "hi"}) as response:
        assert response.status == 502
        assert response.content_type == "application/json"
        assert "not reachable" in (await response.json())["error"]


async def test_websocket_is_forwarded_and_closed_by_drain(proxy):
    session, public, control, switch, _ = proxy
    async with session.ws_connect(f"{public}/socket.io/?EIO=4&transport=websocket", headers={"Origin": "https://example.lv"}) as ws:
        await ws.send_str("2probe")
        assert (await ws.receive(timeout=5)).data == "blue:2probe"
        switch.set_active("green")
        await ws.send_str("again")  # an open websocket stays where it is
        assert (await ws.receive(timeout=5)).data == "blue:again"
        async with session.post(f"{control}/drain", json={"side": "blue"}, headers=_auth()) as response:
            assert (await response.json())["websockets"] == 1
        message = await ws.receive(timeout=5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)


async def test_socketio_session_stays_on_its_server_until_drained(proxy):
    session, public, control, switch, _ = proxy
    async with session.get(f"{public}/socket.io/?EIO=4&transport=polling") as response:
        assert "blue-sid-1" in await response.text()
    switch.set_active("green")
    async with session.get(f"{public}/socket.io/?EIO=4&transport=polling&sid=blue-sid-1") as response:
        assert (await response.json())["server"] == "blue"  # the session continues where it began
    async with session.post(f"{control}/drain", json={"side": "green"}, headers=_auth()) as response:
        assert response.status == 409  # the active side cannot be drained
    async with session.post(f"{control}/drain", json={"side": "blue"}, headers=_auth()) as response:
        assert (await response.json())["sessions"] == 1
    async with session.get(f"{public}/socket.io/?EIO=4&transport=polling&sid=blue-sid-1") as response:
        assert (await response.json())["server"] == "green"  # unknown there: the client reconnects
