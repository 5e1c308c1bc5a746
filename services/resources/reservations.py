"""Reservations: all-or-nothing holds on units and stock, then confirm, release or expiry.

Invariants are enforced by the database, not by this code's reads:
- a unit is held by a conditional UPDATE ... WHERE state = 'AVAILABLE' AND version = planned version, and the
  partial unique index on reservation_units(namespace, park_id, unit_id) WHERE holding allows one holder;
- stock is held by UPDATE ... SET reserved = reserved + n WHERE on_hand - reserved >= n, backed by CHECK
  constraints (0 <= reserved <= on_hand).
Rows are always locked in the same order (exercise, reservation, units by key, stocks by key, counter last),
so concurrent callers queue instead of deadlocking.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from services.common.clock import utcnow
from services.common.errors import FieldViolation, ServiceError, aborted, failed_precondition, invalid_argument, raise_if
from services.common.names import STOCK, UNIT
from services.resources import validation as v
from services.resources.conflicts import ConflictReport, conflict_error, stock_conflict, unit_conflict
from services.resources.domain import (
    LIVE,
    ItemState,
    LedgerKind,
    Reservation,
    ReservationState,
    ReservedStock,
    ReservedUnit,
    StockRequest,
    UnitRequest,
    UnitState,
    illegal_reservation_state,
)
from services.resources.events import bump_version, emit
from services.resources.names import RESERVATION
from services.resources.namespaces import find_stock, find_unit, materialise_stock, materialise_unit, require_namespace
from services.resources.sql import one, run
from services.resources.stock import note_low_stock
from services.resources.store_reservations import (
    Row,
    claim,
    get_reservation,
    held_stocks,
    held_units,
    insert_reservation,
    items,
    reservation_from_rows,
    reservation_namespace,
    unit_where,
    with_state,
)
from services.resources.store_stock import add_ledger, stock_where
from services.resources.tables import RES_STOCKS, RES_UNITS, RESERVATIONS, STOCKS, UNITS

DEFAULT_TTL_SECONDS = 120


# ---------------------------------------------------------------- reserving


def _hold_unit(session: Session, namespace: str, rid: str, incident: str, index: int, item: UnitRequest, report: ConflictReport, now: datetime) -> bool:
    """Move one unit AVAILABLE -> RESERVED if it is still at the planned version; record why not otherwise."""
    name = UNIT.format(item.park_id, item.unit_id)
    if namespace != LIVE:
        materialise_unit(session, namespace, item.park_id, item.unit_id)
    result = run(
        session,
        update(UNITS)
        .where(
            unit_where(namespace, item.park_id, item.unit_id),
            UNITS.c.state == UnitState.AVAILABLE.value,
            UNITS.c.version == item.expected_version,
            UNITS.c.retired.is_(False),
        )
        .values(state=UnitState.RESERVED.value, version=UNITS.c.version + 1, reservation_id=rid, incident=incident, update_time=now),
    )
    if result.rowcount == 1:
        return True
    report.add(f"units[{index}]", name, *unit_conflict(find_unit(session, namespace, item.park_id, item.unit_id), item.expected_version))
    return False


def _hold_stock(session: Session, namespace: str, index: int, item: StockRequest, report: ConflictReport, now: datetime) -> bool:
    """Add the amount to a stock's reserved total if enough is available (and the version matches, if given)."""
    name = STOCK.format(item.park_id, item.depot_id, item.type)
    if namespace != LIVE:
        materialise_stock(session, namespace, item.park_id, item.depot_id, item.type)
    where = stock_where(namespace, item.park_id, item.depot_id, item.type) & (STOCKS.c.on_hand - STOCKS.c.reserved >= item.amount)
    if item.expected_version:
        where = where & (STOCKS.c.version == item.expected_version)
    after = one(
        session,
        update(STOCKS).where(where).values(reserved=STOCKS.c.reserved + item.amount, version=STOCKS.c.version + 1, update_time=now).returning(*STOCKS.c),
    )
    if after is not None:
        before = {"on_hand": after["on_hand"], "reserved": after["reserved"] - item.amount, "minimum_level": after["minimum_level"]}
        note_low_stock(session, namespace, before, after)
        return True
    row = find_stock(session, namespace, item.park_id, item.depot_id, item.type)
    report.add(f"stocks[{index}]", name, *stock_conflict(row, item.amount, item.expected_version))
    return False


