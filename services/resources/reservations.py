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
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, literal, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.common.errors import (
    FieldViolation,
    ServiceError,
    aborted,
    failed_precondition,
    invalid_argument,
    not_found,
)
from services.common.outbox import utcnow
from services.common.pagination import decode_token, encode_token, fingerprint, page_size
from services.resources import validation as v
from services.resources.convert import as_utc
from services.resources.domain import (
    LIVE,
    Conflict,
    ConflictReport,
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
from services.resources.names import reservation_name, stock_name, unit_name
from services.resources.namespaces import (
    UNITS,
    find_stock,
    find_unit,
    materialise_stock,
    materialise_unit,
    require_namespace,
)
from services.resources.sql import all_rows, one, run
from services.resources.stock import STOCKS, add_ledger, note_low_stock, stock_where
from services.resources.tables import ReservationRow, ReservationStockRow, ReservationUnitRow

RESERVATIONS = ReservationRow.__table__  # type: ignore[attr-defined]
RES_UNITS = ReservationUnitRow.__table__  # type: ignore[attr-defined]
RES_STOCKS = ReservationStockRow.__table__  # type: ignore[attr-defined]

DEFAULT_TTL_SECONDS = 120


def unit_where(namespace: str, park_id: str, unit_id: str) -> Any:
    """WHERE clause for one unit row of one namespace."""
    return (UNITS.c.namespace == namespace) & (UNITS.c.park_id == park_id) & (UNITS.c.unit_id == unit_id)


# ---------------------------------------------------------------- reading


def _items(session: Session, rid: str) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """Every unit and stock item of a reservation, in the order they were requested."""
    units = all_rows(session, select(RES_UNITS).where(RES_UNITS.c.reservation_id == rid).order_by(RES_UNITS.c.id))
    stocks = all_rows(session, select(RES_STOCKS).where(RES_STOCKS.c.reservation_id == rid).order_by(RES_STOCKS.c.id))
    return list(units), list(stocks)


def _build(row: Mapping[str, Any], units: Sequence[Mapping[str, Any]], stocks: Sequence[Mapping[str, Any]]) -> Reservation:
    """A reservation from its row and its item rows."""
    return Reservation(
        reservation_id=row["reservation_id"],
        namespace=row["namespace"],
        incident=row["incident"],
        state=ReservationState(row["state"]),
        units=tuple(ReservedUnit(u["park_id"], u["unit_id"], ItemState(u["state"]), u["planned_version"]) for u in units),
        stocks=tuple(ReservedStock(s["park_id"], s["depot_id"], s["type"], s["amount"], ItemState(s["state"]), s["planned_version"]) for s in stocks),
        requested_by=row["requested_by"],
        expires_at=as_utc(row["expires_at"]),
        version=row["version"],
        create_time=as_utc(row["create_time"]),
        update_time=as_utc(row["update_time"]),
    )


def _reservation(session: Session, row: Mapping[str, Any]) -> Reservation:
    """Assemble a reservation with its items."""
    return _build(row, *_items(session, row["reservation_id"]))


def _with_state(rows: Sequence[Mapping[str, Any]], before: ItemState, after: ItemState) -> list[Mapping[str, Any]]:
    """Item rows as they are after a batch update from one item state to another."""
    return [{**r, "state": after.value} if r["state"] == before.value else r for r in rows]


def get_reservation(session: Session, *, reservation_id: str, namespace: str | None = LIVE) -> Reservation:
    """Return a reservation of the namespace (of any namespace for None), or NOT_FOUND."""
    stmt = select(RESERVATIONS).where(RESERVATIONS.c.reservation_id == reservation_id)
    if namespace is not None:
        stmt = stmt.where(RESERVATIONS.c.namespace == namespace)
    row = one(session, stmt)
    if row is None:
        raise not_found("reservation", reservation_name(reservation_id))
    return _reservation(session, row)


def list_reservations(
    session: Session,
    *,
    namespace: str = LIVE,
    incident: str = "",
    states: Sequence[ReservationState] = (),
    size: int = 0,
    token: str = "",
) -> tuple[list[Reservation], str]:
    """A page of the namespace's reservations, newest first."""
    limit = page_size(size)
    query = fingerprint("reservations", namespace, incident, sorted(states))
    after = decode_token(token, query, 2)
    order = (RESERVATIONS.c.create_time.desc(), RESERVATIONS.c.reservation_id.desc())
    stmt = select(RESERVATIONS).where(RESERVATIONS.c.namespace == namespace).order_by(*order).limit(limit + 1)
    if incident:
        stmt = stmt.where(RESERVATIONS.c.incident == incident)
    if states:
        stmt = stmt.where(RESERVATIONS.c.state.in_([s.value for s in states]))
    if after is not None:
        key = tuple_(literal(datetime.fromisoformat(after[0])), literal(after[1]))
        stmt = stmt.where(tuple_(RESERVATIONS.c.create_time, RESERVATIONS.c.reservation_id) < key)
    rows = all_rows(session, stmt)
    page = [_reservation(session, r) for r in rows[:limit]]
    last = page[-1] if len(rows) > limit else None
    next_token = encode_token([last.create_time.isoformat(), last.reservation_id], query) if last else ""
    return page, next_token


# ---------------------------------------------------------------- reserving


def _hold_unit(
    session: Session,
    namespace: str,
    rid: str,
    incident: str,
    index: int,
    item: UnitRequest,
    report: ConflictReport,
    now: datetime,
) -> bool:
    """Move one unit AVAILABLE -> RESERVED if it is still at the planned version; record why not otherwise."""
    name = unit_name(item.park_id, item.unit_id)
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
        .values(
            state=UnitState.RESERVED.value,
            version=UNITS.c.version + 1,
            reservation_id=rid,
            incident=incident,
            update_time=now,
        ),
    )
    if result.rowcount == 1:
        return True
    row = find_unit(session, namespace, item.park_id, item.unit_id)
    field = f"units[{index}]"
    if row is None:
        report.add(field, name, "UNIT_NOT_FOUND", "no such unit")
    elif row["retired"]:
        report.add(field, name, "UNIT_RETIRED", "the unit is retired")
    elif row["state"] != UnitState.AVAILABLE.value:
        held = f" by {reservation_name(row['reservation_id'])}" if row["reservation_id"] else ""
        report.add(field, name, "UNIT_NOT_AVAILABLE", f"state {row['state']}{held}")
    else:
        report.add(field, name, "UNIT_VERSION_MISMATCH", f"version {row['version']}, planned on {item.expected_version}")
    return False


