"""The servers' own defences: loopback binding, the action server's token, no token on a command line.

The review found the Rasa servers and the action server listening on every
interface (so the proxy's size limit could be bypassed and the action
server's ``/webhook`` was open to the network) and the API token visible in
``ps``. ``tests/e2e/servers.py`` starts the servers as ``scripts/start.sh``
does; ``test_make_run.py`` checks the script itself.
"""

from __future__ import annotations

from pathlib import Path

import requests

LISTEN = "0A"


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as /proc/net/tcp* writes them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == LISTEN:
                found.add(address)
    return found


LOOPBACK = {"0100007F"}  # 127.0.0.1


def test_the_action_server_listens_on_loopback_only(assistant):
    assert listening_addresses(assistant.actions_port) == LOOPBACK


def test_the_action_server_refuses_a_caller_without_the_token(assistant):
    call = {"next_action": "action_greet", "sender_id": "intruder", "tracker": {"sender_id": "intruder", "events": []}, "domain": {}}
    base = f"http://127.0.0.1:{assistant.actions_port}"
    for params in ({}, {"token": "wrong"}):
        assert requests.post(f"{base}/webhook", json=call, params=params, timeout=10).status_code == 401
        assert requests.get(f"{base}/actions", params=params, timeout=10).status_code == 401
    assert requests.get(f"{base}/actions", params={"token": assistant.actions_token}, timeout=10).status_code == 200
    assert requests.get(f"{base}/health", timeout=10).status_code == 200


def test_no_secret_is_on_a_command_line(assistant):
    for name, process in assistant.processes.items():
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert assistant.token.encode() not in command_line, name
        assert assistant.actions_token.encode() not in command_line, name
