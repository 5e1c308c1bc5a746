"""Parks, depots and units in the store: row decoding, column values, reads and pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlmodel import Session

from services.common.catalogue import ParkKind, load_catalogue
from services.common.clock import as_utc
from services.common.errors import FieldViolation, invalid_argument, not_found
from services.common.names import DEPOT, PARK, UNIT
from services.resources.domain import LIVE, Depot, DepotKind, DutyContact, GeoPoint, Park, Unit, UnitState
from services.resources.namespaces import find_unit, units_view
from services.resources.sql import all_rows, decode, found, keyset_page, one, run, where_equal
from services.resources.tables import DEPOTS, PARKS, STOCKS, UNITS


def _location(row: Mapping[str, Any]) -> GeoPoint:
    """The position a row keeps in its latitude and longitude columns."""
    return GeoPoint(row["latitude"], row["longitude"])


def park_from_row(row: Mapping[str, Any]) -> Park:
    """Build a Park from a parks row."""
    return decode(
        Park,
        row,
        kind=ParkKind(row["kind"]),
        location=_location(row),
        boundary=tuple(GeoPoint(p[0], p[1]) for p in (row["boundary"] or [])),
        duty_contact=DutyContact(row["contact_name"], row["contact_phone"]),
    )


def depot_from_row(row: Mapping[str, Any]) -> Depot:
    """Build a Depot from a depots row."""
    return decode(Depot, row, kind=DepotKind(row["kind"]), location=_location(row), shared=bool(row["shared"]), retired=bool(row["retired"]))


def unit_from_row(row: Mapping[str, Any]) -> Unit:
    """Build a Unit from a units row (of any namespace); spelled out, as snapshot pages decode thousands of them."""
    return Unit(
        park_id=row["park_id"],
        unit_id=row["unit_id"],
        type=row["type"],
        call_sign=row["call_sign"],
        home_depot=row["home_depot"],
        crew_size=row["crew_size"],
        capabilities=tuple(row["capabilities"] or ()),
        position=_location(row),
        state=UnitState(row["state"]),
        version=row["version"],
        retired=bool(row["retired"]),
        reservation_id=row["reservation_id"],
        incident=row["incident"],
        create_time=as_utc(row["create_time"]),
        update_time=as_utc(row["update_time"]),
    )


# ---------------------------------------------------------------- column values of the mutable fields, and the columns of each mask path


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


PARK_COLUMNS = {
    "display_name": ("display_name",),
    "display_name_zh": ("display_name_zh",),
    "kind": ("kind",),
    "location": ("latitude", "longitude"),
    "boundary": ("boundary",),
    "duty_contact": ("contact_name", "contact_phone"),
    "duty_contact.name": ("contact_name",),
    "duty_contact.phone": ("contact_phone",),
}


def depot_values(depot: Depot) -> dict[str, Any]:
    """Column values of a depot's mutable fields."""
    return {
        "display_name": depot.display_name,
        "kind": depot.kind.value,
        "latitude": depot.location.latitude,
        "longitude": depot.location.longitude,
        "shared": depot.shared,
    }


DEPOT_COLUMNS = {"display_name": ("display_name",), "kind": ("kind",), "location": ("latitude", "longitude"), "shared": ("shared",)}


def unit_values(unit: Unit) -> dict[str, Any]:
    """Column values of a unit's mutable registration fields."""
    return {"type": unit.type, "call_sign": unit.call_sign, "home_depot": unit.home_depot, "crew_size": unit.crew_size, "capabilities": list(unit.capabilities)}


UNIT_COLUMNS = {field: (field,) for field in ("type", "call_sign", "home_depot", "crew_size", "capabilities")}