def _hold_stock(session: Session, namespace: str, index: int, item: StockRequest, report: ConflictReport, now: datetime) -> bool:
    """Add the amount to a stock's reserved total if enough is available (and the version matches, if given)."""
    name = stock_name(item.park_id, item.depot_id, item.type)
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
        before = {
            "on_hand": after["on_hand"],
            "reserved": after["reserved"] - item.amount,
            "minimum_level": after["minimum_level"],
        }
        note_low_stock(session, namespace, before, after)
        return True
    row = find_stock(session, namespace, item.park_id, item.depot_id, item.type)
    field = f"stocks[{index}]"
    if row is None:
        report.add(field, name, "STOCK_NOT_FOUND", "no such stock")
    elif row["on_hand"] - row["reserved"] < item.amount:
        report.add(field, name, "INSUFFICIENT_STOCK", f"{row['on_hand'] - row['reserved']} available, {item.amount} requested")
    else:
        report.add(field, name, "STOCK_VERSION_MISMATCH", f"version {row['version']}, planned on {item.expected_version}")
    return False


def _request_order(conflict: Conflict) -> tuple[int, int]:
    """Sort conflicts as the request listed them: units first, then stocks, by position."""
    kind, _, rest = conflict.field.partition("[")
    return (0 if kind == "units" else 1, int(rest.rstrip("]") or 0))


MAX_CONFLICTS_NAMED = 10


