"""A park's inventory in the store: what it holds now, by code, and the rows of a new import."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from services.common.idempotency import IdempotencyRecord
from services.resources.domain import LIVE, Depot, Inventory, LedgerKind
from services.resources.sql import all_rows, run
from services.resources.store_registry import depot_from_row, depot_values, require_park, unit_row_values
from services.resources.tables import AID, DEPOTS, LEDGER, PARKS, POLICIES, STOCKS, UNITS


@dataclass(frozen=True, slots=True)
class ExistingRows:
    """The park's current depots, live units, live stocks and reserve policies, by code."""

    depots: Mapping[str, Mapping[str, Any]]
    units: Mapping[str, Mapping[str, Any]]
    stocks: Mapping[tuple[str, str], Mapping[str, Any]]
    policies: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Existing:
    """What the park already has, so an import can report collisions and dangling references."""

    depots: Mapping[str, bool]  # depot id -> retired
    units: Collection[str]
    stocks: Collection[tuple[str, str]]
    policies: Collection[str]
    aid_borrowers: Collection[str]
    parks: Collection[str]
    rows: ExistingRows | None = None


def read_rows(session: Session, park_id: str) -> ExistingRows:
    """Read what the park holds now, with the columns an import can change."""
    depots = all_rows(session, select(DEPOTS).where(DEPOTS.c.park_id == park_id))
    units = all_rows(session, select(UNITS).where(UNITS.c.namespace == LIVE, UNITS.c.park_id == park_id))
    stocks = all_rows(session, select(STOCKS).where(STOCKS.c.namespace == LIVE, STOCKS.c.park_id == park_id))
    policies = all_rows(session, select(POLICIES.c.type, POLICIES.c.min_available).where(POLICIES.c.park_id == park_id))
    return ExistingRows(
        depots={r["depot_id"]: dict(r) for r in depots},
        units={r["unit_id"]: dict(r) for r in units},
        stocks={(r["depot_id"], r["type"]): dict(r) for r in stocks},
        policies={r["type"]: int(r["min_available"]) for r in policies},
    )


def read_existing(session: Session, park_id: str) -> Existing:
    """Read what the park already holds (the caller has checked that the park exists)."""
    rows = read_rows(session, park_id)
    borrowers = run(session, select(AID.c.borrower_park).where(AID.c.lender_park == park_id)).scalars().all()
    parks = run(session, select(PARKS.c.park_id)).scalars().all()
    return Existing(
        depots={depot_id: bool(r["retired"]) for depot_id, r in rows.depots.items()},
        units=set(rows.units),
        stocks=set(rows.stocks),
        policies=set(rows.policies),
        aid_borrowers=set(borrowers),
        parks=set(parks),
        rows=rows,
    )


def existing_unless_replayed(session: Session, park_id: str, request_id: str, validate_only: bool) -> Existing | None:
    """What the park holds, or None when this request id was answered before (the replay returns that answer)."""
    if not validate_only and session.get(IdempotencyRecord, request_id) is not None:
        return None
    require_park(session, park_id)
    return read_existing(session, park_id)


def insert_inventory(session: Session, inventory: Inventory, actor: str, now: datetime) -> None:
    """Insert every row of a validated inventory (opening stock booked as receipts)."""
    conn = session.connection()
    if inventory.depots:
        conn.execute(
            insert(DEPOTS),
            [{"park_id": d.park_id, "depot_id": d.depot_id, **depot_values(d), "create_time": now, "update_time": now} for d in inventory.depots],
        )
    depots: dict[str, Depot] = {r["depot_id"]: depot_from_row(r) for r in all_rows(session, select(DEPOTS).where(DEPOTS.c.park_id == inventory.park_id))}
    if inventory.units:
        conn.execute(insert(UNITS), [unit_row_values(u, depots[u.home_depot], now) for u in inventory.units])
    if inventory.stocks:
        conn.execute(
            insert(STOCKS),
            [
                {
                    "namespace": LIVE,
                    "park_id": s.park_id,
                    "depot_id": s.depot_id,
                    "type": s.type,
                    "on_hand": s.on_hand,
                    "reserved": 0,
                    "minimum_level": s.minimum_level,
                    "version": 1,
                    "update_time": now,
                }
                for s in inventory.stocks
            ],
        )
        receipts = [
            {
                "namespace": LIVE,
                "sequence": 1,
                "park_id": s.park_id,
                "depot_id": s.depot_id,
                "type": s.type,
                "kind": LedgerKind.RECEIPT.value,
                "delta": s.on_hand,
                "on_hand_after": s.on_hand,
                "reason": "opening balance (bulk import)",
                "reservation_id": "",
                "actor": actor[:200],
                "create_time": now,
            }
            for s in inventory.stocks
            if s.on_hand
        ]
        if receipts:
            conn.execute(insert(LEDGER), receipts)
    if inventory.reserve_policies:
        conn.execute(
            insert(POLICIES), [{"park_id": p.park_id, "type": p.type, "min_available": p.min_available, "version": 1} for p in inventory.reserve_policies]
        )
    if inventory.mutual_aid:
        conn.execute(
            insert(AID),
            [
                {
                    "lender_park": a.lender_park,
                    "borrower_park": a.borrower_park,
                    "resource_types": list(a.resource_types),
                    "max_travel_minutes": a.max_travel_minutes,
                    "version": 1,
                }
                for a in inventory.mutual_aid
            ],
        )