def reserve(
    session: Session,
    *,
    incident: str,
    units: Sequence[UnitRequest] = (),
    stocks: Sequence[StockRequest] = (),
    actor: str,
    namespace: str = LIVE,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    now: datetime | None = None,
) -> Reservation:
    """Hold every requested unit and stock amount, or nothing: any conflict raises ABORTED listing them all."""
    raise_if(v.reservation_violations(incident, units, stocks, ttl_seconds))
    require_namespace(session, namespace, lock=True)
    now = now or utcnow()
    rid = uuid.uuid4().hex
    report = ConflictReport()
    for i, item in sorted(enumerate(units), key=lambda p: (p[1].park_id, p[1].unit_id)):
        _hold_unit(session, namespace, rid, incident, i, item, report, now)
    for i, stock in sorted(enumerate(stocks), key=lambda p: (p[1].park_id, p[1].depot_id, p[1].type)):
        _hold_stock(session, namespace, i, stock, report, now)
    if report.conflicts:
        raise conflict_error(report)
    held = Reservation(
        reservation_id=rid,
        namespace=namespace,
        incident=incident,
        state=ReservationState.ACTIVE,
        units=tuple(ReservedUnit(u.park_id, u.unit_id, ItemState.HELD, u.expected_version) for u in units),
        stocks=tuple(ReservedStock(s.park_id, s.depot_id, s.type, s.amount, ItemState.HELD, s.expected_version) for s in stocks),
        requested_by=actor[:200],
        expires_at=now + timedelta(seconds=ttl_seconds),
        version=1,
        create_time=now,
        update_time=now,
    )
    insert_reservation(session, held)
    for u in units:  # each held at its planned version, so it is one past it now
        _unit_event(session, namespace, u.park_id, u.unit_id, UnitState.AVAILABLE, UnitState.RESERVED, rid, incident, u.expected_version + 1)
    emit(
        session,
        "reservation.created",
        RESERVATION.format(rid),
        namespace=namespace,
        version=1,
        payload={
            "incident": incident,
            "units": [UNIT.format(u.park_id, u.unit_id) for u in units],
            "stocks": [{"stock": STOCK.format(s.park_id, s.depot_id, s.type), "amount": s.amount} for s in stocks],
            "expires_at": held.expires_at.isoformat(),
            "actor": actor,
        },
    )
    bump_version(session, namespace)
    return held


def _unit_event(
    session: Session, namespace: str, park_id: str, unit_id: str, before: UnitState, after: UnitState, rid: str, incident: str, version: int
) -> None:
    """Emit unit.state_changed for a reservation-driven change, with the unit's new version and whether its hold ended."""
    emit(
        session,
        "unit.state_changed",
        UNIT.format(park_id, unit_id),
        namespace=namespace,
        version=version,
        payload={
            "from": before.value,
            "to": after.value,
            "reservation": RESERVATION.format(rid),
            "incident": incident,
            "ends_hold": after is UnitState.AVAILABLE,
        },
    )


# ---------------------------------------------------------------- confirming, releasing, expiring


def _refuse(session: Session, namespace: str, reservation_id: str, action: str, now: datetime) -> ServiceError:
    """Explain why a reservation could not be acted on."""
    current = get_reservation(session, reservation_id=reservation_id, namespace=namespace)
    if current.state is ReservationState.ACTIVE and current.expires_at <= now:
        return failed_precondition(
            "RESERVATION_EXPIRED",
            f"{RESERVATION.format(reservation_id)} expired at {current.expires_at.isoformat()}; reserve again",
            {"reservation": RESERVATION.format(reservation_id), "current_state": "EXPIRED"},
        )
    return illegal_reservation_state(reservation_id, current.state, action)


def _inconsistent(subject: str) -> ServiceError:
    """A hold whose row no longer matches (should be impossible; the transaction is abandoned)."""
    return aborted("RESERVATION_INCONSISTENT", f"{subject} no longer matches its reservation; nothing was changed", {"subject": subject})


def _move_held_unit(session: Session, namespace: str, rid: str, incident: str, item: Row, target: UnitState, now: datetime) -> None:
    """Move a unit the reservation holds from RESERVED to the target state (AVAILABLE frees it), with an event."""
    frees = {"reservation_id": "", "incident": ""} if target is UnitState.AVAILABLE else {}
    moved = one(
        session,
        update(UNITS)
        .where(unit_where(namespace, item["park_id"], item["unit_id"]), UNITS.c.state == UnitState.RESERVED.value, UNITS.c.reservation_id == rid)
        .values(state=target.value, **frees, version=UNITS.c.version + 1, update_time=now)
        .returning(UNITS.c.version),
    )
    if moved is None:
        raise _inconsistent(UNIT.format(item["park_id"], item["unit_id"]))
    _unit_event(session, namespace, item["park_id"], item["unit_id"], UnitState.RESERVED, target, rid, incident, moved["version"])


