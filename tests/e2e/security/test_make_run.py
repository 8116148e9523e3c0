"""``make run``'s start script, run for real: internal servers on loopback, secrets off command lines, a private var folder.

Started once on free ports with its own var folder (``MIGRANT_BOT_VAR_DIR``),
so it neither disturbs nor reads a developer's running assistant. It trains
nothing new: the model of the e2e session is reused.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
import requests

from bot.core.settings import PROJECT_ROOT
from tests.e2e.security.test_hardening import LOOPBACK, listening_addresses
from tests.e2e.servers import free_port

READY = "The assistant is running."
START_TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def make_run(model, tmp_path_factory):
    """``scripts/start.sh`` running in zero-downtime mode (its default): ports, var folder, process group."""
    var = tmp_path_factory.mktemp("make-run") / "var"
    ports = {name: free_port() for name in ("RASA", "ACTIONS", "RASA_BLUE", "RASA_GREEN", "PROXY_CONTROL", "STAFF")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGRANT_BOT_")}
    env.update({f"MIGRANT_BOT_{name}_PORT": str(port) for name, port in ports.items()})
    env.update(MIGRANT_BOT_VAR_DIR=str(var), MIGRANT_BOT_ZERO_DOWNTIME="1", MIGRANT_BOT_PROXY_HOST="127.0.0.1")
    log = (var.parent / "start.log").open("w")
    process = subprocess.Popen(
        ["bash", "scripts/start.sh"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    output = var.parent / "start.log"
    while READY not in output.read_text():
        assert process.poll() is None and time.monotonic() < deadline, output.read_text()[-3000:]
        time.sleep(1)
    yield var, ports
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_internal_servers_listen_on_loopback_only(make_run):
    _var, ports = make_run
    for name in ("ACTIONS", "RASA_BLUE", "RASA_GREEN", "STAFF"):
        assert listening_addresses(ports[name]) == LOOPBACK, name


def test_secrets_are_on_no_command_line(make_run):
    var, _ports = make_run
    secrets = [(var / name).read_text().strip().encode() for name in ("api-token", "actions-token")]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes()
        except OSError:  # the process ended meanwhile
            continue
        assert not any(secret in arguments for secret in secrets), cmdline


def test_the_var_folder_and_its_files_are_private(make_run):
    var, _ports = make_run
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    # everything at the top (databases, secrets, logs) and every database or log below; the staff's
    # draft copies of the published content keep their modes, unreachable inside the 0700 folder
    files = [p for p in var.iterdir() if p.is_file()] + [p for p in var.rglob("*") if p.suffix in (".db", ".log")]
    assert {"tracker.db", "staff.db", "api-token", "actions-token", "session-secret", "actions.log", "staff.log"} <= {p.name for p in files}
    assert {str(p.relative_to(var)): oct(stat.S_IMODE(p.stat().st_mode)) for p in files if stat.S_IMODE(p.stat().st_mode) & 0o077} == {}


def test_the_assistant_answers_through_the_proxy_and_the_action_server_wants_its_token(make_run):
    _var, ports = make_run
    url = f"http://127.0.0.1:{ports['RASA']}/webhooks/rest/webhook"
    replies = requests.post(url, json={"sender": f"make-run-{time.time_ns()}", "message": "hello"}, timeout=60).json()
    assert replies and replies[0].get("text")
    webhook = f"http://127.0.0.1:{ports['ACTIONS']}/webhook"
    assert requests.post(webhook, json={"next_action": "action_greet"}, timeout=10).status_code == 401


def test_a_rasa_server_refuses_a_huge_body_itself(make_run):
    _var, ports = make_run
    huge = {"sender": "huge", "message": "x" * (5 * 1024 * 1024)}
    url = f"http://127.0.0.1:{ports['RASA_BLUE']}/webhooks/rest/webhook"
    assert requests.post(url, json=huge, timeout=60).status_code == 413
