"""Small helpers for running Core statements inside a SQLModel session's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.common.errors import ServiceError


def run(session: Session, stmt: Executable) -> CursorResult[Any]:
    """Execute a statement on the session's connection (same transaction, no ORM identity map)."""
    return session.connection().execute(stmt)


def one(session: Session, stmt: Executable) -> Mapping[str, Any] | None:
    """The first row of a query as a mapping, or None."""
    return cast(Mapping[str, Any] | None, run(session, stmt).mappings().first())


def all_rows(session: Session, stmt: Executable) -> Sequence[Mapping[str, Any]]:
    """Every row of a query as mappings."""
    return cast(Sequence[Mapping[str, Any]], run(session, stmt).mappings().all())


def insert_or_raise(session: Session, stmt: Executable, error: ServiceError) -> None:
    """Insert, turning a key collision (e.g. a concurrent create) into the given error."""
    try:
        session.connection().execute(stmt)
    except IntegrityError as exc:
        raise error from exc