def _unhold_stock(session: Session, namespace: str, item: Row, now: datetime, *, issue: bool) -> Row:
    """Take an amount off a stock's reserved total, and off its on-hand amount too when it is issued; the row after."""
    amount = item["amount"]
    values: dict[str, Any] = {"reserved": STOCKS.c.reserved - amount, "version": STOCKS.c.version + 1, "update_time": now}
    if issue:
        values["on_hand"] = STOCKS.c.on_hand - amount
    after = one(
        session,
        update(STOCKS)
        .where(stock_where(namespace, item["park_id"], item["depot_id"], item["type"]), STOCKS.c.reserved >= amount)
        .values(**values)
        .returning(*STOCKS.c),
    )
    if after is None:
        raise _inconsistent(STOCK.format(item["park_id"], item["depot_id"], item["type"]))
    return after


def confirm(session: Session, *, reservation_id: str, actor: str, namespace: str = LIVE, now: datetime | None = None) -> Reservation:
    """Commit an ACTIVE, unexpired reservation: its units go EN_ROUTE and its stock is issued through the ledger."""
    require_namespace(session, namespace, lock=True)
    now = now or utcnow()
    claimed = claim(session, reservation_id, RESERVATIONS.c.namespace == namespace, RESERVATIONS.c.expires_at > now, now=now, state=ReservationState.CONFIRMED)
    if claimed is None:
        raise _refuse(session, namespace, reservation_id, "confirm", now)
    incident = claimed["incident"]
    unit_rows, stock_rows = items(session, reservation_id)
    held_units = sorted((r for r in unit_rows if r["state"] == ItemState.HELD.value), key=lambda r: (r["park_id"], r["unit_id"]))
    held_stocks = sorted((r for r in stock_rows if r["state"] == ItemState.HELD.value), key=lambda r: (r["park_id"], r["depot_id"], r["type"]))
    for item in held_units:
        _move_held_unit(session, namespace, reservation_id, incident, item, UnitState.EN_ROUTE, now)
    for item in held_stocks:
        after = _unhold_stock(session, namespace, item, now, issue=True)
        reason = f"issued to {incident}"
        add_ledger(
            session,
            namespace=namespace,
            row=after,
            kind=LedgerKind.ISSUE,
            delta=-item["amount"],
            reason=reason,
            actor=actor,
            reservation_id=reservation_id,
            now=now,
        )
    for table, held in ((RES_UNITS, held_units), (RES_STOCKS, held_stocks)):
        if held:
            run(
                session,
                update(table).where(table.c.reservation_id == reservation_id, table.c.state == ItemState.HELD.value).values(state=ItemState.CONFIRMED.value),
            )
    _emit_items(session, "reservation.confirmed", claimed, namespace, held_units, held_stocks, actor=actor)
    bump_version(session, namespace)
    confirmed_units, confirmed_stocks = (with_state(rows, ItemState.HELD, ItemState.CONFIRMED) for rows in (unit_rows, stock_rows))
    return reservation_from_rows(claimed, confirmed_units, confirmed_stocks)


def _emit_items(session: Session, event_type: str, claimed: Row, namespace: str, unit_items: Sequence[Row], stock_items: Sequence[Row], **extra: Any) -> None:
    """Emit a change of a claimed reservation, naming its incident and the held units and stock amounts it concerned."""
    emit(
        session,
        event_type,
        RESERVATION.format(claimed["reservation_id"]),
        namespace=namespace,
        version=claimed["version"],
        payload={
            "incident": claimed["incident"],
            "units": [UNIT.format(u["park_id"], u["unit_id"]) for u in unit_items],
            "stocks": [{"stock": STOCK.format(s["park_id"], s["depot_id"], s["type"]), "amount": s["amount"]} for s in stock_items],
            **extra,
        },
    )


