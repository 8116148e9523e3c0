"""``python -m bot.tools.scaled run | nginx-conf``: the scaled topology on this machine, or the containers' nginx.conf.

``make run-scaled REPLICAS=3 ACTIONS=2`` runs ``run`` (scripts/run-scaled.sh installs the
Debian packages first); docs/deployment.md describes the topology.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from bot.core.settings import PROJECT_ROOT, api_token, load_settings, secret_in_file
from bot.tools.scaled.nginx import CONTAINER_LAYOUT, render
from bot.tools.scaled.services import ServiceError
from bot.tools.scaled.topology import ScaledAssistant
from bot.tools.train import ensure_model

#: as root, PostgreSQL runs as ``postgres``, which cannot enter the private var folder: its cluster lives here
ROOT_POSTGRES_DIR = Path("/var/lib/migrant-bot/postgres")


def _postgres_dir(var: Path) -> Path:
    if os.geteuid() != 0:
        return var / "scaled" / "postgres"
    ROOT_POSTGRES_DIR.parent.mkdir(parents=True, exist_ok=True)
    ROOT_POSTGRES_DIR.parent.chmod(0o755)
    if ROOT_POSTGRES_DIR.exists():
        shutil.chown(ROOT_POSTGRES_DIR, "postgres", "postgres")
    return ROOT_POSTGRES_DIR


def run(replicas: int, actions: int) -> int:
    settings = load_settings()
    var = settings.var_dir
    model = ensure_model(PROJECT_ROOT / "config.yml", PROJECT_ROOT / "models")
    topology = ScaledAssistant(
        model=model,
        workdir=var / "scaled",
        replicas=replicas,
        action_servers=actions,
        port=settings.rasa_port,
        postgres_dir=_postgres_dir(var),
        api_token=api_token(settings, create=True),
        actions_token=secret_in_file(settings.action_server.token, var / "actions-token", create=True),
        with_staff=True,
        staff_port=settings.staff.port,
        public=True,
    )
    print(f"Starting {replicas} Rasa replica(s), {actions} action server(s), nginx, PostgreSQL and Redis (about a minute)...", flush=True)
    try:
        topology.start()
    except ServiceError as error:
        topology.stop()
        print(error, file=sys.stderr)
        return 1
    print(
        f"""
The assistant is running on {replicas} Rasa replicas behind nginx.
  REST channel:   POST http://localhost:{topology.port}/webhooks/rest/webhook
  Web chat demo:  http://localhost:{topology.port}/widget/demo.html
  Staff app:      http://localhost:{topology.staff_port}/   (its accounts are in PostgreSQL; the first admin:
                  MIGRANT_BOT_STAFF_DATABASE_URL={topology.postgres.url("staff")} make staff-admin EMAIL=you@example.org)
  Replicas:       {", ".join(r.url for r in topology.rasa)}
  Action servers: {", ".join(a.url for a in topology.actions)}
  PostgreSQL:     {topology.postgres.url("conversations")} (also events, staff)
  Redis (locks):  {topology.redis.url}
  Logs:           {topology.workdir}/*.log, {topology.workdir}/nginx/
Press Ctrl+C to stop.""",
        flush=True,
    )
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    try:
        while not stop["now"]:
            for process in [topology.staff, *(r.process for r in topology.rasa), *(a.process for a in topology.actions)]:
                if process is not None and process.poll() is not None:
                    print(f"A server stopped (exit {process.returncode}); see {topology.workdir}/*.log", file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping...", flush=True)
        topology.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.scaled")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("run", help="start the scaled topology on this machine (make run-scaled)")
    start.add_argument("--replicas", type=int, default=3, help="Rasa servers behind nginx (at least 2 for a rolling publish)")
    start.add_argument("--actions", type=int, default=2, help="action servers behind nginx")
    sub.add_parser("nginx-conf", help="print the containers' nginx.conf (deploy/nginx/nginx.conf)")
    args = parser.parse_args(argv)
    if args.command == "nginx-conf":
        sys.stdout.write(render(CONTAINER_LAYOUT))
        return 0
    if args.replicas < 1 or args.actions < 1:
        parser.error("--replicas and --actions must be at least 1")
    return run(args.replicas, args.actions)


if __name__ == "__main__":
    sys.exit(main())
