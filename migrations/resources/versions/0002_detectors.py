"""Detectors: a park's fixed gas and fire detectors, with their alarm thresholds."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "detectors",
        sa.Column("park_id", sa.String(length=63), nullable=False),
        sa.Column("detector_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("substance_name", sa.String(length=100), nullable=False),
        sa.Column("un_number", sa.String(length=4), nullable=False),
        sa.Column("hazard_class", sa.String(length=4), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("pre_alarm_threshold", sa.Float(), nullable=False),
        sa.Column("alarm_threshold", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("pre_alarm_threshold <= alarm_threshold", name="ck_detector_thresholds"),
        sa.ForeignKeyConstraint(["park_id"], ["parks.park_id"], name="fk_detector_park"),
        sa.PrimaryKeyConstraint("park_id", "detector_id"),
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("detectors")
