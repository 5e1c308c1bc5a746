"""Depot stock: creation, minimum levels, receipts, corrections and losses booked to the ledger, and low-stock events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import Session

from services.common.catalogue import load_catalogue
from services.common.clock import utcnow
from services.common.errors import FieldViolation, already_exists, failed_precondition, invalid_argument, not_found, raise_if
from services.common.names import STOCK
from services.resources import validation as v
from services.resources.domain import LIVE, LedgerEntry, LedgerKind, Stock, check_version
from services.resources.events import bump_version, emit
from services.resources.namespaces import materialise_stock, require_namespace
from services.resources.sql import insert_or_raise, one
from services.resources.store_registry import active_depot, require_park
from services.resources.store_stock import add_ledger, get_stock, stock_from_row, stock_where
from services.resources.tables import STOCKS


def note_low_stock(session: Session, namespace: str, before: Mapping[str, int], after: Mapping[str, Any]) -> None:
    """Emit stock.low when a change takes available stock (on hand - reserved) below the minimum."""
    was_low = before["on_hand"] - before["reserved"] < before["minimum_level"]
    available = after["on_hand"] - after["reserved"]
    if available < after["minimum_level"] and not was_low:
        emit(
            session,
            "stock.low",
            STOCK.format(after["park_id"], after["depot_id"], after["type"]),
            namespace=namespace,
            version=after["version"],
            payload={"available": available, "minimum_level": after["minimum_level"], "on_hand": after["on_hand"]},
        )


def create_stock(session: Session, *, stock: Stock, actor: str, now: datetime | None = None) -> Stock:
    """Open a stock of a consumable at a depot; a non-zero opening amount is booked as a receipt."""
    raise_if(v.stock_violations(stock, load_catalogue()))
    require_park(session, stock.park_id)
    active_depot(session, stock.park_id, stock.depot_id, "stock.depot_id")
    now = now or utcnow()
    name = STOCK.format(stock.park_id, stock.depot_id, stock.type)
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
        add_ledger(session, namespace=LIVE, row=values, kind=LedgerKind.RECEIPT, delta=stock.on_hand, reason="opening balance", actor=actor, now=now)
    emit(session, "stock.created", name, namespace=LIVE, version=1, payload={"actor": actor, "on_hand": stock.on_hand, "minimum_level": stock.minimum_level})
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
    raise_if(v.mask_violations("stock", paths))
    paths = v.expand_mask("stock", paths)
    name = STOCK.format(park_id, depot_id, type_code)
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
    emit(session, "stock.updated", name, namespace=LIVE, version=after["version"], payload={"actor": actor, "minimum_level": changes.minimum_level})
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
    raise_if(v.movement_violations(kind, delta, reason))
    require_namespace(session, namespace, lock=True)
    now = now or utcnow()
    name = STOCK.format(park_id, depot_id, type_code)
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
