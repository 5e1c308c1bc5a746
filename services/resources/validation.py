"""Input rules of the resources service as pure functions returning field violations."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import TypeVar

from services.common import fields
from services.common.catalogue import Catalogue, ParkKind, ResourceKind
from services.common.errors import FieldViolation, invalid_argument
from services.common.names import id_violations
from services.resources.domain import Depot, DepotKind, GeoPoint, LedgerKind, MutualAid, Park, ReservePolicy, Stock, StockRequest, Unit, UnitRequest, UnitState

E = TypeVar("E", bound=Enum)

MAX_NAME = 200
MAX_CALL_SIGN = 60
MAX_CREW = 200
MAX_AMOUNT = 10**12
MAX_TRAVEL_MINUTES = 24 * 60
MIN_TTL_SECONDS = 5
MAX_TTL_SECONDS = 3600
MAX_RESERVATION_ITEMS = 500
MAX_INCIDENT = 200

# Update masks: what a client may change per entity, and what it may never set.
MUTABLE: dict[str, frozenset[str]] = {
    "park": frozenset({"display_name", "display_name_zh", "kind", "location", "boundary", "duty_contact", "duty_contact.name", "duty_contact.phone"}),
    "depot": frozenset({"display_name", "kind", "location", "shared"}),
    "unit": frozenset({"call_sign", "home_depot", "crew_size", "capabilities", "type"}),
    "stock": frozenset({"minimum_level"}),
}
OUTPUT_ONLY: dict[str, frozenset[str]] = {
    "park": frozenset({"version", "create_time", "update_time"}),
    "depot": frozenset({"park", "park_id", "version", "retired", "create_time", "update_time"}),
    "unit": frozenset(
        {"park", "park_id", "state", "version", "retired", "reservation_id", "reservation", "incident", "position", "create_time", "update_time"}
    ),
    "stock": frozenset({"park", "park_id", "on_hand", "reserved", "available", "version", "unit_of_measure", "location", "update_time"}),
}
IMMUTABLE: dict[str, frozenset[str]] = {
    "park": frozenset({"name", "park_id"}),
    "depot": frozenset({"name", "depot_id"}),
    "unit": frozenset({"name", "unit_id"}),
    "stock": frozenset({"name", "depot", "depot_id", "type", "resource_type"}),
}


def coerce_enum(cls: type[E], raw: object, field: str) -> E:
    """Convert a raw value to an enum member or refuse it naming the field."""
    try:
        return cls(raw)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise invalid_argument([FieldViolation(field, f"must be one of {allowed}, got {raw!r}")]) from None


def point_violations(point: GeoPoint | None, field: str, *, required: bool = True) -> list[FieldViolation]:
    """Check a WGS-84 position; (0, 0) counts as unset."""
    if point is None or (point.latitude == 0 and point.longitude == 0):
        return [FieldViolation(field, "required: a WGS-84 position in decimal degrees")] if required else []
    out = []
    if not (math.isfinite(point.latitude) and -90 <= point.latitude <= 90):
        out.append(FieldViolation(f"{field}.latitude", "must be within -90..90"))
    if not (math.isfinite(point.longitude) and -180 <= point.longitude <= 180):
        out.append(FieldViolation(f"{field}.longitude", "must be within -180..180"))
    return out


def text_violations(value: str, field: str, *, maximum: int, required: bool) -> list[FieldViolation]:
    """Check a free-text field's presence and length (the resources service's wording leaves the length out)."""
    return fields.text_violations(field, value, maximum=maximum, required=required, show_length=False)


def park_violations(park: Park, prefix: str = "park") -> list[FieldViolation]:
    """Check a park for creation."""
    out = id_violations(f"{prefix}.park_id", park.park_id)
    out += text_violations(park.display_name, f"{prefix}.display_name", maximum=MAX_NAME, required=True)
    out += text_violations(park.display_name_zh, f"{prefix}.display_name_zh", maximum=MAX_NAME, required=False)
    if not isinstance(park.kind, ParkKind):
        out.append(FieldViolation(f"{prefix}.kind", "required: a park kind"))
    out += point_violations(park.location, f"{prefix}.location")
    out += boundary_violations(park.boundary, f"{prefix}.boundary")
    out += text_violations(park.duty_contact.name, f"{prefix}.duty_contact.name", maximum=MAX_NAME, required=False)
    out += text_violations(park.duty_contact.phone, f"{prefix}.duty_contact.phone", maximum=60, required=False)
    return out


def boundary_violations(boundary: Sequence[GeoPoint], field: str) -> list[FieldViolation]:
    """A boundary is empty or a polygon of at least three valid points."""
    if not boundary:
        return []
    if len(boundary) < 3:
        return [FieldViolation(field, "a polygon needs at least three points")]
    out: list[FieldViolation] = []
    for i, point in enumerate(boundary):
        out += point_violations(point, f"{field}[{i}]")
    return out


def depot_violations(depot: Depot, prefix: str = "depot") -> list[FieldViolation]:
    """Check a depot for creation."""
    out = id_violations(f"{prefix}.depot_id", depot.depot_id)
    out += text_violations(depot.display_name, f"{prefix}.display_name", maximum=MAX_NAME, required=True)
    if not isinstance(depot.kind, DepotKind):
        out.append(FieldViolation(f"{prefix}.kind", "required: FIRE_STATION, RESCUE_BASE or SUPPLY_WAREHOUSE"))
    out += point_violations(depot.location, f"{prefix}.location")
    if depot.version:
        out.append(FieldViolation(f"{prefix}.version", "output only"))
    if depot.retired:
        out.append(FieldViolation(f"{prefix}.retired", "output only: use RetireDepot"))
    return out


def capability_violations(capabilities: Sequence[str], field: str, catalogue: Catalogue) -> list[FieldViolation]:
    """Every capability must be a known tag, listed once."""
    out = [FieldViolation(f"{field}[{i}]", f"unknown capability tag {tag!r}") for i, tag in enumerate(capabilities) if tag not in catalogue.capability_tags]
    if len(set(capabilities)) != len(capabilities):
        out.append(FieldViolation(field, "lists a tag more than once"))
    return out


def type_violations(type_code: str, field: str, catalogue: Catalogue, kind: ResourceKind, holder: str) -> list[FieldViolation]:
    """The type must be a catalogue type of the kind the holder needs (units a UNIT type, stock a CONSUMABLE one)."""
    entry = catalogue.get(type_code)
    if entry is None:
        return [FieldViolation(field, f"unknown resource type {type_code!r}")]
    if entry.kind is not kind:
        return [FieldViolation(field, f"{type_code} is a {entry.kind.value} type; {holder} a {kind.value} type")]
    return []


def unit_violations(unit: Unit, catalogue: Catalogue, prefix: str = "unit") -> list[FieldViolation]:
    """Check a unit for creation; state, version and the reservation fields are output only."""
    out = id_violations(f"{prefix}.unit_id", unit.unit_id)
    out += type_violations(unit.type, f"{prefix}.type", catalogue, ResourceKind.UNIT, "units need")
    out += text_violations(unit.call_sign, f"{prefix}.call_sign", maximum=MAX_CALL_SIGN, required=True)
    out += id_violations(f"{prefix}.home_depot", unit.home_depot)
    if not 0 <= unit.crew_size <= MAX_CREW:
        out.append(FieldViolation(f"{prefix}.crew_size", f"must be within 0..{MAX_CREW}"))
    out += capability_violations(unit.capabilities, f"{prefix}.capabilities", catalogue)
    out += point_violations(unit.position, f"{prefix}.position", required=False)
    if unit.state is not UnitState.AVAILABLE:
        out.append(FieldViolation(f"{prefix}.state", "output only: changed by reservations and movements"))
    if unit.version:
        out.append(FieldViolation(f"{prefix}.version", "output only"))
    if unit.retired:
        out.append(FieldViolation(f"{prefix}.retired", "output only: use RetireUnit"))
    if unit.reservation_id or unit.incident:
        out.append(FieldViolation(f"{prefix}.reservation_id", "output only"))
    return out


def stock_violations(stock: Stock, catalogue: Catalogue, prefix: str = "stock") -> list[FieldViolation]:
    """Check a stock for creation: the opening on-hand amount is booked as a receipt."""
    out = id_violations(f"{prefix}.depot_id", stock.depot_id)
    out += type_violations(stock.type, f"{prefix}.type", catalogue, ResourceKind.CONSUMABLE, "stock needs")
    if not 0 <= stock.on_hand <= MAX_AMOUNT:
        out.append(FieldViolation(f"{prefix}.on_hand", f"must be within 0..{MAX_AMOUNT}"))
    if not 0 <= stock.minimum_level <= MAX_AMOUNT:
        out.append(FieldViolation(f"{prefix}.minimum_level", f"must be within 0..{MAX_AMOUNT}"))
    if stock.reserved:
        out.append(FieldViolation(f"{prefix}.reserved", "output only: changed by reservations"))
    if stock.version:
        out.append(FieldViolation(f"{prefix}.version", "output only"))
    return out


def policy_violations(policy: ReservePolicy, catalogue: Catalogue, prefix: str = "reserve_policy") -> list[FieldViolation]:
    """Check a reserve policy."""
    out = id_violations(f"{prefix}.park_id", policy.park_id)
    if catalogue.get(policy.type) is None:
        out.append(FieldViolation(f"{prefix}.type", f"unknown resource type {policy.type!r}"))
    if not 0 <= policy.min_available <= MAX_AMOUNT:
        out.append(FieldViolation(f"{prefix}.min_available", f"must be within 0..{MAX_AMOUNT}"))
    return out


def mutual_aid_violations(agreement: MutualAid, catalogue: Catalogue, prefix: str = "mutual_aid") -> list[FieldViolation]:
    """Check a mutual-aid agreement."""
    out = id_violations(f"{prefix}.lender_park", agreement.lender_park)
    out += id_violations(f"{prefix}.borrower_park", agreement.borrower_park)
    if agreement.lender_park == agreement.borrower_park:
        out.append(FieldViolation(f"{prefix}.borrower_park", "must differ from the lender park"))
    for i, code in enumerate(agreement.resource_types):
        if catalogue.get(code) is None:
            out.append(FieldViolation(f"{prefix}.resource_types[{i}]", f"unknown resource type {code!r}"))
    if not 1 <= agreement.max_travel_minutes <= MAX_TRAVEL_MINUTES:
        out.append(FieldViolation(f"{prefix}.max_travel_minutes", f"must be within 1..{MAX_TRAVEL_MINUTES}"))
    return out


def movement_violations(kind: LedgerKind, delta: int, reason: str) -> list[FieldViolation]:
    """Receipts add, issues and losses take away, corrections go either way; a correction needs a reason."""
    out: list[FieldViolation] = []
    if abs(delta) > MAX_AMOUNT:
        out.append(FieldViolation("delta", f"at most {MAX_AMOUNT} in either direction"))
    elif kind is LedgerKind.RECEIPT and delta <= 0:
        out.append(FieldViolation("delta", "a receipt adds a positive whole amount"))
    elif kind in (LedgerKind.ISSUE, LedgerKind.LOSS) and delta >= 0:
        out.append(FieldViolation("delta", f"{kind.value.lower()} takes away: a negative whole amount"))
    elif kind is LedgerKind.CORRECTION and delta == 0:
        out.append(FieldViolation("delta", "a correction changes the amount: non-zero"))
    out += text_violations(reason, "reason", maximum=500, required=kind is LedgerKind.CORRECTION)
    return out


def adjustment_violations(kind: LedgerKind | None) -> list[FieldViolation]:
    """A stock adjustment books a receipt, a correction or a loss; an issue is booked by confirming a reservation."""
    return [FieldViolation("kind", "issues are booked by confirming a reservation")] if kind is LedgerKind.ISSUE else []


def mask_violations(entity: str, paths: Iterable[str], prefix: str | None = None) -> list[FieldViolation]:
    """Check an update mask: output-only and immutable fields are refused by name, unknown paths too."""
    prefix = prefix or entity
    paths = list(paths)
    if not paths:
        return [FieldViolation("update_mask", "required: list the fields to change, or '*' for every mutable field")]
    out = []
    for path in paths:
        if path == "*" or path in MUTABLE[entity]:
            continue
        if path in OUTPUT_ONLY[entity]:
            out.append(FieldViolation(f"{prefix}.{path}", "output only: it cannot be set by an update"))
        elif path in IMMUTABLE[entity]:
            out.append(FieldViolation(f"{prefix}.{path}", "immutable after creation"))
        else:
            out.append(FieldViolation("update_mask", f"unknown field {path!r} for {entity}"))
    return out


def expand_mask(entity: str, paths: Iterable[str]) -> list[str]:
    """Turn '*' into every mutable field of the entity."""
    paths = list(paths)
    if "*" in paths:
        return sorted(p for p in MUTABLE[entity] if "." not in p)
    return paths


def reservation_violations(incident: str, units: Sequence[UnitRequest], stocks: Sequence[StockRequest], ttl_seconds: int) -> list[FieldViolation]:
    """Check a reservation request's shape; its ids come from names already parsed, conflicts are found when holding."""
    out = text_violations(incident, "incident", maximum=MAX_INCIDENT, required=True)
    if not units and not stocks:
        out.append(FieldViolation("units", "a reservation needs at least one unit or stock item"))
    if len(units) + len(stocks) > MAX_RESERVATION_ITEMS:
        out.append(FieldViolation("units", f"at most {MAX_RESERVATION_ITEMS} items per reservation"))
    if not MIN_TTL_SECONDS <= ttl_seconds <= MAX_TTL_SECONDS:
        out.append(FieldViolation("ttl_seconds", f"must be within {MIN_TTL_SECONDS}..{MAX_TTL_SECONDS}"))
    seen_units: set[tuple[str, str]] = set()
    for i, item in enumerate(units):
        if item.expected_version < 1:
            out.append(FieldViolation(f"units[{i}].expected_version", "required: the unit version the plan was made on"))
        key = (item.park_id, item.unit_id)
        if key in seen_units:
            out.append(FieldViolation(f"units[{i}]", "the same unit is listed twice"))
        seen_units.add(key)
    seen_stocks: set[tuple[str, str, str]] = set()
    for i, stock in enumerate(stocks):
        if not 1 <= stock.amount <= MAX_AMOUNT:
            out.append(FieldViolation(f"stocks[{i}].amount", f"must be a whole amount within 1..{MAX_AMOUNT}"))
        if stock.expected_version < 0:
            out.append(FieldViolation(f"stocks[{i}].expected_version", "0 (accept if enough is available) or a version"))
        skey = (stock.park_id, stock.depot_id, stock.type)
        if skey in seen_stocks:
            out.append(FieldViolation(f"stocks[{i}]", "the same stock is listed twice; ask for the total once"))
        seen_stocks.add(skey)
    return out
