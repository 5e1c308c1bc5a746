"""The situation read model: each gateway replica's projected entries and stream positions."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shared import drop_tables

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "gateway_readmodel_items",
        sa.Column("replica", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("replica", "kind", "key"),
    )
    op.create_table(
        "gateway_readmodel_positions",
        sa.Column("replica", sa.String(length=100), nullable=False),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("position", sa.String(length=40), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("replica", "stream"),
    )


def downgrade() -> None:
    """Undo this revision."""
    drop_tables("gateway_readmodel_positions", "gateway_readmodel_items")
