"""The outbox and idempotency tables every service's database holds, as the baseline revisions create them.

Frozen like a revision: a later change to these tables is a new function here, called by a new revision of each
service that has them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_outbox_and_idempotency_tables() -> None:
    """Create outbox_events and idempotency_records as they were at the baseline."""
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("relayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outbox_events_event_id"), "outbox_events", ["event_id"], unique=True)
    op.create_index(op.f("ix_outbox_events_relayed_at"), "outbox_events", ["relayed_at"], unique=False)
    op.create_table(
        "idempotency_records",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id"),
    )


def drop_outbox_and_idempotency_tables() -> None:
    """Drop outbox_events and idempotency_records."""
    op.drop_table("idempotency_records")
    op.drop_table("outbox_events")
