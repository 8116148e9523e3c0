"""Publishing end to end: trained models, the action server, two Rasa servers, the switch proxy, the staff app.

The tests run in order on one running assistant (module scope) and build on
each other, as an editor's day would: an editor changes a fee in the staff
app and a publisher publishes it (answer-only); the editor adds a new Latvian
way of asking and the publisher publishes again (trained, evaluated, switched,
with load on the proxy while it goes live); a draft the gate refuses
(published with ``python -m bot.staff publish``, the same pipeline from the
command line); a rollback from the page; and the stall a plain ``PUT /model``
causes on a single server. Figures go to ``<root>/figures.json`` and the test
output.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.staff.db import open_database
from bot.staff.draft import Draft
from tests.staff.harness import StaffServer, add_staff, publish_from_page
from tests.staff.stack import HEAVY_CONFIG, Probe, Stack, ask, status_model
from tests.staff.test_content import draft_pack, new_fee_in_english, new_fee_in_entry, text_form

TOPIC = "packs/latvia/topics/address_registration.yml"
OLD_FEE, NEW_FEE = "4,27 EUR", "5,10 EUR"
FEE_QUESTION = "cik maksā deklarēt dzīvesvietu pašvaldībā"  # a training example: recognised before and after
NEW_QUESTION = "kur jāpiesakās, ja esmu ievācies jaunā mītnē"  # a new way of asking, not understood before
FIGURES: dict[str, object] = {}


@pytest.fixture(scope="module")
def stack():
    root = Path(tempfile.mkdtemp(prefix="publish-e2e-"))
    running = Stack(root=root)
    running.prepare()
    try:
        running.start()
        yield running
    finally:
        running.stop()
        (root / "figures.json").write_text(json.dumps(FIGURES, indent=2), encoding="utf-8")
        print("\npublish figures:", json.dumps(FIGURES, indent=2))
        logs = Path(tempfile.gettempdir()) / "publish-e2e-logs"  # the servers' logs of the last run, for a failure
        shutil.rmtree(logs, ignore_errors=True)
        shutil.copytree(root, logs, ignore=shutil.ignore_patterns("data", "draft", "build*", "publish", "*.db"))
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def session():
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as client:
        yield client


@pytest.fixture(scope="module")
async def staff(stack):
    """The staff app on the stack's draft, published folders and servers, with a signed-in editor and publisher."""
    app = StaffServer(root=stack.root, database_url=stack.env()["MIGRANT_BOT_STAFF_DATABASE_URL"], extra_env=stack.env()).start()
    browsers = await add_staff(app)
    yield app, browsers
    for browser in browsers.values():
        await browser.close()
    app.stop()


async def _edit_latvian(staff, answer: tuple[str, str] | None = None, new_example: str | None = None) -> None:
    """The editor's save of the Latvian text of address_registration on its page (validated; version and audit rows)."""
    app, browsers = staff
    lv = draft_pack(app).topics["address_registration"].translations["lv"]
    changes: dict[str, object] = {}
    if answer:
        await new_fee_in_english(app, browsers["editor"])
        assert answer[0] in (lv.answer or "")
        changes["answer"] = (lv.answer or "").replace(*answer)
    if new_example:
        changes["examples"] = [*lv.examples, new_example]
    form = [*text_form(app, "lv", topic="address_registration", **changes), ("up_to_date", "on")]
    status, page, _ = await browsers["editor"].post("/topics/address_registration/lv", form)
    assert status == 303, page
    if answer:
        await new_fee_in_entry(app, browsers["editor"], "lv")


async def _publish(stack: Stack) -> tuple[int, dict]:
    code, out = await stack.staff_command("publish", "--actor", "publisher@example.lv", "--json")
    return code, json.loads(out[out.index("{") :])


def _summary(job: dict) -> str:
    """The job's message and steps, for assertion messages."""
    return job["message"] + "".join(f"\n  {s['name']}: {s['state']} {s['detail']}" for s in job["steps"])


def _slowest(probe: Probe, job: dict, count: int = 5) -> list[str]:
    """The slowest requests, each placed in the publish step it was sent in (for a failure's message)."""
    to_wall = time.time() - time.monotonic()
    lines = []
    for sent, seconds in sorted(probe.latencies, key=lambda item: -item[1])[:count]:
        wall = sent + to_wall
        steps = [s["name"] for s in job["steps"] if s["started_at"] and s["started_at"] <= wall <= (s["finished_at"] or wall)]
        last = max((s for s in job["steps"] if s["finished_at"] and s["finished_at"] <= wall), key=lambda s: s["finished_at"], default=None)
        where = "/".join(steps) or (f"{wall - last['finished_at']:.2f} s after {last['name']}" if last else "before the job")
        lines.append(f"{seconds:.2f} s sent during {where}")
    return lines


