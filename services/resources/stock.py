"""Depot stock: creation, minimum levels, the receipt / issue / correction ledger and low-stock events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_, update
from sqlmodel import Session

from services.common.catalogue import load_catalogue
from services.common.errors import FieldViolation, already_exists, failed_precondition, invalid_argument, not_found
from services.common.outbox import utcnow
from services.common.pagination import decode_token, encode_token, fingerprint, page_size
from services.resources import validation as v
from services.resources.convert import ledger_from_row, stock_from_row
from services.resources.domain import LIVE, LedgerEntry, LedgerKind, Stock
from services.resources.events import bump_version, emit
from services.resources.names import stock_name
from services.resources.namespaces import STOCKS, find_stock, materialise_stock, require_namespace, stocks_view
from services.resources.registry import active_depot, check_version, require_park
from services.resources.sql import all_rows, insert_or_raise, one
from services.resources.tables import LedgerRow

LEDGER = LedgerRow.__table__  # type: ignore[attr-defined]


def stock_where(namespace: str, park_id: str, depot_id: str, type_code: str) -> Any:
    """WHERE clause for one stock row of one namespace."""
    return (STOCKS.c.namespace == namespace) & (STOCKS.c.park_id == park_id) & (STOCKS.c.depot_id == depot_id) & (STOCKS.c.type == type_code)


def note_low_stock(session: Session, namespace: str, before: Mapping[str, int], after: Mapping[str, Any]) -> None:
    """Emit stock.low when a change takes available stock (on hand - reserved) below the minimum."""
    was_low = before["on_hand"] - before["reserved"] < before["minimum_level"]
    available = after["on_hand"] - after["reserved"]
    if available < after["minimum_level"] and not was_low:
        emit(
            session,
            "stock.low",
            stock_name(after["park_id"], after["depot_id"], after["type"]),
            namespace=namespace,
            version=after["version"],
            payload={"available": available, "minimum_level": after["minimum_level"], "on_hand": after["on_hand"]},
        )


def add_ledger(
    session: Session,
    *,
    namespace: str,
    row: Mapping[str, Any],
    kind: LedgerKind,
    delta: int,
    reason: str,
    actor: str,
    reservation_id: str = "",
    now: datetime,
) -> LedgerEntry:
    """Append one ledger entry for a stock row after its change."""
    # The stock row is locked by the caller's update, so the next sequence number cannot be taken twice.
    next_sequence = (
        select(func.coalesce(func.max(LEDGER.c.sequence), 0) + 1)
        .where(
            LEDGER.c.namespace == namespace,
            LEDGER.c.park_id == row["park_id"],
            LEDGER.c.depot_id == row["depot_id"],
            LEDGER.c.type == row["type"],
        )
        .scalar_subquery()
    )
    entry = one(
        session,
        insert(LEDGER)
        .values(
            sequence=next_sequence,
            namespace=namespace,
            park_id=row["park_id"],
            depot_id=row["depot_id"],
            type=row["type"],
            kind=kind.value,
            delta=delta,
            on_hand_after=row["on_hand"],
            reason=reason[:500],
            reservation_id=reservation_id,
            actor=actor[:200],
            create_time=now,
        )
        .returning(*LEDGER.c),
    )
    assert entry is not None
    return ledger_from_row(entry)


def get_stock(session: Session, *, park_id: str, depot_id: str, type_code: str, namespace: str = LIVE) -> Stock:
    """Return one stock as seen from the namespace, or NOT_FOUND."""
    row = find_stock(session, namespace, park_id, depot_id, type_code)
    if row is None:
        raise not_found("stock", stock_name(park_id, depot_id, type_code))
    return stock_from_row(row)


def list_stocks(
    session: Session,
    *,
    namespace: str = LIVE,
    park_id: str = "",
    depot_id: str = "",
    type_code: str = "",
    below_minimum_only: bool = False,
    size: int = 0,
    token: str = "",
) -> tuple[list[Stock], str]:
    """A page of stocks as seen from the namespace; optionally only those whose available amount is at or below minimum."""
    limit = page_size(size)
    query = fingerprint("stocks", namespace, park_id, depot_id, type_code, below_minimum_only)
    after = decode_token(token, query, 3)
    view = stocks_view(namespace)
    stmt = select(view).order_by(view.c.park_id, view.c.depot_id, view.c.type).limit(limit + 1)
    if park_id:
        stmt = stmt.where(view.c.park_id == park_id)
    if depot_id:
        stmt = stmt.where(view.c.depot_id == depot_id)
    if type_code:
        stmt = stmt.where(view.c.type == type_code)
    if below_minimum_only:
        stmt = stmt.where(view.c.on_hand - view.c.reserved <= view.c.minimum_level)
    if after is not None:
        stmt = stmt.where(tuple_(view.c.park_id, view.c.depot_id, view.c.type) > tuple_(*after))
    rows = [stock_from_row(r) for r in all_rows(session, stmt)]
    last = rows[limit - 1] if len(rows) > limit else None
    next_token = encode_token([last.park_id, last.depot_id, last.type], query) if last else ""
    return rows[:limit], next_token


def create_stock(session: Session, *, stock: Stock, actor: str, now: datetime | None = None) -> Stock:
    """Open a stock of a consumable at a depot; a non-zero opening amount is booked as a receipt."""
    v.raise_if(v.stock_violations(stock, load_catalogue()))
    require_park(session, stock.park_id)
    active_depot(session, stock.park_id, stock.depot_id, "stock.depot_id")
    now = now or utcnow()
    name = stock_name(stock.park_id, stock.depot_id, stock.type)
    values = {
        "namespace": LIVE,
        "park_id": stock.park_id,
        "depot_id": stock.depot_id,
        "type": stock.type,
        "on_hand": stock.on_hand,
        "reserved": 0,
        "minimum_level": stock.minimum_level,
        "version": 1,
        "update_time": now,
    }
    insert_or_raise(session, insert(STOCKS).values(**values), already_exists("stock", name))
    if stock.on_hand:
        add_ledger(
            session,
            namespace=LIVE,
            row=values,
            kind=LedgerKind.RECEIPT,
            delta=stock.on_hand,
            reason="opening balance",
            actor=actor,
            now=now,
        )
    emit(
        session,
        "stock.created",
        name,
        namespace=LIVE,
        version=1,
        payload={"actor": actor, "on_hand": stock.on_hand, "minimum_level": stock.minimum_level},
    )
    note_low_stock(session, LIVE, {"on_hand": 0, "reserved": 0, "minimum_level": 0}, values)
    bump_version(session, LIVE)
    return get_stock(session, park_id=stock.park_id, depot_id=stock.depot_id, type_code=stock.type)


def update_stock(
    session: Session,
    *,
    park_id: str,
    depot_id: str,
    type_code: str,
    changes: Stock,
    paths: Sequence[str],
    actor: str,
    expected_version: int = 0,
    now: datetime | None = None,
) -> Stock:
    """Change a live stock's minimum level; on hand and reserved move only through the ledger and reservations."""
    v.raise_if(v.mask_violations("stock", paths))
    paths = v.expand_mask("stock", paths)
    name = stock_name(park_id, depot_id, type_code)
    before = one(session, select(STOCKS).where(stock_where(LIVE, park_id, depot_id, type_code)).with_for_update())
    if before is None:
        raise not_found("stock", name)
    check_version(before["version"], expected_version, name)
    if not 0 <= changes.minimum_level <= v.MAX_AMOUNT:
        raise invalid_argument([FieldViolation("stock.minimum_level", f"must be within 0..{v.MAX_AMOUNT}")])
    after = one(
        session,
        update(STOCKS)
        .where(stock_where(LIVE, park_id, depot_id, type_code))
        .values(minimum_level=changes.minimum_level, version=STOCKS.c.version + 1, update_time=now or utcnow())
        .returning(*STOCKS.c),
    )
    assert after is not None
    emit(
        session,
        "stock.updated",
        name,
        namespace=LIVE,
        version=after["version"],
        payload={"actor": actor, "minimum_level": changes.minimum_level},
    )
    note_low_stock(session, LIVE, before, after)
    bump_version(session, LIVE)
    return stock_from_row(after)


