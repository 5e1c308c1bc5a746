"""Depot stock and its ledger in the store: row decoding, reads, pages and ledger entries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select
from sqlmodel import Session

from services.common.names import STOCK
from services.resources.domain import LIVE, LedgerEntry, LedgerKind, Stock
from services.resources.namespaces import find_stock, stocks_view
from services.resources.sql import decode, found, keyset_page, one, where_equal
from services.resources.tables import LEDGER, STOCKS


def stock_from_row(row: Mapping[str, Any]) -> Stock:
    """Build a Stock from a stocks row (of any namespace)."""
    return decode(Stock, row)


def ledger_from_row(row: Mapping[str, Any]) -> LedgerEntry:
    """Build a LedgerEntry from its row."""
    return decode(LedgerEntry, row, entry_id=row["id"], kind=LedgerKind(row["kind"]))


def stock_where(namespace: str, park_id: str, depot_id: str, type_code: str) -> ColumnElement[bool]:
    """WHERE clause for one stock row of one namespace."""
    return (STOCKS.c.namespace == namespace) & (STOCKS.c.park_id == park_id) & (STOCKS.c.depot_id == depot_id) & (STOCKS.c.type == type_code)


def get_stock(session: Session, *, park_id: str, depot_id: str, type_code: str, namespace: str = LIVE) -> Stock:
    """Return one stock as seen from the namespace, or NOT_FOUND."""
    return found(find_stock(session, namespace, park_id, depot_id, type_code), stock_from_row, "stock", STOCK.format(park_id, depot_id, type_code))


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
    view = stocks_view(namespace)
    stmt = where_equal(select(view), park_id=park_id, depot_id=depot_id, type=type_code)
    if below_minimum_only:
        stmt = stmt.where(view.c.on_hand - view.c.reserved <= view.c.minimum_level)
    filters = {"list": "stocks", "namespace": namespace, "park": park_id, "depot": depot_id, "type": type_code, "below_minimum": below_minimum_only}
    return keyset_page(session, stmt, [view.c.park_id, view.c.depot_id, view.c.type], stock_from_row, filters=filters, size=size, token=token)


def list_ledger(
    session: Session, *, park_id: str, depot_id: str = "", type_code: str = "", namespace: str = LIVE, size: int = 0, token: str = ""
) -> tuple[list[LedgerEntry], str]:
    """A page of ledger entries of a park (optionally one depot and type), oldest first."""
    stmt = where_equal(select(LEDGER).where(LEDGER.c.namespace == namespace, LEDGER.c.park_id == park_id), depot_id=depot_id, type=type_code)
    filters = {"list": "ledger", "namespace": namespace, "park": park_id, "depot": depot_id, "type": type_code}
    return keyset_page(session, stmt, [LEDGER.c.id], ledger_from_row, filters=filters, size=size, token=token)


def add_ledger(
    session: Session, *, namespace: str, row: Mapping[str, Any], kind: LedgerKind, delta: int, reason: str, actor: str, reservation_id: str = "", now: datetime
) -> LedgerEntry:
    """Append one ledger entry for a stock row after its change."""
    # The stock row is locked by the caller's update, so the next sequence number cannot be taken twice.
    next_sequence = (
        select(func.coalesce(func.max(LEDGER.c.sequence), 0) + 1)
        .where(LEDGER.c.namespace == namespace, LEDGER.c.park_id == row["park_id"], LEDGER.c.depot_id == row["depot_id"], LEDGER.c.type == row["type"])
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
