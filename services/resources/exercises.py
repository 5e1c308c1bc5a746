"""Exercise namespaces: start (a copy-on-write view of live) and end (discard everything the drill changed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from services.common.errors import already_exists, failed_precondition, not_found
from services.common.outbox import utcnow
from services.common.pagination import decode_token, encode_token, fingerprint, page_size
from services.resources import validation as v
from services.resources.convert import exercise_from_row
from services.resources.domain import LIVE, Exercise, ExerciseState, ItemState, ReservationState
from services.resources.events import bump_version, emit, namespace_version
from services.resources.names import exercise_name
from services.resources.namespaces import EXERCISES, STOCKS, UNITS
from services.resources.reservations import RES_STOCKS, RES_UNITS, RESERVATIONS
from services.resources.sql import all_rows, insert_or_raise, one, run


def get_exercise(session: Session, *, exercise_id: str) -> Exercise:
    """Return one exercise or NOT_FOUND."""
    row = one(session, select(EXERCISES).where(EXERCISES.c.exercise_id == exercise_id))
    if row is None:
        raise not_found("exercise", exercise_name(exercise_id))
    return exercise_from_row(row)


def list_exercises(session: Session, *, active_only: bool = False, size: int = 0, token: str = "") -> tuple[list[Exercise], str]:
    """A page of exercises in id order."""
    limit = page_size(size)
    query = fingerprint("exercises", active_only)
    after = decode_token(token, query, 1)
    stmt = select(EXERCISES).order_by(EXERCISES.c.exercise_id).limit(limit + 1)
    if active_only:
        stmt = stmt.where(EXERCISES.c.state == ExerciseState.ACTIVE.value)
    if after is not None:
        stmt = stmt.where(EXERCISES.c.exercise_id > after[0])
    rows = [exercise_from_row(r) for r in all_rows(session, stmt)]
    next_token = encode_token([rows[limit - 1].exercise_id], query) if len(rows) > limit else ""
    return rows[:limit], next_token


def start_exercise(session: Session, *, exercise_id: str, name: str, actor: str, now: datetime | None = None) -> Exercise:
    """Open a namespace; it sees live availability until it changes something, which it then keeps to itself."""
    v.raise_if(v.id_violations(exercise_id, "exercise_id") + v.text_violations(name, "display_name", maximum=200, required=False))
    now = now or utcnow()
    base = namespace_version(session, LIVE)
    insert_or_raise(
        session,
        insert(EXERCISES).values(
            exercise_id=exercise_id,
            name=name,
            state=ExerciseState.ACTIVE.value,
            base_version=base,
            created_by=actor[:200],
            create_time=now,
        ),
        already_exists("exercise", exercise_name(exercise_id)),
    )
    emit(
        session,
        "exercise.started",
        exercise_name(exercise_id),
        namespace=exercise_id,
        payload={"actor": actor, "base_version": base},
    )
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
        raise failed_precondition(
            "EXERCISE_ENDED",
            f"{exercise_name(exercise_id)} is already {current.state.value}",
            {"current_state": current.state.value},
        )
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
        exercise_name(exercise_id),
        namespace=exercise_id,
        payload={
            "actor": actor,
            "reservations_discarded": discarded,
            "unit_copies_discarded": units,
            "stock_copies_discarded": stocks,
        },
    )
    bump_version(session, exercise_id)
    return get_exercise(session, exercise_id=exercise_id)
