"""IncidentService: transport only; requests are checked in validation.py, mapped in mapping.py, and changed by changes.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from emergency.incident.v1 import incident_service_pb2 as pb
from emergency.incident.v1 import incident_service_pb2_grpc as pb_grpc
from google.protobuf.message import Message
from sqlmodel import Session

from services.common.auth import Principal, require_authenticated
from services.common.errors import raise_if
from services.common.fields import text_violations
from services.common.idempotency import M, request_id_violations
from services.common.interceptors import Context
from services.common.names import INCIDENT
from services.common.pagination import open_page
from services.common.transactions import Transactions
from services.incident import changes, domain, mapping, store, validation
from services.incident.domain import ANNOTATION, NOTE, EntryKind
from services.incident.exercises import ExerciseDirectory
from services.incident.tables import IncidentRow, TimelineRow


class IncidentServicer(pb_grpc.IncidentServiceServicer):
    """Serves incidents from this service's database; every change also goes to the timeline and the outbox."""

    def __init__(self, tx: Transactions, exercises: ExerciseDirectory) -> None:
        self._tx = tx
        self._exercises = exercises

    async def _mutate(self, method: str, request: Message, request_id: str, response_type: type[M], work: Callable[[Session, Principal], M]) -> M:
        """One idempotent change by the caller: the request id is checked before who is calling."""
        raise_if(request_id_violations(request_id))
        principal = require_authenticated()
        return await self._tx.mutate(method=method, request=request, request_id=request_id, response_type=response_type, work=lambda s: work(s, principal))

    async def CreateIncident(self, request: pb.CreateIncidentRequest, context: Context) -> pb.CreateIncidentResponse:
        """Report a new incident."""
        incident = request.incident
        raise_if(validation.create_violations(request))
        domain.authorize_write(require_authenticated(), "CREATE", park_id=incident.park_id, exercise_id=incident.exercise_id)
        await self._exercises.require_active(incident.exercise_id, "incident.exercise_id")
        incident_id = request.incident_id or f"inc-{uuid.uuid4().hex[:12]}"

        def work(session: Session, principal: Principal) -> pb.CreateIncidentResponse:
            row = changes.create(session, principal, mapping.new_row(incident_id, incident))
            return pb.CreateIncidentResponse(incident=mapping.to_proto(row))

        return await self._mutate("CreateIncident", request, request.request_id, pb.CreateIncidentResponse, work)

    async def GetIncident(self, request: pb.GetIncidentRequest, context: Context) -> pb.GetIncidentResponse:
        """Return one incident."""
        incident_id = INCIDENT.parse_one(request.name)
        require_authenticated()
        return await self._tx.query(lambda session: pb.GetIncidentResponse(incident=mapping.to_proto(store.get(session=session, incident_id=incident_id))))

    async def ListIncidents(self, request: pb.ListIncidentsRequest, context: Context) -> pb.ListIncidentsResponse:
        """Return a page of incidents, newest first."""
        require_authenticated()
        raise_if(validation.list_violations(request))
        where = mapping.incident_filter(request)
        page = open_page(request.page_token, request.page_size, mapping.filter_scope(where), default=50, maximum=500)

        def read(session: Session) -> pb.ListIncidentsResponse:
            fetched = store.incident_page(session, where, after_seq=int(page.after["seq"]) if page.after else None, limit=page.limit)
            rows, token = page.cut(fetched, lambda row: {"seq": row.seq})
            return pb.ListIncidentsResponse(incidents=[mapping.to_proto(r) for r in rows], next_page_token=token)

        return await self._tx.query(read)

    async def UpdateIncident(self, request: pb.UpdateIncidentRequest, context: Context) -> pb.UpdateIncidentResponse:
        """Change descriptive fields named in the update mask."""
        incident_id = INCIDENT.parse_one(request.incident.name, "incident.name")
        raise_if(validation.update_violations(request))
        values = mapping.row_values(request.incident, frozenset(request.update_mask.paths))

        def work(session: Session, principal: Principal) -> pb.UpdateIncidentResponse:
            return pb.UpdateIncidentResponse(incident=mapping.to_proto(changes.update(session, principal, incident_id, request.version, values)))

        return await self._mutate("UpdateIncident", request, request.request_id, pb.UpdateIncidentResponse, work)

    async def _transition(self, action: str, method: str, request: Any, response_type: type[M], *, note: str, extra: dict[str, Any] | None = None) -> M:
        """Move an incident along the state machine."""
        incident_id = INCIDENT.parse_one(request.name)
        raise_if(validation.transition_violations(request.version, note))

        def work(session: Session, principal: Principal) -> M:
            row = changes.transition(session, principal, incident_id, request.version, action, note=note, extra=extra)
            return response_type(incident=mapping.to_proto(row))

        return await self._mutate(method, request, request.request_id, response_type, work)

    async def VerifyIncident(self, request: pb.VerifyIncidentRequest, context: Context) -> pb.VerifyIncidentResponse:
        """REPORTED -> VERIFIED."""
        return await self._transition("VERIFY", "VerifyIncident", request, pb.VerifyIncidentResponse, note=request.note)

    async def BeginDispatch(self, request: pb.BeginDispatchRequest, context: Context) -> pb.BeginDispatchResponse:
        """VERIFIED -> DISPATCHING."""
        return await self._transition("BEGIN_DISPATCH", "BeginDispatch", request, pb.BeginDispatchResponse, note=request.note)

    async def MarkResponding(self, request: pb.MarkRespondingRequest, context: Context) -> pb.MarkRespondingResponse:
        """DISPATCHING -> RESPONDING."""
        return await self._transition("MARK_RESPONDING", "MarkResponding", request, pb.MarkRespondingResponse, note=request.note)

    async def MarkContained(self, request: pb.MarkContainedRequest, context: Context) -> pb.MarkContainedResponse:
        """RESPONDING -> CONTAINED."""
        return await self._transition("MARK_CONTAINED", "MarkContained", request, pb.MarkContainedResponse, note=request.note)

    async def CloseIncident(self, request: pb.CloseIncidentRequest, context: Context) -> pb.CloseIncidentResponse:
        """CONTAINED -> CLOSED with an outcome summary."""
        raise_if(text_violations("outcome_summary", request.outcome_summary, required=True, maximum=domain.MAX_DESCRIPTION))
        extra = {"outcome_summary": request.outcome_summary}
        return await self._transition("CLOSE", "CloseIncident", request, pb.CloseIncidentResponse, note=request.outcome_summary, extra=extra)

    async def CancelIncident(self, request: pb.CancelIncidentRequest, context: Context) -> pb.CancelIncidentResponse:
        """Any open state -> CANCELLED with a reason."""
        raise_if(text_violations("reason", request.reason, required=True, maximum=domain.MAX_NOTE))
        extra = {"cancel_reason": request.reason}
        return await self._transition("CANCEL", "CancelIncident", request, pb.CancelIncidentResponse, note=request.reason, extra=extra)

    async def ChangeSeverity(self, request: pb.ChangeSeverityRequest, context: Context) -> pb.ChangeSeverityResponse:
        """Raise or lower the response level, with a reason."""
        incident_id = INCIDENT.parse_one(request.name)
        raise_if(validation.severity_change_violations(request))
        level = mapping.SEVERITY_TO_LEVEL[request.severity]

        def work(session: Session, principal: Principal) -> pb.ChangeSeverityResponse:
            row = changes.change_severity(session, principal, incident_id, request.version, level, request.reason)
            return pb.ChangeSeverityResponse(incident=mapping.to_proto(row))

        return await self._mutate("ChangeSeverity", request, request.request_id, pb.ChangeSeverityResponse, work)

    async def SetDemands(self, request: pb.SetDemandsRequest, context: Context) -> pb.SetDemandsResponse:
        """Replace the demands."""
        incident_id = INCIDENT.parse_one(request.name)
        raise_if(validation.demands_change_violations(request))
        demands = mapping.demands_json(mapping.demands_from_proto(request.demands))

        def work(session: Session, principal: Principal) -> pb.SetDemandsResponse:
            row = changes.set_demands(session, principal, incident_id, request.version, demands, request.note)
            return pb.SetDemandsResponse(incident=mapping.to_proto(row))

        return await self._mutate("SetDemands", request, request.request_id, pb.SetDemandsResponse, work)

    async def ListTimelineEntries(self, request: pb.ListTimelineEntriesRequest, context: Context) -> pb.ListTimelineEntriesResponse:
        """Return a page of an incident's timeline, oldest first."""
        require_authenticated()
        incident_id = INCIDENT.parse_one(request.parent, "parent")
        page = open_page(request.page_token, request.page_size, {"incident": incident_id}, default=100, maximum=1000)

        def read(session: Session) -> pb.ListTimelineEntriesResponse:
            fetched = store.timeline_page(session, incident_id, after_sequence=int(page.after["seq"]) if page.after else 0, limit=page.limit)
            rows, token = page.cut(fetched, lambda row: {"seq": row.sequence})
            return pb.ListTimelineEntriesResponse(timeline_entries=[mapping.entry_to_proto(incident_id, r) for r in rows], next_page_token=token)

        return await self._tx.query(read)

    async def _add_entry(self, kind: EntryKind, method: str, request: Any, response_type: type[M], answer: Callable[[str, Any, Any], M]) -> M:
        """Add an annotation or a note to an open incident's timeline; `answer` builds the response from the id, the row and the entry."""
        incident_id = INCIDENT.parse_one(request.name)
        action = request.action or kind.default_action
        raise_if(validation.entry_violations(kind, action, request.note, request.details))
        details = mapping.details_of(request.details)

        def work(session: Session, principal: Principal) -> M:
            row, entry = changes.add_entry(session, principal, kind, incident_id, action=action, note=request.note, details=details)
            return answer(incident_id, row, entry)

        return await self._mutate(method, request, request.request_id, response_type, work)

    async def AnnotateIncident(self, request: pb.AnnotateIncidentRequest, context: Context) -> pb.AnnotateIncidentResponse:
        """Record a decision (such as a plan override) on an open incident's timeline; the incident keeps its version."""

        def answer(incident_id: str, row: IncidentRow, entry: TimelineRow) -> pb.AnnotateIncidentResponse:
            return pb.AnnotateIncidentResponse(entry=mapping.entry_to_proto(incident_id, entry))

        return await self._add_entry(ANNOTATION, "AnnotateIncident", request, pb.AnnotateIncidentResponse, answer)

    async def AddTimelineNote(self, request: pb.AddTimelineNoteRequest, context: Context) -> pb.AddTimelineNoteResponse:
        """Append new information (detector alarms, field reports) to an open incident's timeline, at its next version."""

        def answer(incident_id: str, row: IncidentRow, entry: TimelineRow) -> pb.AddTimelineNoteResponse:
            return pb.AddTimelineNoteResponse(incident=mapping.to_proto(row))

        return await self._add_entry(NOTE, "AddTimelineNote", request, pb.AddTimelineNoteResponse, answer)