def conflict_error(report: ConflictReport) -> ServiceError:
    """ABORTED listing every conflicting item in the violations and the metadata."""
    conflicts = sorted(report.conflicts, key=_request_order)
    metadata = {"conflicts": str(len(conflicts))}
    # The violations list every item; message and metadata name the first few so the trailer stays small.
    for c in conflicts[:MAX_CONFLICTS_NAMED]:
        metadata[c.field.replace("[", "_").replace("]", "")] = f"{c.reason} {c.subject}: {c.detail}"
    summary = "; ".join(f"{c.field} {c.subject}: {c.reason} ({c.detail})" for c in conflicts[:MAX_CONFLICTS_NAMED])
    if len(conflicts) > MAX_CONFLICTS_NAMED:
        summary += f"; and {len(conflicts) - MAX_CONFLICTS_NAMED} more (see the field violations)"
    error = aborted("RESERVATION_CONFLICT", f"nothing was reserved; {len(conflicts)} item(s) conflict: {summary}", metadata)
    error.violations = [FieldViolation(c.field, f"{c.reason}: {c.subject}: {c.detail}") for c in conflicts]
    return error


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
    v.raise_if(v.reservation_violations(incident, units, stocks, ttl_seconds))
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
    expires_at = now + timedelta(seconds=ttl_seconds)
    conn = session.connection()
    conn.execute(
        insert(RESERVATIONS).values(
            reservation_id=rid,
            namespace=namespace,
            incident=incident,
            state=ReservationState.ACTIVE.value,
            requested_by=actor[:200],
            expires_at=expires_at,
            version=1,
            create_time=now,
            update_time=now,
        )
    )
    try:
        if units:
            conn.execute(
                insert(RES_UNITS),
                [
                    {
                        "reservation_id": rid,
                        "namespace": namespace,
                        "park_id": u.park_id,
                        "unit_id": u.unit_id,
                        "planned_version": u.expected_version,
                        "state": ItemState.HELD.value,
                        "holding": True,
                    }
                    for u in units
                ],
            )
    except IntegrityError as exc:  # the unique hold index caught what the conditional update should already have
        raise aborted("UNIT_ALREADY_HELD", "a requested unit is already held by another reservation; nothing was reserved") from exc
    if stocks:
        conn.execute(
            insert(RES_STOCKS),
            [
                {
                    "reservation_id": rid,
                    "namespace": namespace,
                    "park_id": s.park_id,
                    "depot_id": s.depot_id,
                    "type": s.type,
                    "amount": s.amount,
                    "planned_version": s.expected_version,
                    "state": ItemState.HELD.value,
                }
                for s in stocks
            ],
        )
    for u in units:
        _unit_event(session, namespace, u.park_id, u.unit_id, UnitState.AVAILABLE, UnitState.RESERVED, rid, incident)
    emit(
        session,
        "reservation.created",
        reservation_name(rid),
        namespace=namespace,
        version=1,
        payload={
            "incident": incident,
            "units": [unit_name(u.park_id, u.unit_id) for u in units],
            "stocks": [{"stock": stock_name(s.park_id, s.depot_id, s.type), "amount": s.amount} for s in stocks],
            "expires_at": expires_at.isoformat(),
            "actor": actor,
        },
    )
    bump_version(session, namespace)
    return Reservation(
        reservation_id=rid,
        namespace=namespace,
        incident=incident,
        state=ReservationState.ACTIVE,
        units=tuple(ReservedUnit(u.park_id, u.unit_id, ItemState.HELD, u.expected_version) for u in units),
        stocks=tuple(ReservedStock(s.park_id, s.depot_id, s.type, s.amount, ItemState.HELD, s.expected_version) for s in stocks),
        requested_by=actor[:200],
        expires_at=expires_at,
        version=1,
        create_time=now,
        update_time=now,
    )


def _unit_event(
    session: Session,
    namespace: str,
    park_id: str,
    unit_id: str,
    before: UnitState,
    after: UnitState,
    rid: str,
    incident: str,
) -> None:
    """Emit unit.state_changed for a reservation-driven change."""
    emit(
        session,
        "unit.state_changed",
        unit_name(park_id, unit_id),
        namespace=namespace,
        payload={"from": before.value, "to": after.value, "reservation": reservation_name(rid), "incident": incident},
    )


# ---------------------------------------------------------------- confirming, releasing, expiring


