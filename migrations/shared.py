"""What the revisions share: the outbox and idempotency tables every service's database holds, as the baseline
revisions create them, and the column sets several tables begin or end with.

Frozen like a revision: a later change to these tables is a new function here, called by a new revision of each
service that has them; a column set's columns never change, since revisions already written call it.
"""

from __future__ import annotations

from typing import Any

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
    drop_tables("idempotency_records", "outbox_events")


def drop_tables(*names: str) -> None:
    """Drop the tables in the order given (the ones that refer to others first)."""
    for name in names:
        op.drop_table(name)


def stock_key() -> list[sa.Column[Any]]:
    """namespace, park_id, depot_id and type: which stock of which namespace a row is about."""
    return [
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("park_id", sa.String(length=63), nullable=False),
        sa.Column("depot_id", sa.String(length=63), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
    ]


def position() -> list[sa.Column[Any]]:
    """latitude and longitude, in decimal degrees."""
    return [sa.Column("latitude", sa.Float(), nullable=False), sa.Column("longitude", sa.Float(), nullable=False)]


def hazard() -> list[sa.Column[Any]]:
    """substance_name, un_number and hazard_class: what a detector watches for or an alarm group is about."""
    return [
        sa.Column("substance_name", sa.String(length=100), nullable=False),
        sa.Column("un_number", sa.String(length=4), nullable=False),
        sa.Column("hazard_class", sa.String(length=4), nullable=False),
    ]


def versioned() -> list[sa.Column[Any]]:
    """version, create_time and update_time, with which a registry entry ends."""
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
    ]
