"""Updating an existing inventory by code: what each import row would change, its limits, and applying the updates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from services.common.catalogue import Catalogue
from services.common.errors import FieldViolation
from services.common.names import DEPOT, MUTUAL_AID, RESERVE_POLICY, STOCK, UNIT
from services.resources.domain import LIVE, Inventory, LedgerKind, ReservePolicy, Stock, Unit, UnitState
from services.resources.sql import one
from services.resources.store_inventory import ExistingRows
from services.resources.store_registry import depot_values, unit_values
from services.resources.store_stock import add_ledger
from services.resources.tables import DEPOTS, POLICIES, STOCKS, UNITS

# A unit away on a response keeps its type, home and crew until it is back.
UPDATABLE_UNIT_STATES = frozenset({UnitState.AVAILABLE.value, UnitState.OUT_OF_SERVICE.value})


@dataclass(frozen=True, slots=True)
class Change:
    """What one row of an import does: create, update (with old -> new per field) or nothing."""

    kind: str  # depots, units, stocks, reserve_policies, mutual_aid
    index: int
    action: str  # create, update, unchanged
    target: str
    fields: tuple[str, ...] = ()


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    """Each field whose value changes, as 'field: old -> new'."""
    return tuple(f"{key}: {old[key]!r} -> {value!r}" for key, value in new.items() if old[key] != value)


def unit_fields(unit: Unit, catalogue: Catalogue) -> dict[str, Any]:
    """The columns an import sets on a unit (capabilities default to its type's, as at creation)."""
    default_caps = catalogue.types[unit.type].capabilities if unit.type in catalogue.types else ()
    return {**unit_values(unit), "capabilities": list(unit.capabilities) or list(default_caps)}


def stock_fields(stock: Stock) -> dict[str, Any]:
    """The columns an import sets on a stock."""
    return {"on_hand": stock.on_hand, "minimum_level": stock.minimum_level}


def plan(inventory: Inventory, rows: ExistingRows, catalogue: Catalogue) -> Iterator[Change]:
    """What every row does to the park as it is now, in row order per kind."""
    park = inventory.park_id
    for i, depot in enumerate(inventory.depots):
        old = rows.depots.get(depot.depot_id)
        yield _change("depots", i, DEPOT.format(park, depot.depot_id), old, depot_values(depot))
    for i, unit in enumerate(inventory.units):
        old = rows.units.get(unit.unit_id)
        yield _change("units", i, UNIT.format(park, unit.unit_id), old, unit_fields(unit, catalogue))
    for i, stock in enumerate(inventory.stocks):
        old = rows.stocks.get((stock.depot_id, stock.type))
        yield _change("stocks", i, STOCK.format(park, stock.depot_id, stock.type), old, stock_fields(stock))
    for i, policy in enumerate(inventory.reserve_policies):
        minimum = rows.policies.get(policy.type)
        old_policy = None if minimum is None else {"min_available": minimum}
        yield _change("reserve_policies", i, RESERVE_POLICY.format(park, policy.type), old_policy, {"min_available": policy.min_available})
    for i, agreement in enumerate(inventory.mutual_aid):
        yield Change("mutual_aid", i, "create", MUTUAL_AID.format(park, agreement.borrower_park))


def _change(kind: str, index: int, target: str, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> Change:
    """Create when nothing exists, else update or unchanged by the field differences."""
    if old is None:
        return Change(kind, index, "create", target)
    fields = _diff(old, new)
    return Change(kind, index, "update" if fields else "unchanged", target, fields)


def update_violations(inventory: Inventory, rows: ExistingRows, catalogue: Catalogue) -> Iterator[FieldViolation]:
    """Updates an import may not make: to a unit on a response or retired, or stock below what is reserved."""
    for i, unit in enumerate(inventory.units):
        old = rows.units.get(unit.unit_id)
        if old is None or not _diff(old, unit_fields(unit, catalogue)):
            continue
        if old["retired"]:
            yield FieldViolation(f"units[{i}].unit_id", f"unit {unit.unit_id!r} is retired")
        elif old["state"] not in UPDATABLE_UNIT_STATES:
            yield FieldViolation(f"units[{i}].unit_id", f"unit {unit.unit_id!r} is {old['state']}; update it when it is back")
    for i, stock in enumerate(inventory.stocks):
        old = rows.stocks.get((stock.depot_id, stock.type))
        if old is not None and stock.on_hand < old["reserved"]:
            yield FieldViolation(f"stocks[{i}].on_hand", f"{old['reserved']} are reserved; on hand cannot go below that")


def apply_updates(session: Session, inventory: Inventory, changes: list[Change], rows: ExistingRows, catalogue: Catalogue, actor: str, now: datetime) -> None:
    """Write every update of a validated plan."""
    park = inventory.park_id
    conn = session.connection()
    for change in changes:
        if change.action != "update":
            continue
        if change.kind == "depots":
            depot = inventory.depots[change.index]
            conn.execute(
                update(DEPOTS)
                .where(DEPOTS.c.park_id == park, DEPOTS.c.depot_id == depot.depot_id)
                .values(**depot_values(depot), version=DEPOTS.c.version + 1, update_time=now)
            )
        elif change.kind == "units":
            unit = inventory.units[change.index]
            conn.execute(
                update(UNITS)
                .where(UNITS.c.namespace == LIVE, UNITS.c.park_id == park, UNITS.c.unit_id == unit.unit_id)
                .values(**unit_fields(unit, catalogue), version=UNITS.c.version + 1, update_time=now)
            )
        elif change.kind == "stocks":
            _update_stock(session, park, inventory.stocks[change.index], rows, actor, now)
        elif change.kind == "reserve_policies":
            policy: ReservePolicy = inventory.reserve_policies[change.index]
            conn.execute(
                update(POLICIES)
                .where(POLICIES.c.park_id == park, POLICIES.c.type == policy.type)
                .values(min_available=policy.min_available, version=POLICIES.c.version + 1)
            )


def _update_stock(session: Session, park: str, stock: Stock, rows: ExistingRows, actor: str, now: datetime) -> None:
    """Set a stock's minimum and on-hand amount; a changed amount is a ledger correction."""
    old = rows.stocks[(stock.depot_id, stock.type)]
    after = one(
        session,
        update(STOCKS)
        .where(STOCKS.c.namespace == LIVE, STOCKS.c.park_id == park, STOCKS.c.depot_id == stock.depot_id, STOCKS.c.type == stock.type)
        .values(on_hand=stock.on_hand, minimum_level=stock.minimum_level, version=STOCKS.c.version + 1, update_time=now)
        .returning(*STOCKS.c),
    )
    delta = stock.on_hand - int(old["on_hand"])
    if after is not None and delta:
        add_ledger(session, namespace=LIVE, row=after, kind=LedgerKind.CORRECTION, delta=delta, reason="inventory import (update)", actor=actor, now=now)
