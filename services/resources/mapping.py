"""Proto <-> domain conversions of the resources service, and proto field names for domain violations."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as pb

from services.common.catalogue import ParkKind, ResourceKind, ResourceType, load_catalogue
from services.common.clock import to_timestamp
from services.common.errors import FieldViolation
from services.common.names import DEPOT, EXERCISE, PARK, STOCK, UNIT
from services.resources.domain import (
    Depot,
    DepotKind,
    DutyContact,
    Exercise,
    ExerciseState,
    GeoPoint,
    Inventory,
    ItemState,
    LedgerEntry,
    LedgerKind,
    MutualAid,
    Park,
    Reservation,
    ReservationState,
    ReservePolicy,
    Stock,
    Unit,
    UnitState,
)
from services.resources.names import AGREEMENT, RESERVATION

K = TypeVar("K")

# ---------------------------------------------------------------- enums

_PARK_KINDS = {kind: common_pb2.ParkKind.Value(f"PARK_KIND_{kind.value}") for kind in ParkKind}
_DEPOT_KINDS = {kind: pb.Depot.Kind.Value(f"KIND_{kind.value}") for kind in DepotKind}
_UNIT_STATES = {state: pb.Unit.State.Value(f"STATE_{state.value}") for state in UnitState}
_RESERVATION_STATES = {state: pb.Reservation.State.Value(f"STATE_{state.value}") for state in ReservationState}
_LEDGER_KINDS = {kind: pb.StockLedgerEntry.Kind.Value(f"KIND_{kind.value}") for kind in LedgerKind}
_RESOURCE_KINDS = {kind: common_pb2.ResourceKind.Value(f"RESOURCE_KIND_{kind.value}") for kind in ResourceKind}


def _reverse(table: dict[K, int], value: int, field: str, violations: list[FieldViolation]) -> K | None:
    """The domain member for a proto enum value, or a violation for unset and unknown values."""
    for member, number in table.items():
        if number == value:
            return member
    violations.append(FieldViolation(field, "required" if value == 0 else f"unknown value {value}"))
    return None


def park_kind(value: int, field: str, violations: list[FieldViolation]) -> ParkKind | None:
    """Domain park kind of a proto value."""
    return _reverse(_PARK_KINDS, value, field, violations)


def depot_kind(value: int, field: str, violations: list[FieldViolation]) -> DepotKind | None:
    """Domain depot kind of a proto value."""
    return _reverse(_DEPOT_KINDS, value, field, violations)


def unit_state(value: int, field: str, violations: list[FieldViolation]) -> UnitState | None:
    """Domain unit state of a proto value (RETIRED is not a state a caller can ask for)."""
    return _reverse(_UNIT_STATES, value, field, violations)


def reservation_state(value: int, field: str, violations: list[FieldViolation]) -> ReservationState | None:
    """Domain reservation state of a proto value."""
    return _reverse(_RESERVATION_STATES, value, field, violations)


def ledger_kind(value: int, field: str, violations: list[FieldViolation]) -> LedgerKind | None:
    """Domain ledger kind of a proto value."""
    return _reverse(_LEDGER_KINDS, value, field, violations)


def resource_kind(value: int) -> ResourceKind | None:
    """Domain resource kind of a proto value; None for unspecified (all kinds)."""
    return next((k for k, n in _RESOURCE_KINDS.items() if n == value), None)


# ---------------------------------------------------------------- scalars


def point(value: GeoPoint | None) -> common_pb2.GeoPoint | None:
    """A proto point, or None."""
    return None if value is None else common_pb2.GeoPoint(latitude=value.latitude, longitude=value.longitude)


def geo(message: common_pb2.GeoPoint) -> GeoPoint:
    """A domain point."""
    return GeoPoint(message.latitude, message.longitude)


def whole(value: float, field: str, violations: list[FieldViolation]) -> int:
    """Amounts are whole numbers of the unit of measure; anything else is refused."""
    if not math.isfinite(value) or abs(value - round(value)) > 1e-6:
        violations.append(FieldViolation(field, f"must be a whole amount, got {value}"))
        return 0
    return round(value)


# ---------------------------------------------------------------- entities to proto


def park_to_pb(park: Park) -> pb.Park:
    """Proto view of a park."""
    contact = ", ".join(part for part in (park.duty_contact.name, park.duty_contact.phone) if part)
    return pb.Park(
        name=PARK.format(park.park_id),
        display_name=park.display_name,
        kind=_PARK_KINDS[park.kind],  # type: ignore[arg-type]
        location=point(park.location),
        boundary=[common_pb2.GeoPoint(latitude=p.latitude, longitude=p.longitude) for p in park.boundary],
        duty_contact=contact,
        version=park.version,
    )


def depot_to_pb(depot: Depot) -> pb.Depot:
    """Proto view of a depot."""
    return pb.Depot(
        name=DEPOT.format(depot.park_id, depot.depot_id),
        display_name=depot.display_name,
        kind=_DEPOT_KINDS[depot.kind],  # type: ignore[arg-type]
        location=point(depot.location),
        shared=depot.shared,
        version=depot.version,
    )


def unit_to_pb(unit: Unit) -> pb.Unit:
    """Proto view of a unit; a retired unit shows STATE_RETIRED."""
    return pb.Unit(
        name=UNIT.format(unit.park_id, unit.unit_id),
        resource_type=unit.type,
        call_sign=unit.call_sign,
        home_depot_id=unit.home_depot,
        crew_size=unit.crew_size,
        capabilities=list(unit.capabilities),
        position=point(unit.position),
        state=pb.Unit.STATE_RETIRED if unit.retired else _UNIT_STATES[unit.state],  # type: ignore[arg-type]
        version=unit.version,
        incident=unit.incident,
        park_id=unit.park_id,
    )


def stock_to_pb(stock: Stock, location: GeoPoint | None = None) -> pb.Stock:
    """Proto view of a stock."""
    entry = load_catalogue().get(stock.type)
    return pb.Stock(
        name=STOCK.format(stock.park_id, stock.depot_id, stock.type),
        resource_type=stock.type,
        on_hand=stock.on_hand,
        reserved=stock.reserved,
        minimum_level=stock.minimum_level,
        unit_of_measure=entry.unit_of_measure if entry else "",
        version=stock.version,
        location=point(location),
    )


def ledger_to_pb(entry: LedgerEntry) -> pb.StockLedgerEntry:
    """Proto view of a ledger entry; the reference is the reservation for issues, the reason otherwise."""
    return pb.StockLedgerEntry(
        sequence=entry.sequence,
        kind=_LEDGER_KINDS[entry.kind],  # type: ignore[arg-type]
        delta=entry.delta,
        balance=entry.on_hand_after,
        reference=RESERVATION.format(entry.reservation_id) if entry.reservation_id else entry.reason,
        actor=entry.actor,
        time=to_timestamp(entry.create_time),
    )


def policy_to_pb(policy: ReservePolicy) -> pb.ReservePolicy:
    """Proto view of a reserve policy."""
    return pb.ReservePolicy(park_id=policy.park_id, resource_type=policy.type, minimum=policy.min_available)


def agreement_to_pb(agreement: MutualAid) -> pb.MutualAidAgreement:
    """Proto view of a mutual-aid agreement."""
    return pb.MutualAidAgreement(
        name=AGREEMENT.format(agreement.lender_park, agreement.borrower_park),
        lender_park_id=agreement.lender_park,
        borrower_park_id=agreement.borrower_park,
        resource_types=list(agreement.resource_types),
        max_travel_minutes=agreement.max_travel_minutes,
    )


def reservation_to_pb(reservation: Reservation) -> pb.Reservation:
    """Proto view of a reservation: the items it still holds or has committed, with the versions planned on."""
    live_items = (ItemState.HELD, ItemState.CONFIRMED)
    return pb.Reservation(
        name=RESERVATION.format(reservation.reservation_id),
        incident=reservation.incident,
        exercise_id=reservation.namespace,
        units=[pb.UnitHold(unit=UNIT.format(u.park_id, u.unit_id), version=u.planned_version) for u in reservation.units if u.state in live_items],
        stocks=[
            pb.StockHold(stock=STOCK.format(s.park_id, s.depot_id, s.type), amount=s.amount, version=s.planned_version)
            for s in reservation.stocks
            if s.state in live_items
        ],
        state=_RESERVATION_STATES[reservation.state],  # type: ignore[arg-type]
        expire_time=to_timestamp(reservation.expires_at),
        create_time=to_timestamp(reservation.create_time),
        actor=reservation.requested_by,
    )


def exercise_to_pb(exercise: Exercise) -> pb.Exercise:
    """Proto view of an exercise."""
    return pb.Exercise(
        name=EXERCISE.format(exercise.exercise_id),
        title=exercise.name,
        active=exercise.state is ExerciseState.ACTIVE,
        create_time=to_timestamp(exercise.create_time),
        end_time=to_timestamp(exercise.end_time),
    )


def resource_type_to_pb(entry: ResourceType) -> pb.ResourceType:
    """Proto view of a catalogue entry."""
    return pb.ResourceType(
        code=entry.code,
        name=entry.name_en,
        name_zh=entry.name_zh,
        kind=_RESOURCE_KINDS[entry.kind],  # type: ignore[arg-type]
        unit_of_measure=entry.unit_of_measure or "units",
        capabilities=list(entry.capabilities),
        vehicle_class=entry.vehicle_class,
        source=entry.source,
    )


# ---------------------------------------------------------------- proto to entities


def park_from_pb(park_id: str, message: pb.Park, violations: list[FieldViolation], *, kind_required: bool = True) -> Park:
    """Domain park from a proto one (kind problems are added to violations)."""
    kind = park_kind(message.kind, "park.kind", violations) if kind_required or message.kind else None
    return Park(
        park_id=park_id,
        display_name=message.display_name,
        kind=kind or ParkKind.CHEMICAL_PARK,
        location=geo(message.location),
        boundary=tuple(geo(p) for p in message.boundary),
        duty_contact=DutyContact(name=message.duty_contact),
    )


def park_output_only_violations(message: pb.Park, prefix: str) -> list[FieldViolation]:
    """Output-only fields of a new park must be empty."""
    return [FieldViolation(f"{prefix}.version", "output only; must not be set")] if message.version else []


def depot_from_pb(
    park_id: str, depot_id: str, message: pb.Depot, violations: list[FieldViolation], *, prefix: str = "depot", kind_required: bool = True
) -> Depot:
    """Domain depot from a proto one (kind problems and a set version are added to violations)."""
    kind = depot_kind(message.kind, f"{prefix}.kind", violations) if kind_required or message.kind else None
    if message.version:
        violations.append(FieldViolation(f"{prefix}.version", "output only; must not be set"))
    return Depot(
        park_id=park_id,
        depot_id=depot_id,
        display_name=message.display_name,
        kind=kind or DepotKind.FIRE_STATION,
        location=geo(message.location),
        shared=message.shared,
    )


def depot_changes_from_pb(park_id: str, depot_id: str, message: pb.Depot, paths: Sequence[str], violations: list[FieldViolation]) -> Depot:
    """The masked changes of a depot; its kind is read, and must be known, only when the mask names it."""
    changes = depot_from_pb(park_id, depot_id, message, [], kind_required="kind" in paths)
    if "kind" in paths:
        depot_kind(message.kind, "depot.kind", violations)
    return changes


def stock_changes_from_pb(park_id: str, depot_id: str, type_code: str, message: pb.Stock, violations: list[FieldViolation]) -> Stock:
    """The changes of a stock: a whole minimum level (on hand and reserved move only through the ledger and reservations)."""
    return Stock(park_id, depot_id, type_code, minimum_level=whole(message.minimum_level, "stock.minimum_level", violations))


def policy_from_pb(message: pb.ReservePolicy, violations: list[FieldViolation]) -> ReservePolicy:
    """Domain reserve policy from a proto one; the minimum must be whole."""
    return ReservePolicy(message.park_id, message.resource_type, whole(message.minimum, "policy.minimum", violations))


def agreement_from_pb(message: pb.MutualAidAgreement) -> MutualAid:
    """Domain mutual-aid agreement from a proto one."""
    return MutualAid(message.lender_park_id, message.borrower_park_id, tuple(message.resource_types), message.max_travel_minutes)


def unit_output_only_violations(message: pb.Unit, prefix: str, park_id: str) -> list[FieldViolation]:
    """Output-only fields of a new unit must be empty."""
    found = []
    if message.state != pb.Unit.STATE_UNSPECIFIED:
        found.append(FieldViolation(f"{prefix}.state", "output only; changed by reservations and status reports"))
    if message.version:
        found.append(FieldViolation(f"{prefix}.version", "output only; must not be set"))
    if message.HasField("position"):
        found.append(FieldViolation(f"{prefix}.position", "output only; changed by status reports"))
    if message.incident:
        found.append(FieldViolation(f"{prefix}.incident", "output only; must not be set"))
    if message.park_id and message.park_id != park_id:
        found.append(FieldViolation(f"{prefix}.park_id", "output only; the park comes from the name or parent"))
    return found


def unit_from_pb(park_id: str, unit_id: str, message: pb.Unit) -> Unit:
    """Domain unit from a proto one (state, version and position stay at their defaults)."""
    return Unit(
        park_id=park_id,
        unit_id=unit_id,
        type=message.resource_type,
        call_sign=message.call_sign,
        home_depot=message.home_depot_id,
        crew_size=message.crew_size,
        capabilities=tuple(message.capabilities),
    )


def stock_output_only_violations(message: pb.Stock, prefix: str) -> list[FieldViolation]:
    """Output-only fields of a new stock must be empty."""
    found = []
    if message.reserved:
        found.append(FieldViolation(f"{prefix}.reserved", "output only; changed by reservations"))
    if message.version:
        found.append(FieldViolation(f"{prefix}.version", "output only; must not be set"))
    if message.HasField("location"):
        found.append(FieldViolation(f"{prefix}.location", "output only; the depot's position"))
    return found


# ---------------------------------------------------------------- requests from domain data (seeding, tests, benches)


def park_for_create(park: Park) -> pb.Park:
    """A park message for CreatePark (no output-only fields)."""
    message = park_to_pb(park)
    message.ClearField("name")
    message.ClearField("version")
    return message


def inventory_rows(inventory: Inventory) -> list[pb.InventoryRow]:
    """Import rows for a domain inventory (units land at their depots; positions are output only)."""
    rows = [
        pb.InventoryRow(
            depot=pb.Depot(
                name=DEPOT.format(d.park_id or inventory.park_id, d.depot_id),
                display_name=d.display_name,
                kind=_DEPOT_KINDS[d.kind],  # type: ignore[arg-type]
                location=point(d.location),
                shared=d.shared,
            )
        )
        for d in inventory.depots
    ]
    rows += [
        pb.InventoryRow(
            unit=pb.Unit(
                name=UNIT.format(u.park_id or inventory.park_id, u.unit_id),
                resource_type=u.type,
                call_sign=u.call_sign,
                home_depot_id=u.home_depot,
                crew_size=u.crew_size,
                capabilities=list(u.capabilities),
            )
        )
        for u in inventory.units
    ]
    rows += [
        pb.InventoryRow(stock=pb.Stock(name=STOCK.format(s.park_id or inventory.park_id, s.depot_id, s.type), on_hand=s.on_hand, minimum_level=s.minimum_level))
        for s in inventory.stocks
    ]
    rows += [
        pb.InventoryRow(reserve_policy=pb.ReservePolicy(park_id=p.park_id or inventory.park_id, resource_type=p.type, minimum=p.min_available))
        for p in inventory.reserve_policies
    ]
    return rows
