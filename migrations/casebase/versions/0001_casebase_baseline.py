"""Baseline: the case base's tables as they were when migrations began (cases, scenarios, after-action reports, the shipped library, outbox, idempotency)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shared import create_outbox_and_idempotency_tables, drop_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    """Apply this revision."""
    create_outbox_and_idempotency_tables()
    op.create_table(
        "after_action_reports",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=63), nullable=False),
        sa.Column("scenario_id", sa.String(length=63), nullable=False),
        sa.Column("exercise_id", sa.String(length=63), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("case_id", sa.String(length=63), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("report_id"),
    )
    op.create_index(op.f("ix_after_action_reports_scenario_id"), "after_action_reports", ["scenario_id"], unique=False)
    op.create_table(
        "case_hazard_classes",
        sa.Column("case_id", sa.String(length=63), nullable=False),
        sa.Column("hazard_class", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "hazard_class"),
    )
    op.create_index("ix_case_hazard_classes_class", "case_hazard_classes", ["hazard_class", "case_id"], unique=False)
    op.create_table(
        "case_library_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "cases",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=63), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("primary_hazard_class", sa.String(length=8), nullable=False),
        sa.Column("severity", sa.String(length=4), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_index(op.f("ix_cases_kind"), "cases", ["kind"], unique=False)
    op.create_index(op.f("ix_cases_primary_hazard_class"), "cases", ["primary_hazard_class"], unique=False)
    op.create_index(op.f("ix_cases_severity"), "cases", ["severity"], unique=False)
    op.create_table(
        "scenarios",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(length=63), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("scenario_id"),
    )
    op.create_table(
        "shipped_library_entries",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entry_id", sa.String(length=63), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "entry_id"),
    )


def downgrade() -> None:
    """Undo this revision."""
    drop_tables(
        "shipped_library_entries",
        "scenarios",
        "cases",
        "case_library_revision",
        "case_hazard_classes",
        "after_action_reports",
        "idempotency_records",
        "outbox_events",
    )
