"""Baseline: the resources service's tables as they were before detectors (parks, depots, units, stocks, reservations, policies, mutual aid, exercises, outbox, idempotency)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shared import create_outbox_and_idempotency_tables, drop_tables, position, stock_key, versioned

revision = "0001"
down_revision = None


def upgrade() -> None:
    """Apply this revision."""
    create_outbox_and_idempotency_tables()
    op.create_table(
        "exercises",
        sa.Column("exercise_id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("exercise_id"),
    )
    op.create_table(
        "namespace_versions",
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("namespace"),
    )
    op.create_table(
        "parks",
        sa.Column("park_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("display_name_zh", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        *position(),
        sa.Column("boundary", sa.JSON(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=60), nullable=False),
        *versioned(),
        sa.PrimaryKeyConstraint("park_id"),
    )
    op.create_table(
        "reservations",
        sa.Column("reservation_id", sa.String(length=40), nullable=False),
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("incident", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        *versioned(),
        sa.PrimaryKeyConstraint("reservation_id"),
    )
    op.create_index("ix_reservations_due", "reservations", ["state", "expires_at"], unique=False)
    op.create_index(op.f("ix_reservations_namespace"), "reservations", ["namespace"], unique=False)
    op.create_table(
        "stock_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        *stock_key(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("on_hand_after", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("reservation_id", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_ledger_sequence", "stock_ledger", ["namespace", "park_id", "depot_id", "type", "sequence"], unique=True)
    op.create_table(
        "depots",
        sa.Column("park_id", sa.String(length=63), nullable=False),
        sa.Column("depot_id", sa.String(length=63), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        *position(),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        *versioned(),
        sa.ForeignKeyConstraint(["park_id"], ["parks.park_id"], name="fk_depot_park"),
        sa.PrimaryKeyConstraint("park_id", "depot_id"),
    )
    op.create_table(
        "mutual_aid",
        sa.Column("lender_park", sa.String(length=63), nullable=False),
        sa.Column("borrower_park", sa.String(length=63), nullable=False),
        sa.Column("resource_types", sa.JSON(), nullable=False),
        sa.Column("max_travel_minutes", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("lender_park <> borrower_park", name="ck_aid_distinct"),
        sa.CheckConstraint("max_travel_minutes > 0", name="ck_aid_minutes"),
        sa.ForeignKeyConstraint(["borrower_park"], ["parks.park_id"], name="fk_aid_borrower"),
        sa.ForeignKeyConstraint(["lender_park"], ["parks.park_id"], name="fk_aid_lender"),
        sa.PrimaryKeyConstraint("lender_park", "borrower_park"),
    )
    op.create_table(
        "reservation_stocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.String(length=40), nullable=False),
        *stock_key(),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("planned_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_res_stock_amount"),
        sa.ForeignKeyConstraint(["reservation_id"], ["reservations.reservation_id"], name="fk_res_stock_reservation"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_res_stocks_reservation", "reservation_stocks", ["reservation_id"], unique=False)
    op.create_table(
        "reservation_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.String(length=40), nullable=False),
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("park_id", sa.String(length=63), nullable=False),
        sa.Column("unit_id", sa.String(length=63), nullable=False),
        sa.Column("planned_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("holding", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["reservation_id"], ["reservations.reservation_id"], name="fk_res_unit_reservation"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_res_units_reservation", "reservation_units", ["reservation_id"], unique=False)
    op.create_index(
        "uq_unit_single_hold",
        "reservation_units",
        ["namespace", "park_id", "unit_id"],
        unique=True,
        sqlite_where=sa.text("holding"),
        postgresql_where=sa.text("holding"),
    )
    op.create_table(
        "reserve_policies",
        sa.Column("park_id", sa.String(length=63), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("min_available", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("min_available >= 0", name="ck_policy_min"),
        sa.ForeignKeyConstraint(["park_id"], ["parks.park_id"], name="fk_policy_park"),
        sa.PrimaryKeyConstraint("park_id", "type"),
    )
    op.create_table(
        "stocks",
        *stock_key(),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("minimum_level", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minimum_level >= 0", name="ck_stock_minimum"),
        sa.CheckConstraint("on_hand >= 0", name="ck_stock_on_hand"),
        sa.CheckConstraint("reserved <= on_hand", name="ck_stock_available"),
        sa.CheckConstraint("reserved >= 0", name="ck_stock_reserved"),
        sa.ForeignKeyConstraint(["park_id", "depot_id"], ["depots.park_id", "depots.depot_id"], name="fk_stock_depot"),
        sa.PrimaryKeyConstraint("namespace", "park_id", "depot_id", "type"),
    )
    op.create_table(
        "units",
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("park_id", sa.String(length=63), nullable=False),
        sa.Column("unit_id", sa.String(length=63), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("call_sign", sa.String(length=60), nullable=False),
        sa.Column("home_depot", sa.String(length=63), nullable=False),
        sa.Column("crew_size", sa.Integer(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        *position(),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("reservation_id", sa.String(length=40), nullable=False),
        sa.Column("incident", sa.String(length=200), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('AVAILABLE','RESERVED','EN_ROUTE','ON_SCENE','RETURNING','OUT_OF_SERVICE')", name="ck_unit_state"),
        sa.CheckConstraint("crew_size >= 0", name="ck_unit_crew"),
        sa.CheckConstraint("version >= 1", name="ck_unit_version"),
        sa.ForeignKeyConstraint(["park_id", "home_depot"], ["depots.park_id", "depots.depot_id"], name="fk_unit_depot"),
        sa.PrimaryKeyConstraint("namespace", "park_id", "unit_id"),
    )
    op.create_index("ix_units_ns_type", "units", ["namespace", "type"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    drop_tables(
        "units",
        "stocks",
        "reserve_policies",
        "reservation_units",
        "reservation_stocks",
        "mutual_aid",
        "depots",
        "stock_ledger",
        "reservations",
        "parks",
        "namespace_versions",
        "exercises",
        "idempotency_records",
        "outbox_events",
    )
