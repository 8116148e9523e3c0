"""Every setting of every process, in one schema: its variable, type, default and meaning.

Every variable has the prefix ``MIGRANT_BOT_``; ``.env.example`` lists them all
(a unit test keeps the two in sync). Defaults suit a local start.

This module is the only place that reads them. It uses the standard library
only (dataclasses and a small typed reader below), because it runs in both
environments: the Rasa one (``.venv``, where Rasa 3.6 pins pydantic 1, so
pydantic-settings, which needs pydantic 2, cannot be used) and the staff
one (``.venv-staff``, which has no pydantic at all).

The schema has one frozen section per process; ``Settings`` holds the common
part (the content pack, the stores, the deployment's shape) and the sections:

- ``rasa_server``   the Rasa server (``bot/rasa_server``);
- ``channels``      its messenger and web channels (``bot/rasa_server/channels``);
- ``action_server`` the action server (``bot/action_server``, ``actions``);
- ``staff``         the staff web app (``bot/staff``);
- ``publish``       how the staff app trains, evaluates and publishes a model;
- ``switch``        the switch proxy and the two Rasa servers behind it (``bot/switch``).

``load_settings()`` reads them: parsed and validated once per environment
(cached; a test that changes a variable gets a fresh read), an error names
the variable and what it expects (``SettingError``: a ``ValueError`` that,
left uncaught, ends the program with that message as a ``SystemExit`` does).
Secrets that are made once into the var folder when unset (the API token,
the action server's and the proxy's tokens) are read by ``api_token()`` and
``secret_in_file()``; reading the settings never writes a file.

``refuse_unsafe(settings)`` refuses the combination that splits conversations:
the in-memory tracker cache with two Rasa servers writing one database.

``python -m bot.core.settings check | shell | api-token | actions-token | proxy-token``:
the start script's validation, its shell defaults, and its secrets.
"""

# ruff: noqa: RUF009 - setting() returns dataclasses.field(...) (a default and its metadata), called once per class
from __future__ import annotations

import dataclasses
import functools
import os
import re
import secrets
import sys
import types
import typing
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
PREFIX = "MIGRANT_BOT_"
#: the platforms' API base URLs (the channels' defaults; tests point them at fakes)
TELEGRAM_API_URL = "https://api.telegram.org"
GRAPH_API_URL = "https://graph.facebook.com/v25.0"


