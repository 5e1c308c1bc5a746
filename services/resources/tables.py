"""SQLModel tables of the resources service; the constraints here are what keeps allocations honest."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import JSON, CheckConstraint, ForeignKeyConstraint, Index, Table, text
from sqlmodel import Field, SQLModel

from services.common.db import timestamp_field
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent
from services.resources.domain import UnitState

_UNIT_STATES = "(" + ",".join(f"'{state.value}'" for state in UnitState) + ")"


class ParkRow(SQLModel, table=True):
    """A park (live only: exercises never register)."""

    __tablename__ = "parks"

    park_id: str = Field(primary_key=True, max_length=63)
    display_name: str = Field(max_length=200)
    display_name_zh: str = Field(default="", max_length=200)
    kind: str = Field(max_length=40)
    latitude: float
    longitude: float
    boundary: list[list[float]] = Field(default_factory=list, sa_type=JSON)
    contact_name: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=60)
    version: int = 1
    create_time: datetime = timestamp_field()
    update_time: datetime = timestamp_field()


class DepotRow(SQLModel, table=True):
    """A depot of a park."""

    __tablename__ = "depots"
    __table_args__ = (ForeignKeyConstraint(["park_id"], ["parks.park_id"], name="fk_depot_park"),)

    park_id: str = Field(primary_key=True, max_length=63)
    depot_id: str = Field(primary_key=True, max_length=63)
    display_name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    latitude: float
    longitude: float
    shared: bool = False
    retired: bool = False
    version: int = 1
    create_time: datetime = timestamp_field()
    update_time: datetime = timestamp_field()


class UnitRow(SQLModel, table=True):
    """A unit in one namespace: live rows have namespace '', an exercise holds copies of only what it changed."""

    __tablename__ = "units"
    __table_args__ = (
        ForeignKeyConstraint(["park_id", "home_depot"], ["depots.park_id", "depots.depot_id"], name="fk_unit_depot"),
        CheckConstraint(f"state IN {_UNIT_STATES}", name="ck_unit_state"),
        CheckConstraint("crew_size >= 0", name="ck_unit_crew"),
        CheckConstraint("version >= 1", name="ck_unit_version"),
        Index("ix_units_ns_type", "namespace", "type"),
    )

    namespace: str = Field(primary_key=True, max_length=63)
    park_id: str = Field(primary_key=True, max_length=63)
    unit_id: str = Field(primary_key=True, max_length=63)
    type: str = Field(max_length=40)
    call_sign: str = Field(default="", max_length=60)
    home_depot: str = Field(max_length=63)
    crew_size: int = 0
    capabilities: list[str] = Field(default_factory=list, sa_type=JSON)
    latitude: float
    longitude: float
    state: str = Field(default="AVAILABLE", max_length=20)
    version: int = 1
    retired: bool = False
    reservation_id: str = Field(default="", max_length=40)
    incident: str = Field(default="", max_length=200)
    create_time: datetime = timestamp_field()
    update_time: datetime = timestamp_field()


class StockRow(SQLModel, table=True):
    """The stock of one consumable at one depot in one namespace; the CHECKs forbid going below zero."""

    __tablename__ = "stocks"
    __table_args__ = (
        ForeignKeyConstraint(["park_id", "depot_id"], ["depots.park_id", "depots.depot_id"], name="fk_stock_depot"),
        CheckConstraint("on_hand >= 0", name="ck_stock_on_hand"),
        CheckConstraint("reserved >= 0", name="ck_stock_reserved"),
        CheckConstraint("reserved <= on_hand", name="ck_stock_available"),
        CheckConstraint("minimum_level >= 0", name="ck_stock_minimum"),
    )

    namespace: str = Field(primary_key=True, max_length=63)
    park_id: str = Field(primary_key=True, max_length=63)
    depot_id: str = Field(primary_key=True, max_length=63)
    type: str = Field(primary_key=True, max_length=40)
    on_hand: int = 0
    reserved: int = 0
    minimum_level: int = 0
    version: int = 1
    update_time: datetime = timestamp_field()


class LedgerRow(SQLModel, table=True):
    """One receipt, issue or correction of a stock (append only)."""

    __tablename__ = "stock_ledger"
    __table_args__ = (Index("uq_ledger_sequence", "namespace", "park_id", "depot_id", "type", "sequence", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    sequence: int
    namespace: str = Field(max_length=63)
    park_id: str = Field(max_length=63)
    depot_id: str = Field(max_length=63)
    type: str = Field(max_length=40)
    kind: str = Field(max_length=20)
    delta: int
    on_hand_after: int
    reason: str = Field(default="", max_length=500)
    reservation_id: str = Field(default="", max_length=40)
    actor: str = Field(default="", max_length=200)
    create_time: datetime = timestamp_field()


class ReservePolicyRow(SQLModel, table=True):
    """How much of a type a park must keep available at home."""

    __tablename__ = "reserve_policies"
    __table_args__ = (ForeignKeyConstraint(["park_id"], ["parks.park_id"], name="fk_policy_park"), CheckConstraint("min_available >= 0", name="ck_policy_min"))

    park_id: str = Field(primary_key=True, max_length=63)
    type: str = Field(primary_key=True, max_length=40)
    min_available: int
    version: int = 1


class MutualAidRow(SQLModel, table=True):
    """A mutual-aid agreement from a lender park to a borrower park."""

    __tablename__ = "mutual_aid"
    __table_args__ = (
        ForeignKeyConstraint(["lender_park"], ["parks.park_id"], name="fk_aid_lender"),
        ForeignKeyConstraint(["borrower_park"], ["parks.park_id"], name="fk_aid_borrower"),
        CheckConstraint("lender_park <> borrower_park", name="ck_aid_distinct"),
        CheckConstraint("max_travel_minutes > 0", name="ck_aid_minutes"),
    )

    lender_park: str = Field(primary_key=True, max_length=63)
    borrower_park: str = Field(primary_key=True, max_length=63)
    resource_types: list[str] = Field(default_factory=list, sa_type=JSON)
    max_travel_minutes: int = 30
    version: int = 1


class ReservationRow(SQLModel, table=True):
    """A reservation for one incident in one namespace."""

    __tablename__ = "reservations"
    __table_args__ = (Index("ix_reservations_due", "state", "expires_at"),)

    reservation_id: str = Field(primary_key=True, max_length=40)
    namespace: str = Field(max_length=63, index=True)
    incident: str = Field(max_length=200)
    state: str = Field(max_length=20)
    requested_by: str = Field(default="", max_length=200)
    expires_at: datetime = timestamp_field()
    version: int = 1
    create_time: datetime = timestamp_field()
    update_time: datetime = timestamp_field()


class ReservationUnitRow(SQLModel, table=True):
    """A unit held by a reservation; the partial unique index allows one holding row per unit and namespace."""

    __tablename__ = "reservation_units"
    __table_args__ = (
        ForeignKeyConstraint(["reservation_id"], ["reservations.reservation_id"], name="fk_res_unit_reservation"),
        Index("uq_unit_single_hold", "namespace", "park_id", "unit_id", unique=True, sqlite_where=text("holding"), postgresql_where=text("holding")),
        Index("ix_res_units_reservation", "reservation_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reservation_id: str = Field(max_length=40)
    namespace: str = Field(max_length=63)
    park_id: str = Field(max_length=63)
    unit_id: str = Field(max_length=63)
    planned_version: int = 0
    state: str = Field(max_length=20)
    holding: bool = True


class ReservationStockRow(SQLModel, table=True):
    """A stock amount held by a reservation."""

    __tablename__ = "reservation_stocks"
    __table_args__ = (
        ForeignKeyConstraint(["reservation_id"], ["reservations.reservation_id"], name="fk_res_stock_reservation"),
        CheckConstraint("amount > 0", name="ck_res_stock_amount"),
        Index("ix_res_stocks_reservation", "reservation_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reservation_id: str = Field(max_length=40)
    namespace: str = Field(max_length=63)
    park_id: str = Field(max_length=63)
    depot_id: str = Field(max_length=63)
    type: str = Field(max_length=40)
    amount: int
    planned_version: int = 0
    state: str = Field(max_length=20)


class ExerciseRow(SQLModel, table=True):
    """An exercise namespace."""

    __tablename__ = "exercises"

    exercise_id: str = Field(primary_key=True, max_length=63)
    name: str = Field(default="", max_length=200)
    state: str = Field(max_length=20)
    base_version: int = 0
    created_by: str = Field(default="", max_length=200)
    create_time: datetime = timestamp_field()
    end_time: datetime | None = timestamp_field(nullable=True)


class NamespaceVersionRow(SQLModel, table=True):
    """A counter per namespace, bumped by every change in it: the snapshot version."""

    __tablename__ = "namespace_versions"

    namespace: str = Field(primary_key=True, max_length=63)
    version: int = 0


class DetectorRow(SQLModel, table=True):
    """A fixed detector of a park's monitoring system (live only: exercises inject alarms, never detectors)."""

    __tablename__ = "detectors"
    __table_args__ = (
        ForeignKeyConstraint(["park_id"], ["parks.park_id"], name="fk_detector_park"),
        CheckConstraint("pre_alarm_threshold <= alarm_threshold", name="ck_detector_thresholds"),
    )

    park_id: str = Field(primary_key=True, max_length=63)
    detector_id: str = Field(primary_key=True, max_length=63)
    display_name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    substance_name: str = Field(default="", max_length=100)
    un_number: str = Field(default="", max_length=4)
    hazard_class: str = Field(default="", max_length=4)
    latitude: float
    longitude: float
    pre_alarm_threshold: float
    alarm_threshold: float
    unit: str = Field(max_length=10)
    area: str = Field(default="", max_length=200)
    version: int = 1
    create_time: datetime = timestamp_field()
    update_time: datetime = timestamp_field()


TABLES: list[type[SQLModel]] = [
    ParkRow,
    DepotRow,
    UnitRow,
    StockRow,
    LedgerRow,
    ReservePolicyRow,
    MutualAidRow,
    ReservationRow,
    ReservationUnitRow,
    ReservationStockRow,
    ExerciseRow,
    NamespaceVersionRow,
    DetectorRow,
    OutboxEvent,
    IdempotencyRecord,
]


def _core(model: type[SQLModel]) -> Table:
    """The Core table of a model: the service's statements run on the session's connection, not through the ORM."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


PARKS = _core(ParkRow)
DEPOTS = _core(DepotRow)
UNITS = _core(UnitRow)
STOCKS = _core(StockRow)
LEDGER = _core(LedgerRow)
POLICIES = _core(ReservePolicyRow)
AID = _core(MutualAidRow)
RESERVATIONS = _core(ReservationRow)
RES_UNITS = _core(ReservationUnitRow)
RES_STOCKS = _core(ReservationStockRow)
EXERCISES = _core(ExerciseRow)
COUNTERS = _core(NamespaceVersionRow)
DETECTORS = _core(DetectorRow)
