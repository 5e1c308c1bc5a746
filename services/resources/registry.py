"""Registration of parks, depots and units (live only); every change bumps the live counter and emits an event."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, insert, update
from sqlmodel import Session

from services.common import names
from services.common.catalogue import load_catalogue
from services.common.clock import utcnow
from services.common.errors import FieldViolation, already_exists, failed_precondition, raise_if
from services.resources import validation as v
from services.resources.domain import LIVE, RETIRABLE_STATES, Depot, Park, Unit, UnitState, check_version
from services.resources.events import bump_version, emit
from services.resources.sql import insert_or_raise, run
from services.resources.store_registry import (
    DEPOT_COLUMNS,
    PARK_COLUMNS,
    UNIT_COLUMNS,
    active_depot,
    depot_contents,
    depot_values,
    get_depot,
    get_park,
    get_unit,
    locked_depot,
    locked_live_unit,
    locked_park,
    park_values,
    require_park,
    unit_row_values,
    unit_values,
)
from services.resources.tables import DEPOTS, PARKS, UNITS

E = TypeVar("E", Park, Depot, Unit)


@dataclass(frozen=True)
class Registered(Generic[E]):
    """What changing one kind of registered record takes: its mask rules, table, columns and checks."""

    entity: str  # park, depot or unit: the update-mask rules, the event type and the RETIRED reason
    table: Table
    columns: Mapping[str, tuple[str, ...]]  # mask path -> the columns it writes
    values: Callable[[E], dict[str, Any]]
    violations: Callable[[E], list[FieldViolation]]
    references: Callable[[Session, E, Sequence[str]], object] = lambda session, record, paths: None


def _unit_references(session: Session, unit: Unit, paths: Sequence[str]) -> None:
    """A unit moved to another depot needs an active depot of its park."""
    if "home_depot" in paths:
        active_depot(session, unit.park_id, unit.home_depot, "unit.home_depot")


PARK = Registered[Park]("park", PARKS, PARK_COLUMNS, park_values, v.park_violations)
DEPOT = Registered[Depot]("depot", DEPOTS, DEPOT_COLUMNS, depot_values, lambda d: v.depot_violations(replace(d, version=0, retired=False)))
UNIT = Registered[Unit](
    "unit",
    UNITS,
    UNIT_COLUMNS,
    unit_values,
    lambda u: v.unit_violations(replace(u, state=UnitState.AVAILABLE, version=0, reservation_id="", incident=""), load_catalogue()),
    _unit_references,
)


def _mask(kind: Registered[E], paths: Sequence[str]) -> list[str]:
    """The fields an update mask names ('*' for every mutable one); output-only, immutable and unknown paths refused."""
    raise_if(v.mask_violations(kind.entity, paths))
    return v.expand_mask(kind.entity, paths)


def _merge(current: E, changes: E, paths: Sequence[str]) -> E:
    """The record after taking the masked fields from changes ('duty_contact.name' takes one field of a nested record)."""
    merged = current
    for path in paths:
        outer, _, inner = path.partition(".")
        value = getattr(changes, outer)
        if inner:
            value = replace(getattr(merged, outer), **{inner: getattr(value, inner)})
        merged = replace(merged, **{outer: value})
    return merged


def _write(
    session: Session, table: Table, key: Mapping[str, str], version: int, values: Mapping[str, Any], now: datetime | None, *, guard: bool = True
) -> None:
    """Write the values and the next version to one row; guarded, only while the row is still at the version read."""
    where = [table.c[column] == value for column, value in key.items()]
    if guard:
        where.append(table.c.version == version)
    run(session, update(table).where(*where).values(**values, version=version + 1, update_time=now or utcnow()))


def _announce(session: Session, event_type: str, name: str, version: int, payload: dict[str, Any]) -> None:
    """Emit a live change and bump the live counter (last, so its row is the last lock taken)."""
    emit(session, event_type, name, namespace=LIVE, version=version, payload=payload)
    bump_version(session, LIVE)


def _update(
    session: Session,
    kind: Registered[E],
    key: Mapping[str, str],
    name: str,
    current: E,
    changes: E,
    paths: Sequence[str],
    *,
    actor: str,
    expected_version: int,
    now: datetime | None,
) -> None:
    """Change the masked fields of a locked record planned on its version; the result must still be valid."""
    if getattr(current, "retired", False):
        raise failed_precondition(f"{kind.entity.upper()}_RETIRED", f"{name} is retired", {kind.entity: name})
    check_version(current.version, expected_version, name)
    merged = _merge(current, changes, paths)
    raise_if(kind.violations(merged))
    kind.references(session, merged, paths)
    values = kind.values(merged)
    _write(session, kind.table, key, current.version, {c: values[c] for p in paths for c in kind.columns[p]}, now)
    _announce(session, f"{kind.entity}.updated", name, current.version + 1, {"actor": actor, "fields": sorted(paths)})


# ---------------------------------------------------------------- parks


def create_park(session: Session, *, park: Park, actor: str, now: datetime | None = None) -> Park:
    """Register a park."""
    raise_if(v.park_violations(park))
    now = now or utcnow()
    values = {"park_id": park.park_id, **park_values(park), "version": 1, "create_time": now, "update_time": now}
    insert_or_raise(session, insert(PARKS).values(**values), already_exists("park", names.PARK.format(park.park_id)))
    created = get_park(session, park_id=park.park_id)
    _announce(session, "park.created", names.PARK.format(park.park_id), 1, {"actor": actor, "kind": park.kind.value})
    return created


def update_park(
    session: Session, *, park_id: str, changes: Park, paths: Sequence[str], actor: str, expected_version: int = 0, now: datetime | None = None
) -> Park:
    """Change the listed fields of a park."""
    paths = _mask(PARK, paths)
    current = locked_park(session, park_id)
    _update(session, PARK, {"park_id": park_id}, names.PARK.format(park_id), current, changes, paths, actor=actor, expected_version=expected_version, now=now)
    return get_park(session, park_id=park_id)


# ---------------------------------------------------------------- depots


def create_depot(session: Session, *, depot: Depot, actor: str, now: datetime | None = None) -> Depot:
    """Register a depot in an existing park."""
    raise_if(v.depot_violations(depot))
    require_park(session, depot.park_id)
    now = now or utcnow()
    values = {"park_id": depot.park_id, "depot_id": depot.depot_id, **depot_values(depot), "create_time": now, "update_time": now}
    name = names.DEPOT.format(depot.park_id, depot.depot_id)
    insert_or_raise(session, insert(DEPOTS).values(**values), already_exists("depot", name))
    _announce(session, "depot.created", name, 1, {"actor": actor, "kind": depot.kind.value})
    return get_depot(session, park_id=depot.park_id, depot_id=depot.depot_id)


def update_depot(
    session: Session, *, park_id: str, depot_id: str, changes: Depot, paths: Sequence[str], actor: str, expected_version: int = 0, now: datetime | None = None
) -> Depot:
    """Change the listed fields of a depot."""
    paths = _mask(DEPOT, paths)
    current = locked_depot(session, park_id, depot_id)
    key = {"park_id": park_id, "depot_id": depot_id}
    _update(session, DEPOT, key, names.DEPOT.format(park_id, depot_id), current, changes, paths, actor=actor, expected_version=expected_version, now=now)
    return get_depot(session, park_id=park_id, depot_id=depot_id)


def retire_depot(session: Session, *, park_id: str, depot_id: str, actor: str, expected_version: int = 0, now: datetime | None = None) -> Depot:
    """Retire an empty depot: no active units based there and no stock on hand."""
    current = locked_depot(session, park_id, depot_id)
    name = names.DEPOT.format(park_id, depot_id)
    check_version(current.version, expected_version, name)
    if current.retired:
        raise failed_precondition("DEPOT_RETIRED", f"{name} is already retired", {"depot": name})
    units_here, stock_here = depot_contents(session, park_id, depot_id)
    if units_here or stock_here:
        raise failed_precondition(
            "DEPOT_IN_USE",
            f"{name} still has {units_here} active units and {stock_here} stock on hand",
            {"depot": name, "units": str(units_here), "stock_on_hand": str(stock_here)},
        )
    _write(session, DEPOTS, {"park_id": park_id, "depot_id": depot_id}, current.version, {"retired": True}, now, guard=False)
    _announce(session, "depot.retired", name, current.version + 1, {"actor": actor})
    return get_depot(session, park_id=park_id, depot_id=depot_id)


# ---------------------------------------------------------------- units


def create_unit(session: Session, *, unit: Unit, actor: str, now: datetime | None = None) -> Unit:
    """Register a unit at one of its park's depots; it starts AVAILABLE at version 1."""
    raise_if(v.unit_violations(unit, load_catalogue()))
    require_park(session, unit.park_id)
    depot = active_depot(session, unit.park_id, unit.home_depot, "unit.home_depot")
    now = now or utcnow()
    name = names.UNIT.format(unit.park_id, unit.unit_id)
    insert_or_raise(session, insert(UNITS).values(**unit_row_values(unit, depot, now)), already_exists("unit", name))
    _announce(session, "unit.created", name, 1, {"actor": actor, "type": unit.type, "home_depot": unit.home_depot})
    return get_unit(session, park_id=unit.park_id, unit_id=unit.unit_id)


