"""Registration of parks, depots and units (live only); every change bumps the live counter and emits an event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, tuple_, update
from sqlmodel import Session

from services.common.catalogue import load_catalogue
from services.common.errors import (
    FieldViolation,
    aborted,
    already_exists,
    failed_precondition,
    invalid_argument,
    not_found,
)
from services.common.outbox import utcnow
from services.common.pagination import decode_token, encode_token, fingerprint, page_size
from services.resources import validation as v
from services.resources.convert import depot_from_row, park_from_row, unit_from_row
from services.resources.domain import LIVE, RETIRABLE_STATES, Depot, Park, Unit, UnitState
from services.resources.events import bump_version, emit
from services.resources.names import depot_name, park_name, unit_name
from services.resources.namespaces import STOCKS, find_unit, units_view
from services.resources.sql import all_rows, insert_or_raise, one, run
from services.resources.tables import DepotRow, ParkRow, UnitRow

PARKS = ParkRow.__table__  # type: ignore[attr-defined]
DEPOTS = DepotRow.__table__  # type: ignore[attr-defined]
UNITS = UnitRow.__table__  # type: ignore[attr-defined]


def check_version(current: int, expected: int, subject: str) -> None:
    """Refuse a write planned on another version (0 means no check)."""
    if expected and expected != current:
        raise aborted(
            "VERSION_MISMATCH",
            f"{subject} is at version {current}, not {expected}",
            {"subject": subject, "current_version": str(current)},
        )


# ---------------------------------------------------------------- parks


def park_values(park: Park) -> dict[str, Any]:
    """Column values of a park's mutable fields."""
    return {
        "display_name": park.display_name,
        "display_name_zh": park.display_name_zh,
        "kind": park.kind.value,
        "latitude": park.location.latitude,
        "longitude": park.location.longitude,
        "boundary": [[p.latitude, p.longitude] for p in park.boundary],
        "contact_name": park.duty_contact.name,
        "contact_phone": park.duty_contact.phone,
    }


_PARK_COLUMNS = {
    "display_name": ("display_name",),
    "display_name_zh": ("display_name_zh",),
    "kind": ("kind",),
    "location": ("latitude", "longitude"),
    "boundary": ("boundary",),
    "duty_contact": ("contact_name", "contact_phone"),
    "duty_contact.name": ("contact_name",),
    "duty_contact.phone": ("contact_phone",),
}


def get_park(session: Session, *, park_id: str) -> Park:
    """Return one park or NOT_FOUND."""
    row = one(session, select(PARKS).where(PARKS.c.park_id == park_id))
    if row is None:
        raise not_found("park", park_name(park_id))
    return park_from_row(row)


def require_park(session: Session, park_id: str) -> None:
    """NOT_FOUND unless the park exists."""
    if one(session, select(PARKS.c.park_id).where(PARKS.c.park_id == park_id)) is None:
        raise not_found("park", park_name(park_id))


