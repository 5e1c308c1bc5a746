"""Detectors: a park's fixed gas and fire detectors, with their alarm thresholds."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shared import hazard, position, versioned

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "detectors",
        sa.Column("park_id", sa.String(length=63), nullable=False),
        sa.Column("detector_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        *hazard(),
        *position(),
        sa.Column("pre_alarm_threshold", sa.Float(), nullable=False),
        sa.Column("alarm_threshold", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        *versioned(),
        sa.CheckConstraint("pre_alarm_threshold <= alarm_threshold", name="ck_detector_thresholds"),
        sa.ForeignKeyConstraint(["park_id"], ["parks.park_id"], name="fk_detector_park"),
        sa.PrimaryKeyConstraint("park_id", "detector_id"),
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("detectors")
