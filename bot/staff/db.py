"""The staff database: users, sessions, sign-in failures, audit log, content versions, the inbox archive.

SQLite by default, PostgreSQL by configuration (``MIGRANT_BOT_STAFF_DATABASE_URL``,
``postgresql://user:password@host/db``). Times are Unix seconds (float): the
same on both databases and free of time-zone surprises.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Boolean, Column, Connection, Float, ForeignKey, Integer, MetaData, String, Table, Text, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"  # Alembic's scripts: env.py, versions/
BASELINE = "0001"  # the revision of the schema create_all made before there were migrations
_MIGRATION_LOCK = 0x53544146  # a PostgreSQL advisory lock: one process migrates at a time

metadata = MetaData()

users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    Column("password_hash", String(200), nullable=False),
    Column("roles", String(200), nullable=False, default=""),  # space-separated role names
    Column("languages", String(200), nullable=False, default=""),  # space-separated codes (translators)
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Float, nullable=False),
)

sessions = Table(
    "staff_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the cookie value, never the value
    Column("user_id", Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)

login_failures = Table(
    "staff_login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False, index=True),  # "account:<email>" or "ip:<address>"
    Column("at", Float, nullable=False, index=True),
)

audit_log = Table(
    "staff_audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False, index=True),
    Column("actor", String(254), nullable=False),  # e-mail, or "command line"
    Column("action", String(100), nullable=False),
    Column("target", String(300), nullable=False, default=""),
    Column("before", Text, nullable=True),  # JSON
    Column("after", Text, nullable=True),  # JSON
)

content_versions = Table(
    "staff_content_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False, index=True),
    Column("actor", String(254), nullable=False),
    Column("path", String(300), nullable=False, index=True),  # relative to the draft dir
    Column("summary", String(300), nullable=False),
    Column("before", Text, nullable=True),  # the file's text before (None: new file)
    Column("after", Text, nullable=False),
)


pending_imports = Table(
    "staff_pending_imports",
    metadata,
    Column("id", String(64), primary_key=True),  # random: the confirm form names it
    Column("user_id", Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("filename", String(300), nullable=False),
    Column("changes", Text, nullable=False),  # JSON list of spreadsheet.Change
    Column("bases", Text, nullable=False),  # JSON {file: hash} when the upload was read
)


def async_url(url: str) -> str:
    """The SQLAlchemy async driver URL for a plain ``sqlite:///`` or ``postgresql://`` URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return str(parsed.set(drivername="sqlite+aiosqlite"))
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {backend!r}: use sqlite:///path or postgresql://...")