def list_parks(session: Session, *, size: int = 0, token: str = "") -> tuple[list[Park], str]:
    """A page of parks in id order."""
    limit = page_size(size)
    query = fingerprint("parks")
    after = decode_token(token, query, 1)
    stmt = select(PARKS).order_by(PARKS.c.park_id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(PARKS.c.park_id > after[0])
    rows = [park_from_row(r) for r in all_rows(session, stmt)]
    next_token = encode_token([rows[limit - 1].park_id], query) if len(rows) > limit else ""
    return rows[:limit], next_token


def create_park(session: Session, *, park: Park, actor: str, now: datetime | None = None) -> Park:
    """Register a park."""
    v.raise_if(v.park_violations(park))
    now = now or utcnow()
    values = {"park_id": park.park_id, **park_values(park), "version": 1, "create_time": now, "update_time": now}
    insert_or_raise(session, insert(PARKS).values(**values), already_exists("park", park_name(park.park_id)))
    created = get_park(session, park_id=park.park_id)
    emit(
        session,
        "park.created",
        park_name(park.park_id),
        namespace=LIVE,
        version=1,
        payload={"actor": actor, "kind": park.kind.value},
    )
    bump_version(session, LIVE)
    return created


def update_park(
    session: Session,
    *,
    park_id: str,
    changes: Park,
    paths: Sequence[str],
    actor: str,
    expected_version: int = 0,
    now: datetime | None = None,
) -> Park:
    """Change the listed fields of a park."""
    v.raise_if(v.mask_violations("park", paths))
    paths = v.expand_mask("park", paths)
    row = one(session, select(PARKS).where(PARKS.c.park_id == park_id).with_for_update())
    if row is None:
        raise not_found("park", park_name(park_id))
    current = park_from_row(row)
    check_version(current.version, expected_version, park_name(park_id))
    merged = _merge_park(current, changes, paths)
    v.raise_if(v.park_violations(merged))
    new_values = park_values(merged)
    columns = {c for p in paths for c in _PARK_COLUMNS[p]}
    values = {c: new_values[c] for c in columns}
    run(
        session,
        update(PARKS)
        .where(PARKS.c.park_id == park_id, PARKS.c.version == current.version)
        .values(**values, version=current.version + 1, update_time=now or utcnow()),
    )
    emit(
        session,
        "park.updated",
        park_name(park_id),
        namespace=LIVE,
        version=current.version + 1,
        payload={"actor": actor, "fields": sorted(paths)},
    )
    bump_version(session, LIVE)
    return get_park(session, park_id=park_id)


def _merge_park(current: Park, changes: Park, paths: Sequence[str]) -> Park:
    """The park after applying the masked fields of changes."""
    merged = current
    for path in paths:
        if path == "duty_contact.name":
            merged = replace(merged, duty_contact=replace(merged.duty_contact, name=changes.duty_contact.name))
        elif path == "duty_contact.phone":
            merged = replace(merged, duty_contact=replace(merged.duty_contact, phone=changes.duty_contact.phone))
        else:
            merged = replace(merged, **{path: getattr(changes, path)})
    return merged


# ---------------------------------------------------------------- depots


def get_depot(session: Session, *, park_id: str, depot_id: str) -> Depot:
    """Return one depot or NOT_FOUND."""
    row = one(session, select(DEPOTS).where(DEPOTS.c.park_id == park_id, DEPOTS.c.depot_id == depot_id))
    if row is None:
        raise not_found("depot", depot_name(park_id, depot_id))
    return depot_from_row(row)


def list_depots(session: Session, *, park_id: str = "", include_retired: bool = False, size: int = 0, token: str = "") -> tuple[list[Depot], str]:
    """A page of depots, optionally of one park."""
    limit = page_size(size)
    query = fingerprint("depots", park_id, include_retired)
    after = decode_token(token, query, 2)
    stmt = select(DEPOTS).order_by(DEPOTS.c.park_id, DEPOTS.c.depot_id).limit(limit + 1)
    if park_id:
        stmt = stmt.where(DEPOTS.c.park_id == park_id)
    if not include_retired:
        stmt = stmt.where(DEPOTS.c.retired.is_(False))
    if after is not None:
        stmt = stmt.where(tuple_(DEPOTS.c.park_id, DEPOTS.c.depot_id) > tuple_(*after))
    rows = [depot_from_row(r) for r in all_rows(session, stmt)]
    next_token = encode_token([rows[limit - 1].park_id, rows[limit - 1].depot_id], query) if len(rows) > limit else ""
    return rows[:limit], next_token


def depot_values(depot: Depot) -> dict[str, Any]:
    """Column values of a depot's mutable fields."""
    return {
        "display_name": depot.display_name,
        "kind": depot.kind.value,
        "latitude": depot.location.latitude,
        "longitude": depot.location.longitude,
        "shared": depot.shared,
    }


_DEPOT_COLUMNS = {
    "display_name": ("display_name",),
    "kind": ("kind",),
    "location": ("latitude", "longitude"),
    "shared": ("shared",),
}


def create_depot(session: Session, *, depot: Depot, actor: str, now: datetime | None = None) -> Depot:
    """Register a depot in an existing park."""
    v.raise_if(v.depot_violations(depot))
    require_park(session, depot.park_id)
    now = now or utcnow()
    values = {
        "park_id": depot.park_id,
        "depot_id": depot.depot_id,
        **depot_values(depot),
        "create_time": now,
        "update_time": now,
    }
    name = depot_name(depot.park_id, depot.depot_id)
    insert_or_raise(session, insert(DEPOTS).values(**values), already_exists("depot", name))
    emit(session, "depot.created", name, namespace=LIVE, version=1, payload={"actor": actor, "kind": depot.kind.value})
    bump_version(session, LIVE)
    return get_depot(session, park_id=depot.park_id, depot_id=depot.depot_id)


def _locked_depot(session: Session, park_id: str, depot_id: str) -> Depot:
    """Read a depot for update, NOT_FOUND if absent."""
    row = one(session, select(DEPOTS).where(DEPOTS.c.park_id == park_id, DEPOTS.c.depot_id == depot_id).with_for_update())
    if row is None:
        raise not_found("depot", depot_name(park_id, depot_id))
    return depot_from_row(row)


def update_depot(
    session: Session,
    *,
    park_id: str,
    depot_id: str,
    changes: Depot,
    paths: Sequence[str],
    actor: str,
    expected_version: int = 0,
    now: datetime | None = None,
) -> Depot:
    """Change the listed fields of a depot."""
    v.raise_if(v.mask_violations("depot", paths))
    paths = v.expand_mask("depot", paths)
    current = _locked_depot(session, park_id, depot_id)
    name = depot_name(park_id, depot_id)
    if current.retired:
        raise failed_precondition("DEPOT_RETIRED", f"{name} is retired", {"depot": name})
    check_version(current.version, expected_version, name)
    merged = replace(current, **{p: getattr(changes, p) for p in paths})
    v.raise_if(v.depot_violations(replace(merged, version=0, retired=False)))
    new_values = depot_values(merged)
    values = {c: new_values[c] for p in paths for c in _DEPOT_COLUMNS[p]}
    run(
        session,
        update(DEPOTS)
        .where(DEPOTS.c.park_id == park_id, DEPOTS.c.depot_id == depot_id, DEPOTS.c.version == current.version)
        .values(**values, version=current.version + 1, update_time=now or utcnow()),
    )
    emit(
        session,
        "depot.updated",
        name,
        namespace=LIVE,
        version=current.version + 1,
        payload={"actor": actor, "fields": sorted(paths)},
    )
    bump_version(session, LIVE)
    return get_depot(session, park_id=park_id, depot_id=depot_id)


def retire_depot(session: Session, *, park_id: str, depot_id: str, actor: str, expected_version: int = 0, now: datetime | None = None) -> Depot:
    """Retire an empty depot: no active units based there and no stock on hand."""
    stocks = STOCKS
    current = _locked_depot(session, park_id, depot_id)
    name = depot_name(park_id, depot_id)
    check_version(current.version, expected_version, name)
    if current.retired:
        raise failed_precondition("DEPOT_RETIRED", f"{name} is already retired", {"depot": name})
    units_here = run(
        session,
        select(func.count())
        .select_from(UNITS)
        .where(
            UNITS.c.namespace == LIVE,
            UNITS.c.park_id == park_id,
            UNITS.c.home_depot == depot_id,
            UNITS.c.retired.is_(False),
        ),
    ).scalar_one()
    stock_here = run(
        session,
        select(func.coalesce(func.sum(stocks.c.on_hand), 0)).where(stocks.c.namespace == LIVE, stocks.c.park_id == park_id, stocks.c.depot_id == depot_id),
    ).scalar_one()
    if units_here or stock_here:
        raise failed_precondition(
            "DEPOT_IN_USE",
            f"{name} still has {units_here} active units and {stock_here} stock on hand",
            {"depot": name, "units": str(units_here), "stock_on_hand": str(stock_here)},
        )
    run(
        session,
        update(DEPOTS)
        .where(DEPOTS.c.park_id == park_id, DEPOTS.c.depot_id == depot_id)
        .values(retired=True, version=current.version + 1, update_time=now or utcnow()),
    )
    emit(session, "depot.retired", name, namespace=LIVE, version=current.version + 1, payload={"actor": actor})
    bump_version(session, LIVE)
    return get_depot(session, park_id=park_id, depot_id=depot_id)


def active_depot(session: Session, park_id: str, depot_id: str, field: str) -> Depot:
    """The depot a unit or stock refers to; INVALID_ARGUMENT naming the field if missing or retired."""
    row = one(session, select(DEPOTS).where(DEPOTS.c.park_id == park_id, DEPOTS.c.depot_id == depot_id))
    if row is None:
        raise invalid_argument([FieldViolation(field, f"no depot {depot_name(park_id, depot_id)}")])
    depot = depot_from_row(row)
    if depot.retired:
        raise invalid_argument([FieldViolation(field, f"{depot_name(park_id, depot_id)} is retired")])
    return depot


# ---------------------------------------------------------------- units


def unit_row_values(unit: Unit, depot: Depot, now: datetime) -> dict[str, Any]:
    """Column values of a new live unit; position defaults to its depot, capabilities to its type's."""
    position = unit.position if unit.position and (unit.position.latitude or unit.position.longitude) else depot.location
    capabilities = list(unit.capabilities) or list(load_catalogue().types[unit.type].capabilities)
    return {
        "namespace": LIVE,
        "park_id": unit.park_id,
        "unit_id": unit.unit_id,
        "type": unit.type,
        "call_sign": unit.call_sign,
        "home_depot": unit.home_depot,
        "crew_size": unit.crew_size,
        "capabilities": capabilities,
        "latitude": position.latitude,
        "longitude": position.longitude,
        "state": UnitState.AVAILABLE.value,
        "version": 1,
        "retired": False,
        "reservation_id": "",
        "incident": "",
        "create_time": now,
        "update_time": now,
    }


def get_unit(session: Session, *, park_id: str, unit_id: str, namespace: str = LIVE) -> Unit:
    """Return one unit as seen from the namespace, or NOT_FOUND."""
    row = find_unit(session, namespace, park_id, unit_id)
    if row is None:
        raise not_found("unit", unit_name(park_id, unit_id))
    return unit_from_row(row)


def list_units(
    session: Session,
    *,
    namespace: str = LIVE,
    park_id: str = "",
    type_code: str = "",
    states: Sequence[UnitState] = (),
    retired: Literal["exclude", "include", "only"] = "exclude",
    size: int = 0,
    token: str = "",
) -> tuple[list[Unit], str]:
    """A page of units as seen from the namespace, by park, type and state; retired ones excluded, added or alone."""
    limit = page_size(size)
    query = fingerprint("units", namespace, park_id, type_code, sorted(states), retired)
    after = decode_token(token, query, 2)
    view = units_view(namespace)
    stmt = select(view).order_by(view.c.park_id, view.c.unit_id).limit(limit + 1)
    if park_id:
        stmt = stmt.where(view.c.park_id == park_id)
    if type_code:
        stmt = stmt.where(view.c.type == type_code)
    active: ColumnElement[bool] = view.c.retired.is_(False)
    if states:
        active = and_(active, view.c.state.in_([s.value for s in states]))
    if retired == "exclude":
        stmt = stmt.where(active)
    elif retired == "include":
        stmt = stmt.where(or_(active, view.c.retired.is_(True)))
    else:
        stmt = stmt.where(view.c.retired.is_(True))
    if after is not None:
        stmt = stmt.where(tuple_(view.c.park_id, view.c.unit_id) > tuple_(*after))
    rows = [unit_from_row(r) for r in all_rows(session, stmt)]
    next_token = encode_token([rows[limit - 1].park_id, rows[limit - 1].unit_id], query) if len(rows) > limit else ""
    return rows[:limit], next_token


def create_unit(session: Session, *, unit: Unit, actor: str, now: datetime | None = None) -> Unit:
    """Register a unit at one of its park's depots; it starts AVAILABLE at version 1."""
    v.raise_if(v.unit_violations(unit, load_catalogue()))
    require_park(session, unit.park_id)
    depot = active_depot(session, unit.park_id, unit.home_depot, "unit.home_depot")
    now = now or utcnow()
    name = unit_name(unit.park_id, unit.unit_id)
    insert_or_raise(session, insert(UNITS).values(**unit_row_values(unit, depot, now)), already_exists("unit", name))
    emit(
        session,
        "unit.created",
        name,
        namespace=LIVE,
        version=1,
        payload={"actor": actor, "type": unit.type, "home_depot": unit.home_depot},
    )
    bump_version(session, LIVE)
    return get_unit(session, park_id=unit.park_id, unit_id=unit.unit_id)


def _locked_live_unit(session: Session, park_id: str, unit_id: str) -> Unit:
    """Read a live unit for update, NOT_FOUND if absent."""
    stmt = select(UNITS).where(UNITS.c.namespace == LIVE, UNITS.c.park_id == park_id, UNITS.c.unit_id == unit_id).with_for_update()
    row = one(session, stmt)
    if row is None:
        raise not_found("unit", unit_name(park_id, unit_id))
    return unit_from_row(row)


def update_unit(
    session: Session,
    *,
    park_id: str,
    unit_id: str,
    changes: Unit,
    paths: Sequence[str],
    actor: str,
    expected_version: int = 0,
    now: datetime | None = None,
) -> Unit:
    """Change the listed registration fields of a live unit; state and version are never client-set."""
    v.raise_if(v.mask_violations("unit", paths))
    paths = v.expand_mask("unit", paths)
    current = _locked_live_unit(session, park_id, unit_id)
    name = unit_name(park_id, unit_id)
    if current.retired:
        raise failed_precondition("UNIT_RETIRED", f"{name} is retired", {"unit": name})
    check_version(current.version, expected_version, name)
    merged = replace(current, **{p: getattr(changes, p) for p in paths})
    v.raise_if(v.unit_violations(replace(merged, state=UnitState.AVAILABLE, version=0, reservation_id="", incident=""), load_catalogue()))
    if "home_depot" in paths:
        active_depot(session, park_id, merged.home_depot, "unit.home_depot")
    values: dict[str, Any] = {p: list(merged.capabilities) if p == "capabilities" else getattr(merged, p) for p in paths}
    run(
        session,
        update(UNITS)
        .where(
            UNITS.c.namespace == LIVE,
            UNITS.c.park_id == park_id,
            UNITS.c.unit_id == unit_id,
            UNITS.c.version == current.version,
        )
        .values(**values, version=current.version + 1, update_time=now or utcnow()),
    )
    emit(
        session,
        "unit.updated",
        name,
        namespace=LIVE,
        version=current.version + 1,
        payload={"actor": actor, "fields": sorted(paths)},
    )
    bump_version(session, LIVE)
    return get_unit(session, park_id=park_id, unit_id=unit_id)


def retire_unit(session: Session, *, park_id: str, unit_id: str, actor: str, expected_version: int = 0, reason: str = "", now: datetime | None = None) -> Unit:
    """Take a unit off the register for good; only from AVAILABLE or OUT_OF_SERVICE."""
    current = _locked_live_unit(session, park_id, unit_id)
    name = unit_name(park_id, unit_id)
    check_version(current.version, expected_version, name)
    if current.retired:
        raise failed_precondition("UNIT_RETIRED", f"{name} is already retired", {"unit": name})
    if current.state not in RETIRABLE_STATES:
        raise failed_precondition(
            "ILLEGAL_TRANSITION",
            f"{name} is {current.state.value}; only AVAILABLE or OUT_OF_SERVICE units can be retired",
            {"unit": name, "current_state": current.state.value},
        )
    run(
        session,
        update(UNITS)
        .where(
            UNITS.c.namespace == LIVE,
            UNITS.c.park_id == park_id,
            UNITS.c.unit_id == unit_id,
            UNITS.c.version == current.version,
        )
        .values(retired=True, version=current.version + 1, update_time=now or utcnow()),
    )
    emit(session, "unit.retired", name, namespace=LIVE, version=current.version + 1, payload={"actor": actor, "reason": reason})
    bump_version(session, LIVE)
    return get_unit(session, park_id=park_id, unit_id=unit_id)
