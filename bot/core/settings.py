"""Settings read from the environment, in one place.

Every variable has the prefix ``MIGRANT_BOT_``. Defaults suit a local start;
``.env.example`` lists them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
PREFIX = "MIGRANT_BOT_"


def _env(name: str, default: str) -> str:
    return os.environ.get(PREFIX + name, default)


@dataclass(frozen=True)
class Settings:
    """What the project reads from the environment."""

    data_dir: Path
    pack: str
    database_url: str
    #: Rasa's SQL event broker's database (bot/rasa_server/event_broker.py): every conversation event, read by the staff
    #: app's insights job and inbox; never the tracker store's database (both have a table called ``events``)
    events_url: str = ""
    #: the Rasa server speed-ups of bot/rasa_server/patches.py (off only to measure what they bring)
    rasa_speedups: bool = True
    #: keep recent conversations in the Rasa server's memory (bot/rasa_server/tracker_cache.py); only safe
    #: when one Rasa server writes the database: off when two servers share it (zero-downtime publishing)
    tracker_cache: bool = True
    #: the interface strings' catalogs (``<lang>/LC_MESSAGES/messages.po``); the staff app publishes into it
    locales_dir: Path = PROJECT_ROOT / "locales"
    #: conversations are deleted this many days after their last message (docs/privacy.md)
    retention_days: int = 30
    #: unanswered questions (masked, not linked to anyone) stay in the staff inbox this long
    inbox_retention_days: int = 180
    #: messages one sender may send a minute (bot/rasa_server/channels/ratelimit.py); 0 turns the limit off
    rate_limit_per_minute: int = 30
    #: signs the widget's session ids (bot/core/session_keys.py); empty: read or made in
    #: ``session_secret_file`` (in ``MIGRANT_BOT_VAR_DIR``, the folder scripts/start.sh keeps its secrets in)
    session_secret: str = field(default="", repr=False)
    session_secret_file: Path = PROJECT_ROOT / "var" / "session-secret"
    #: the REST channel's clients, ``name:key,name:key`` (bot/rasa_server/channels/rest.py); empty: the channel is open
    rest_keys: str = field(default="", repr=False)
    #: the token of Rasa's HTTP API (``MIGRANT_BOT_API_TOKEN``); also lets an operator delete a conversation over REST
    api_token: str = field(default="", repr=False)
    #: where people reach this assistant from outside (``https://help.example.lv``): messengers link to a
    #: person's printable plan under it; empty: messenger replies carry no link (the web widget needs none)
    public_url: str = ""

    @property
    def pack_dir(self) -> Path:
        """The folder of the selected content pack."""
        return self.data_dir / "packs" / self.pack

    @property
    def languages_file(self) -> Path:
        """The list of languages the assistant speaks."""
        return self.data_dir / "languages.yml"


def load_settings() -> Settings:
    """Reads the settings from the environment (cheap; call when needed)."""
    database_url = _env("DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}")
    var_dir = Path(_env("VAR_DIR", str(PROJECT_ROOT / "var")))
    return Settings(
        data_dir=Path(_env("DATA_DIR", str(PROJECT_ROOT / "data"))),
        pack=_env("PACK", "latvia"),
        database_url=database_url,
        events_url=_events_url(_env("EVENTS_URL", "").strip(), database_url, var_dir),
        rasa_speedups=_env("RASA_SPEEDUPS", "1") != "0",
        tracker_cache=_env("TRACKER_CACHE", "1") != "0",
        locales_dir=Path(_env("LOCALES_DIR", str(PROJECT_ROOT / "locales"))),
        retention_days=_days(_env("RETENTION_DAYS", "30"), "RETENTION_DAYS"),
        inbox_retention_days=_days(_env("INBOX_RETENTION_DAYS", "180"), "INBOX_RETENTION_DAYS"),
        rate_limit_per_minute=_count(_env("RATE_LIMIT_PER_MINUTE", "30"), "RATE_LIMIT_PER_MINUTE"),
        session_secret=_env("SESSION_SECRET", "").strip(),
        session_secret_file=var_dir / "session-secret",
        rest_keys=_env("REST_KEYS", "").strip(),
        api_token=_env("API_TOKEN", "").strip(),
        public_url=_public_url(_env("PUBLIC_URL", "")),
    )


def default_events_url(database_url: str, var_dir: Path) -> str:
    """``events.db`` beside a SQLite conversation store (``sqlite:///var/events.db`` by default), else in the var folder."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and database_url[len(prefix) :] not in ("", ":memory:"):
        folder = Path(database_url[len(prefix) :]).parent
        return f"{prefix}{folder / 'events.db'}"
    return f"{prefix}{var_dir / 'events.db'}"


def _events_url(value: str, database_url: str, var_dir: Path) -> str:
    """The event broker's database: the variable's, or the default; never the conversation store's database."""
    url = value or default_events_url(database_url, var_dir)
    if url.rstrip("/") == database_url.rstrip("/"):
        raise ValueError(f"{PREFIX}EVENTS_URL must name another database than {PREFIX}DATABASE_URL (both have a table called events)")
    return url


def _public_url(value: str) -> str:
    """An https (or local http) address without a trailing slash, or a clear error naming the variable."""
    value = value.strip().rstrip("/")
    if value and not (value.startswith("https://") or value.startswith("http://127.0.0.1") or value.startswith("http://localhost")):
        raise ValueError(f"{PREFIX}PUBLIC_URL must start with https:// (got {value!r})")
    if any(c in value for c in " ?#\"'<>"):
        raise ValueError(f"{PREFIX}PUBLIC_URL must be a plain address such as https://help.example.lv (got {value!r})")
    return value


def _days(value: str, name: str) -> int:
    """A whole number of days of at least 1, or a clear error naming the variable."""
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise ValueError(f"{PREFIX}{name} must be a whole number of days, at least 1 (got {value!r})")
    return days


def _count(value: str, name: str) -> int:
    """A whole number of at least 0, or a clear error naming the variable."""
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise ValueError(f"{PREFIX}{name} must be a whole number, at least 0 (got {value!r})")
    return count
