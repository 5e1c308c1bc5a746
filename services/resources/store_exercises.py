"""Exercises in the store: row decoding, reads and pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from services.common.names import EXERCISE
from services.resources.domain import Exercise, ExerciseState
from services.resources.sql import decode, found, keyset_page, one
from services.resources.tables import EXERCISES


def exercise_from_row(row: Mapping[str, Any]) -> Exercise:
    """Build an Exercise from its row."""
    return decode(Exercise, row, state=ExerciseState(row["state"]))


def get_exercise(session: Session, *, exercise_id: str) -> Exercise:
    """Return one exercise or NOT_FOUND."""
    row = one(session, select(EXERCISES).where(EXERCISES.c.exercise_id == exercise_id))
    return found(row, exercise_from_row, "exercise", EXERCISE.format(exercise_id))


def list_exercises(session: Session, *, active_only: bool = False, size: int = 0, token: str = "") -> tuple[list[Exercise], str]:
    """A page of exercises in id order."""
    stmt = select(EXERCISES)
    if active_only:
        stmt = stmt.where(EXERCISES.c.state == ExerciseState.ACTIVE.value)
    filters = {"list": "exercises", "active_only": active_only}
    return keyset_page(session, stmt, [EXERCISES.c.exercise_id], exercise_from_row, filters=filters, size=size, token=token)
