"""Proposal extras (overrides, skipped incidents, notes) and proposal claims (the one commit that owns a proposal)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


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
    op.drop_table("gateway_proposal_extras")
    op.drop_table("gateway_proposal_claims")
