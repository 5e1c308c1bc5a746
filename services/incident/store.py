"""Persistence of the incident service: every session and query of incidents and their timelines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from services.common.clock import utcnow
from services.common.errors import ServiceError, aborted, not_found
from services.common.names import INCIDENT
from services.common.outbox import add_event
from services.incident.domain import OPEN_STATES
from services.incident.tables import IncidentRow, TimelineRow

EVENT_STREAM = "emergency.incident.events"


CHANGEABLE_COLUMNS = frozenset(
    {
        "title",
        "park_id",
        "latitude",
        "longitude",
        "place",
        "kind",
        "substance",
        "severity",
        "reporter",
        "description",
        "demands",
        "weather",
        "state",
        "outcome_summary",
        "cancel_reason",
    }
)


def get(*, session: Session, incident_id: str) -> IncidentRow:
    """One incident, or NOT_FOUND."""
    row = session.exec(select(IncidentRow).where(IncidentRow.incident_id == incident_id)).first()
    if row is None:
        raise not_found("incident", INCIDENT.format(incident_id))
    return row


def exists(*, session: Session, incident_id: str) -> bool:
    """Tell whether an incident id is taken."""
    return session.exec(select(IncidentRow.seq).where(IncidentRow.incident_id == incident_id)).first() is not None


def insert(*, session: Session, row: IncidentRow, actor: str, note: str = "") -> IncidentRow:
    """Store a new incident with its first timeline entry and event."""
    session.add(row)
    session.flush()
    snapshot = public_fields(row)
    _append_timeline(session, row, actor=actor, action="CREATED", note=note, before={}, after=snapshot)
    _emit(session, row, "incident.created")
    return row


def change(
    session: Session, incident_id: str, expected_version: int, values: dict[str, Any], *, actor: str, action: str, note: str = "", event_type: str
) -> IncidentRow:
    """Apply a change if the incident is still at the expected version; write timeline and event with it."""
    current = get(session=session, incident_id=incident_id)
    if current.version != expected_version:
        raise _stale(incident_id, expected_version, current.version)
    unknown = set(values) - CHANGEABLE_COLUMNS
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    before = {k: _decoded(k, getattr(current, k)) for k in values}
    after = {k: _decoded(k, v) for k, v in values.items()}
    row = _advance(session, current, values)
    _append_timeline(session, row, actor=actor, action=action, note=note, before=before, after=after)
    _emit(session, row, event_type, {"action": action})
    return row


def append_entry(
    *, session: Session, incident_id: str, actor: str, action: str, note: str, details: dict[str, Any], moves_version: bool, event_type: str
) -> tuple[IncidentRow, TimelineRow]:
    """Append an entry that changes no field, at the next version (whatever version is current, since it conflicts with nothing)
    or at the current one (the row is locked so sequences stay consecutive)."""
    if moves_version:
        row = _advance(session, get(session=session, incident_id=incident_id), {})
    else:
        locked = session.exec(select(IncidentRow).where(IncidentRow.incident_id == incident_id).with_for_update()).first()
        if locked is None:
            raise not_found("incident", INCIDENT.format(incident_id))
        row = locked
    entry = _append_timeline(session, row, actor=actor, action=action, note=note, before={}, after=details)
    _emit(session, row, event_type, {"action": action})
    return row, entry


def _advance(session: Session, current: IncidentRow, values: dict[str, Any]) -> IncidentRow:
    """Write the values at the next version if nobody moved the incident since `current` was read; the row as it now is."""
    version = current.version
    result = session.execute(
        update(IncidentRow)
        .where(col(IncidentRow.incident_id) == current.incident_id, col(IncidentRow.version) == version)
        .values(**values, version=version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        latest = session.exec(select(IncidentRow.version).where(IncidentRow.incident_id == current.incident_id)).one()
        raise _stale(current.incident_id, version, latest)
    session.expire(current)
    return get(session=session, incident_id=current.incident_id)


@dataclass(frozen=True)
class IncidentFilter:
    """What a page of incidents is drawn from: one namespace, optionally narrowed."""

    exercise_id: str
    states: Sequence[str] = ()
    park_id: str = ""
    severities: Sequence[str] = ()
    created_from: datetime | None = None
    created_to: datetime | None = None
    incident_ids: Sequence[str] = ()


def incident_page(session: Session, where: IncidentFilter, *, after_seq: int | None, limit: int) -> list[IncidentRow]:
    """At most `limit` incidents, newest first, resuming below `after_seq`."""
    query = select(IncidentRow).where(IncidentRow.exercise_id == where.exercise_id)
    if where.incident_ids:
        query = query.where(col(IncidentRow.incident_id).in_(list(where.incident_ids)))
    if where.states:
        query = query.where(col(IncidentRow.state).in_(where.states))
    if where.park_id:
        query = query.where(IncidentRow.park_id == where.park_id)
    if where.severities:
        query = query.where(col(IncidentRow.severity).in_(where.severities))
    if where.created_from is not None:
        query = query.where(col(IncidentRow.created_at) >= where.created_from)
    if where.created_to is not None:
        query = query.where(col(IncidentRow.created_at) < where.created_to)
    if after_seq is not None:
        query = query.where(col(IncidentRow.seq) < after_seq)
    return list(session.exec(query.order_by(col(IncidentRow.seq).desc()).limit(limit)).all())


def timeline_page(session: Session, incident_id: str, *, after_sequence: int, limit: int) -> list[TimelineRow]:
    """At most `limit` entries of an incident's timeline, oldest first, after the given sequence (NOT_FOUND for an unknown incident)."""
    get(session=session, incident_id=incident_id)
    query = (
        select(TimelineRow)
        .where(TimelineRow.incident_id == incident_id, col(TimelineRow.sequence) > after_sequence)
        .order_by(col(TimelineRow.sequence))
        .limit(limit)
    )
    return list(session.exec(query).all())