def record_movement(
    session: Session,
    *,
    park_id: str,
    depot_id: str,
    type_code: str,
    kind: LedgerKind,
    delta: int,
    reason: str,
    actor: str,
    namespace: str = LIVE,
    expected_version: int = 0,
    now: datetime | None = None,
) -> tuple[Stock, LedgerEntry]:
    """Book a signed change; nothing may take on hand below what is reserved. A live receipt opens a new stock."""
    v.raise_if(v.movement_violations(kind, delta, reason))
    require_namespace(session, namespace, lock=True)
    now = now or utcnow()
    name = stock_name(park_id, depot_id, type_code)
    if not materialise_stock(session, namespace, park_id, depot_id, type_code):
        if kind is not LedgerKind.RECEIPT or namespace != LIVE:
            raise not_found("stock", name)
        create_stock(session, stock=Stock(park_id, depot_id, type_code), actor=actor, now=now)
    where = stock_where(namespace, park_id, depot_id, type_code)
    before = one(session, select(STOCKS).where(where).with_for_update())
    assert before is not None
    check_version(before["version"], expected_version, name)
    after = one(
        session,
        update(STOCKS)
        .where(where, STOCKS.c.on_hand + delta >= STOCKS.c.reserved)
        .values(on_hand=STOCKS.c.on_hand + delta, version=STOCKS.c.version + 1, update_time=now)
        .returning(*STOCKS.c),
    )
    if after is None:
        available = before["on_hand"] - before["reserved"]
        raise failed_precondition(
            "INSUFFICIENT_STOCK",
            f"{name}: {before['on_hand']} on hand, {before['reserved']} reserved ({available} available); cannot book {kind.value.lower()} {delta:+d}",
            {"stock": name, "on_hand": str(before["on_hand"]), "reserved": str(before["reserved"])},
        )
    entry = add_ledger(session, namespace=namespace, row=after, kind=kind, delta=delta, reason=reason, actor=actor, now=now)
    emit(
        session,
        "stock.movement",
        name,
        namespace=namespace,
        version=after["version"],
        payload={"kind": kind.value, "delta": delta, "on_hand": after["on_hand"], "reason": reason, "actor": actor},
    )
    note_low_stock(session, namespace, before, after)
    bump_version(session, namespace)
    return stock_from_row(after), entry


def list_ledger(
    session: Session,
    *,
    park_id: str,
    depot_id: str = "",
    type_code: str = "",
    namespace: str = LIVE,
    size: int = 0,
    token: str = "",
) -> tuple[list[LedgerEntry], str]:
    """A page of ledger entries of a park (optionally one depot and type), oldest first."""
    limit = page_size(size)
    query = fingerprint("ledger", namespace, park_id, depot_id, type_code)
    after = decode_token(token, query, 1)
    stmt = select(LEDGER).where(LEDGER.c.namespace == namespace, LEDGER.c.park_id == park_id).order_by(LEDGER.c.id).limit(limit + 1)
    if depot_id:
        stmt = stmt.where(LEDGER.c.depot_id == depot_id)
    if type_code:
        stmt = stmt.where(LEDGER.c.type == type_code)
    if after is not None:
        stmt = stmt.where(LEDGER.c.id > after[0])
    rows = [ledger_from_row(r) for r in all_rows(session, stmt)]
    next_token = encode_token([rows[limit - 1].entry_id], query) if len(rows) > limit else ""
    return rows[:limit], next_token
