"""Proposal extras (overrides, skipped incidents, notes) and proposal claims (the one commit that owns a proposal)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shared import drop_tables

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "gateway_proposal_claims",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id"),
    )
    op.create_table(
        "gateway_proposal_extras",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("extras", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id"),
    )


def downgrade() -> None:
    """Undo this revision."""
    drop_tables("gateway_proposal_extras", "gateway_proposal_claims")
