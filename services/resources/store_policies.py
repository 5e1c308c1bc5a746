"""Reserve policies and mutual-aid agreements in the store: row decoding and reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from services.common.names import MUTUAL_AID
from services.resources.domain import MutualAid, ReservePolicy
from services.resources.sql import all_rows, decode, found, one, where_equal
from services.resources.tables import AID, POLICIES


def policy_from_row(row: Mapping[str, Any]) -> ReservePolicy:
    """Build a ReservePolicy from its row."""
    return decode(ReservePolicy, row)


def mutual_aid_from_row(row: Mapping[str, Any]) -> MutualAid:
    """Build a MutualAid agreement from its row."""
    return decode(MutualAid, row, resource_types=tuple(row["resource_types"] or ()))


def list_reserve_policies(session: Session, *, park_id: str = "") -> list[ReservePolicy]:
    """Reserve policies, optionally of one park."""
    stmt = where_equal(select(POLICIES), park_id=park_id).order_by(POLICIES.c.park_id, POLICIES.c.type)
    return [policy_from_row(r) for r in all_rows(session, stmt)]


def list_mutual_aid(session: Session, *, park_id: str = "") -> list[MutualAid]:
    """Mutual-aid agreements, optionally those a park lends or borrows under."""
    stmt = select(AID).order_by(AID.c.lender_park, AID.c.borrower_park)
    if park_id:
        stmt = stmt.where(or_(AID.c.lender_park == park_id, AID.c.borrower_park == park_id))
    return [mutual_aid_from_row(r) for r in all_rows(session, stmt)]


def get_mutual_aid(session: Session, *, lender_park: str, borrower_park: str) -> MutualAid:
    """Return one agreement or NOT_FOUND."""
    row = one(session, select(AID).where(AID.c.lender_park == lender_park, AID.c.borrower_park == borrower_park))
    return found(row, mutual_aid_from_row, "mutual_aid", MUTUAL_AID.format(lender_park, borrower_park))