def _step_times(job: dict) -> dict[str, float]:
    return {s["name"]: round(s["finished_at"] - s["started_at"], 1) for s in job["steps"] if s["started_at"] and s["finished_at"]}


async def _eventually(check, seconds: float = 10.0):
    """The content store looks at the files every 2 s: the first answer after a publish may still be the old one."""
    deadline = time.monotonic() + seconds
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.5)


async def _warm_up(session: aiohttp.ClientSession, url: str) -> None:
    """A few messages first: the first replies of a server are slower (seconds), which would inflate the usual wait."""
    for _ in range(3):
        await ask(session, url, "sveiki")


async def _state(stack: Stack, session: aiohttp.ClientSession) -> dict:
    headers = {"Authorization": f"Bearer {stack.proxy_token}"}
    async with session.get(f"http://127.0.0.1:{stack.ports['control']}/state", headers=headers) as response:
        return await response.json()


async def test_socketio_and_status_go_through_the_proxy(stack, session):
    async with session.get(f"{stack.public}/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://localhost"}) as response:
        assert response.status == 200 and '"sid"' in await response.text()
    async with session.get(f"{stack.public}/status") as response:
        assert response.status == 401  # the API keeps its token behind the proxy
    assert await status_model(session, stack.public, stack.token) == stack.base_model.name.removesuffix(".tar.gz")


async def test_an_answer_only_change_goes_live_without_training_or_a_model_load(stack, staff, session):
    label, text = await ask(session, stack.public, FEE_QUESTION)
    assert label == "address_registration" and OLD_FEE in text
    await _edit_latvian(staff, answer=(f"valsts nodeva ir {OLD_FEE}", f"valsts nodeva ir {NEW_FEE}"))
    before = await _state(stack, session)

    job = await publish_from_page(staff[1]["publisher"])
    assert job["state"] == "succeeded" and job["mode"] == "answers"
    assert {s["name"]: s["state"] for s in job["steps"]} == {
        "validate": "done", "compare": "done", "train": "skipped", "baseline": "skipped",
        "load": "skipped", "evaluate": "skipped", "gate": "skipped", "go_live": "done",
    }  # fmt: skip
    after = await _state(stack, session)
    assert (after["active"], after["switched_at"]) == (before["active"], before["switched_at"])  # no switch
    for side in ("blue", "green"):  # neither server loaded anything
        assert await status_model(session, stack.side_url(side), stack.token) == stack.base_model.name.removesuffix(".tar.gz")

    async def new_fee() -> bool:
        return NEW_FEE in (await ask(session, stack.public, FEE_QUESTION))[1]

    assert await _eventually(new_fee), "the assistant does not answer with the new fee"
    FIGURES["answer_only_publish_s"] = round(job["finished_at"] - job["created_at"], 1)


async def test_a_new_latvian_question_is_trained_evaluated_and_goes_live_while_users_wait_no_longer(stack, staff, session):
    label, _ = await ask(session, stack.public, NEW_QUESTION)
    assert label != "address_registration", "the new question is understood before it was added; pick another"
    await _edit_latvian(staff, new_example=NEW_QUESTION)
    assert NEW_QUESTION in (stack.draft / TOPIC).read_text(encoding="utf-8")
    active_before = (await _state(stack, session))["active"]

    probe = Probe(stack.public)
    await _warm_up(session, stack.public)
    probe.start()
    await asyncio.sleep(10)
    started = time.monotonic()
    job = await publish_from_page(staff[1]["publisher"], timeout_s=1800)
    ended = time.monotonic()
    await asyncio.sleep(3)
    await probe.stop()

    assert job["state"] == "succeeded" and job["mode"] == "model", _summary(job)
    assert all(s["state"] == "done" for s in job["steps"]), job["steps"]
    state = await _state(stack, session)
    assert state["active"] != active_before and job["side_after"] == state["active"]
    assert await status_model(session, stack.public, stack.token) == job["model"] != job["previous_model"]
    label, text = await ask(session, stack.public, NEW_QUESTION)
    assert label == "address_registration" and NEW_FEE in text

    usual = Probe.median(probe.before(started))
    during = probe.overlapping(started, ended + 3)
    FIGURES["model_publish_steps_s"] = _step_times(job)
    FIGURES["model_publish_s"] = round(job["finished_at"] - job["created_at"], 1)
    FIGURES["proxy_probe"] = {
        "requests": len(during), "median_before_s": round(usual, 3), "max_during_s": round(max(during), 3), "slowest": _slowest(probe, job),
    }  # fmt: skip
    FIGURES["candidate_scores"] = {k: job["scores"][k] for k in ("accuracy", "accuracy_by_lang")}
    assert not probe.failures, (f"publish from {started:.1f} to {ended:.1f}", probe.failures[:5])
    assert len(during) > 50 and len(probe.before(started)) >= 20
    assert max(during) <= usual + 1.0, (f"a request waited {max(during):.2f} s; usually {usual:.2f} s", _slowest(probe, job))