class SettingError(ValueError, SystemExit):
    """A variable holds a value its setting cannot take; the message names it and what it expects.

    A ``ValueError`` for callers that catch one; uncaught, it ends the program with the message
    and exit status 1, as ``SystemExit`` does, instead of a traceback.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = message


# --- the typed reader


def setting(
    env: str, default: Any, doc: str, *, check: Callable[[Any, str], Any] | None = None, secret: bool = False, shell: bool = False
) -> Any:
    """One setting: its variable ``env``, its ``default`` (the field's type is its annotation) and a one-line ``doc``.

    ``check(value, env)`` validates (and may normalise) a value read from the environment;
    ``secret`` keeps it out of ``repr``; ``shell`` exports it to the scripts (``python -m bot.core.settings shell``).
    An unset or empty variable means the default.
    """
    metadata = {"env": env, "doc": doc, "check": check, "secret": secret, "shell": shell}
    return field(default=default, repr=not secret, metadata=metadata)


def _parse(raw: str, kind: Any, env: str) -> Any:
    """``raw`` as a value of ``kind`` (str, int, float, bool, Path or one of them | None)."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        kind = next(k for k in typing.get_args(kind) if k is not type(None))
    if kind is str:
        return raw
    if kind is Path:
        return Path(raw).expanduser()
    if kind is bool:
        word = raw.lower()
        if word in ("1", "true", "yes", "on"):
            return True
        if word in ("0", "false", "no", "off"):
            return False
        raise SettingError(f"{env} must be 1 or 0 (on or off), not {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise SettingError(f"{env} must be a whole number, not {raw!r}") from None
    if kind is float:
        try:
            return float(raw)
        except ValueError:
            raise SettingError(f"{env} must be a number, not {raw!r}") from None
    raise TypeError(f"{env}: the settings reader has no parser for {kind!r}")


def setting_fields(cls: type) -> Iterator[tuple[dataclasses.Field, Any]]:
    """The settings of a section (fields with a variable) and their types."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if "env" in f.metadata:
            yield f, hints[f.name]


def _read(cls: type, environ: Mapping[str, str], **values: Any) -> Any:
    """A section from the environment: each variable set (not empty) parsed and checked, else the default."""
    for f, kind in setting_fields(cls):
        env = f.metadata["env"]
        raw = (environ.get(env) or "").strip()
        if not raw:
            continue
        value = _parse(raw, kind, env)
        if f.metadata["check"] is not None:
            value = f.metadata["check"](value, env)
        values[f.name] = value
    return cls(**values)


# --- checks: each returns the value (normalised) or raises SettingError naming the variable


def at_least(minimum: float, unit: str = "") -> Callable[[Any, str], Any]:
    def check(value: Any, env: str) -> Any:
        if value < minimum:
            raise SettingError(f"{env} must be {unit or 'a number'} of at least {minimum} (got {value!r})")
        return value

    return check


_days = at_least(1, "a whole number of days")
_count = at_least(0, "a whole number")
_positive = at_least(1, "a whole number")


def _port(value: int, env: str) -> int:
    if not 1 <= value <= 65535:
        raise SettingError(f"{env} must be a port number from 1 to 65535 (got {value!r})")
    return value


def _fraction(value: float, env: str) -> float:
    if not 0 <= value <= 1:
        raise SettingError(f"{env} must be between 0 and 1 (got {value!r})")
    return value


def _public_url(value: str, env: str) -> str:
    """An https (or local http) address without a trailing slash."""
    value = value.rstrip("/")
    if value and not (value.startswith("https://") or value.startswith("http://127.0.0.1") or value.startswith("http://localhost")):
        raise SettingError(f"{env} must start with https:// (got {value!r})")
    if any(c in value for c in " ?#\"'<>"):
        raise SettingError(f"{env} must be a plain address such as https://help.example.lv (got {value!r})")
    return value


def _http_url(value: str, env: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise SettingError(f"{env} must be an http(s) URL such as http://127.0.0.1:5005 (got {value!r})")
    return value.rstrip("/")


def _http_url_list(value: str, env: str) -> str:
    """Comma-separated http(s) URLs, each checked as ``_http_url`` does."""
    return ",".join(_http_url(part.strip(), env) for part in value.split(",") if part.strip())


def _redis_url(value: str, env: str) -> str:
    """``redis[s]://[user:password@]host[:port][/db]``; the error does not repeat the value, which may hold a password."""
    parts = urllib.parse.urlsplit(value)
    try:
        valid = (
            parts.scheme in ("redis", "rediss")
            and bool(parts.hostname)
            and parts.port != 0
            and re.fullmatch(r"(/\d*)?", parts.path) is not None  # the database's number
            and not any(c.isspace() for c in value)
        )
    except ValueError:  # the port is not a number from 0 to 65535
        valid = False
    if not valid:
        raise SettingError(
            f"{env} must be a Redis address starting with redis:// or rediss://, such as redis://:password@127.0.0.1:6379/0 "
            "(the value given is not shown: it may hold a password)"
        )
    return value


def _time_zone_name(value: str, env: str) -> str:
    """A plausible IANA name; ``check_time_zone`` asks the time zone database (the staff app does)."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", value):
        raise SettingError(f"{env} must be a time zone name such as Europe/Riga, not {value!r}")
    return value


def _optional_time_zone_name(value: str, env: str) -> str:
    return _time_zone_name(value, env) if value else ""


def check_time_zone(name: str) -> str:
    """``name`` if the machine's time zone database knows it, else a SettingError naming the variable."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(f"{PREFIX}STAFF_TIMEZONE must be a time zone name such as Europe/Riga, not {name!r}") from None
    return name


# --- the sections


@dataclass(frozen=True)
class RasaServerSettings:
    """The Rasa server (``bot/rasa_server``)."""

    speedups: bool = setting(
        PREFIX + "RASA_SPEEDUPS", True, "the Rasa server speed-ups of bot/rasa_server/patches.py (0 only to measure them)"
    )
    tracker_cache: bool | None = setting(
        PREFIX + "TRACKER_CACHE",
        None,
        "keep recent conversations in memory (bot/rasa_server/tracker_cache.py); empty: on only with one Rasa server (ZERO_DOWNTIME=0)",
    )
    actions_url: str = setting(
        PREFIX + "ACTIONS_URL",
        "",
        "the action server's webhook (endpoints.yml); empty: http://127.0.0.1:<ACTIONS_PORT>/webhook",
        check=_http_url,
        shell=True,
    )
    lock_store_url: str = setting(
        PREFIX + "LOCK_STORE_URL",
        "",
        "the Redis server whose per-conversation locks several Rasa servers share (redis[s]://); empty: this server's memory",
        check=_redis_url,
        secret=True,
    )


@dataclass(frozen=True)
class ChannelsSettings:
    """The Rasa server's channels (``bot/rasa_server/channels``): who may talk to it, and the messengers' secrets."""

    rest_keys: str = setting(
        PREFIX + "REST_KEYS", "", "the REST channel's clients, name:key,name:key; empty: the channel is open", secret=True
    )
    rate_limit_per_minute: int = setting(
        PREFIX + "RATE_LIMIT_PER_MINUTE", 30, "messages one sender may send a minute; 0 turns the limit off", check=_count
    )
    session_secret: str = setting(
        PREFIX + "SESSION_SECRET",
        "",
        "signs the widget's session ids (at least 32 characters); empty: var/session-secret, made once",
        secret=True,
    )
    widget_origins: str = setting(
        PREFIX + "WIDGET_ORIGINS", "", "other sites' pages that may embed the widget, comma-separated origins; empty: also http://localhost"
    )
    telegram_token: str = setting(PREFIX + "TELEGRAM_TOKEN", "", "Telegram: the bot's token from @BotFather", secret=True)
    telegram_secret: str = setting(PREFIX + "TELEGRAM_SECRET", "", "Telegram: the secret_token given to setWebhook", secret=True)
    telegram_api_url: str = setting(PREFIX + "TELEGRAM_API_URL", TELEGRAM_API_URL, "Telegram's Bot API base URL")
    messenger_page_token: str = setting(PREFIX + "MESSENGER_PAGE_TOKEN", "", "Facebook Messenger: the page's access token", secret=True)
    messenger_app_secret: str = setting(PREFIX + "MESSENGER_APP_SECRET", "", "Facebook Messenger: the app secret", secret=True)
    messenger_verify_token: str = setting(
        PREFIX + "MESSENGER_VERIFY_TOKEN", "", "Facebook Messenger: the webhook's verify token", secret=True
    )
    messenger_api_url: str = setting(PREFIX + "MESSENGER_API_URL", GRAPH_API_URL, "Facebook Messenger's Graph API base URL")
    whatsapp_token: str = setting(PREFIX + "WHATSAPP_TOKEN", "", "WhatsApp Cloud API: the access token", secret=True)
    whatsapp_phone_number_id: str = setting(PREFIX + "WHATSAPP_PHONE_NUMBER_ID", "", "WhatsApp Cloud API: the phone number ID")
    whatsapp_app_secret: str = setting(PREFIX + "WHATSAPP_APP_SECRET", "", "WhatsApp Cloud API: the app secret", secret=True)
    whatsapp_verify_token: str = setting(
        PREFIX + "WHATSAPP_VERIFY_TOKEN", "", "WhatsApp Cloud API: the webhook's verify token", secret=True
    )
    whatsapp_api_url: str = setting(PREFIX + "WHATSAPP_API_URL", GRAPH_API_URL, "WhatsApp's Graph API base URL")


@dataclass(frozen=True)
class ActionServerSettings:
    """The action server (``bot/action_server``) and the actions it runs (``actions``)."""

    host: str = setting(PREFIX + "ACTIONS_HOST", "127.0.0.1", "the address the action server binds")
    port: int = setting(PREFIX + "ACTIONS_PORT", 5055, "the action server's port", check=_port, shell=True)
    token: str = setting(
        PREFIX + "ACTIONS_TOKEN",
        "",
        "the token the Rasa server sends the action server (endpoints.yml); empty: var/actions-token, made once",
        secret=True,
    )
    public_url: str = setting(
        PREFIX + "PUBLIC_URL",
        "",
        "where people reach the assistant (https://help.example.lv): messengers link to printable plans under it",
        check=_public_url,
    )


@dataclass(frozen=True)
class StaffSettings:
    """The staff web app (``bot/staff``, its own environment)."""

    var_dir: Path | None = setting(
        PREFIX + "STAFF_VAR_DIR", None, "the staff app's folder (staff.db, drafts, secrets, the API token); empty: MIGRANT_BOT_VAR_DIR"
    )
    database_url: str = setting(
        PREFIX + "STAFF_DATABASE_URL", "", "the staff app's database (SQLite or PostgreSQL); empty: staff.db in its var folder"
    )
    host: str = setting(PREFIX + "STAFF_HOST", "127.0.0.1", "the address the staff app binds")
    port: int = setting(PREFIX + "STAFF_PORT", 5080, "the staff app's port", check=_port, shell=True)
    secret: str = setting(PREFIX + "STAFF_SECRET", "", "signs the staff app's CSRF tokens; empty: var/staff-secret, made once", secret=True)
    secure_cookies: bool = setting(PREFIX + "STAFF_SECURE_COOKIES", False, "send cookies over https only (set behind an https proxy)")
    session_hours: int = setting(PREFIX + "STAFF_SESSION_HOURS", 8, "a sign-in lasts this many hours", check=_positive)
    draft_dir: Path | None = setting(
        PREFIX + "STAFF_DRAFT_DIR", None, "the staff's working copy of the content; empty: staff/draft in its var folder"
    )
    account_failures: int = setting(
        PREFIX + "STAFF_ACCOUNT_FAILURES", 5, "failed sign-ins per account within the window before 429", check=_positive
    )
    ip_failures: int = setting(
        PREFIX + "STAFF_IP_FAILURES", 20, "failed sign-ins per client address within the window before 429", check=_positive
    )
    failure_window_s: int = setting(PREFIX + "STAFF_FAILURE_WINDOW_S", 900, "the sign-in failures' window, in seconds", check=_positive)
    rasa_url: str = setting(
        PREFIX + "STAFF_RASA_URL", "", "the live assistant's HTTP API, for previews; empty: http://127.0.0.1:<RASA_PORT>", check=_http_url
    )
    housekeeping_delay_s: int = setting(
        PREFIX + "STAFF_HOUSEKEEPING_DELAY_S", 60, "the periodic jobs first run this long after the start", check=_count
    )
    timezone: str = setting(
        PREFIX + "STAFF_TIMEZONE",
        "",
        "the insights' days begin at midnight here (an IANA name); empty: the pack's time zone (pack.yml)",
        check=_optional_time_zone_name,
    )
    argon2_time_cost: int = setting(
        PREFIX + "STAFF_ARGON2_TIME_COST", 3, "Argon2id passes per password hash (tests lower it)", check=_positive
    )
    argon2_memory_kib: int = setting(
        PREFIX + "STAFF_ARGON2_MEMORY_KIB",
        65536,
        "Argon2id memory per password hash, in KiB (tests lower it)",
        check=at_least(8, "a whole number"),
    )
    admin_password: str = setting(
        PREFIX + "STAFF_ADMIN_PASSWORD", "", "create-admin's password for scripts; empty: asked on the terminal", secret=True
    )


@dataclass(frozen=True)
class PublishingSettings:
    """How the staff app trains, evaluates and gates a publish (``bot/staff/publish*.py``)."""

    rasa_python: Path = setting(
        PREFIX + "RASA_PYTHON", PROJECT_ROOT / ".venv" / "bin" / "python", "the Rasa environment's python (training, evaluation)"
    )
    train_config: Path = setting(PREFIX + "STAFF_TRAIN_CONFIG", PROJECT_ROOT / "config.yml", "the pipeline a publish trains with")
    models_dir: Path = setting(PREFIX + "MODELS_DIR", PROJECT_ROOT / "models", "where published models are kept")
    heldout: Path = setting(
        PREFIX + "STAFF_HELDOUT", PROJECT_ROOT / "data" / "eval" / "heldout.jsonl", "the held-out questions a new model is scored on"
    )
    max_accuracy_drop: float = setting(
        PREFIX + "STAFF_MAX_ACCURACY_DROP",
        0.02,
        "a publish is refused when accuracy falls by more (overall or per language)",
        check=_fraction,
    )
    step_timeout_s: int = setting(
        PREFIX + "STAFF_STEP_TIMEOUT_S", 1800, "training and evaluation are stopped after this many seconds", check=_positive
    )


@dataclass(frozen=True)
class SwitchSettings:
    """The switch proxy (``bot/switch``) on the public port, and the two Rasa servers behind it."""

    blue_port: int = setting(PREFIX + "RASA_BLUE_PORT", 5006, "the Rasa server 'blue' (loopback) behind the proxy", check=_port, shell=True)
    green_port: int = setting(
        PREFIX + "RASA_GREEN_PORT", 5007, "the Rasa server 'green' (loopback) behind the proxy", check=_port, shell=True
    )
    control_port: int = setting(PREFIX + "PROXY_CONTROL_PORT", 5009, "the proxy's control API (loopback)", check=_port, shell=True)
    host: str = setting(PREFIX + "PROXY_HOST", "0.0.0.0", "the address the proxy's public port binds")
    token: str = setting(PREFIX + "PROXY_TOKEN", "", "the proxy's control token; empty: var/proxy-token, made once", secret=True)
    max_body_bytes: int = setting(
        PREFIX + "PROXY_MAX_BODY_BYTES", 2 * 1024 * 1024, "larger request bodies are refused (413)", check=_positive
    )
    read_timeout_s: float = setting(
        PREFIX + "PROXY_READ_TIMEOUT_S", 300.0, "an upstream answer is awaited this many seconds", check=at_least(1)
    )
    replicas: str = setting(
        PREFIX + "REPLICAS",
        "",
        "the Rasa replicas behind nginx (make run-scaled), comma-separated base URLs: a publish rolls a new model out to each in turn",
        check=_http_url_list,
    )
    nginx_prefix: Path | None = setting(
        PREFIX + "NGINX_PREFIX", None, "nginx's folder in the scaled topology (its rotation file and pid); set with REPLICAS"
    )


@dataclass(frozen=True)
class Settings:
    """The common settings every process reads, and one section per process.

    Built from a data folder alone (``Settings(data_dir=..., pack=..., database_url="")``) it has
    every other setting's default.
    """

    data_dir: Path = setting(PREFIX + "DATA_DIR", PROJECT_ROOT / "data", "the published content (packs, languages, held-out questions)")
    pack: str = setting(PREFIX + "PACK", "latvia", "which content pack to serve (a folder under data/packs/)")
    database_url: str = setting(
        PREFIX + "DATABASE_URL", "", "the conversation store (SQLite or PostgreSQL); empty: tracker.db in the var folder"
    )
    #: Rasa's SQL event broker's database (bot/rasa_server/event_broker.py): every conversation event, read by the staff
    #: app's insights job and inbox; never the tracker store's database (both have a table called ``events``)
    events_url: str = setting(PREFIX + "EVENTS_URL", "", "the event broker's database; empty: events.db beside a SQLite conversation store")
    locales_dir: Path = setting(
        PREFIX + "LOCALES_DIR", PROJECT_ROOT / "locales", "the interface strings' catalogs (the staff app publishes into it)"
    )
    var_dir: Path = setting(PREFIX + "VAR_DIR", PROJECT_ROOT / "var", "conversations, secrets and logs (mode 700)")
    retention_days: int = setting(
        PREFIX + "RETENTION_DAYS", 30, "conversations are deleted this many days after their last message", check=_days
    )
    inbox_retention_days: int = setting(
        PREFIX + "INBOX_RETENTION_DAYS", 180, "unanswered questions stay in the staff inbox this long", check=_days
    )
    #: read it with ``api_token()``, which falls back on the file the start command makes
    api_token_value: str = setting(PREFIX + "API_TOKEN", "", "the token of Rasa's HTTP API; empty: var/api-token, made once", secret=True)
    rasa_port: int = setting(
        PREFIX + "RASA_PORT", 5005, "the assistant's public port (the proxy's, or the one Rasa server's)", check=_port, shell=True
    )
    zero_downtime: bool = setting(
        PREFIX + "ZERO_DOWNTIME",
        True,
        "two Rasa servers (blue, green) behind the switch proxy share the conversations; 0: one server",
        shell=True,
    )
    rasa_server: RasaServerSettings = field(default_factory=RasaServerSettings)
    channels: ChannelsSettings = field(default_factory=ChannelsSettings)
    action_server: ActionServerSettings = field(default_factory=ActionServerSettings)
    staff: StaffSettings = field(default_factory=StaffSettings)
    publish: PublishingSettings = field(default_factory=PublishingSettings)
    switch: SwitchSettings = field(default_factory=SwitchSettings)

    @property
    def pack_dir(self) -> Path:
        """The folder of the selected content pack."""
        return self.data_dir / "packs" / self.pack

    @property
    def languages_file(self) -> Path:
        """The list of languages the assistant speaks."""
        return self.data_dir / "languages.yml"

    @property
    def rasa_servers(self) -> int:
        """How many Rasa servers write the conversation store.

        The replicas listed; else 2 when the locks are shared in Redis (replicas) or with
        zero-downtime publishing; else 1.
        """
        replicas = len([url for url in self.switch.replicas.split(",") if url])
        if replicas > 1:
            return replicas
        return 2 if self.zero_downtime or self.rasa_server.lock_store_url else 1

    @property
    def tracker_cache(self) -> bool:
        """Whether the Rasa server keeps recent conversations in memory: as set, else only with one Rasa server."""
        chosen = self.rasa_server.tracker_cache
        return self.rasa_servers == 1 if chosen is None else chosen

    # the names the callers used before the sections (one property each, no second copy of a value)
    @property
    def rasa_speedups(self) -> bool:
        return self.rasa_server.speedups

    @property
    def rate_limit_per_minute(self) -> int:
        return self.channels.rate_limit_per_minute

    @property
    def session_secret(self) -> str:
        return self.channels.session_secret

    @property
    def session_secret_file(self) -> Path:
        """``session-secret`` in the var folder (bot/core/session_keys.py)."""
        return self.var_dir / "session-secret"

    @property
    def rest_keys(self) -> str:
        return self.channels.rest_keys

    @property
    def public_url(self) -> str:
        return self.action_server.public_url

    @property
    def api_token(self) -> str:
        """The API token: the variable's, else the file's; "" when there is none yet (``api_token()`` makes one)."""
        return api_token(self, create=False)

    @property
    def api_token_file(self) -> Path:
        """``api-token`` in the staff app's var folder (the var folder unless MIGRANT_BOT_STAFF_VAR_DIR moves it)."""
        return self.staff_var_dir / "api-token"

    @property
    def staff_var_dir(self) -> Path:
        """The staff app's var folder: ``MIGRANT_BOT_STAFF_VAR_DIR``, else the var folder."""
        return self.staff.var_dir or self.var_dir


SECTIONS: dict[str, type] = {
    "common": Settings,
    "rasa_server": RasaServerSettings,
    "channels": ChannelsSettings,
    "action_server": ActionServerSettings,
    "staff": StaffSettings,
    "publish": PublishingSettings,
    "switch": SwitchSettings,
}


def all_settings() -> Iterator[tuple[str, dataclasses.Field, Any]]:
    """(section, field, type) of every setting, in the schema's order."""
    for section, cls in SECTIONS.items():
        for f, kind in setting_fields(cls):
            yield section, f, kind


@functools.cache
def variable_names() -> tuple[str, ...]:
    """Every variable the schema reads."""
    return tuple(f.metadata["env"] for _, f, _ in all_settings())


# --- the loader


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from the environment (or ``environ``): parsed and validated once per distinct set of values.

    Raises:
        SettingError: a variable's value is not one its setting can take (the message names it).
    """
    source = os.environ if environ is None else environ
    return _load(tuple((name, source.get(name)) for name in variable_names()))


@functools.lru_cache(maxsize=32)
def _load(values: tuple[tuple[str, str | None], ...]) -> Settings:
    environ = {name: value for name, value in values if value is not None}
    sections = {name: _read(cls, environ) for name, cls in SECTIONS.items() if cls is not Settings}
    common = _read(Settings, environ, **sections)
    var_dir = common.var_dir.absolute()
    database_url = common.database_url or f"sqlite:///{var_dir / 'tracker.db'}"
    events_url = common.events_url or default_events_url(database_url, var_dir)
    if events_url.rstrip("/") == database_url.rstrip("/"):
        raise SettingError(f"{PREFIX}EVENTS_URL must name another database than {PREFIX}DATABASE_URL (both have a table called events)")
    staff = sections["staff"]
    staff_var = staff.var_dir or common.var_dir
    staff = dataclasses.replace(
        staff,
        var_dir=staff_var,
        database_url=staff.database_url or f"sqlite:///{staff_var.absolute() / 'staff.db'}",
        draft_dir=staff.draft_dir or staff_var / "staff" / "draft",
        rasa_url=staff.rasa_url or f"http://127.0.0.1:{common.rasa_port}",
    )
    rasa_server = sections["rasa_server"]
    rasa_server = dataclasses.replace(
        rasa_server, actions_url=rasa_server.actions_url or f"http://127.0.0.1:{sections['action_server'].port}/webhook"
    )
    return dataclasses.replace(common, database_url=database_url, events_url=events_url, staff=staff, rasa_server=rasa_server)


def default_events_url(database_url: str, var_dir: Path) -> str:
    """``events.db`` beside a SQLite conversation store (``sqlite:///var/events.db`` by default), else in the var folder."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and database_url[len(prefix) :] not in ("", ":memory:"):
        folder = Path(database_url[len(prefix) :]).parent
        return f"{prefix}{folder / 'events.db'}"
    return f"{prefix}{var_dir / 'events.db'}"


# --- the one refusal


def refuse_unsafe(settings: Settings | None = None) -> None:
    """Refuses (SystemExit) to start a Rasa server whose settings would split conversations.

    The in-memory tracker cache (bot/rasa_server/tracker_cache.py) assumes that this server is
    the only one writing the conversation store: a second server's messages would not be seen,
    and each server would answer from its own copy. With two Rasa servers (zero-downtime
    publishing, ``MIGRANT_BOT_ZERO_DOWNTIME=1``, the default) the cache must be off; it is,
    unless ``MIGRANT_BOT_TRACKER_CACHE=1`` turns it on.
    """
    settings = settings or load_settings()
    if settings.tracker_cache and settings.rasa_servers > 1:
        why = (
            f"{PREFIX}ZERO_DOWNTIME=1 (the default) runs {settings.rasa_servers} Rasa servers"
            if settings.zero_downtime
            else f"{PREFIX}LOCK_STORE_URL or {PREFIX}REPLICAS says {settings.rasa_servers} or more Rasa servers run"
        )
        raise SettingError(
            f"{PREFIX}TRACKER_CACHE=1 keeps conversations in this Rasa server's memory, but {why} "
            f"on one conversation store: they would split conversations. Unset {PREFIX}TRACKER_CACHE "
            f"(or set it to 0), or run one Rasa server ({PREFIX}ZERO_DOWNTIME=0, no lock store URL)."
        )


# --- secrets made once into the var folder


def secret_in_file(value: str, path: Path, *, create: bool) -> str:
    """``value`` when set; else the secret in ``path``, made once (mode 600) when ``create``; "" when there is none.

    Processes starting together agree: the file appears whole (written under another
    name, then linked), and whoever comes second reads the first one's.
    """
    if value:
        return value
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if existing or not create:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
        if path.exists():  # an empty file: replace it
            os.replace(partial, path)
        else:
            try:
                os.link(partial, path)
            except FileExistsError:
                pass
    finally:
        partial.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()


def api_token(settings: Settings | None = None, *, create: bool = False) -> str:
    """The token of Rasa's HTTP API: ``MIGRANT_BOT_API_TOKEN``, else ``api-token`` in the var folder (made once when ``create``).

    The start command makes it (``python -m bot.core.settings api-token``) and passes it on in the environment.
    """
    settings = settings or load_settings()
    return secret_in_file(settings.api_token_value, settings.api_token_file, create=create)


# --- the start script's commands


def _shell(settings: Settings) -> str:
    """``export NAME='value'`` for every setting the scripts use, with its default when unset."""
    import shlex

    lines = []
    for section, f, _ in all_settings():
        if not f.metadata["shell"]:
            continue
        owner = settings if section == "common" else getattr(settings, section)
        value = getattr(owner, f.name)
        text = ("1" if value else "0") if isinstance(value, bool) else str(value)
        lines.append(f"export {f.metadata['env']}={shlex.quote(text)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``check``: validate and refuse unsafe settings; ``shell``: the scripts' exports; ``*-token``: a secret, made once."""
    command = (argv if argv is not None else sys.argv[1:]) or ["check"]
    settings = load_settings()
    if command[0] == "check":
        refuse_unsafe(settings)
    elif command[0] == "shell":
        print(_shell(settings))
    elif command[0] == "api-token":
        print(api_token(settings, create=True))
    elif command[0] == "actions-token":
        print(secret_in_file(settings.action_server.token, settings.var_dir / "actions-token", create=True))
    elif command[0] == "proxy-token":
        print(secret_in_file(settings.switch.token, settings.staff_var_dir / "proxy-token", create=True))
    else:
        print("usage: python -m bot.core.settings [check | shell | api-token | actions-token | proxy-token]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