def _refuse(session: Session, namespace: str, reservation_id: str, action: str, now: datetime) -> ServiceError:
    """Explain why a reservation could not be acted on."""
    current = get_reservation(session, reservation_id=reservation_id, namespace=namespace)
    if current.state is ReservationState.ACTIVE and current.expires_at <= now:
        return failed_precondition(
            "RESERVATION_EXPIRED",
            f"{reservation_name(reservation_id)} expired at {current.expires_at.isoformat()}; reserve again",
            {"reservation": reservation_name(reservation_id), "current_state": "EXPIRED"},
        )
    return illegal_reservation_state(reservation_id, current.state, action)


def _held_units(session: Session, rid: str) -> list[Mapping[str, Any]]:
    """Unit items still HELD by the reservation, in lock order."""
    stmt = select(RES_UNITS).where(RES_UNITS.c.reservation_id == rid, RES_UNITS.c.state == ItemState.HELD.value)
    return sorted(all_rows(session, stmt), key=lambda r: (r["park_id"], r["unit_id"]))


def _held_stocks(session: Session, rid: str) -> list[Mapping[str, Any]]:
    """Stock items still HELD by the reservation, in lock order."""
    stmt = select(RES_STOCKS).where(RES_STOCKS.c.reservation_id == rid, RES_STOCKS.c.state == ItemState.HELD.value)
    return sorted(all_rows(session, stmt), key=lambda r: (r["park_id"], r["depot_id"], r["type"]))


def _inconsistent(subject: str) -> ServiceError:
    """A hold whose row no longer matches (should be impossible; the transaction is abandoned)."""
    return aborted(
        "RESERVATION_INCONSISTENT",
        f"{subject} no longer matches its reservation; nothing was changed",
        {"subject": subject},
    )


def confirm(session: Session, *, reservation_id: str, actor: str, namespace: str = LIVE, now: datetime | None = None) -> Reservation:
    """Commit an ACTIVE, unexpired reservation: its units go EN_ROUTE and its stock is issued through the ledger."""
    require_namespace(session, namespace, lock=True)
    now = now or utcnow()
    claimed = one(
        session,
        update(RESERVATIONS)
        .where(
            RESERVATIONS.c.reservation_id == reservation_id,
            RESERVATIONS.c.namespace == namespace,
            RESERVATIONS.c.state == ReservationState.ACTIVE.value,
            RESERVATIONS.c.expires_at > now,
        )
        .values(state=ReservationState.CONFIRMED.value, version=RESERVATIONS.c.version + 1, update_time=now)
        .returning(*RESERVATIONS.c),
    )
    if claimed is None:
        raise _refuse(session, namespace, reservation_id, "confirm", now)
    incident = claimed["incident"]
    unit_rows, stock_rows = _items(session, reservation_id)
    held_units = sorted((r for r in unit_rows if r["state"] == ItemState.HELD.value), key=lambda r: (r["park_id"], r["unit_id"]))
    held_stocks = sorted((r for r in stock_rows if r["state"] == ItemState.HELD.value), key=lambda r: (r["park_id"], r["depot_id"], r["type"]))
    for item in held_units:
        moved = run(
            session,
            update(UNITS)
            .where(
                unit_where(namespace, item["park_id"], item["unit_id"]),
                UNITS.c.state == UnitState.RESERVED.value,
                UNITS.c.reservation_id == reservation_id,
            )
            .values(state=UnitState.EN_ROUTE.value, version=UNITS.c.version + 1, update_time=now),
        )
        if moved.rowcount != 1:
            raise _inconsistent(unit_name(item["park_id"], item["unit_id"]))
        _unit_event(session, namespace, item["park_id"], item["unit_id"], UnitState.RESERVED, UnitState.EN_ROUTE, reservation_id, incident)
    for item in held_stocks:
        amount = item["amount"]
        after = one(
            session,
            update(STOCKS)
            .where(stock_where(namespace, item["park_id"], item["depot_id"], item["type"]), STOCKS.c.reserved >= amount)
            .values(on_hand=STOCKS.c.on_hand - amount, reserved=STOCKS.c.reserved - amount, version=STOCKS.c.version + 1, update_time=now)
            .returning(*STOCKS.c),
        )
        if after is None:
            raise _inconsistent(stock_name(item["park_id"], item["depot_id"], item["type"]))
        add_ledger(
            session,
            namespace=namespace,
            row=after,
            kind=LedgerKind.ISSUE,
            delta=-amount,
            reason=f"issued to {incident}",
            actor=actor,
            reservation_id=reservation_id,
            now=now,
        )
    if held_units:
        run(
            session,
            update(RES_UNITS)
            .where(RES_UNITS.c.reservation_id == reservation_id, RES_UNITS.c.state == ItemState.HELD.value)
            .values(state=ItemState.CONFIRMED.value),
        )
    if held_stocks:
        run(
            session,
            update(RES_STOCKS)
            .where(RES_STOCKS.c.reservation_id == reservation_id, RES_STOCKS.c.state == ItemState.HELD.value)
            .values(state=ItemState.CONFIRMED.value),
        )
    emit(
        session,
        "reservation.confirmed",
        reservation_name(reservation_id),
        namespace=namespace,
        version=claimed["version"],
        payload={"incident": incident, "actor": actor},
    )
    bump_version(session, namespace)
    return _build(claimed, _with_state(unit_rows, ItemState.HELD, ItemState.CONFIRMED), _with_state(stock_rows, ItemState.HELD, ItemState.CONFIRMED))


