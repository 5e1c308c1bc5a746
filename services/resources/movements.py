"""Unit movements: EN_ROUTE -> ON_SCENE -> RETURNING -> AVAILABLE, and in and out of service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session

from services.common.clock import utcnow
from services.common.errors import FieldViolation, aborted, failed_precondition, invalid_argument, not_found, raise_if
from services.common.names import UNIT
from services.resources import validation as v
from services.resources.domain import COMMITTED_STATES, LIVE, GeoPoint, ItemState, ReservationState, Unit, UnitState, check_move, check_version
from services.resources.events import bump_version, emit
from services.resources.names import RESERVATION
from services.resources.namespaces import materialise_unit, require_namespace
from services.resources.sql import one, run
from services.resources.store_registry import depot_location, unit_from_row
from services.resources.store_reservations import reservation_namespace, unit_where
from services.resources.tables import RES_UNITS, RESERVATIONS, UNITS

HOLD_ENDING_TARGETS = frozenset({UnitState.AVAILABLE, UnitState.OUT_OF_SERVICE})


def move_unit(
    session: Session,
    *,
    park_id: str,
    unit_id: str,
    target: UnitState,
    actor: str,
    position: GeoPoint | None = None,
    namespace: str = LIVE,
    expected_version: int = 0,
    reason: str = "",
    now: datetime | None = None,
) -> Unit:
    """Move a unit to the target state (or report a position in its state); illegal moves name the current state."""
    violations = v.text_violations(reason, "reason", maximum=500, required=False)
    if position is not None:
        violations += v.point_violations(position, "position")
    raise_if(violations)
    require_namespace(session, namespace, lock=True)
    now = now or utcnow()
    name = UNIT.format(park_id, unit_id)
    if namespace != LIVE:
        materialise_unit(session, namespace, park_id, unit_id)
    row = one(session, select(UNITS).where(unit_where(namespace, park_id, unit_id)).with_for_update())
    if row is None:
        raise not_found("unit", name)
    current = unit_from_row(row)
    if current.retired:
        raise failed_precondition("UNIT_RETIRED", f"{name} is retired", {"unit": name, "current_state": current.state.value})
    check_version(current.version, expected_version, name)
    check_move(name, current.state, target)
    if current.reservation_id:
        _require_own_reservation(session, namespace, name, current.reservation_id)
    if target is current.state and position is None:
        raise invalid_argument([FieldViolation("position", f"required to report a position while staying {target.value}")])
    ends_hold = current.state in COMMITTED_STATES and target in HOLD_ENDING_TARGETS
    new_position = position or current.position
    if position is None and ends_hold and target is UnitState.AVAILABLE:
        new_position = depot_location(session, park_id, current.home_depot) or new_position
    assert new_position is not None
    values: dict[str, object] = {
        "state": target.value,
        "latitude": new_position.latitude,
        "longitude": new_position.longitude,
        "version": current.version + 1,
        "update_time": now,
    }
    if ends_hold:
        values.update(reservation_id="", incident="")
    moved = run(
        session,
        update(UNITS).where(unit_where(namespace, park_id, unit_id), UNITS.c.state == current.state.value, UNITS.c.version == current.version).values(**values),
    )
    if moved.rowcount != 1:
        raise aborted("UNIT_CHANGED", f"{name} changed while moving it; read it again", {"unit": name})
    if ends_hold and current.reservation_id:
        _end_hold(session, namespace, park_id, unit_id, current.reservation_id)
    emit(
        session,
        "unit.state_changed",
        name,
        namespace=namespace,
        version=current.version + 1,
        payload={
            "from": current.state.value,
            "to": target.value,
            "latitude": new_position.latitude,
            "longitude": new_position.longitude,
            "reservation": RESERVATION.format(current.reservation_id) if current.reservation_id else "",
            "incident": current.incident,
            "ends_hold": ends_hold,
            "reason": reason,
            "actor": actor,
        },
    )
    bump_version(session, namespace)
    return unit_from_row(one(session, select(UNITS).where(unit_where(namespace, park_id, unit_id))) or row)


def _require_own_reservation(session: Session, namespace: str, name: str, reservation_id: str) -> None:
    """A committed unit is moved only inside the namespace of the reservation that holds it."""
    owner = reservation_namespace(session, reservation_id)
    if owner is not None and owner != namespace:
        where = "live operations" if owner == LIVE else f"exercise {owner!r}"
        raise failed_precondition(
            "UNIT_COMMITTED_ELSEWHERE",
            f"{name} is committed to {RESERVATION.format(reservation_id)} in {where}; it cannot be moved here",
            {"unit": name, "reservation": RESERVATION.format(reservation_id), "owner_namespace": owner},
        )


def _end_hold(session: Session, namespace: str, park_id: str, unit_id: str, reservation_id: str) -> None:
    """The unit is free again: close its reservation item, and the reservation once nothing is held."""
    run(
        session,
        update(RES_UNITS)
        .where(RES_UNITS.c.namespace == namespace, RES_UNITS.c.park_id == park_id, RES_UNITS.c.unit_id == unit_id, RES_UNITS.c.holding.is_(True))
        .values(holding=False, state=ItemState.COMPLETED.value),
    )
    still_held = run(
        session, select(func.count()).select_from(RES_UNITS).where(RES_UNITS.c.reservation_id == reservation_id, RES_UNITS.c.holding.is_(True))
    ).scalar_one()
    if still_held == 0:
        run(
            session,
            update(RESERVATIONS)
            .where(
                RESERVATIONS.c.reservation_id == reservation_id, RESERVATIONS.c.namespace == namespace, RESERVATIONS.c.state == ReservationState.CONFIRMED.value
            )
            .values(state=ReservationState.COMPLETED.value, version=RESERVATIONS.c.version + 1),
        )