def update_unit(
    session: Session, *, park_id: str, unit_id: str, changes: Unit, paths: Sequence[str], actor: str, expected_version: int = 0, now: datetime | None = None
) -> Unit:
    """Change the listed registration fields of a live unit; state and version are never client-set."""
    paths = _mask(UNIT, paths)
    current = locked_live_unit(session, park_id, unit_id)
    key = {"namespace": LIVE, "park_id": park_id, "unit_id": unit_id}
    _update(session, UNIT, key, names.UNIT.format(park_id, unit_id), current, changes, paths, actor=actor, expected_version=expected_version, now=now)
    return get_unit(session, park_id=park_id, unit_id=unit_id)


def retire_unit(session: Session, *, park_id: str, unit_id: str, actor: str, expected_version: int = 0, reason: str = "", now: datetime | None = None) -> Unit:
    """Take a unit off the register for good; only from AVAILABLE or OUT_OF_SERVICE."""
    current = locked_live_unit(session, park_id, unit_id)
    name = names.UNIT.format(park_id, unit_id)
    check_version(current.version, expected_version, name)
    if current.retired:
        raise failed_precondition("UNIT_RETIRED", f"{name} is already retired", {"unit": name})
    if current.state not in RETIRABLE_STATES:
        raise failed_precondition(
            "ILLEGAL_TRANSITION",
            f"{name} is {current.state.value}; only AVAILABLE or OUT_OF_SERVICE units can be retired",
            {"unit": name, "current_state": current.state.value},
        )
    _write(session, UNITS, {"namespace": LIVE, "park_id": park_id, "unit_id": unit_id}, current.version, {"retired": True}, now)
    _announce(session, "unit.retired", name, current.version + 1, {"actor": actor, "reason": reason})
    return get_unit(session, park_id=park_id, unit_id=unit_id)