def open_counts(session: Session) -> list[tuple[str, str, bool, int]]:
    """(severity, state, in an exercise, how many) of the open incidents."""
    drill = (col(IncidentRow.exercise_id) != "").label("drill")
    stmt = (
        select(IncidentRow.severity, IncidentRow.state, drill, func.count())
        .where(col(IncidentRow.state).in_([s.value for s in OPEN_STATES]))
        .group_by(IncidentRow.severity, IncidentRow.state, drill)
    )
    return [(level, state, bool(in_drill), int(n)) for level, state, in_drill, n in session.exec(stmt).all()]


def public_fields(row: IncidentRow) -> dict[str, Any]:
    """The fields a timeline shows for a newly created incident."""
    return {k: _decoded(k, getattr(row, k)) for k in sorted(CHANGEABLE_COLUMNS)}


def _decoded(key: str, value: Any) -> Any:
    """JSON columns as structures, everything else as it is."""
    if key in ("substance", "demands", "weather") and isinstance(value, str):
        return json.loads(value)
    return value


def _append_timeline(session: Session, row: IncidentRow, *, actor: str, action: str, note: str, before: dict[str, Any], after: dict[str, Any]) -> TimelineRow:
    """Add the next entry, at the version the row now has (the caller holds the incident row)."""
    last = session.exec(select(func.max(TimelineRow.sequence)).where(TimelineRow.incident_id == row.incident_id)).one()
    entry = TimelineRow(
        incident_id=row.incident_id,
        sequence=(last or 0) + 1,
        actor=actor,
        action=action,
        note=note,
        before=json.dumps(before, sort_keys=True, default=str),
        after=json.dumps(after, sort_keys=True, default=str),
        version=row.version,
    )
    session.add(entry)
    session.flush()
    return entry


def _emit(session: Session, row: IncidentRow, event_type: str, extra: dict[str, Any] | None = None) -> None:
    """Write the change's event to the outbox."""
    add_event(
        session,
        stream=EVENT_STREAM,
        event_type=event_type,
        subject=INCIDENT.format(row.incident_id),
        version=row.version,
        exercise_id=row.exercise_id,
        payload={"state": row.state, "severity": row.severity, "park_id": row.park_id, **(extra or {})},
    )


def _stale(incident_id: str, expected: int, current: int) -> ServiceError:
    """ABORTED for a change based on an old version, naming the current one."""
    return aborted(
        "VERSION_MISMATCH",
        f"{INCIDENT.format(incident_id)} is at version {current}, the change was based on version {expected}; re-read and retry",
        {"current_version": str(current), "expected_version": str(expected)},
    )
