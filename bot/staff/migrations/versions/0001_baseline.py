"""Baseline: the staff database as ``metadata.create_all`` made it before migrations.

The tables are a frozen copy (later changes to bot/staff/db.py belong in new
revisions, never here). A database made by ``create_all`` before there were
migrations (tables, no ``alembic_version``) is not rebuilt: ``bot.staff.db.migrate``
creates the tables it lacks with ``schema()`` (an older app version made fewer)
and stamps it at this revision.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, MetaData, String, Table, Text

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def schema() -> MetaData:
    """The baseline's tables."""
    metadata = MetaData()
    Table(
        "staff_users",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String(254), nullable=False, unique=True),
        Column("name", String(200), nullable=False),
        Column("password_hash", String(200), nullable=False),
        Column("roles", String(200), nullable=False),
        Column("languages", String(200), nullable=False),
        Column("active", Boolean, nullable=False),
        Column("created_at", Float, nullable=False),
    )
    Table(
        "staff_sessions",
        metadata,
        Column("id_hash", String(64), primary_key=True),
        Column("user_id", Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("created_at", Float, nullable=False),
        Column("expires_at", Float, nullable=False),
    )
    Table(
        "staff_login_failures",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("key", String(300), nullable=False, index=True),
        Column("at", Float, nullable=False, index=True),
    )
    Table(
        "staff_audit_log",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", Float, nullable=False, index=True),
        Column("actor", String(254), nullable=False),
        Column("action", String(100), nullable=False),
        Column("target", String(300), nullable=False),
        Column("before", Text, nullable=True),
        Column("after", Text, nullable=True),
    )
    Table(
        "staff_content_versions",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", Float, nullable=False, index=True),
        Column("actor", String(254), nullable=False),
        Column("path", String(300), nullable=False, index=True),
        Column("summary", String(300), nullable=False),
        Column("before", Text, nullable=True),
        Column("after", Text, nullable=False),
    )
    Table(
        "staff_pending_imports",
        metadata,
        Column("id", String(64), primary_key=True),
        Column("user_id", Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
        Column("created_at", Float, nullable=False),
        Column("filename", String(300), nullable=False),
        Column("changes", Text, nullable=False),
        Column("bases", Text, nullable=False),
    )
    Table(
        "staff_publish_jobs",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("kind", String(20), nullable=False),
        Column("actor", String(254), nullable=False),
        Column("state", String(20), nullable=False),
        Column("mode", String(20), nullable=True),
        Column("created_at", Float, nullable=False, index=True),
        Column("finished_at", Float, nullable=True),
        Column("message", Text, nullable=False),
        Column("model", String(300), nullable=True),
        Column("previous_model", String(300), nullable=True),
        Column("side_before", String(20), nullable=True),
        Column("side_after", String(20), nullable=True),
        Column("snapshot", String(500), nullable=True),
        Column("scores", Text, nullable=True),
        Column("baseline", Text, nullable=True),
        Column("rollback_of", Integer, nullable=True),
    )
    Table(
        "staff_publish_steps",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("job_id", Integer, ForeignKey("staff_publish_jobs.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("position", Integer, nullable=False),
        Column("name", String(40), nullable=False),
        Column("state", String(20), nullable=False),
        Column("started_at", Float, nullable=True),
        Column("finished_at", Float, nullable=True),
        Column("detail", Text, nullable=False),
        Column("log", Text, nullable=False),
    )
    Table(
        "staff_publish_lock",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("job_id", Integer, nullable=False),
        Column("heartbeat", Float, nullable=False),
    )
    Table(
        "staff_inbox_archive",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("text", Text, nullable=False),
        Column("lang", String(20), nullable=False),
        Column("reason", String(40), nullable=False),
        Column("at", Float, nullable=False, index=True),
    )
    Table(
        "staff_inbox_handled",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("text", Text, nullable=False),
        Column("lang", String(20), nullable=False),
        Column("outcome", String(20), nullable=False),
        Column("at", Float, nullable=False, index=True),
    )
    Table(
        "staff_insights_cells",
        metadata,
        Column("day", String(10), primary_key=True),
        Column("topic", String(80), primary_key=True),
        Column("entry", String(120), primary_key=True),
        Column("lang", String(20), primary_key=True),
        Column("channel", String(20), primary_key=True),
        Column("outcome", String(20), primary_key=True),
        Column("conversation", String(10), primary_key=True),
        Column("conversations", Integer, nullable=False),
        Column("messages", Integer, nullable=False),
    )
    Table(
        "staff_insights_days",
        metadata,
        Column("day", String(10), primary_key=True),
        Column("lang", String(20), primary_key=True),
        Column("channel", String(20), primary_key=True),
        Column("conversation", String(10), primary_key=True),
        Column("conversations", Integer, nullable=False),
        Column("messages", Integer, nullable=False),
    )
    Table(
        "staff_insights_state",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("position", Integer, nullable=False),
        Column("updated_at", Float, nullable=False),
    )
    return metadata


def upgrade() -> None:
    schema().create_all(op.get_bind())


def downgrade() -> None:
    schema().drop_all(op.get_bind())
