"""Baseline: the alarm intake's tables as they were when migrations began (alarms, alarm incidents, suppressions, stream positions)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shared import drop_tables, hazard

revision = "0001"
down_revision = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "alarm_incidents",
        sa.Column("incident", sa.String(length=100), nullable=False),
        sa.Column("exercise_id", sa.String(length=63), nullable=False),
        sa.Column("park_id", sa.String(length=63), nullable=False),
        *hazard(),
        sa.Column("family", sa.String(length=20), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("alarm_count", sa.Integer(), nullable=False),
        sa.Column("first_alarm_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_alarm_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("severity", sa.String(length=3), nullable=False),
        sa.Column("opened_by_alarms", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("incident"),
    )
    op.create_index(op.f("ix_alarm_incidents_exercise_id"), "alarm_incidents", ["exercise_id"], unique=False)
    op.create_table(
        "alarms",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("exercise_id", sa.String(length=63), nullable=False),
        sa.Column("detector", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("reading", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("incident", sa.String(length=100), nullable=False),
        sa.Column("noted", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("topic", "message_id", name="uq_alarm_message"),
    )
    op.create_index("ix_alarms_incident_noted", "alarms", ["incident", "noted"], unique=False)
    op.create_index("ix_alarms_state_seq", "alarms", ["state", "seq"], unique=False)
    op.create_table(
        "stream_positions",
        sa.Column("stream", sa.String(length=100), nullable=False),
        sa.Column("last_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("stream"),
    )
    op.create_table(
        "suppressions",
        sa.Column("exercise_id", sa.String(length=63), nullable=False),
        sa.Column("detector", sa.String(length=200), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("exercise_id", "detector"),
    )


def downgrade() -> None:
    """Undo this revision."""
    drop_tables("suppressions", "stream_positions", "alarms", "alarm_incidents")