async def test_a_draft_that_breaks_understanding_is_refused_and_nothing_changes(stack, session):
    live_model = await status_model(session, stack.public, stack.token)
    active = (await _state(stack, session))["active"]
    published_text = (stack.published / "packs/latvia/topics/residence_permit.yml").read_text(encoding="utf-8")
    originals = {}
    for name in ("residence_permit", "work_permit"):
        originals[name] = (stack.draft / f"packs/latvia/topics/{name}.yml").read_text(encoding="utf-8")
    swapped = {name: yaml.safe_load(text) for name, text in originals.items()}
    for lang in swapped["residence_permit"]["translations"]:  # every way of asking about one topic now means the other
        a, b = swapped["residence_permit"]["translations"][lang], swapped["work_permit"]["translations"][lang]
        a["examples"], b["examples"] = b["examples"], a["examples"]
    engine = await open_database(stack.env()["MIGRANT_BOT_STAFF_DATABASE_URL"])
    try:
        draft = Draft(stack.draft, stack.published, "latvia", engine, published_locales=stack.root / "locales")
        # both files in one go (one at a time would be refused: the same example in two topics)
        for name in swapped:
            path = stack.draft / f"packs/latvia/topics/{name}.yml"
            path.write_text(yaml.safe_dump(swapped[name], allow_unicode=True, sort_keys=False), encoding="utf-8")
        assert not (await draft.state()).blocking()
    finally:
        await engine.dispose()

    code, job = await _publish(stack)
    assert code == 3 and job["state"] == "refused", _summary(job)
    assert "understands less" in job["message"]
    assert [s["state"] for s in job["steps"]][-2:] == ["failed", "pending"]  # gate failed; go_live never ran
    assert await status_model(session, stack.public, stack.token) == live_model
    assert (await _state(stack, session))["active"] == active
    assert (stack.published / "packs/latvia/topics/residence_permit.yml").read_text(encoding="utf-8") == published_text
    label, _ = await ask(session, stack.public, "kā dabūt uzturēšanās atļauju")
    assert label == "residence_permit"
    FIGURES["refused"] = {"scores": job["scores"]["accuracy"], "baseline": job["baseline"]["accuracy"], "message": job["message"]}
    for name, text in originals.items():  # the editor undoes it
        (stack.draft / f"packs/latvia/topics/{name}.yml").write_text(text, encoding="utf-8")


async def test_rollback_restores_the_previous_model_and_content(stack, staff, session):
    job = await publish_from_page(staff[1]["publisher"], "/rollback")
    assert job["state"] == "succeeded", _summary(job)
    assert await status_model(session, stack.public, stack.token) == stack.base_model.name.removesuffix(".tar.gz")
    assert NEW_QUESTION not in (stack.published / TOPIC).read_text(encoding="utf-8")
    assert NEW_FEE in (stack.published / TOPIC).read_text(encoding="utf-8")  # the publish before stays

    async def forgotten() -> bool:
        return (await ask(session, stack.public, NEW_QUESTION))[0] != "address_registration"

    assert await _eventually(forgotten)
    FIGURES["rollback_s"] = round(job["finished_at"] - job["created_at"], 1)
    FIGURES["rollback_steps_s"] = _step_times(job)
    code, out = await stack.staff_command("publish-status")
    assert code == 0 and f"job {job['id']} (rollback" in out and "go_live" in out
    _, page, _ = await staff[1]["editor"].get("/publish")  # everyone signed in sees the history
    assert "rolled back" in page and "new model" in page and "refused" in page


async def test_a_plain_put_model_on_a_single_server_stalls_every_request(stack, session):
    """The same probe as above against one Rasa server loading a model: it must see the stall, or the probe proves nothing.

    The model is config-heavy.yml's (TensorFlow): the fast test model loads in
    a fraction of a second, which no probe could tell from a slow reply.
    """
    heavy = await asyncio.to_thread(stack.train, HEAVY_CONFIG)
    idle = "green" if (await _state(stack, session))["active"] == "blue" else "blue"
    probe = Probe(stack.side_url(idle))
    await _warm_up(session, stack.side_url(idle))
    probe.start()
    await asyncio.sleep(10)
    started = time.monotonic()
    async with session.put(f"{stack.side_url(idle)}/model", params={"token": stack.token}, json={"model_file": str(heavy)}) as response:
        assert response.status == 204, await response.text()
    ended = time.monotonic()
    await asyncio.sleep(2)
    await probe.stop()
    usual = Probe.median(probe.before(started))
    during = probe.overlapping(started, ended)
    FIGURES["plain_put_model"] = {
        "load_s": round(ended - started, 1),
        "median_before_s": round(usual, 3),
        "max_during_s": round(max(during), 3),
    }
    assert max(during) > usual + 1.0
