"""The rotation file nginx includes (bot/core/rotation.py) and the scaled topology's nginx.conf (bot/tools/scaled/nginx.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from bot.core import rotation
from bot.tools.scaled.nginx import CONTAINER_LAYOUT, NginxLayout, render

REPLICAS = ["127.0.0.1:5011", "127.0.0.1:5012", "127.0.0.1:5013"]


def test_the_file_lists_every_replica_and_marks_those_out_of_rotation(tmp_path):
    rotation.write(tmp_path, REPLICAS, frozenset({"127.0.0.1:5012"}))
    assert rotation.read(tmp_path) == (REPLICAS, frozenset({"127.0.0.1:5012"}))
    lines = [line for line in (tmp_path / rotation.FILE_NAME).read_text().splitlines() if line.startswith("server")]
    assert lines[1] == "server 127.0.0.1:5012 max_fails=1 fail_timeout=5s down;"
    assert lines[0].endswith("fail_timeout=5s;")


def test_at_least_one_replica_stays_in_rotation(tmp_path):
    with pytest.raises(rotation.RotationError, match="at least one"):
        rotation.write(tmp_path, REPLICAS, frozenset(REPLICAS))


def test_set_down_rewrites_and_signals_nginx_only_on_a_change(tmp_path, monkeypatch):
    rotation.write(tmp_path, REPLICAS)
    (tmp_path / rotation.PID_FILE).write_text("4242\n")
    signals = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: signals.append((pid, sig)))
    rotation.set_down(tmp_path, frozenset({"127.0.0.1:5011"}))
    rotation.set_down(tmp_path, frozenset({"127.0.0.1:5011"}))  # the same: no reload
    assert signals == [(4242, signal.SIGHUP)]
    assert rotation.read(tmp_path)[1] == {"127.0.0.1:5011"}
    with pytest.raises(rotation.RotationError, match=r"not replicas behind nginx: 10\.0\.0\.1:1"):
        rotation.set_down(tmp_path, frozenset({"10.0.0.1:1"}))


def test_a_missing_nginx_is_named(tmp_path):
    with pytest.raises(rotation.RotationError, match="MIGRANT_BOT_NGINX_PREFIX"):
        rotation.read(tmp_path)
    rotation.write(tmp_path, REPLICAS)
    with pytest.raises(rotation.RotationError, match="nginx is not running"):
        rotation.set_down(tmp_path, frozenset({"127.0.0.1:5011"}))


def test_the_local_topology_includes_the_rotation_file_and_balances_the_action_servers(tmp_path):
    layout = NginxLayout(
        listen="127.0.0.1:8080", rasa_servers=tuple(REPLICAS), actions_listen="127.0.0.1:8081",
        action_servers=("127.0.0.1:5055", "127.0.0.1:5056"), prefix=tmp_path,
    )  # fmt: skip
    conf = render(layout)
    assert conf.count(f"include {tmp_path / rotation.FILE_NAME};") == 2  # REST and socket.io
    assert "hash $remote_addr consistent;" in conf and "non_idempotent" in conf
    assert "keepalive" not in conf.split("upstream rasa {")[1].split("}")[0]  # a dead replica's kept connection would lose a POST
    assert "X-Upstream" in conf and "X-Upstream" not in render(CONTAINER_LAYOUT)


@pytest.mark.skipif(not Path("/usr/sbin/nginx").exists(), reason="Debian's nginx is installed by scripts/test.sh")
def test_nginx_accepts_the_local_topologys_conf(tmp_path):
    layout = NginxLayout(
        listen="127.0.0.1:18080", rasa_servers=tuple(REPLICAS), actions_listen="127.0.0.1:18081",
        action_servers=("127.0.0.1:5055",), prefix=tmp_path,
    )  # fmt: skip
    rotation.write(tmp_path, REPLICAS, frozenset({REPLICAS[0]}))
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "temp" / name).mkdir(parents=True)
    (tmp_path / "nginx.conf").write_text(render(layout))
    checked = subprocess.run(
        [shutil.which("nginx") or "/usr/sbin/nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
