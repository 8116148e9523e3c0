"""Command line: ``python -m bot.staff serve`` (the web app) and ``python -m bot.staff create-admin --email ...``.

Also ``proxy``, ``publish``, ``rollback`` and ``publish-status`` (bot/staff/publish_cli.py),
and ``retention``: one run of the retention job (bot/staff/retention.py), for
an operator's cron; the web app runs it every hour by itself. ``insights``:
one run of the insights job (bot/staff/insights/aggregate.py), which the web
app also runs every hour.

The first admin's password is typed twice at a prompt, or read from standard
input (one line) or from ``MIGRANT_BOT_STAFF_ADMIN_PASSWORD`` for scripts.
There is no default password.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.core.settings import load_settings
from bot.staff import conversations, retention
from bot.staff.app import create_app
from bot.staff.config import load_config
from bot.staff.db import open_database
from bot.staff.insights import aggregate
from bot.staff.passwords import password_problem
from bot.staff.publish_cli import add_commands, run_command
from bot.staff.users import EMAIL, UserExists, create_user


def _read_password() -> str:
    if given := load_settings().staff.admin_password:  # MIGRANT_BOT_STAFF_ADMIN_PASSWORD
        return given
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password for the new admin: ")
    if getpass.getpass("The same password again: ") != first:
        raise SystemExit("The passwords differ; nothing was created.")
    return first


async def _create_admin(email: str, name: str) -> int:
    email = email.strip().lower()
    if not EMAIL.match(email):
        print(f"{email!r} is not an e-mail address.", file=sys.stderr)
        return 2
    password = _read_password()
    problem = password_problem(password)
    if problem:
        print(f"{problem} Nothing was created.", file=sys.stderr)
        return 2
    engine = await open_database(load_config().database_url)
    try:
        await create_user(engine, "command line", email, name, password, {"admin"}, set())
    except UserExists:
        print(f"An account {email} exists already; nothing was changed.", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"Admin {email} created. Sign in to the staff app and add the other staff there.")
    return 0


async def _retention() -> int:
    """Runs the retention job once and prints what it deleted."""
    config = load_config()
    store = conversations.engine_for(config.conversations_url) if conversations.exists(config.conversations_url) else None
    events = conversations.engine_for(config.events_url) if conversations.exists(config.events_url) else None
    try:
        staff = await open_database(config.database_url)
        try:
            days, inbox_days, zone = config.retention_days, config.inbox_retention_days, ZoneInfo(config.timezone)
            report = await retention.run(store, staff, days, inbox_days, events=events, zone=zone)
        finally:
            await staff.dispose()
    except (SQLAlchemyError, OSError) as error:
        print(f"The retention job could not finish ({type(error).__name__}: {error}); run it again.", file=sys.stderr)
        return 1
    finally:
        for engine in (store, events):
            if engine is not None:
                await engine.dispose()
    print(report)
    return 0


async def _insights(settle_s: float) -> int:
    """Runs the insights job once and prints what it counted."""
    config = load_config()
    events = conversations.engine_for(config.events_url) if conversations.exists(config.events_url) else None
    try:
        staff = await open_database(config.database_url)
        try:
            report = await aggregate.run(events, staff, ZoneInfo(config.timezone), settle_s=settle_s)
        finally:
            await staff.dispose()
    except (SQLAlchemyError, OSError) as error:
        print(f"The insights job could not finish ({type(error).__name__}: {error}); run it again.", file=sys.stderr)
        return 1
    finally:
        if events is not None:
            await events.dispose()
    print(report)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.staff", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the staff web app")
    admin = sub.add_parser("create-admin", help="create an admin account (the first one, or another)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="")
    sub.add_parser("retention", help="delete conversations idle for MIGRANT_BOT_RETENTION_DAYS (archiving their inbox questions) once")
    insights = sub.add_parser("insights", help="count the event broker's new events into the daily figures once")
    insights.add_argument("--settle-seconds", type=float, default=aggregate.SETTLE_S, help="leave events this recent for the next run")
    add_commands(sub)
    args = parser.parse_args(argv)
    if args.command in ("proxy", "publish", "rollback", "publish-status"):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return run_command(args)
    if args.command == "create-admin":
        return asyncio.run(_create_admin(args.email, args.name))
    if args.command == "retention":
        return asyncio.run(_retention())
    if args.command == "insights":
        return asyncio.run(_insights(args.settle_seconds))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config()
    print(f"Staff app: http://{config.host}:{config.port}/", flush=True)
    web.run_app(create_app(config), host=config.host, port=config.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
