"""AddTimelineNote: new information (detector alarms, field reports) appended to an open incident's timeline."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from emergency.incident.v1 import incident_service_pb2 as pb
from google.protobuf import json_format
from sqlalchemy import update
from sqlmodel import Session, col, select

from services.common.auth import Principal
from services.common.errors import FieldViolation, invalid_argument
from services.common.outbox import utcnow
from services.incident import domain, store
from services.incident.domain import State

ACTION_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
MAX_DETAILS_BYTES = 200_000


def add_note(*, session: Session, incident_id: str, actor: str, action: str, note: str, details: dict[str, Any]) -> store.IncidentRow:
    """Append one entry at the next version; a note conflicts with nothing, so it takes whatever version is current."""
    current = store.get(session=session, incident_id=incident_id)
    version = current.version
    result = session.execute(
        update(store.IncidentRow)
        .where(col(store.IncidentRow.incident_id) == incident_id, col(store.IncidentRow.version) == version)
        .values(version=version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        latest = session.exec(select(store.IncidentRow.version).where(store.IncidentRow.incident_id == incident_id)).one()
        raise store._stale(incident_id, version, latest)
    session.expire(current)
    row = store.get(session=session, incident_id=incident_id)
    store._append_timeline(session, row, actor=actor, action=action, note=note, before={}, after=details)
    store._emit(session, row, "incident.note_added", {"action": action})
    return row


class NoteRpcs:
    """The AddTimelineNote method, mixed into the incident servicer."""

    _mutate: Callable[..., Awaitable[Any]]

    async def AddTimelineNote(self, request: pb.AddTimelineNoteRequest, context: grpc.aio.ServicerContext) -> pb.AddTimelineNoteResponse:
        """Append new information to an open incident's timeline."""
        from services.incident.servicer import parse_name, to_proto

        incident_id = parse_name(request.name)
        violations = domain.text_violations("note", request.note, required=True, maximum=domain.MAX_NOTE)
        action = request.action or "NOTE"
        if not ACTION_PATTERN.match(action):
            violations.append(FieldViolation("action", "UPPER_SNAKE, 2 to 40 characters, e.g. ALARMS_RECORDED"))
        if request.details.ByteSize() > MAX_DETAILS_BYTES:
            violations.append(FieldViolation("details", f"at most {MAX_DETAILS_BYTES} bytes"))
        if violations:
            raise invalid_argument(violations)
        details = json_format.MessageToDict(request.details)

        def work(session: Session, principal: Principal) -> pb.AddTimelineNoteResponse:
            row = store.get(session=session, incident_id=incident_id)
            domain.authorize_write(principal, "NOTE", park_id=row.park_id, exercise_id=row.exercise_id)
            domain.check_open("NOTE", State(row.state))
            row = add_note(session=session, incident_id=incident_id, actor=principal.subject, action=action, note=request.note, details=details)
            return pb.AddTimelineNoteResponse(incident=to_proto(row))

        return await self._mutate("AddTimelineNote", request, request.request_id, pb.AddTimelineNoteResponse, work)  # type: ignore[no-any-return]
