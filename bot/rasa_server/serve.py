"""Starts ``rasa run`` with the HTTP API token from the environment, not the command line.

A token on the command line is visible to every user of the machine in
``ps``. This passes ``MIGRANT_BOT_API_TOKEN`` to Rasa's own command-line entry
inside the process, where ``ps`` does not show it. Every other argument goes
to ``rasa run`` unchanged: ``python -m bot.rasa_server.serve --model ... --port 5006``.
"""

from __future__ import annotations

import os
import sys

from bot.core.settings import PREFIX, api_token, load_settings, refuse_unsafe


def rasa_arguments(argv: list[str], token: str) -> list[str]:
    """``rasa run`` with ``argv`` and the API switched on behind ``token``."""
    if not token:
        raise SystemExit(f"{PREFIX}API_TOKEN must be set: the HTTP API can change state")
    # "=": a token starting with "-" would otherwise be read as an option
    return ["rasa", "run", *argv, "--enable-api", f"--auth-token={token}"]


def main() -> None:
    # Rasa reports usage to Rasa's servers and exceptions to Sentry unless told not to: a
    # conversation's words must never leave the deployment (docs/privacy.md). An operator who
    # wants to send them sets RASA_TELEMETRY_ENABLED=true.
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.__main__ import main as rasa_main

    from bot.rasa_server import patches

    settings = load_settings()
    refuse_unsafe(settings)  # before a model is loaded: two servers must not each cache conversations
    if settings.rasa_speedups:
        patches.install()
    else:
        patches.check_versions()
    sys.argv = rasa_arguments(sys.argv[1:], api_token(settings))
    rasa_main()


if __name__ == "__main__":
    main()
