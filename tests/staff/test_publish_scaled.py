"""A publish with a retrain, and its rollback, rolled out over 3 Rasa replicas behind nginx while users talk.

The scaled topology of ``make run-scaled`` (bot/tools/scaled): 3 Rasa replicas, 2 action
servers, nginx, PostgreSQL (conversations, events, the staff app) and Redis (locks),
started here. Conversations in the four languages talk to nginx the whole time; the staff
app's publish takes one replica out of rotation, loads and scores the new model there, then
updates the others one at a time (bot/staff/replicas.py). No request may fail, and every
replica must report the new model at the end (and the old one after the rollback).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from bot.core.settings import PROJECT_ROOT
from bot.tools.scaled import load
from bot.tools.scaled.services import postgres_home
from bot.tools.scaled.topology import ScaledAssistant
from tests.staff.stack import Stack

TOPIC = "packs/latvia/topics/address_registration.yml"
FEE_QUESTION = "cik maksā deklarēt dzīvesvietu pašvaldībā"  # a training example of the fee entry
NEW_QUESTION = "kur jāpiesakās, ja esmu ievācies jaunā mītnē"  # a new way of asking (tests/staff/test_publish_e2e.py)
#: the staff settings of the publish test's stack that the scaled topology keeps (its own: databases, ports, tokens)
STAFF_SETTINGS = (
    "MIGRANT_BOT_DATA_DIR", "MIGRANT_BOT_LOCALES_DIR", "MIGRANT_BOT_STAFF_VAR_DIR", "MIGRANT_BOT_STAFF_DRAFT_DIR",
    "MIGRANT_BOT_STAFF_TRAIN_CONFIG", "MIGRANT_BOT_STAFF_MAX_ACCURACY_DROP",
)  # fmt: skip
CONVERSATIONS = 50
THINK_S = 1.0


@pytest.fixture(scope="module")
def scaled():
    root = Path(tempfile.mkdtemp(prefix="publish-scaled-"))
    home = postgres_home("publish-scaled-pg-")
    stack = Stack(root=root)
    stack.prepare()  # copies of the content (published, draft) and the base model of config-fast.yml
    extra = {name: value for name, value in stack.env().items() if name in STAFF_SETTINGS}
    topology = ScaledAssistant(model=stack.base_model, workdir=root / "scaled", postgres_dir=home / "data", extra_env=extra)
    try:
        with topology:
            yield topology, stack
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def replica_models(topology: ScaledAssistant) -> list[str]:
    models = []
    for replica in topology.rasa:
        with urllib.request.urlopen(f"{replica.url}/status?token={topology.api_token}", timeout=10) as answer:
            models.append(Path(json.loads(answer.read())["model_file"]).name.removesuffix(".tar.gz"))
    return models


async def staff_command(topology: ScaledAssistant, *args: str) -> dict:
    process = await asyncio.create_subprocess_exec(
        str(PROJECT_ROOT / ".venv-staff" / "bin" / "python"), "-m", "bot.staff", *args, "--actor", "publisher@example.lv", "--json",
        cwd=PROJECT_ROOT, env=topology.env(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), timeout=1800)
    text = out.decode()
    assert "{" in text, text[-3000:]
    return json.loads(text[text.index("{") :])


async def under_load(topology: ScaledAssistant, prefix: str, command: str) -> tuple[dict, list[load.Request]]:
    """Runs ``python -m bot.staff <command>`` while conversations in four languages talk to nginx."""
    questions = load.questions_by_language(PROJECT_ROOT / "data" / "eval" / "heldout.jsonl")
    conversations = load.plan(questions, CONVERSATIONS, 20, prefix=prefix)
    done = asyncio.Event()
    talking = asyncio.create_task(load.run(topology.url, conversations, think_s=THINK_S, until=done))
    await asyncio.sleep(5)
    try:
        job = await staff_command(topology, command)
    finally:
        await asyncio.sleep(3)
        done.set()
        await talking
    return job, [r for c in conversations for r in c.requests]


def slowest(requests_made: list[load.Request], job: dict) -> str:
    """The slowest request and the step of the job it was sent in, with the median and the 95th percentile."""
    worst = max(requests_made, key=lambda r: r.seconds)
    sent_at = worst.started + time.time() - time.monotonic()
    steps = [s["name"] for s in job["steps"] if s["started_at"] and s["started_at"] <= sent_at <= (s["finished_at"] or sent_at)]
    seconds = [r.seconds for r in requests_made]
    return (
        f"{worst.seconds:.2f} s ({worst.sender}, via {worst.upstream}, sent during {'/'.join(steps) or 'no step'}); "
        f"p50 {load.percentile(seconds, 0.5):.2f} s, p95 {load.percentile(seconds, 0.95):.2f} s of {len(requests_made)} requests"
    )


def test_a_retrained_model_rolls_out_to_every_replica_and_back_with_no_failed_request(scaled):
    topology, stack = scaled
    base = stack.base_model.name.removesuffix(".tar.gz")
    assert replica_models(topology) == [base] * 3
    path = stack.draft / TOPIC
    topic = yaml.safe_load(path.read_text(encoding="utf-8"))
    topic["translations"]["lv"]["examples"].append(NEW_QUESTION)
    path.write_text(yaml.safe_dump(topic, allow_unicode=True, sort_keys=False), encoding="utf-8")

    started = time.monotonic()
    job, requests_made = asyncio.run(under_load(topology, "publish", "publish"))
    summary = job["message"] + "".join(f"\n  {s['name']}: {s['state']} {s['detail']}" for s in job["steps"])
    assert job["state"] == "succeeded" and job["mode"] == "model", summary
    assert [r for r in requests_made if not r.ok] == []
    assert replica_models(topology) == [job["model"]] * 3 != [base] * 3
    print(f"\npublish in {time.monotonic() - started:.0f} s; slowest request {slowest(requests_made, job)}\n{summary}")

    job, requests_made = asyncio.run(under_load(topology, "rollback", "rollback"))
    assert job["state"] == "succeeded", job["message"]
    assert [r for r in requests_made if not r.ok] == []
    assert replica_models(topology) == [base] * 3
    print(f"rollback: slowest request {slowest(requests_made, job)}")


def _change_fee_in_answers(topic: dict, old: str, new: str) -> None:
    """Every answer of the topic (overview and entries, every language) with the new fee; the ways of asking stay."""
    for tr in topic["translations"].values():
        tr["answer"] = tr["answer"].replace(old, new)
    for entry in topic.get("entries", {}).values():
        for tr in entry["translations"].values():
            tr["answer"] = tr["answer"].replace(old, new)


def test_an_answer_only_publish_reaches_every_action_server(scaled):
    topology, stack = scaled
    path = stack.draft / TOPIC
    # the published topic (the rollback left the new way of asking in the draft), with a new fee in its answers
    topic = yaml.safe_load((stack.published / TOPIC).read_text(encoding="utf-8"))
    for old, new in (("4,27", "5,10"), ("4.27", "5.10")):
        _change_fee_in_answers(topic, old, new)
    path.write_text(yaml.safe_dump(topic, allow_unicode=True, sort_keys=False), encoding="utf-8")
    models_before = replica_models(topology)
    access_log = topology.workdir / "nginx" / "access.log"
    log_start = access_log.stat().st_size

    job = asyncio.run(staff_command(topology, "publish"))
    assert job["state"] == "succeeded" and job["mode"] == "answers", job["message"]
    assert replica_models(topology) == models_before  # nothing was loaded

    deadline = time.monotonic() + 15  # each action server looks at the files every 2 s
    replies: list[str] = []
    while time.monotonic() < deadline:
        replies = [asyncio.run(fee_reply(topology, number)) for number in range(8)]
        if all("5,10 EUR" in reply for reply in replies):
            break
        time.sleep(1)
    assert all("5,10 EUR" in reply and "4,27" not in reply for reply in replies), replies
    with access_log.open(encoding="utf-8") as log:
        log.seek(log_start)
        action_servers = {line.split()[-2] for line in log if re.search(r'"POST /webhook[? ]', line)}  # not /webhooks/rest/
    assert action_servers == {server.address for server in topology.actions}  # both answered with the new fee


async def fee_reply(topology: ScaledAssistant, number: int) -> str:
    """The reply to the fee question in a new Latvian conversation (through nginx)."""
    import aiohttp

    body = {"sender": f"fee-{number}-{time.monotonic_ns()}", "message": FEE_QUESTION, "metadata": {"lang": "lv"}}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{topology.url}/webhooks/rest/webhook", json=body) as response:
            assert response.status == 200
            return "\n".join(m.get("text", "") for m in await response.json())
