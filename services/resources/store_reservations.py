"""Reservations in the store: reading them with their items, pages, the held items, the due ones, and new rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, literal, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.common.clock import as_utc, utcnow
from services.common.errors import aborted, not_found
from services.common.pagination import open_page
from services.resources import store_registry
from services.resources.domain import LIVE, ItemState, Reservation, ReservationState, ReservedStock, ReservedUnit, Unit
from services.resources.names import RESERVATION
from services.resources.sql import all_rows, one, run
from services.resources.tables import RES_STOCKS, RES_UNITS, RESERVATIONS, UNITS

Row = Mapping[str, Any]


def unit_where(namespace: str, park_id: str, unit_id: str) -> ColumnElement[bool]:
    """WHERE clause for one unit row of one namespace."""
    return (UNITS.c.namespace == namespace) & (UNITS.c.park_id == park_id) & (UNITS.c.unit_id == unit_id)


def items(session: Session, reservation_id: str) -> tuple[list[Row], list[Row]]:
    """Every unit and stock item of a reservation, in the order they were requested."""
    units = all_rows(session, select(RES_UNITS).where(RES_UNITS.c.reservation_id == reservation_id).order_by(RES_UNITS.c.id))
    stocks = all_rows(session, select(RES_STOCKS).where(RES_STOCKS.c.reservation_id == reservation_id).order_by(RES_STOCKS.c.id))
    return list(units), list(stocks)


def reservation_from_rows(row: Row, units: Sequence[Row], stocks: Sequence[Row]) -> Reservation:
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


def with_state(rows: Sequence[Row], before: ItemState, after: ItemState) -> list[Row]:
    """Item rows as they are after a batch update from one item state to another."""
    return [{**r, "state": after.value} if r["state"] == before.value else r for r in rows]


def get_reservation(session: Session, *, reservation_id: str, namespace: str | None = LIVE) -> Reservation:
    """Return a reservation of the namespace (of any namespace for None), or NOT_FOUND."""
    stmt = select(RESERVATIONS).where(RESERVATIONS.c.reservation_id == reservation_id)
    if namespace is not None:
        stmt = stmt.where(RESERVATIONS.c.namespace == namespace)
    row = one(session, stmt)
    if row is None:
        raise not_found("reservation", RESERVATION.format(reservation_id))
    return reservation_from_rows(row, *items(session, reservation_id))


def list_reservations(
    session: Session, *, namespace: str = LIVE, incident: str = "", states: Sequence[ReservationState] = (), size: int = 0, token: str = ""
) -> tuple[list[Reservation], str]:
    """A page of the namespace's reservations, newest first."""
    filters = {"list": "reservations", "namespace": namespace, "incident": incident, "states": sorted(states)}
    page = open_page(token, size, filters, keys=("create_time", "reservation_id"))
    order = (RESERVATIONS.c.create_time.desc(), RESERVATIONS.c.reservation_id.desc())
    stmt = select(RESERVATIONS).where(RESERVATIONS.c.namespace == namespace).order_by(*order).limit(page.limit)
    if incident:
        stmt = stmt.where(RESERVATIONS.c.incident == incident)
    if states:
        stmt = stmt.where(RESERVATIONS.c.state.in_([s.value for s in states]))
    if page.after is not None:
        key = tuple_(literal(datetime.fromisoformat(page.after["create_time"])), literal(page.after["reservation_id"]))
        stmt = stmt.where(tuple_(RESERVATIONS.c.create_time, RESERVATIONS.c.reservation_id) < key)
    rows, next_token = page.cut(
        all_rows(session, stmt), lambda row: {"create_time": as_utc(row["create_time"]).isoformat(), "reservation_id": row["reservation_id"]}
    )
    return [reservation_from_rows(r, *items(session, r["reservation_id"])) for r in rows], next_token


def held_units(session: Session, reservation_id: str) -> list[Row]:
    """Unit items still HELD by the reservation, in lock order."""
    stmt = select(RES_UNITS).where(RES_UNITS.c.reservation_id == reservation_id, RES_UNITS.c.state == ItemState.HELD.value)
    return sorted(all_rows(session, stmt), key=lambda r: (r["park_id"], r["unit_id"]))


def held_stocks(session: Session, reservation_id: str) -> list[Row]:
    """Stock items still HELD by the reservation, in lock order."""
    stmt = select(RES_STOCKS).where(RES_STOCKS.c.reservation_id == reservation_id, RES_STOCKS.c.state == ItemState.HELD.value)
    return sorted(all_rows(session, stmt), key=lambda r: (r["park_id"], r["depot_id"], r["type"]))


def reservation_namespace(session: Session, reservation_id: str) -> str | None:
    """The namespace a reservation was made in, or None if there is no such reservation."""
    row = one(session, select(RESERVATIONS.c.namespace).where(RESERVATIONS.c.reservation_id == reservation_id))
    return None if row is None else str(row["namespace"])


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


def claim(session: Session, reservation_id: str, *conditions: ColumnElement[bool], now: datetime, state: ReservationState | None = None) -> Row | None:
    """Take an ACTIVE reservation to its next version (and state, if given) while the conditions hold; its row, or None."""
    values: dict[str, Any] = {"version": RESERVATIONS.c.version + 1, "update_time": now}
    if state is not None:
        values["state"] = state.value
    stmt = update(RESERVATIONS).where(RESERVATIONS.c.reservation_id == reservation_id, RESERVATIONS.c.state == ReservationState.ACTIVE.value, *conditions)
    return one(session, stmt.values(**values).returning(*RESERVATIONS.c))


def insert_reservation(session: Session, held: Reservation) -> None:
    """Write a new reservation with its items; a unit another reservation holds is ABORTED (UNIT_ALREADY_HELD)."""
    conn = session.connection()
    row = {column.key: getattr(held, column.key) for column in RESERVATIONS.c}
    conn.execute(insert(RESERVATIONS).values({**row, "state": held.state.value}))
    common = {"reservation_id": held.reservation_id, "namespace": held.namespace}
    try:
        if held.units:
            units = [
                {**common, "park_id": u.park_id, "unit_id": u.unit_id, "planned_version": u.planned_version, "state": u.state.value, "holding": True}
                for u in held.units
            ]
            conn.execute(insert(RES_UNITS), units)
    except IntegrityError as exc:  # the unique hold index caught what the conditional update should already have
        raise aborted("UNIT_ALREADY_HELD", "a requested unit is already held by another reservation; nothing was reserved") from exc
    if held.stocks:
        stocks = [
            {
                **common,
                "park_id": s.park_id,
                "depot_id": s.depot_id,
                "type": s.type,
                "amount": s.amount,
                "planned_version": s.planned_version,
                "state": s.state.value,
            }
            for s in held.stocks
        ]
        conn.execute(insert(RES_STOCKS), stocks)


def units_now(session: Session, reservation: Reservation) -> list[Unit]:
    """Every unit a reservation names, as it stands now in the reservation's namespace."""
    seen = dict.fromkeys((u.park_id, u.unit_id) for u in reservation.units)
    return [store_registry.get_unit(session, park_id=park_id, unit_id=unit_id, namespace=reservation.namespace) for park_id, unit_id in seen]
