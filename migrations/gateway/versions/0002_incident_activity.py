"""Incident activity: what the gateway did for an incident after its commit (unit moves, holds released, closes), for the timeline."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "gateway_incident_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident", sa.String(length=100), nullable=False),
        sa.Column("exercise_id", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_gateway_incident_activity_incident"), "gateway_incident_activity", ["incident"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("gateway_incident_activity")