def _free(
    session: Session,
    namespace: str,
    rid: str,
    incident: str,
    unit_items: Sequence[Mapping[str, Any]],
    stock_items: Sequence[Mapping[str, Any]],
    outcome: ItemState,
    now: datetime,
) -> None:
    """Give held units back (RESERVED -> AVAILABLE) and held stock back to available."""
    for item in sorted(unit_items, key=lambda r: (r["park_id"], r["unit_id"])):
        freed = run(
            session,
            update(UNITS)
            .where(
                unit_where(namespace, item["park_id"], item["unit_id"]),
                UNITS.c.state == UnitState.RESERVED.value,
                UNITS.c.reservation_id == rid,
            )
            .values(
                state=UnitState.AVAILABLE.value,
                reservation_id="",
                incident="",
                version=UNITS.c.version + 1,
                update_time=now,
            ),
        )
        if freed.rowcount != 1:
            raise _inconsistent(unit_name(item["park_id"], item["unit_id"]))
        run(session, update(RES_UNITS).where(RES_UNITS.c.id == item["id"]).values(state=outcome.value, holding=False))
        _unit_event(session, namespace, item["park_id"], item["unit_id"], UnitState.RESERVED, UnitState.AVAILABLE, rid, incident)
    for item in sorted(stock_items, key=lambda r: (r["park_id"], r["depot_id"], r["type"])):
        after = one(
            session,
            update(STOCKS)
            .where(
                stock_where(namespace, item["park_id"], item["depot_id"], item["type"]),
                STOCKS.c.reserved >= item["amount"],
            )
            .values(reserved=STOCKS.c.reserved - item["amount"], version=STOCKS.c.version + 1, update_time=now)
            .returning(STOCKS.c.version),
        )
        if after is None:
            raise _inconsistent(stock_name(item["park_id"], item["depot_id"], item["type"]))
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
    claimed = one(
        session,
        update(RESERVATIONS)
        .where(
            RESERVATIONS.c.reservation_id == reservation_id,
            RESERVATIONS.c.namespace == namespace,
            RESERVATIONS.c.state == ReservationState.ACTIVE.value,
        )
        .values(version=RESERVATIONS.c.version + 1, update_time=now)
        .returning(RESERVATIONS.c.incident, RESERVATIONS.c.version),
    )
    if claimed is None:
        raise _refuse(session, namespace, reservation_id, "release", now)
    held_units = _held_units(session, reservation_id)
    held_stocks = _held_stocks(session, reservation_id)
    if units or stocks:
        held_units, held_stocks = _select_items(reservation_id, held_units, held_stocks, units, stocks)
    _free(session, namespace, reservation_id, claimed["incident"], held_units, held_stocks, ItemState.RELEASED, now)
    remaining = len(_held_units(session, reservation_id)) + len(_held_stocks(session, reservation_id))
    if remaining == 0:
        run(
            session,
            update(RESERVATIONS).where(RESERVATIONS.c.reservation_id == reservation_id).values(state=ReservationState.RELEASED.value),
        )
    emit(
        session,
        "reservation.released",
        reservation_name(reservation_id),
        namespace=namespace,
        version=claimed["version"],
        payload={
            "incident": claimed["incident"],
            "units": [unit_name(u["park_id"], u["unit_id"]) for u in held_units],
            "stocks": [{"stock": stock_name(s["park_id"], s["depot_id"], s["type"]), "amount": s["amount"]} for s in held_stocks],
            "complete": remaining == 0,
            "reason": reason,
            "actor": actor,
        },
    )
    bump_version(session, namespace)
    return get_reservation(session, reservation_id=reservation_id, namespace=namespace)


