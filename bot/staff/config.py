"""The staff app's settings: the staff section of ``bot.core.settings`` as the app's views and jobs use it.

Nothing is read from the environment here: the schema (``bot/core/settings.py``)
names every variable (``MIGRANT_BOT_STAFF_*``, and what the staff app shares
with the assistant: the content, the conversation store, how long
conversations are kept). This adds the staff secret, made once into its var
folder when the environment has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.content.loader import load_pack_settings
from bot.core.settings import api_token, check_time_zone, load_settings, secret_in_file


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
    timezone: str  # the insights' days begin at midnight here (MIGRANT_BOT_STAFF_TIMEZONE, else the pack's)
    events_url: str = ""  # the event broker's database (MIGRANT_BOT_EVENTS_URL): the insights job reads it


def load_config() -> StaffConfig:
    """The staff app's settings (defaults suit a local start); a bad value ends the program with its variable's name."""
    settings = load_settings()
    staff = settings.staff
    assert staff.var_dir is not None and staff.draft_dir is not None  # the loader fills them in
    return StaffConfig(
        database_url=staff.database_url,
        host=staff.host,
        port=staff.port,
        secret=secret_in_file(staff.secret, staff.var_dir / "staff-secret", create=True).encode(),
        secure_cookies=staff.secure_cookies,
        session_hours=staff.session_hours,
        published_data_dir=settings.data_dir,
        published_locales_dir=settings.locales_dir,
        draft_dir=staff.draft_dir,
        snapshots_dir=staff.var_dir / "staff" / "published",
        pack=settings.pack,
        account_failures=staff.account_failures,
        ip_failures=staff.ip_failures,
        failure_window_s=staff.failure_window_s,
        rasa_url=staff.rasa_url,
        api_token=api_token(settings),
        conversations_url=settings.database_url,
        retention_days=settings.retention_days,
        inbox_retention_days=settings.inbox_retention_days,
        housekeeping_delay_s=staff.housekeeping_delay_s,
        events_url=settings.events_url,
        timezone=check_time_zone(staff.timezone or load_pack_settings(settings).time_zone),
    )
