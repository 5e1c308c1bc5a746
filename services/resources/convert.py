"""Conversions between table rows (or row mappings) and domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from services.resources.domain import (
    Depot,
    DepotKind,
    DutyContact,
    Exercise,
    ExerciseState,
    GeoPoint,
    LedgerEntry,
    LedgerKind,
    MutualAid,
    Park,
    ParkKind,
    ReservePolicy,
    Stock,
    Unit,
    UnitState,
)


def as_utc(value: datetime) -> datetime:
    """Attach UTC to naive timestamps read back from SQLite."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def opt_utc(value: datetime | None) -> datetime | None:
    """as_utc for optional timestamps."""
    return None if value is None else as_utc(value)


def park_from_row(m: Mapping[str, Any]) -> Park:
    """Build a Park from a parks row."""
    return Park(
        park_id=m["park_id"],
        display_name=m["display_name"],
        display_name_zh=m["display_name_zh"],
        kind=ParkKind(m["kind"]),
        location=GeoPoint(m["latitude"], m["longitude"]),
        boundary=tuple(GeoPoint(p[0], p[1]) for p in (m["boundary"] or [])),
        duty_contact=DutyContact(m["contact_name"], m["contact_phone"]),
        version=m["version"],
        create_time=as_utc(m["create_time"]),
        update_time=as_utc(m["update_time"]),
    )


def depot_from_row(m: Mapping[str, Any]) -> Depot:
    """Build a Depot from a depots row."""
    return Depot(
        park_id=m["park_id"],
        depot_id=m["depot_id"],
        display_name=m["display_name"],
        kind=DepotKind(m["kind"]),
        location=GeoPoint(m["latitude"], m["longitude"]),
        shared=bool(m["shared"]),
        retired=bool(m["retired"]),
        version=m["version"],
        create_time=as_utc(m["create_time"]),
        update_time=as_utc(m["update_time"]),
    )


def unit_from_row(m: Mapping[str, Any]) -> Unit:
    """Build a Unit from a units row (of any namespace)."""
    return Unit(
        park_id=m["park_id"],
        unit_id=m["unit_id"],
        type=m["type"],
        call_sign=m["call_sign"],
        home_depot=m["home_depot"],
        crew_size=m["crew_size"],
        capabilities=tuple(m["capabilities"] or ()),
        position=GeoPoint(m["latitude"], m["longitude"]),
        state=UnitState(m["state"]),
        version=m["version"],
        retired=bool(m["retired"]),
        reservation_id=m["reservation_id"],
        incident=m["incident"],
        create_time=as_utc(m["create_time"]),
        update_time=as_utc(m["update_time"]),
    )


def stock_from_row(m: Mapping[str, Any]) -> Stock:
    """Build a Stock from a stocks row (of any namespace)."""
    return Stock(
        park_id=m["park_id"],
        depot_id=m["depot_id"],
        type=m["type"],
        on_hand=m["on_hand"],
        reserved=m["reserved"],
        minimum_level=m["minimum_level"],
        version=m["version"],
        update_time=as_utc(m["update_time"]),
    )


def policy_from_row(m: Mapping[str, Any]) -> ReservePolicy:
    """Build a ReservePolicy from its row."""
    return ReservePolicy(park_id=m["park_id"], type=m["type"], min_available=m["min_available"], version=m["version"])


def mutual_aid_from_row(m: Mapping[str, Any]) -> MutualAid:
    """Build a MutualAid agreement from its row."""
    return MutualAid(
        lender_park=m["lender_park"],
        borrower_park=m["borrower_park"],
        resource_types=tuple(m["resource_types"] or ()),
        max_travel_minutes=m["max_travel_minutes"],
        version=m["version"],
    )


def ledger_from_row(m: Mapping[str, Any]) -> LedgerEntry:
    """Build a LedgerEntry from its row."""
    return LedgerEntry(
        entry_id=m["id"],
        sequence=m["sequence"],
        namespace=m["namespace"],
        park_id=m["park_id"],
        depot_id=m["depot_id"],
        type=m["type"],
        kind=LedgerKind(m["kind"]),
        delta=m["delta"],
        on_hand_after=m["on_hand_after"],
        reason=m["reason"],
        reservation_id=m["reservation_id"],
        actor=m["actor"],
        create_time=as_utc(m["create_time"]),
    )


def exercise_from_row(m: Mapping[str, Any]) -> Exercise:
    """Build an Exercise from its row."""
    return Exercise(
        exercise_id=m["exercise_id"],
        name=m["name"],
        state=ExerciseState(m["state"]),
        base_version=m["base_version"],
        created_by=m["created_by"],
        create_time=as_utc(m["create_time"]),
        end_time=opt_utc(m["end_time"]),
    )
