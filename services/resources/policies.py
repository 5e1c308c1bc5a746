"""Reserve policies (what a park keeps at home) and mutual-aid agreements (who may lend what to whom)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlmodel import Session

from services.common.catalogue import load_catalogue
from services.common.errors import FieldViolation, ServiceError, already_exists, invalid_argument, not_found, raise_if
from services.common.names import MUTUAL_AID, PARK, RESERVE_POLICY
from services.resources import validation as v
from services.resources.domain import LIVE, MutualAid, ReservePolicy, check_version
from services.resources.events import bump_version, dialect_insert, emit
from services.resources.sql import one, run
from services.resources.store_policies import get_mutual_aid
from services.resources.store_registry import require_park
from services.resources.tables import AID, POLICIES


def set_reserve_policy(session: Session, *, policy: ReservePolicy, actor: str, expected_version: int = 0) -> ReservePolicy:
    """Create or replace a park's reserve policy for one type."""
    raise_if(v.policy_violations(policy, load_catalogue()))
    require_park(session, policy.park_id)
    name = RESERVE_POLICY.format(policy.park_id, policy.type)
    current = one(session, select(POLICIES).where(POLICIES.c.park_id == policy.park_id, POLICIES.c.type == policy.type).with_for_update())
    version = (current["version"] if current else 0) + 1
    check_version(current["version"] if current else 0, expected_version, name)
    stmt = dialect_insert(session, POLICIES).values(park_id=policy.park_id, type=policy.type, min_available=policy.min_available, version=1)
    run(session, stmt.on_conflict_do_update(index_elements=["park_id", "type"], set_={"min_available": policy.min_available, "version": version}))
    emit(session, "reserve_policy.set", name, namespace=LIVE, version=version, payload={"actor": actor, "min_available": policy.min_available})
    bump_version(session, LIVE)
    return ReservePolicy(park_id=policy.park_id, type=policy.type, min_available=policy.min_available, version=version)


def delete_reserve_policy(session: Session, *, park_id: str, type_code: str, actor: str) -> None:
    """Remove a park's reserve policy for one type."""
    name = RESERVE_POLICY.format(park_id, type_code)
    if run(session, delete(POLICIES).where(POLICIES.c.park_id == park_id, POLICIES.c.type == type_code)).rowcount == 0:
        raise not_found("reserve_policy", name)
    emit(session, "reserve_policy.deleted", name, namespace=LIVE, payload={"actor": actor})
    bump_version(session, LIVE)


def set_mutual_aid(session: Session, *, agreement: MutualAid, actor: str, expected_version: int = 0, replace: bool = True) -> MutualAid:
    """Create (or, with replace, also replace) the agreement under which the lender park lends to the borrower park."""
    raise_if(v.mutual_aid_violations(agreement, load_catalogue()))
    require_park(session, agreement.lender_park)
    try:
        require_park(session, agreement.borrower_park)
    except ServiceError as exc:
        raise invalid_argument([FieldViolation("mutual_aid.borrower_park", f"no park {PARK.format(agreement.borrower_park)}")]) from exc
    name = MUTUAL_AID.format(agreement.lender_park, agreement.borrower_park)
    key = (AID.c.lender_park == agreement.lender_park) & (AID.c.borrower_park == agreement.borrower_park)
    current = one(session, select(AID).where(key).with_for_update())
    if current is not None and not replace:
        raise already_exists("mutual_aid", name)
    check_version(current["version"] if current else 0, expected_version, name)
    version = (current["version"] if current else 0) + 1
    values = {"resource_types": list(agreement.resource_types), "max_travel_minutes": agreement.max_travel_minutes, "version": version}
    stmt = dialect_insert(session, AID).values(lender_park=agreement.lender_park, borrower_park=agreement.borrower_park, **values)
    run(session, stmt.on_conflict_do_update(index_elements=["lender_park", "borrower_park"], set_=values))
    emit(
        session,
        "mutual_aid.set",
        name,
        namespace=LIVE,
        version=version,
        payload={"actor": actor, "resource_types": list(agreement.resource_types), "max_travel_minutes": agreement.max_travel_minutes},
    )
    bump_version(session, LIVE)
    return MutualAid(agreement.lender_park, agreement.borrower_park, tuple(agreement.resource_types), agreement.max_travel_minutes, version)


def delete_mutual_aid(session: Session, *, lender_park: str, borrower_park: str, actor: str) -> MutualAid:
    """End a mutual-aid agreement; return it as it was."""
    ended = get_mutual_aid(session, lender_park=lender_park, borrower_park=borrower_park)
    name = MUTUAL_AID.format(lender_park, borrower_park)
    run(session, delete(AID).where(AID.c.lender_park == lender_park, AID.c.borrower_park == borrower_park))
    emit(session, "mutual_aid.deleted", name, namespace=LIVE, payload={"actor": actor})
    bump_version(session, LIVE)
    return ended