def _free(
    session: Session, namespace: str, rid: str, incident: str, unit_items: Sequence[Row], stock_items: Sequence[Row], outcome: ItemState, now: datetime
) -> None:
    """Give held units back (RESERVED -> AVAILABLE) and held stock back to available."""
    for item in sorted(unit_items, key=lambda r: (r["park_id"], r["unit_id"])):
        _move_held_unit(session, namespace, rid, incident, item, UnitState.AVAILABLE, now)
        run(session, update(RES_UNITS).where(RES_UNITS.c.id == item["id"]).values(state=outcome.value, holding=False))
    for item in sorted(stock_items, key=lambda r: (r["park_id"], r["depot_id"], r["type"])):
        _unhold_stock(session, namespace, item, now, issue=False)
        run(session, update(RES_STOCKS).where(RES_STOCKS.c.id == item["id"]).values(state=outcome.value))


def release(
    session: Session,
    *,
    reservation_id: str,
    actor: str,
    namespace: str = LIVE,
    units: Sequence[tuple[str, str]] = (),
    stocks: Sequence[tuple[str, str, str]] = (),
    reason: str = "",
    now: datetime | None = None,
) -> Reservation:
    """Give back the listed held items (all of them if none are listed) of an ACTIVE reservation."""
    require_namespace(session, namespace, lock=True)
    now = now or utcnow()
    claimed = claim(session, reservation_id, RESERVATIONS.c.namespace == namespace, now=now)
    if claimed is None:
        raise _refuse(session, namespace, reservation_id, "release", now)
    freed_units = held_units(session, reservation_id)
    freed_stocks = held_stocks(session, reservation_id)
    if units or stocks:
        freed_units, freed_stocks = _select_items(reservation_id, freed_units, freed_stocks, units, stocks)
    _free(session, namespace, reservation_id, claimed["incident"], freed_units, freed_stocks, ItemState.RELEASED, now)
    remaining = len(held_units(session, reservation_id)) + len(held_stocks(session, reservation_id))
    if remaining == 0:
        run(session, update(RESERVATIONS).where(RESERVATIONS.c.reservation_id == reservation_id).values(state=ReservationState.RELEASED.value))
    _emit_items(session, "reservation.released", claimed, namespace, freed_units, freed_stocks, complete=remaining == 0, reason=reason, actor=actor)
    bump_version(session, namespace)
    return get_reservation(session, reservation_id=reservation_id, namespace=namespace)


def _select_items(
    rid: str, held_units: list[Row], held_stocks: list[Row], units: Sequence[tuple[str, str]], stocks: Sequence[tuple[str, str, str]]
) -> tuple[list[Row], list[Row]]:
    """The held items named by a partial release; INVALID_ARGUMENT for any that the reservation does not hold."""
    units_by_key = {(u["park_id"], u["unit_id"]): u for u in held_units}
    stocks_by_key = {(s["park_id"], s["depot_id"], s["type"]): s for s in held_stocks}
    violations = [
        FieldViolation(f"units[{i}]", f"{UNIT.format(*key)} is not held by {RESERVATION.format(rid)}") for i, key in enumerate(units) if key not in units_by_key
    ]
    violations += [
        FieldViolation(f"stocks[{i}]", f"{STOCK.format(*key)} is not held by {RESERVATION.format(rid)}")
        for i, key in enumerate(stocks)
        if key not in stocks_by_key
    ]
    if violations:
        raise invalid_argument(violations)
    return [units_by_key[k] for k in dict.fromkeys(units)], [stocks_by_key[k] for k in dict.fromkeys(stocks)]


def expire(session: Session, *, reservation_id: str, now: datetime | None = None) -> Reservation | None:
    """Release one overdue reservation with outcome EXPIRED; None if it was confirmed or released meanwhile."""
    now = now or utcnow()
    namespace = reservation_namespace(session, reservation_id)
    if namespace is None:
        return None
    try:
        require_namespace(session, namespace, lock=True)
    except ServiceError:
        return None  # an ended exercise already discarded its reservations
    claimed = claim(session, reservation_id, RESERVATIONS.c.expires_at <= now, now=now, state=ReservationState.EXPIRED)
    if claimed is None:
        return None
    units = held_units(session, reservation_id)
    stocks = held_stocks(session, reservation_id)
    _free(session, namespace, reservation_id, claimed["incident"], units, stocks, ItemState.EXPIRED, now)
    _emit_items(session, "reservation.expired", claimed, namespace, units, stocks)
    bump_version(session, namespace)
    return get_reservation(session, reservation_id=reservation_id, namespace=namespace)