def sync_url(url: str) -> str:
    """The synchronous driver's URL (SQLite's standard module, psycopg): Alembic's command line uses it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return str(parsed.set(drivername=parsed.get_backend_name()))


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an ini file; ``connection``: the one env.py migrates."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(connection: Connection) -> None:
    """Brings the schema to the newest revision (``upgrade head``), in the connection's transaction.

    A database made by ``create_all`` before there were migrations (staff tables, no
    ``alembic_version``) is stamped at the baseline, after creating any baseline table it
    lacks; its rows stay.
    """
    if connection.dialect.name == "postgresql":  # two processes starting at once: the second waits
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
    config = alembic_config(connection)
    scripts = ScriptDirectory.from_config(config)
    if MigrationContext.configure(connection).get_current_revision() == scripts.get_current_head():
        return  # the usual start: nothing to do (and nothing logged)
    present = set(inspect(connection).get_table_names())
    if "alembic_version" not in present:
        baseline = scripts.get_revision(BASELINE).module.schema()
        if present & set(baseline.tables):
            logger.info("the staff database predates migrations: stamping it at revision %s", BASELINE)
            baseline.create_all(connection, checkfirst=True)
            command.stamp(config, BASELINE)
    command.upgrade(config, "head")


async def open_database(url: str) -> AsyncEngine:
    """An engine on a database migrated to the newest schema (idempotent)."""
    engine = create_async_engine(async_url(url))
    async with engine.begin() as conn:
        await conn.run_sync(migrate)
    return engine


# Publishing (bot/staff/publish.py): one row per publish or rollback job, its steps, and the one-at-a-time lock.
publish_jobs = Table(
    "staff_publish_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # publish | rollback
    Column("actor", String(254), nullable=False),
    Column("state", String(20), nullable=False),  # running | succeeded | refused | failed | rolled_back
    Column("mode", String(20), nullable=True),  # answers (no training) | model
    Column("created_at", Float, nullable=False, index=True),
    Column("finished_at", Float, nullable=True),
    Column("message", Text, nullable=False, default=""),
    Column("model", String(300), nullable=True),  # the model live after this job (file name)
    Column("previous_model", String(300), nullable=True),  # the model live before it
    Column("side_before", String(20), nullable=True),
    Column("side_after", String(20), nullable=True),
    Column("snapshot", String(500), nullable=True),  # the published content before this job (a folder)
    Column("scores", Text, nullable=True),  # JSON: the live model's evaluation figures
    Column("baseline", Text, nullable=True),  # JSON: the figures it was gated against
    Column("rollback_of", Integer, nullable=True),
)

publish_steps = Table(
    "staff_publish_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("job_id", Integer, ForeignKey("staff_publish_jobs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("name", String(40), nullable=False),
    Column("state", String(20), nullable=False),  # pending | running | done | skipped | failed
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
    Column("detail", Text, nullable=False, default=""),
    Column("log", Text, nullable=False, default=""),  # the step's output (tail)
)

publish_lock = Table(
    "staff_publish_lock",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: a second insert fails, so one job runs at a time
    Column("job_id", Integer, nullable=False),
    Column("heartbeat", Float, nullable=False),
)

# The inbox's questions from conversations the retention job deleted (bot/staff/retention.py): masked, and
# never linked to the person who asked (no sender id); deleted after MIGRANT_BOT_INBOX_RETENTION_DAYS.
inbox_archive = Table(
    "staff_inbox_archive",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),  # masked (bot.core.privacy.masking)
    Column("lang", String(20), nullable=False),
    Column("reason", String(40), nullable=False),  # nlu_fallback | out_of_scope | unhelpful | chose_entry
    Column("at", Float, nullable=False, index=True),  # when it was asked
)

# Inbox questions a staff member handled (added as a way of asking, or dismissed: not for the assistant, or its
# answer was right): the inbox hides questions like these asked before the handling (bot/staff/inbox.py). Masked
# text only, no sender; rows older than the inbox's window are deleted.
inbox_handled = Table(
    "staff_inbox_handled",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),  # masked, as the inbox shows it
    Column("lang", String(20), nullable=False),
    Column("outcome", String(20), nullable=False),  # added | dismissed
    Column("at", Float, nullable=False, index=True),  # when it was handled
)

# The insights job's daily counts (bot/staff/insights/aggregate.py, docs/insights.md): counts only, no message
# text, no sender id, nothing finer than a day. Kept after the conversations are deleted.
insights_cells = Table(
    "staff_insights_cells",
    metadata,
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD in the staff app's time zone
    Column("topic", String(80), primary_key=True),  # topic id or conversation label; "" none
    Column("entry", String(120), primary_key=True),  # "<topic>.<entry>"; "" the overview or none; "*" the topic as a whole
    Column("lang", String(20), primary_key=True),  # the reply's language
    Column("channel", String(20), primary_key=True),  # rest | socketio | telegram | messenger | whatsapp | other
    Column("outcome", String(20), primary_key=True),  # answered | fallback | out_of_scope | did_not_help | handed_to_office
    Column("conversation", String(10), primary_key=True),  # new | returning
    Column("conversations", Integer, nullable=False),  # each conversation once per row
    Column("messages", Integer, nullable=False),
)

insights_days = Table(
    "staff_insights_days",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("lang", String(20), primary_key=True),  # the language of the conversation's first reply that day
    Column("channel", String(20), primary_key=True),
    Column("conversation", String(10), primary_key=True),  # new | returning
    Column("conversations", Integer, nullable=False),  # each conversation once per day
    Column("messages", Integer, nullable=False),
)

insights_state = Table(
    "staff_insights_state",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("position", Integer, nullable=False),  # the last event broker row counted
    Column("updated_at", Float, nullable=False),
)
