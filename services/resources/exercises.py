"""Exercise namespaces: start (a copy-on-write view of live) and end (discard everything the drill changed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlmodel import Session

from services.common.clock import utcnow
from services.common.errors import already_exists, failed_precondition, raise_if
from services.common.names import EXERCISE, id_violations
from services.resources import validation as v
from services.resources.domain import LIVE, Exercise, ExerciseState, ItemState, ReservationState
from services.resources.events import bump_version, emit, namespace_version
from services.resources.sql import insert_or_raise, run
from services.resources.store_exercises import get_exercise
from services.resources.tables import EXERCISES, RES_STOCKS, RES_UNITS, RESERVATIONS, STOCKS, UNITS


def start_exercise(session: Session, *, exercise_id: str, name: str, actor: str, now: datetime | None = None) -> Exercise:
    """Open a namespace; it sees live availability until it changes something, which it then keeps to itself."""
    raise_if(id_violations("exercise_id", exercise_id) + v.text_violations(name, "display_name", maximum=200, required=False))
    now = now or utcnow()
    base = namespace_version(session, LIVE)
    insert_or_raise(
        session,
        insert(EXERCISES).values(
            exercise_id=exercise_id, name=name, state=ExerciseState.ACTIVE.value, base_version=base, created_by=actor[:200], create_time=now
        ),
        already_exists("exercise", EXERCISE.format(exercise_id)),
    )
    emit(session, "exercise.started", EXERCISE.format(exercise_id), namespace=exercise_id, payload={"actor": actor, "base_version": base})
    bump_version(session, exercise_id)
    return get_exercise(session, exercise_id=exercise_id)


def end_exercise(session: Session, *, exercise_id: str, actor: str, now: datetime | None = None) -> Exercise:
    """End an exercise: discard its reservations, unit and stock copies; live availability is untouched."""
    now = now or utcnow()
    ended = run(
        session,
        update(EXERCISES)
        .where(EXERCISES.c.exercise_id == exercise_id, EXERCISES.c.state == ExerciseState.ACTIVE.value)
        .values(state=ExerciseState.ENDED.value, end_time=now),
    )
    if ended.rowcount != 1:
        current = get_exercise(session, exercise_id=exercise_id)
        raise failed_precondition("EXERCISE_ENDED", f"{EXERCISE.format(exercise_id)} is already {current.state.value}", {"current_state": current.state.value})
    open_states = [ReservationState.ACTIVE.value, ReservationState.CONFIRMED.value]
    discarded = run(
        session,
        update(RESERVATIONS)
        .where(RESERVATIONS.c.namespace == exercise_id, RESERVATIONS.c.state.in_(open_states))
        .values(state=ReservationState.DISCARDED.value, update_time=now),
    ).rowcount
    run(
        session,
        update(RES_UNITS).where(RES_UNITS.c.namespace == exercise_id, RES_UNITS.c.holding.is_(True)).values(holding=False, state=ItemState.DISCARDED.value),
    )
    run(
        session,
        update(RES_STOCKS).where(RES_STOCKS.c.namespace == exercise_id, RES_STOCKS.c.state == ItemState.HELD.value).values(state=ItemState.DISCARDED.value),
    )
    units = run(session, delete(UNITS).where(UNITS.c.namespace == exercise_id)).rowcount
    stocks = run(session, delete(STOCKS).where(STOCKS.c.namespace == exercise_id)).rowcount
    emit(
        session,
        "exercise.ended",
        EXERCISE.format(exercise_id),
        namespace=exercise_id,
        payload={"actor": actor, "reservations_discarded": discarded, "unit_copies_discarded": units, "stock_copies_discarded": stocks},
    )
    bump_version(session, exercise_id)
    return get_exercise(session, exercise_id=exercise_id)
