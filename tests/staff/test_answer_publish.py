"""Publishing answer-only changes to the running assistant, refusals, and rollback: end to end.

The real action server and Rasa server (the content's trained model) answer
over the REST channel from a copy of the published content; the staff app
publishes into that copy. No server is restarted.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from bot.settings import PROJECT_ROOT
from tests.postgres import free_port
from tests.staff.conftest import RASA_BIN
from tests.staff.harness import add_staff, copy_content
from tests.staff.test_content import draft_pack, text_form

QUESTION = "cik maksā deklarēt dzīvesvietu pašvaldībā"


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 300
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"{url} did not answer within 5 minutes"
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(1)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, live_rasa):
    """Action server + Rasa server answering from a copy of the published content (``live_rasa`` trained the model)."""
    root = tmp_path_factory.mktemp("assistant")
    published = copy_content(root / "data")
    model = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)[-1]
    actions_port, rasa_port, token = free_port(), free_port(), secrets.token_hex(16)  # hex: never starts with "-"
    env = {
        **os.environ,
        "MIGRANT_BOT_DATA_DIR": str(published),
        "MIGRANT_BOT_ACTIONS_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "MIGRANT_BOT_DATABASE_URL": f"sqlite:///{root / 'tracker.db'}",
    }
    processes = []
    with (root / "actions.log").open("wb") as log:
        actions = [str(RASA_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)]
        processes.append(subprocess.Popen(actions, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    _wait(f"http://127.0.0.1:{actions_port}/health", processes[0], root / "actions.log")
    with (root / "rasa.log").open("wb") as log:
        rasa = [str(RASA_BIN / "rasa"), "run", "--model", str(model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
        rasa += ["--port", str(rasa_port), "--enable-api", "--auth-token", token]
        processes.append(subprocess.Popen(rasa, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    _wait(f"http://127.0.0.1:{rasa_port}/status?token={token}", processes[1], root / "rasa.log")
    yield f"http://127.0.0.1:{rasa_port}", published
    for process in processes:
        process.terminate()
        process.wait(timeout=60)


async def _ask(rasa_url: str, text: str, lang: str = "lv") -> str:
    body = {"sender": f"publish-test-{secrets.token_hex(4)}", "message": text, "metadata": {"lang": lang}}
    async with aiohttp.ClientSession() as session, session.post(f"{rasa_url}/webhooks/rest/webhook", json=body) as answer:
        assert answer.status == 200
        return "\n".join(m.get("text") or "" for m in await answer.json())


async def _timed(rasa_url: str) -> float:
    started = time.monotonic()
    await _ask(rasa_url, QUESTION)
    return time.monotonic() - started


async def _load(rasa_url: str, stop: asyncio.Event, latencies: list[float]) -> None:
    """A user asking every 0.2 s until ``stop``."""
    while not stop.is_set():
        latencies.append(await _timed(rasa_url))
        await asyncio.sleep(0.2)


async def _until(rasa_url: str, wanted: str, seconds: float = 15.0) -> str:
    """The reply once it contains ``wanted`` (the action server notices changed files within seconds)."""
    deadline = time.monotonic() + seconds
    while True:
        reply = await _ask(rasa_url, QUESTION)
        if wanted in reply or time.monotonic() > deadline:
            return reply
        await asyncio.sleep(1)


async def test_an_answer_only_change_goes_live_without_a_restart_and_rolls_back(assistant, fresh_server):
    rasa_url, published = assistant
    assert "4,27 EUR" in await _ask(rasa_url, QUESTION)
    server = fresh_server(MIGRANT_BOT_DATA_DIR=str(published))
    browsers = await add_staff(server)
    editor, publisher, translator = browsers["editor"], browsers["publisher"], browsers["translator"]
    lv = draft_pack(server).topics["address_registration"].translations["lv"]
    form = [*text_form(server, "lv", topic="address_registration", answer=lv.answer.replace("4,27 EUR", "5,10 EUR")), ("up_to_date", "on")]
    assert (await editor.post("/topics/address_registration/lv", form))[0] == 303
    assert "4,27 EUR" in await _ask(rasa_url, QUESTION)  # a draft is not live

    await translator.get("/publish")
    assert (await translator.post("/publish", {}))[0] == 403
    await publisher.get("/publish")
    usual = sorted([await _timed(rasa_url) for _ in range(10)])[5]
    stop, latencies = asyncio.Event(), []
    load = asyncio.create_task(_load(rasa_url, stop, latencies))
    await asyncio.sleep(1)
    status, page, _ = await publisher.post("/publish", {})
    assert status == 303, page
    assert "5,10 EUR" in await _until(rasa_url, "5,10 EUR")
    await asyncio.sleep(1)
    stop.set()
    await load
    # while the change went live, no user waited more than a second longer than usual
    print(f"\nusual reply {usual * 1000:.0f} ms; during the publish: {len(latencies)} replies, slowest {max(latencies) * 1000:.0f} ms")
    assert len(latencies) >= 5 and max(latencies) < usual + 1.0

    # a change that needs training is refused and changes nothing users see
    before = {p: p.read_bytes() for p in published.rglob("*.yml")}
    lv = draft_pack(server).topics["address_registration"].translations["lv"]
    form = text_form(server, "lv", topic="address_registration", examples=[*lv.examples, "jauns jautājums par deklarēšanu"])
    assert (await editor.post("/topics/address_registration/lv", [*form, ("up_to_date", "on")]))[0] == 303
    status, page, _ = await publisher.post("/publish", {})
    assert status == 409 and "needs a new model" in page
    assert {p: p.read_bytes() for p in published.rglob("*.yml")} == before
    assert "5,10 EUR" in await _ask(rasa_url, QUESTION)

    # one click back to the content before the last publish
    status, page, _ = await publisher.post("/rollback", {})
    assert status == 303, page
    assert "4,27 EUR" in await _until(rasa_url, "4,27 EUR")
    _, page, _ = await publisher.get("/publish")
    assert "rollback" in page and "answers" in page
    for browser in browsers.values():
        await browser.close()
