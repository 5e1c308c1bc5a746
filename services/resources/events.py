"""Outbox events of the resources service and the per-namespace change counter (the snapshot version)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from services.common.outbox import add_event
from services.resources.domain import EVENT_STREAM, LIVE
from services.resources.tables import COUNTERS


def emit(session: Session, event_type: str, subject: str, *, namespace: str, version: int = 0, payload: dict[str, Any] | None = None) -> None:
    """Write one event to the outbox in the caller's transaction, tagged with the exercise id if any."""
    add_event(session, stream=EVENT_STREAM, event_type=event_type, subject=subject, version=version, exercise_id=namespace, payload=payload)


def dialect_insert(session: Session, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT on the session's backend."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database backend {name!r}")


def bump_version(session: Session, namespace: str) -> int:
    """Advance the namespace counter; call it last in a transaction so the counter row is the last lock taken."""
    stmt = dialect_insert(session, COUNTERS).values(namespace=namespace, version=1)
    stmt = stmt.on_conflict_do_update(index_elements=["namespace"], set_={"version": COUNTERS.c.version + 1}).returning(COUNTERS.c.version)
    return int(session.connection().execute(stmt).scalar_one())


def namespace_version(session: Session, namespace: str) -> int:
    """The counter of one namespace (0 if it never changed)."""
    value = session.connection().execute(select(COUNTERS.c.version).where(COUNTERS.c.namespace == namespace)).scalar()
    return int(value) if value is not None else 0


def snapshot_version(session: Session, namespace: str) -> int:
    """Live counter for live; live + exercise counters for an exercise, whose view changes with either."""
    live = namespace_version(session, LIVE)
    return live if namespace == LIVE else live + namespace_version(session, namespace)
