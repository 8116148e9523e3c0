"""Which web pages may open a socket.io connection to the assistant.

Rasa's socket.io channel starts its server with ``cors_allowed_origins=[]``,
which turns the origin check off: any web page, on any site, could talk to
the assistant in its visitors' names. The widget's server checks the
``Origin`` header of every socket.io request (long-polling and websocket
alike) against this policy:

- the assistant's own origin (the demo page and a page served beside it);
- the origins listed in ``MIGRANT_BOT_WIDGET_ORIGINS`` (comma-separated,
  e.g. ``https://www.example.lv,https://example.lv``);
- when that variable is not set, also ``http://localhost`` and
  ``http://127.0.0.1`` on any port, so a developer can try the widget on a
  page of their own.

A request without an ``Origin`` header is not a browser page (a server-side
client such as python-socketio's), and is let through: the check protects
visitors' browsers, not the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from bot.core.settings import PREFIX, load_settings

ORIGINS_VARIABLE = PREFIX + "WIDGET_ORIGINS"
_LOCAL_DEVELOPMENT = re.compile(r"^http://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$")


class OriginSettingError(ValueError):
    """``MIGRANT_BOT_WIDGET_ORIGINS`` holds something that is not an origin."""


def parse_origin(text: str) -> str:
    """``https://example.lv`` from a setting's entry; raises OriginSettingError for anything else."""
    value = text.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment or parts.username:
        raise OriginSettingError(f"{ORIGINS_VARIABLE}: {text!r} is not an origin like https://www.example.lv")
    return value.lower()


@dataclass(frozen=True)
class OriginPolicy:
    """The web origins allowed to connect, besides the assistant's own."""

    listed: frozenset[str]
    local_development: bool

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> OriginPolicy:
        """The policy ``MIGRANT_BOT_WIDGET_ORIGINS`` describes (see the module docstring), in ``environ`` or the environment."""
        raw = load_settings(environ).channels.widget_origins
        if not raw:
            return cls(listed=frozenset(), local_development=True)
        return cls(listed=frozenset(parse_origin(entry) for entry in raw.split(",") if entry.strip()), local_development=False)

    def allows(self, origin: str, own_origins: list[str]) -> bool:
        """Whether a page at ``origin`` may connect to a server reached as ``own_origins``."""
        origin = origin.strip().lower()
        if origin in (o.lower() for o in own_origins) or origin in self.listed:
            return True
        return self.local_development and bool(_LOCAL_DEVELOPMENT.match(origin))
