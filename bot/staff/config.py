"""The staff app's settings, read from the environment (prefix ``MIGRANT_BOT_STAFF_``).

What the staff app shares with the assistant (the content, the conversation
store, how long conversations are kept) comes from ``bot.core.settings``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.core.settings import PROJECT_ROOT, load_settings

PREFIX = "MIGRANT_BOT_STAFF_"


def _env(name: str, default: str) -> str:
    return os.environ.get(PREFIX + name, default)


def _int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as error:
        raise SystemExit(f"{PREFIX}{name} must be a whole number, not {raw!r}") from error


@dataclass(frozen=True)
class StaffConfig:
    """Everything the staff app reads from the environment."""

    database_url: str
    host: str
    port: int
    secret: bytes  # signs CSRF tokens; from the environment or var/staff-secret
    secure_cookies: bool  # send cookies over https only (set behind an https proxy)
    session_hours: int
    published_data_dir: Path  # what the assistant reads (bot.core.settings data dir)
    published_locales_dir: Path  # the interface strings the assistant reads (bot.core.settings locales dir)
    draft_dir: Path  # the staff's working copy, same layout as the data dir
    snapshots_dir: Path  # the published content before each publish (rollback)
    pack: str
    account_failures: int  # failed sign-ins per account within the window before 429
    ip_failures: int  # failed sign-ins per client address within the window before 429
    failure_window_s: int
    rasa_url: str  # the live assistant's Rasa server (HTTP API), for previews
    api_token: str  # its API token (MIGRANT_BOT_API_TOKEN or var/api-token); "" when there is none yet
    conversations_url: str  # the assistant's conversation store (MIGRANT_BOT_DATABASE_URL), read for the inbox
    retention_days: int  # conversations idle this long are deleted (MIGRANT_BOT_RETENTION_DAYS)
    inbox_retention_days: int  # archived inbox questions are deleted this long after they were asked (MIGRANT_BOT_INBOX_RETENTION_DAYS)
    housekeeping_delay_s: int  # the periodic jobs (retention, expired imports) first run this long after the start
    events_url: str = ""  # the event broker's database (MIGRANT_BOT_EVENTS_URL): the insights job reads it
    timezone: str = "Europe/Riga"  # the insights' days begin at midnight here (MIGRANT_BOT_STAFF_TIMEZONE)


def _secret(var_dir: Path) -> bytes:
    """The signing secret: the environment's, or one generated once into var/staff-secret."""
    value = _env("SECRET", "")
    if value:
        return value.encode()
    path = var_dir / "staff-secret"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        old = os.umask(0o077)
        try:
            path.write_text(secrets.token_urlsafe(48) + "\n", encoding="utf-8")
        finally:
            os.umask(old)
    return path.read_text(encoding="utf-8").strip().encode()


def _api_token(var_dir: Path) -> str:
    token = os.environ.get("MIGRANT_BOT_API_TOKEN", "")
    path = var_dir / "api-token"
    if not token and path.exists():
        token = path.read_text(encoding="utf-8").strip()
    return token


def _timezone(name: str) -> str:
    """An IANA time zone name the machine knows (``Europe/Riga``), or a clear error."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SystemExit(f"{PREFIX}TIMEZONE must be a time zone name such as Europe/Riga, not {name!r}") from None
    return name


def load_config() -> StaffConfig:
    """Reads the settings (defaults suit a local start)."""
    var_dir = Path(_env("VAR_DIR", str(PROJECT_ROOT / "var")))
    try:
        content = load_settings()
    except ValueError as error:  # a setting shared with the assistant, e.g. MIGRANT_BOT_RETENTION_DAYS
        raise SystemExit(str(error)) from None
    return StaffConfig(
        database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'staff.db'}"),
        host=_env("HOST", "127.0.0.1"),
        port=_int("PORT", 5080),
        secret=_secret(var_dir),
        secure_cookies=_env("SECURE_COOKIES", "0").lower() in ("1", "true", "yes"),
        session_hours=_int("SESSION_HOURS", 8),
        published_data_dir=content.data_dir,
        published_locales_dir=content.locales_dir,
        draft_dir=Path(_env("DRAFT_DIR", str(var_dir / "staff" / "draft"))),
        snapshots_dir=var_dir / "staff" / "published",
        pack=content.pack,
        account_failures=_int("ACCOUNT_FAILURES", 5),
        ip_failures=_int("IP_FAILURES", 20),
        failure_window_s=_int("FAILURE_WINDOW_S", 900),
        rasa_url=_env("RASA_URL", f"http://127.0.0.1:{os.environ.get('MIGRANT_BOT_RASA_PORT', '5005')}").rstrip("/"),
        api_token=_api_token(var_dir),
        conversations_url=content.database_url,
        retention_days=content.retention_days,
        inbox_retention_days=content.inbox_retention_days,
        housekeeping_delay_s=_int("HOUSEKEEPING_DELAY_S", 60),
        events_url=content.events_url,
        timezone=_timezone(_env("TIMEZONE", "Europe/Riga")),
    )
