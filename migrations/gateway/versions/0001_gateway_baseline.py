"""Baseline: the gateway's tables as they were when migrations began (proposals, commit sagas and their steps, commits, drills and their injects, outbox, idempotency)."""

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
        "gateway_commits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.String(length=100), nullable=False),
        sa.Column("incident", sa.String(length=100), nullable=False),
        sa.Column("reservation", sa.String(length=100), nullable=False),
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "generation", "incident", name="uq_commit_request_incident"),
    )
    op.create_index(op.f("ix_gateway_commits_exercise_id"), "gateway_commits", ["exercise_id"], unique=False)
    op.create_index(op.f("ix_gateway_commits_incident"), "gateway_commits", ["incident"], unique=False)
    op.create_table(
        "gateway_drill_injects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.String(length=64), nullable=False),
        sa.Column("inject_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("offset_s", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("incident", sa.String(length=100), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("drill_id", "inject_id", name="uq_drill_inject"),
    )
    op.create_index(op.f("ix_gateway_drill_injects_drill_id"), "gateway_drill_injects", ["drill_id"], unique=False)
    op.create_table(
        "gateway_drills",
        sa.Column("drill_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("scenario", sa.String(length=200), nullable=False),
        sa.Column("scenario_proto", sa.LargeBinary(), nullable=False),
        sa.Column("exercise_id", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.Integer(), nullable=False),
        sa.Column("clock_speed", sa.Float(), nullable=False),
        sa.Column("auto_dispatch", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("base_world", sa.LargeBinary(), nullable=False),
        sa.Column("road_restrictions", sa.Text(), nullable=False),
        sa.Column("reserve_breaches", sa.Text(), nullable=False),
        sa.Column("report_name", sa.String(length=200), nullable=False),
        sa.Column("report", sa.LargeBinary(), nullable=False),
        sa.Column("hindsight", sa.LargeBinary(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("drill_id"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index(op.f("ix_gateway_drills_state"), "gateway_drills", ["state"], unique=False)
    op.create_table(
        "gateway_proposals",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("exercise_id", sa.String(length=100), nullable=False),
        sa.Column("incidents", sa.Text(), nullable=False),
        sa.Column("optimized", sa.LargeBinary(), nullable=False),
        sa.Column("request", sa.LargeBinary(), nullable=False),
        sa.Column("snapshot_version", sa.Integer(), nullable=False),
        sa.Column("unit_versions", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("parent", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id"),
    )
    op.create_index(op.f("ix_gateway_proposals_exercise_id"), "gateway_proposals", ["exercise_id"], unique=False)
    op.create_table(
        "gateway_saga_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_gateway_saga_steps_request_id"), "gateway_saga_steps", ["request_id"], unique=False)
    op.create_table(
        "gateway_sagas",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("first_proposal_id", sa.String(length=64), nullable=False),
        sa.Column("exercise_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("replans", sa.Integer(), nullable=False),
        sa.Column("max_replans", sa.Integer(), nullable=False),
        sa.Column("reservations", sa.Text(), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index(op.f("ix_gateway_sagas_state"), "gateway_sagas", ["state"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    drop_tables(
        "gateway_sagas",
        "gateway_saga_steps",
        "gateway_proposals",
        "gateway_drills",
        "gateway_drill_injects",
        "gateway_commits",
        "idempotency_records",
        "outbox_events",
    )
