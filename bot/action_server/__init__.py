"""Runs the Rasa SDK action server on loopback, answering only the Rasa server.

``rasa run actions`` listens on every interface and answers anyone who can
reach its port: ``/webhook`` runs any action for any conversation JSON a
caller makes up. This starts the same Rasa SDK app (``rasa_sdk.endpoint``)
with two changes:

- it binds ``MIGRANT_BOT_ACTIONS_HOST`` (default ``127.0.0.1``);
- every request but ``/health`` must carry ``MIGRANT_BOT_ACTIONS_TOKEN``, which
  the Rasa server sends as the ``token`` query parameter of its action
  endpoint (``endpoints.yml``); without it the answer is 401.

Usage: ``python -m bot.action_server --port 5055``.
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.settings import PREFIX, load_settings

OPEN_PATHS = frozenset({"/health"})
logger = logging.getLogger(__name__)


def token_from_environment() -> str:
    """The shared token; a clear error when it is missing or too short to be a secret."""
    token = load_settings().action_server.token
    if len(token) < 16:
        raise SystemExit(f"{PREFIX}ACTIONS_TOKEN must be set to a random value of at least 16 characters")
    return token


def protected_app(token: str, actions_package: str = "actions") -> Sanic:
    """Rasa SDK's action server app that refuses requests without ``token``."""
    app = create_app(actions_package, cors_origins=None)

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.args.get("token", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            logger.warning("action server: request without the right token refused")
            return response.json({"error": "unauthorized"}, status=401)
        return None

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=load_settings().action_server.port)
    parser.add_argument("--actions", default="actions", help="the package of actions")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    host = load_settings().action_server.host
    app = protected_app(token_from_environment(), args.actions)
    logger.info("action server on http://%s:%d", host, args.port)
    app.run(host, args.port, workers=1, access_log=False)
