"""The changes of an incident: each checks who may make it and where the incident stands, then writes through the store.

Every function runs inside the caller's transaction (the request's idempotent unit of work).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from services.common.auth import Principal
from services.common.errors import FieldViolation, already_exists, invalid_argument
from services.common.names import INCIDENT
from services.incident import domain, monitoring, store
from services.incident.domain import EntryKind, State
from services.incident.tables import IncidentRow, TimelineRow


def create(session: Session, principal: Principal, row: IncidentRow) -> IncidentRow:
    """Report a new incident under a free id."""
    domain.authorize_write(principal, "CREATE", park_id=row.park_id, exercise_id=row.exercise_id)
    if store.exists(session=session, incident_id=row.incident_id):
        raise already_exists("incident", INCIDENT.format(row.incident_id))
    return store.insert(session=session, row=row, actor=principal.subject)


def update(session: Session, principal: Principal, incident_id: str, version: int, values: dict[str, Any]) -> IncidentRow:
    """Change descriptive fields of an open incident."""
    row = store.get(session=session, incident_id=incident_id)
    domain.authorize_update(principal, park_id=row.park_id, new_park_id=values.get("park_id"), exercise_id=row.exercise_id)
    domain.check_open("UPDATE", State(row.state))
    return _write(session, principal, incident_id, version, values, action="UPDATED", event_type="incident.updated")


def transition(
    session: Session, principal: Principal, incident_id: str, version: int, action: str, *, note: str, extra: dict[str, Any] | None = None
) -> IncidentRow:
    """Move an incident along the state machine; reaching RESPONDING records the time from report to committed plan."""
    row = store.get(session=session, incident_id=incident_id)
    domain.authorize_write(principal, action, park_id=row.park_id, exercise_id=row.exercise_id)
    target = domain.check_transition(action, State(row.state))
    values = {"state": target.value, **(extra or {})}
    row = _write(session, principal, incident_id, version, values, action=action, note=note, event_type=domain.TRANSITIONS[action].event_type)
    if target is State.RESPONDING:
        monitoring.record_committed(row)
    return row


def change_severity(session: Session, principal: Principal, incident_id: str, version: int, level: str, reason: str) -> IncidentRow:
    """Raise or lower the response level of an open incident to another level."""
    row = _open_row(session, principal, incident_id, "CHANGE_SEVERITY")
    if row.severity == level:
        raise invalid_argument([FieldViolation("severity", f"the incident is already at level {level}")])
    return _write(session, principal, incident_id, version, {"severity": level}, action="SEVERITY_CHANGED", note=reason, event_type="incident.severity_changed")


def set_demands(session: Session, principal: Principal, incident_id: str, version: int, demands: str, note: str) -> IncidentRow:
    """Replace the demands of an open incident."""
    _open_row(session, principal, incident_id, "SET_DEMANDS")
    return _write(session, principal, incident_id, version, {"demands": demands}, action="DEMANDS_SET", note=note, event_type="incident.demands_set")


def add_entry(
    session: Session, principal: Principal, kind: EntryKind, incident_id: str, *, action: str, note: str, details: dict[str, Any]
) -> tuple[IncidentRow, TimelineRow]:
    """Add an annotation or a note to an open incident's timeline."""
    _open_row(session, principal, incident_id, kind.authorization)
    return store.append_entry(
        session=session,
        incident_id=incident_id,
        actor=principal.subject,
        action=action,
        note=note,
        details=details,
        moves_version=kind.moves_version,
        event_type=kind.event_type,
    )


def _open_row(session: Session, principal: Principal, incident_id: str, action: str) -> IncidentRow:
    """The incident, if the principal may do the action on it and it is still open."""
    row = store.get(session=session, incident_id=incident_id)
    domain.authorize_write(principal, action, park_id=row.park_id, exercise_id=row.exercise_id)
    domain.check_open(action, State(row.state))
    return row


def _write(
    session: Session, principal: Principal, incident_id: str, version: int, values: dict[str, Any], *, action: str, note: str = "", event_type: str
) -> IncidentRow:
    """Write a change based on `version`, with its timeline entry (by the principal) and its event."""
    return store.change(session, incident_id, version, values, actor=principal.subject, action=action, note=note, event_type=event_type)