def unit_row_values(unit: Unit, depot: Depot, now: datetime) -> dict[str, Any]:
    """Column values of a new live unit; position defaults to its depot, capabilities to its type's."""
    position = unit.position if unit.position and (unit.position.latitude or unit.position.longitude) else depot.location
    capabilities = list(unit.capabilities) or list(load_catalogue().types[unit.type].capabilities)
    return {
        "namespace": LIVE,
        "park_id": unit.park_id,
        "unit_id": unit.unit_id,
        **unit_values(unit),
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


# ---------------------------------------------------------------- parks


def get_park(session: Session, *, park_id: str) -> Park:
    """Return one park or NOT_FOUND."""
    return locked_park(session, park_id, lock=False)


def locked_park(session: Session, park_id: str, *, lock: bool = True) -> Park:
    """Read a park (for update, unless told otherwise), NOT_FOUND if absent."""
    stmt = select(PARKS).where(PARKS.c.park_id == park_id)
    return found(one(session, stmt.with_for_update() if lock else stmt), park_from_row, "park", PARK.format(park_id))


def require_park(session: Session, park_id: str) -> None:
    """NOT_FOUND unless the park exists."""
    if one(session, select(PARKS.c.park_id).where(PARKS.c.park_id == park_id)) is None:
        raise not_found("park", PARK.format(park_id))


def list_parks(session: Session, *, size: int = 0, token: str = "") -> tuple[list[Park], str]:
    """A page of parks in id order."""
    return keyset_page(session, select(PARKS), [PARKS.c.park_id], park_from_row, filters={"list": "parks"}, size=size, token=token)


# ---------------------------------------------------------------- depots


def get_depot(session: Session, *, park_id: str, depot_id: str) -> Depot:
    """Return one depot or NOT_FOUND."""
    return locked_depot(session, park_id, depot_id, lock=False)


def locked_depot(session: Session, park_id: str, depot_id: str, *, lock: bool = True) -> Depot:
    """Read a depot (for update, unless told otherwise), NOT_FOUND if absent."""
    stmt = select(DEPOTS).where(DEPOTS.c.park_id == park_id, DEPOTS.c.depot_id == depot_id)
    return found(one(session, stmt.with_for_update() if lock else stmt), depot_from_row, "depot", DEPOT.format(park_id, depot_id))


def list_depots(session: Session, *, park_id: str = "", include_retired: bool = False, size: int = 0, token: str = "") -> tuple[list[Depot], str]:
    """A page of depots, optionally of one park."""
    stmt = where_equal(select(DEPOTS), park_id=park_id)
    if not include_retired:
        stmt = stmt.where(DEPOTS.c.retired.is_(False))
    filters = {"list": "depots", "park": park_id, "retired": include_retired}
    return keyset_page(session, stmt, [DEPOTS.c.park_id, DEPOTS.c.depot_id], depot_from_row, filters=filters, size=size, token=token)


def depots_by_key(session: Session) -> dict[tuple[str, str], Depot]:
    """Every depot (retired too) by (park, depot), for the positions of stocks and units."""
    return {(d.park_id, d.depot_id): d for d in map(depot_from_row, all_rows(session, select(DEPOTS)))}


def active_depot(session: Session, park_id: str, depot_id: str, field: str) -> Depot:
    """The depot a unit or stock refers to; INVALID_ARGUMENT naming the field if missing or retired."""
    row = one(session, select(DEPOTS).where(DEPOTS.c.park_id == park_id, DEPOTS.c.depot_id == depot_id))
    if row is None:
        raise invalid_argument([FieldViolation(field, f"no depot {DEPOT.format(park_id, depot_id)}")])
    depot = depot_from_row(row)
    if depot.retired:
        raise invalid_argument([FieldViolation(field, f"{DEPOT.format(park_id, depot_id)} is retired")])
    return depot


def depot_location(session: Session, park_id: str, depot_id: str) -> GeoPoint | None:
    """Where a depot is, or None if there is no such depot."""
    row = one(session, select(DEPOTS.c.latitude, DEPOTS.c.longitude).where(DEPOTS.c.park_id == park_id, DEPOTS.c.depot_id == depot_id))
    return None if row is None else _location(row)


def depot_contents(session: Session, park_id: str, depot_id: str) -> tuple[int, int]:
    """(active live units based at a depot, live stock on hand there)."""
    units = run(
        session,
        select(func.count())
        .select_from(UNITS)
        .where(UNITS.c.namespace == LIVE, UNITS.c.park_id == park_id, UNITS.c.home_depot == depot_id, UNITS.c.retired.is_(False)),
    ).scalar_one()
    stock = run(
        session,
        select(func.coalesce(func.sum(STOCKS.c.on_hand), 0)).where(STOCKS.c.namespace == LIVE, STOCKS.c.park_id == park_id, STOCKS.c.depot_id == depot_id),
    ).scalar_one()
    return int(units), int(stock)


# ---------------------------------------------------------------- units


def get_unit(session: Session, *, park_id: str, unit_id: str, namespace: str = LIVE) -> Unit:
    """Return one unit as seen from the namespace, or NOT_FOUND."""
    return found(find_unit(session, namespace, park_id, unit_id), unit_from_row, "unit", UNIT.format(park_id, unit_id))


def locked_live_unit(session: Session, park_id: str, unit_id: str) -> Unit:
    """Read a live unit for update, NOT_FOUND if absent."""
    row = one(session, select(UNITS).where(UNITS.c.namespace == LIVE, UNITS.c.park_id == park_id, UNITS.c.unit_id == unit_id).with_for_update())
    return found(row, unit_from_row, "unit", UNIT.format(park_id, unit_id))


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
    view = units_view(namespace)
    stmt = where_equal(select(view), park_id=park_id, type=type_code)
    active: ColumnElement[bool] = view.c.retired.is_(False)
    if states:
        active = and_(active, view.c.state.in_([s.value for s in states]))
    if retired == "exclude":
        stmt = stmt.where(active)
    elif retired == "include":
        stmt = stmt.where(or_(active, view.c.retired.is_(True)))
    else:
        stmt = stmt.where(view.c.retired.is_(True))
    filters = {"list": "units", "namespace": namespace, "park": park_id, "type": type_code, "states": sorted(states), "retired": retired}
    return keyset_page(session, stmt, [view.c.park_id, view.c.unit_id], unit_from_row, filters=filters, size=size, token=token)
