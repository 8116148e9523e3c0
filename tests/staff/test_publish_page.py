"""The publish page against one running assistant (``MIGRANT_BOT_ZERO_DOWNTIME=0``): answers, interface strings, refusal, rollback.

The real action server and Rasa server (the content's trained model) answer
over the REST channel from a copy of the published content and catalogs; the
staff app publishes into that copy. No server is restarted. Publishing a new
model between two servers is tests/staff/test_publish_e2e.py.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from bot.core.settings import PROJECT_ROOT
from tests.postgres import free_port
from tests.staff.conftest import RASA_BIN
from tests.staff.harness import add_staff, copy_content, publish_from_page, strings_form
from tests.staff.test_content import draft_pack, new_fee_in_english, new_fee_in_entry, text_form

QUESTION = "cik maksā deklarēt dzīvesvietu pašvaldībā"
THANKS = "You are welcome! Is there anything else I can help with?"  # an interface string (gettext id)
NEW_THANKS = "Lūdzu! Raksti, ja vēl kaut kas nav skaidrs."


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
    locales = Path(shutil.copytree(PROJECT_ROOT / "locales", root / "locales"))
    # the model of config.yml for the content (``live_rasa`` trained it; this finds it): what a publish compares with
    trained = subprocess.run(
        [str(RASA_BIN / "python"), "-m", "bot.tools.train"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=3600
    )
    assert trained.returncode == 0, trained.stderr[-3000:]
    model = Path(trained.stdout.strip().splitlines()[-1])
    actions_port, rasa_port, token = free_port(), free_port(), secrets.token_hex(16)  # hex: never starts with "-"
    env = {
        **os.environ,
        "MIGRANT_BOT_DATA_DIR": str(published),
        "MIGRANT_BOT_LOCALES_DIR": str(locales),
        "MIGRANT_BOT_ACTIONS_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "MIGRANT_BOT_DATABASE_URL": f"sqlite:///{root / 'tracker.db'}",
        "MIGRANT_BOT_ACTIONS_TOKEN": os.environ.get("MIGRANT_BOT_ACTIONS_TOKEN") or secrets.token_hex(16),  # endpoints.yml needs one
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
    yield {"url": f"http://127.0.0.1:{rasa_port}", "port": rasa_port, "token": token, "published": published, "locales": locales}
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


async def _until(rasa_url: str, wanted: str, seconds: float = 15.0, question: str = QUESTION) -> str:
    """The reply once it contains ``wanted`` (the action server notices changed files within seconds)."""
    deadline = time.monotonic() + seconds
    while True:
        reply = await _ask(rasa_url, question)
        if wanted in reply or time.monotonic() > deadline:
            return reply
        await asyncio.sleep(1)


async def test_answers_and_interface_strings_go_live_without_a_restart_then_roll_back(assistant, fresh_server):
    rasa_url, published = assistant["url"], assistant["published"]
    assert "4,27 EUR" in await _ask(rasa_url, QUESTION)
    server = fresh_server(
        MIGRANT_BOT_DATA_DIR=str(published),
        MIGRANT_BOT_LOCALES_DIR=str(assistant["locales"]),
        MIGRANT_BOT_ZERO_DOWNTIME="0",
        MIGRANT_BOT_RASA_PORT=str(assistant["port"]),
        MIGRANT_BOT_API_TOKEN=assistant["token"],
    )
    browsers = await add_staff(server)
    editor, publisher, translator = browsers["editor"], browsers["publisher"], browsers["translator"]
    await new_fee_in_english(server, editor)
    lv = draft_pack(server).topics["address_registration"].translations["lv"]
    form = [*text_form(server, "lv", topic="address_registration", answer=lv.answer.replace("4,27 EUR", "5,10 EUR")), ("up_to_date", "on")]
    assert (await editor.post("/topics/address_registration/lv", form))[0] == 303
    await new_fee_in_entry(server, editor, "lv")
    assert (await translator.post("/strings/lv", strings_form(server, "lv", **{THANKS: NEW_THANKS})))[0] == 303
    assert "4,27 EUR" in await _ask(rasa_url, QUESTION)  # a draft is not live
    _, page, _ = await publisher.get("/publish")
    assert "topics/address_registration.yml" in page and "locales/lv/LC_MESSAGES/messages.po" in page  # what would change

    await translator.get("/publish")
    assert (await translator.post("/publish", {}))[0] == 403
    await publisher.get("/publish")
    usual = sorted([await _timed(rasa_url) for _ in range(10)])[5]
    stop, latencies = asyncio.Event(), []
    load = asyncio.create_task(_load(rasa_url, stop, latencies))
    await asyncio.sleep(1)
    job = await publish_from_page(publisher)
    assert job["state"] == "succeeded" and job["mode"] == "answers", job
    assert "5,10 EUR" in await _until(rasa_url, "5,10 EUR")
    await asyncio.sleep(1)
    stop.set()
    await load
    # while the change went live, no user waited more than a second longer than usual
    print(f"\nusual reply {usual * 1000:.0f} ms; during the publish: {len(latencies)} replies, slowest {max(latencies) * 1000:.0f} ms")
    assert len(latencies) >= 5 and max(latencies) < usual + 1.0
    assert NEW_THANKS in await _until(rasa_url, NEW_THANKS, question="paldies")  # the catalog, re-read by the action server

    # a change that needs a new model cannot go live without the second server: refused before training, nothing changes
    before = {p: p.read_bytes() for p in published.rglob("*.yml")}
    lv = draft_pack(server).topics["address_registration"].translations["lv"]
    form = text_form(server, "lv", topic="address_registration", examples=[*lv.examples, "jauns jautājums par deklarēšanu"])
    assert (await editor.post("/topics/address_registration/lv", [*form, ("up_to_date", "on")]))[0] == 303
    job = await publish_from_page(publisher)
    assert job["state"] == "failed" and "needs a new model" in job["message"] and "MIGRANT_BOT_ZERO_DOWNTIME=0" in job["message"]
    assert [s["state"] for s in job["steps"]][:3] == ["done", "failed", "pending"]
    assert {p: p.read_bytes() for p in published.rglob("*.yml")} == before
    assert "5,10 EUR" in await _ask(rasa_url, QUESTION)

    # one click back to the content before the last publish, strings included
    job = await publish_from_page(publisher, "/rollback")
    assert job["state"] == "succeeded", job
    assert "4,27 EUR" in await _until(rasa_url, "4,27 EUR")
    assert NEW_THANKS not in await _until(rasa_url, "Vai", question="paldies")
    _, page, _ = await publisher.get("/publish")
    assert "rolled back" in page and "answers only" in page
    for browser in browsers.values():
        await browser.close()
