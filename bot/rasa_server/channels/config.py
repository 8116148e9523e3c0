"""Which messenger channels are on, and their settings (the channels section of ``bot.core.settings``).

A channel is on when all its required variables are set, off when none is,
and a start-up error names the missing ones when only some are: a half
configured channel would otherwise accept no message and nobody would know
why. ``python -m bot.rasa_server.channels`` prints the state (``make run`` calls it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from rasa.shared.exceptions import RasaException

from bot.core.settings import GRAPH_API_URL, PREFIX, TELEGRAM_API_URL, load_settings

#: Telegram's rule for ``setWebhook``'s ``secret_token``.
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ChannelConfigError(RasaException):
    """A messenger channel is configured only in part, or with a bad value."""


@dataclass(frozen=True)
class ChannelSpec:
    """The variables of one messenger channel (names without the prefix)."""

    name: str
    title: str
    required: tuple[str, ...]
    api_url_variable: str
    api_url_default: str

    def variable(self, key: str) -> str:
        """The full environment variable name of ``key``."""
        return PREFIX + key

    @staticmethod
    def setting(key: str) -> str:
        """The name of ``key``'s field in the channels section of the settings (``TELEGRAM_TOKEN``: ``telegram_token``)."""
        return key.lower()


TELEGRAM = ChannelSpec("telegram", "Telegram", ("TELEGRAM_TOKEN", "TELEGRAM_SECRET"), "TELEGRAM_API_URL", TELEGRAM_API_URL)
MESSENGER = ChannelSpec(
    "messenger",
    "Facebook Messenger",
    ("MESSENGER_PAGE_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN"),
    "MESSENGER_API_URL",
    GRAPH_API_URL,
)
WHATSAPP = ChannelSpec(
    "whatsapp",
    "WhatsApp (Cloud API)",
    ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"),
    "WHATSAPP_API_URL",
    GRAPH_API_URL,
)
SPECS = {spec.name: spec for spec in (TELEGRAM, MESSENGER, WHATSAPP)}


@dataclass(frozen=True)
class ChannelSettings:
    """The settings of an enabled channel: its secrets and the platform's API URL."""

    spec: ChannelSpec
    values: Mapping[str, str]
    api_url: str

    def __getitem__(self, key: str) -> str:
        return self.values[key]


def _validate(spec: ChannelSpec, values: Mapping[str, str], api_url: str) -> None:
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise ChannelConfigError(f"{spec.variable(spec.api_url_variable)} must be an http(s) URL, not {api_url!r}.")
    if spec is TELEGRAM and not _TELEGRAM_SECRET.match(values["TELEGRAM_SECRET"]):
        raise ChannelConfigError(
            f"{spec.variable('TELEGRAM_SECRET')} must be 1 to 256 letters, digits, '_' or '-' (Telegram's rule for secret_token)."
        )


def channel_settings(name: str, environ: Mapping[str, str] | None = None) -> ChannelSettings | None:
    """The settings of channel ``name`` (from the settings of ``environ``, else of the environment); None when it is off.

    Raises:
        ChannelConfigError: some but not all of its variables are set, or a value is invalid.
    """
    spec = SPECS[name]
    section = load_settings(environ).channels
    values = {key: getattr(section, spec.setting(key)) for key in spec.required}
    missing = [spec.variable(key) for key, value in values.items() if not value]
    if len(missing) == len(spec.required):
        return None
    if missing:
        present = [spec.variable(key) for key, value in values.items() if value]
        raise ChannelConfigError(
            f"The {spec.title} channel is configured only in part: set {', '.join(missing)} "
            f"(or unset {', '.join(present)} to switch the channel off)."
        )
    api_url = getattr(section, spec.setting(spec.api_url_variable)) or spec.api_url_default
    _validate(spec, values, api_url)
    return ChannelSettings(spec, values, api_url.rstrip("/"))


def channel_states(environ: Mapping[str, str] | None = None) -> dict[str, bool]:
    """Each messenger channel's name and whether it is on (raises on a partial configuration)."""
    return {name: channel_settings(name, environ) is not None for name in SPECS}
