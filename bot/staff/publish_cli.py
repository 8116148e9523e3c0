"""Command line of the switch proxy and of publishing (``python -m bot.staff proxy|publish|rollback|publish-status``).

``publish`` and ``rollback`` run the job in this process and print each step
as it finishes; the exit code says how it ended: 0 published (or rolled
back), 1 failed, 3 refused (the gate, or nothing to publish), 4 another job
is running. Every job is in the staff audit log under the ``--actor`` name.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from bot.staff.config import load_config
from bot.staff.db import open_database
from bot.staff.publish import PublishBusy, publish_status, start_publish, start_rollback, wait_for

EXIT = {"succeeded": 0, "failed": 1, "refused": 3}


def add_commands(sub: Any) -> None:
    """Adds the proxy and publish commands to ``python -m bot.staff``."""
    sub.add_parser("proxy", help="run the switch proxy on the public port (in front of the two Rasa servers)")
    for name, text in (("publish", "publish the draft (validate, train, evaluate, gate, go live)"), ("rollback", "undo the last publish")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--actor", default="command line", help="who, for the audit log")
        command.add_argument("--json", action="store_true", help="print the finished job as JSON")
    status = sub.add_parser("publish-status", help="a publish or rollback job's steps (default: the newest)")
    status.add_argument("job", nargs="?", type=int)
    status.add_argument("--json", action="store_true")


def _when(seconds: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(seconds)) if seconds else "--:--:--"


def format_job(job: dict[str, Any]) -> str:
    """A job and its steps as lines of text."""
    lines = [f"job {job['id']} ({job['kind']}, {job['mode'] or 'mode not known yet'}) by {job['actor']}: {job['state']}"]
    for step in job["steps"]:
        took = f"{step['finished_at'] - step['started_at']:6.1f} s" if step["started_at"] and step["finished_at"] else " " * 8
        lines.append(f"  {step['name']:<9} {step['state']:<8} {took}  {step['detail']}")
    if job["message"]:
        lines.append(job["message"])
    return "\n".join(lines)


async def _follow(engine: Any, job_id: int) -> dict[str, Any]:
    """Prints each step as it changes until the job ends."""
    done = asyncio.ensure_future(wait_for(engine, job_id))
    shown: dict[str, str] = {}
    while True:
        job = await publish_status(engine, job_id)
        for step in job["steps"] if job else []:
            if shown.get(step["name"]) != step["state"] and step["state"] != "pending":
                shown[step["name"]] = step["state"]
                print(f"{_when(step['finished_at'] or step['started_at'])} {step['name']}: {step['state']} {step['detail']}", flush=True)
        if done.done():
            return await done
        await asyncio.wait([done], timeout=1)


async def _run(command: str, actor: str, as_json: bool) -> int:
    engine = await open_database(load_config().database_url)
    try:
        start = start_publish if command == "publish" else start_rollback
        try:
            job_id = await start(engine, actor)
        except PublishBusy as error:
            print(error, file=sys.stderr)
            return 4
        job = await _follow(engine, job_id) if not as_json else await wait_for(engine, job_id)
        print(json.dumps(job, ensure_ascii=False, indent=2, default=str) if as_json else job["message"])
        return EXIT.get(job["state"], 1)
    finally:
        await engine.dispose()


async def _status(job_id: int | None, as_json: bool) -> int:
    engine = await open_database(load_config().database_url)
    try:
        job = await publish_status(engine, job_id)
    finally:
        await engine.dispose()
    if job is None:
        print("no such job" if job_id else "nothing has been published from the staff app yet", file=sys.stderr)
        return 1
    print(json.dumps(job, ensure_ascii=False, indent=2, default=str) if as_json else format_job(job))
    return 0


def run_command(args: argparse.Namespace) -> int:
    """Runs one of the commands ``add_commands`` added."""
    if args.command == "proxy":
        from bot.staff.publish_settings import proxy_settings_from_env
        from bot.switch.proxy import serve

        try:
            asyncio.run(serve(proxy_settings_from_env()))
        except KeyboardInterrupt:
            pass
        return 0
    if args.command == "publish-status":
        return asyncio.run(_status(args.job, args.json))
    return asyncio.run(_run(args.command, args.actor, args.json))