def _select_items(
    rid: str,
    held_units: list[Mapping[str, Any]],
    held_stocks: list[Mapping[str, Any]],
    units: Sequence[tuple[str, str]],
    stocks: Sequence[tuple[str, str, str]],
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """The held items named by a partial release; INVALID_ARGUMENT for any that the reservation does not hold."""
    units_by_key = {(u["park_id"], u["unit_id"]): u for u in held_units}
    stocks_by_key = {(s["park_id"], s["depot_id"], s["type"]): s for s in held_stocks}
    violations = [
        FieldViolation(f"units[{i}]", f"{unit_name(*key)} is not held by {reservation_name(rid)}") for i, key in enumerate(units) if key not in units_by_key
    ]
    violations += [
        FieldViolation(f"stocks[{i}]", f"{stock_name(*key)} is not held by {reservation_name(rid)}") for i, key in enumerate(stocks) if key not in stocks_by_key
    ]
    if violations:
        raise invalid_argument(violations)
    return [units_by_key[k] for k in dict.fromkeys(units)], [stocks_by_key[k] for k in dict.fromkeys(stocks)]


def due_reservations(session: Session, *, now: datetime | None = None, limit: int = 100) -> list[str]:
    """Ids of ACTIVE reservations whose time to live has run out, oldest first."""
    now = now or utcnow()
    stmt = (
        select(RESERVATIONS.c.reservation_id)
        .where(RESERVATIONS.c.state == ReservationState.ACTIVE.value, RESERVATIONS.c.expires_at <= now)
        .order_by(RESERVATIONS.c.expires_at)
        .limit(limit)
    )
    return [str(r) for r in run(session, stmt).scalars().all()]


def expire(session: Session, *, reservation_id: str, now: datetime | None = None) -> Reservation | None:
    """Release one overdue reservation with outcome EXPIRED; None if it was confirmed or released meanwhile."""
    now = now or utcnow()
    row = one(session, select(RESERVATIONS.c.namespace).where(RESERVATIONS.c.reservation_id == reservation_id))
    if row is None:
        return None
    namespace = row["namespace"]
    try:
        require_namespace(session, namespace, lock=True)
    except ServiceError:
        return None  # an ended exercise already discarded its reservations
    claimed = one(
        session,
        update(RESERVATIONS)
        .where(
            RESERVATIONS.c.reservation_id == reservation_id,
            RESERVATIONS.c.state == ReservationState.ACTIVE.value,
            RESERVATIONS.c.expires_at <= now,
        )
        .values(state=ReservationState.EXPIRED.value, version=RESERVATIONS.c.version + 1, update_time=now)
        .returning(RESERVATIONS.c.incident, RESERVATIONS.c.version),
    )
    if claimed is None:
        return None
    units = _held_units(session, reservation_id)
    stocks = _held_stocks(session, reservation_id)
    _free(session, namespace, reservation_id, claimed["incident"], units, stocks, ItemState.EXPIRED, now)
    emit(
        session,
        "reservation.expired",
        reservation_name(reservation_id),
        namespace=namespace,
        version=claimed["version"],
        payload={"incident": claimed["incident"], "units": [unit_name(u["park_id"], u["unit_id"]) for u in units]},
    )
    bump_version(session, namespace)
    return get_reservation(session, reservation_id=reservation_id, namespace=namespace)
