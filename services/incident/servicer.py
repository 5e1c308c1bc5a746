"""IncidentService: proto <-> domain mapping and status codes; rules live in domain.py, tables in store.py."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import grpc
from emergency.common.v1 import common_pb2
from emergency.incident.v1 import incident_service_pb2 as pb
from emergency.incident.v1 import incident_service_pb2_grpc as pb_grpc
from google.protobuf import json_format, struct_pb2
from google.protobuf.message import Message
from sqlalchemy import Engine
from sqlmodel import Session

from services.common.auth import Principal, require_authenticated
from services.common.db import read_only, run_in_thread
from services.common.errors import FieldViolation, already_exists, invalid_argument
from services.common.idempotency import M, request_id_violations, run_idempotent
from services.common.pagination import decode_page_token, effective_page_size, encode_page_token, page_size_violations
from services.incident import domain, monitoring, store
from services.incident.domain import DemandLine, State
from services.incident.exercises import ExerciseDirectory
from services.incident.notes import NoteRpcs

SEVERITY_TO_LEVEL = {common_pb2.SEVERITY_I: "I", common_pb2.SEVERITY_II: "II", common_pb2.SEVERITY_III: "III", common_pb2.SEVERITY_IV: "IV"}
LEVEL_TO_SEVERITY = {v: k for k, v in SEVERITY_TO_LEVEL.items()}
KIND_PREFIX = "INCIDENT_KIND_"
STATE_PREFIX = "STATE_"
UPDATABLE_PATHS = frozenset({"title", "park_id", "location", "kind", "substance", "reporter", "description", "weather"})
MAX_NAMES = 500
MAX_DETAILS_BYTES = 16_000
ACTION_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{2,39}$")
RESERVED_ACTIONS = frozenset({"CREATED", "UPDATED", "SEVERITY_CHANGED", "DEMANDS_SET"})
OUTPUT_ONLY_FIELDS = ("name", "severity_weight", "state", "version", "create_time", "update_time", "outcome_summary", "cancel_reason")


def incident_name(incident_id: str) -> str:
    """Resource name of an incident."""
    return f"incidents/{incident_id}"


def parse_name(name: str, field: str = "name") -> str:
    """The incident id in "incidents/{incident}", or INVALID_ARGUMENT."""
    prefix, _, incident_id = name.partition("/")
    if prefix != "incidents" or not domain.ID_PATTERN.match(incident_id):
        raise invalid_argument([FieldViolation(field, "must be incidents/{incident}")])
    return incident_id


def kind_name(value: int) -> str:
    """Domain name of an incident kind enum value."""
    return common_pb2.IncidentKind.Name(value).removeprefix(KIND_PREFIX)


def demands_from_proto(items: Any) -> list[DemandLine]:
    """Domain demand lines from proto ones."""
    return [DemandLine(d.resource_type, d.quantity, d.needed_within_minutes, tuple(d.required_capabilities)) for d in items]


def demands_json(lines: list[DemandLine]) -> str:
    """Demand lines as stored."""
    return json.dumps(
        [
            {
                "resource_type": d.resource_type,
                "quantity": d.quantity,
                "needed_within_minutes": d.needed_within_minutes,
                "required_capabilities": list(d.required_capabilities),
            }
            for d in lines
        ]
    )


def _timestamp(value: datetime) -> Any:
    """A proto timestamp from a stored (naive UTC) datetime."""
    from google.protobuf.timestamp_pb2 import Timestamp

    stamp = Timestamp()
    stamp.FromDatetime(value.replace(tzinfo=UTC) if value.tzinfo is None else value)
    return stamp


def to_proto(row: store.IncidentRow) -> pb.Incident:
    """The proto view of a stored incident."""
    substance = json.loads(row.substance)
    weather = json.loads(row.weather)
    message = pb.Incident(
        name=incident_name(row.incident_id),
        title=row.title,
        park_id=row.park_id,
        location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=row.latitude, longitude=row.longitude), description=row.place),
        kind=common_pb2.IncidentKind.Value(KIND_PREFIX + row.kind),  # type: ignore[arg-type]
        substance=common_pb2.Substance(**substance),
        severity=LEVEL_TO_SEVERITY[row.severity],
        severity_weight=domain.severity_weight(row.severity),
        reporter=row.reporter,
        description=row.description,
        exercise_id=row.exercise_id,
        demands=[common_pb2.ResourceDemand(**d) for d in json.loads(row.demands)],
        state=pb.Incident.State.Value(STATE_PREFIX + row.state),  # type: ignore[arg-type]
        version=row.version,
        outcome_summary=row.outcome_summary,
        cancel_reason=row.cancel_reason,
    )
    if weather:
        message.weather.CopyFrom(common_pb2.Weather(**weather))
    message.create_time.CopyFrom(_timestamp(row.created_at))
    message.update_time.CopyFrom(_timestamp(row.updated_at))
    return message


def _incident_violations(incident: pb.Incident, prefix: str, paths: frozenset[str] | None = None) -> list[FieldViolation]:
    """Validate the fields of an incident (all of them, or only the given paths)."""

    def wanted(path: str) -> bool:
        return paths is None or path in paths

    found: list[FieldViolation] = []
    if wanted("title"):
        found += domain.text_violations(f"{prefix}.title", incident.title, required=True, maximum=domain.MAX_TITLE)
    if wanted("reporter"):
        found += domain.text_violations(f"{prefix}.reporter", incident.reporter, required=True, maximum=domain.MAX_REPORTER)
    if wanted("description"):
        found += domain.text_violations(f"{prefix}.description", incident.description, required=False, maximum=domain.MAX_DESCRIPTION)
    if wanted("park_id"):
        found += domain.id_violations(f"{prefix}.park_id", incident.park_id, required=False, pattern=domain.PARK_PATTERN)
    if wanted("location"):
        if not incident.HasField("location") or not incident.location.HasField("point"):
            found.append(FieldViolation(f"{prefix}.location.point", "required"))
        else:
            point = incident.location.point
            found += domain.coordinate_violations(f"{prefix}.location.point", point.latitude, point.longitude)
        found += domain.text_violations(f"{prefix}.location.description", incident.location.description, required=False, maximum=domain.MAX_PLACE)
    if wanted("kind"):
        if incident.kind == common_pb2.INCIDENT_KIND_UNSPECIFIED:
            found.append(FieldViolation(f"{prefix}.kind", "required"))
        elif incident.kind not in common_pb2.IncidentKind.values():
            found.append(FieldViolation(f"{prefix}.kind", f"unknown incident kind {incident.kind}"))
    if wanted("substance"):
        s = incident.substance
        found += domain.substance_violations(f"{prefix}.substance", s.name, s.un_number, s.hazard_class)
    if wanted("weather") and incident.HasField("weather"):
        w = incident.weather
        if not -90 <= w.temperature_c <= 70:
            found.append(FieldViolation(f"{prefix}.weather.temperature_c", "must be between -90 and 70"))
        if not 0 <= w.wind_speed_mps <= 120:
            found.append(FieldViolation(f"{prefix}.weather.wind_speed_mps", "must be between 0 and 120"))
        if not 0 <= w.wind_direction_deg < 360:
            found.append(FieldViolation(f"{prefix}.weather.wind_direction_deg", "must be between 0 and 360"))
    return found


def _severity_violations(field: str, value: int) -> list[FieldViolation]:
    """A severity must be one of the four levels."""
    if value == common_pb2.SEVERITY_UNSPECIFIED:
        return [FieldViolation(field, "required: SEVERITY_I to SEVERITY_IV")]
    if value not in SEVERITY_TO_LEVEL:
        return [FieldViolation(field, f"unknown severity {value}")]
    return []


def _output_only_violations(incident: pb.Incident, prefix: str) -> list[FieldViolation]:
    """Output-only fields must not be set by clients."""
    found = []
    for field in OUTPUT_ONLY_FIELDS:
        descriptor = incident.DESCRIPTOR.fields_by_name[field]
        is_set = incident.HasField(field) if descriptor.message_type is not None else bool(getattr(incident, field))
        if is_set:
            found.append(FieldViolation(f"{prefix}.{field}", "output only; must not be set"))
    return found


def _raise_if(violations: list[FieldViolation]) -> None:
    """INVALID_ARGUMENT if anything is wrong."""
    if violations:
        raise invalid_argument(violations)


def _row_values_from(incident: pb.Incident, paths: frozenset[str]) -> dict[str, Any]:
    """Column values for the given proto field paths."""
    values: dict[str, Any] = {}
    if "title" in paths:
        values["title"] = incident.title.strip()
    if "park_id" in paths:
        values["park_id"] = incident.park_id
    if "location" in paths:
        values.update(latitude=incident.location.point.latitude, longitude=incident.location.point.longitude, place=incident.location.description)
    if "kind" in paths:
        values["kind"] = kind_name(incident.kind)
    if "substance" in paths:
        values["substance"] = json.dumps(json_format.MessageToDict(incident.substance, preserving_proto_field_name=True), sort_keys=True)
    if "reporter" in paths:
        values["reporter"] = incident.reporter.strip()
    if "description" in paths:
        values["description"] = incident.description
    if "weather" in paths:
        values["weather"] = json.dumps(json_format.MessageToDict(incident.weather, preserving_proto_field_name=True), sort_keys=True)
    return values


def _struct(text: str) -> struct_pb2.Struct:
    """A Struct from stored JSON."""
    value = struct_pb2.Struct()
    value.update(json.loads(text))
    return value


class IncidentServicer(NoteRpcs, pb_grpc.IncidentServiceServicer):
    """Serves incidents from this service's database; every change also goes to the timeline and the outbox."""

    def __init__(self, engine: Engine, exercises: ExerciseDirectory, on_commit: Callable[[], None] = lambda: None) -> None:
        self._engine = engine
        self._exercises = exercises
        self._on_commit = on_commit

    async def _mutate(self, method: str, request: Message, request_id: str, response_type: type[M], work: Callable[[Session, Principal], M]) -> M:
        """Run one idempotent change in a transaction off the event loop, then wake the outbox relay."""
        _raise_if(request_id_violations(request_id))
        principal = require_authenticated()
        result = await run_in_thread(
            run_idempotent, self._engine, method=method, request=request, request_id=request_id, response_type=response_type, work=lambda s: work(s, principal)
        )
        self._on_commit()
        return result

    async def CreateIncident(self, request: pb.CreateIncidentRequest, context: grpc.aio.ServicerContext) -> pb.CreateIncidentResponse:
        """Report a new incident."""
        incident = request.incident
        violations = request_id_violations(request.request_id)
        violations += domain.id_violations("incident_id", request.incident_id, required=False)
        violations += _incident_violations(incident, "incident")
        violations += _severity_violations("incident.severity", incident.severity)
        violations += domain.id_violations("incident.exercise_id", incident.exercise_id, required=False)
        violations += domain.demand_violations("incident.demands", demands_from_proto(incident.demands))
        violations += _output_only_violations(incident, "incident")
        _raise_if(violations)
        domain.authorize_write(require_authenticated(), "CREATE", park_id=incident.park_id, exercise_id=incident.exercise_id)
        await self._exercises.require_active(incident.exercise_id, "incident.exercise_id")
        incident_id = request.incident_id or f"inc-{uuid.uuid4().hex[:12]}"

        def work(session: Session, principal: Principal) -> pb.CreateIncidentResponse:
            domain.authorize_write(principal, "CREATE", park_id=incident.park_id, exercise_id=incident.exercise_id)
            if store.exists(session=session, incident_id=incident_id):
                raise already_exists("incident", incident_name(incident_id))
            values = _row_values_from(incident, UPDATABLE_PATHS)
            row = store.IncidentRow(
                incident_id=incident_id,
                exercise_id=incident.exercise_id,
                severity=SEVERITY_TO_LEVEL[incident.severity],
                demands=demands_json(demands_from_proto(incident.demands)),
                state=State.REPORTED.value,
                **values,
            )
            row = store.insert(session=session, row=row, actor=principal.subject)
            return pb.CreateIncidentResponse(incident=to_proto(row))

        return await self._mutate("CreateIncident", request, request.request_id, pb.CreateIncidentResponse, work)

    async def GetIncident(self, request: pb.GetIncidentRequest, context: grpc.aio.ServicerContext) -> pb.GetIncidentResponse:
        """Return one incident."""
        incident_id = parse_name(request.name)
        require_authenticated()

        def read() -> pb.GetIncidentResponse:
            with Session(read_only(self._engine)) as session:
                return pb.GetIncidentResponse(incident=to_proto(store.get(session=session, incident_id=incident_id)))

        return await run_in_thread(read)

    async def ListIncidents(self, request: pb.ListIncidentsRequest, context: grpc.aio.ServicerContext) -> pb.ListIncidentsResponse:
        """Return a page of incidents, newest first."""
        require_authenticated()
        violations = page_size_violations(request.page_size, maximum=500)
        violations += domain.id_violations("exercise_id", request.exercise_id, required=False)
        violations += domain.id_violations("park_id", request.park_id, required=False, pattern=domain.PARK_PATTERN)
        states: list[str] = []
        for index, value in enumerate(request.states):
            if value == pb.Incident.STATE_UNSPECIFIED or value not in pb.Incident.State.values():
                violations.append(FieldViolation(f"states[{index}]", f"unknown state {value}"))
            else:
                states.append(pb.Incident.State.Name(value).removeprefix(STATE_PREFIX))
        severities: list[str] = []
        for index, severity in enumerate(request.severities):
            if severity not in SEVERITY_TO_LEVEL:
                violations.append(FieldViolation(f"severities[{index}]", f"unknown severity {severity}"))
            else:
                severities.append(SEVERITY_TO_LEVEL[severity])
        created_from = request.create_time_from.ToDatetime(tzinfo=UTC) if request.HasField("create_time_from") else None
        created_to = request.create_time_to.ToDatetime(tzinfo=UTC) if request.HasField("create_time_to") else None
        if created_from and created_to and created_from > created_to:
            violations.append(FieldViolation("create_time_to", "must not be before create_time_from"))
        incident_ids: list[str] = []
        if len(request.names) > MAX_NAMES:
            violations.append(FieldViolation("names", f"at most {MAX_NAMES} names (got {len(request.names)})"))
        else:
            for index, name in enumerate(request.names):
                prefix, _, ident = name.partition("/")
                if prefix != "incidents" or not domain.ID_PATTERN.match(ident):
                    violations.append(FieldViolation(f"names[{index}]", "must be incidents/{incident}"))
                incident_ids.append(ident)
        _raise_if(violations)
        filters = {
            "names": ",".join(sorted(incident_ids)),
            "exercise": request.exercise_id,
            "states": states,
            "park": request.park_id,
            "severities": severities,
            "from": str(created_from),
            "to": str(created_to),
        }
        position = decode_page_token(request.page_token, filters)
        limit = effective_page_size(request.page_size, default=50, maximum=500)

        def read() -> pb.ListIncidentsResponse:
            with Session(read_only(self._engine)) as session:
                rows = store.list_page(
                    session=session,
                    exercise_id=request.exercise_id,
                    states=states,
                    park_id=request.park_id,
                    severities=severities,
                    created_from=created_from,
                    created_to=created_to,
                    after_seq=int(position["seq"]) if position else None,
                    limit=limit,
                    incident_ids=incident_ids,
                )
            page, more = rows[:limit], len(rows) > limit
            token = encode_page_token({"seq": page[-1].seq}, filters) if more and page else ""
            return pb.ListIncidentsResponse(incidents=[to_proto(r) for r in page], next_page_token=token)

        return await run_in_thread(read)

    async def UpdateIncident(self, request: pb.UpdateIncidentRequest, context: grpc.aio.ServicerContext) -> pb.UpdateIncidentResponse:
        """Change descriptive fields named in the update mask."""
        incident_id = parse_name(request.incident.name, "incident.name")
        paths = frozenset(request.update_mask.paths)
        violations: list[FieldViolation] = []
        if not paths:
            violations.append(FieldViolation("update_mask", "name at least one field to change"))
        for path in sorted(paths - UPDATABLE_PATHS):
            reason = "output only or changed by its own method" if path in (*OUTPUT_ONLY_FIELDS, "severity", "demands", "exercise_id") else "unknown field"
            violations.append(FieldViolation(f"update_mask.paths[{path}]", f"{path!r} cannot be updated: {reason}"))
        violations += _version_violations(request.version)
        violations += _incident_violations(request.incident, "incident", paths & UPDATABLE_PATHS)
        _raise_if(violations)
        values = _row_values_from(request.incident, paths)

        def work(session: Session, principal: Principal) -> pb.UpdateIncidentResponse:
            row = store.get(session=session, incident_id=incident_id)
            domain.authorize_write(principal, "UPDATE", park_id=row.park_id, exercise_id=row.exercise_id)
            if "park_id" in values and principal.role.value == "park_officer" and values["park_id"] != principal.park_id:
                domain.authorize_write(principal, "UPDATE", park_id=values["park_id"], exercise_id=row.exercise_id)
            domain.check_open("UPDATE", State(row.state))
            row = store.change(
                session=session,
                incident_id=incident_id,
                expected_version=request.version,
                values=values,
                actor=principal.subject,
                action="UPDATED",
                event_type="incident.updated",
            )
            return pb.UpdateIncidentResponse(incident=to_proto(row))

        return await self._mutate("UpdateIncident", request, request.request_id, pb.UpdateIncidentResponse, work)

    async def _transition(
        self, action: str, method: str, request: Any, response_type: type[M], event_type: str, *, note: str, extra: dict[str, Any] | None = None
    ) -> M:
        """Move an incident along the state machine."""
        incident_id = parse_name(request.name)
        _raise_if(_version_violations(request.version) + domain.text_violations("note", note, required=False, maximum=domain.MAX_NOTE))

        def work(session: Session, principal: Principal) -> M:
            row = store.get(session=session, incident_id=incident_id)
            domain.authorize_write(principal, action, park_id=row.park_id, exercise_id=row.exercise_id)
            target = domain.check_transition(action, State(row.state))
            values = {"state": target.value, **(extra or {})}
            row = store.change(
                session=session,
                incident_id=incident_id,
                expected_version=request.version,
                values=values,
                actor=principal.subject,
                action=action,
                note=note,
                event_type=event_type,
            )
            if target is State.RESPONDING:
                monitoring.record_committed(row)
            return response_type(incident=to_proto(row))

        return await self._mutate(method, request, request.request_id, response_type, work)

    async def VerifyIncident(self, request: pb.VerifyIncidentRequest, context: grpc.aio.ServicerContext) -> pb.VerifyIncidentResponse:
        """REPORTED -> VERIFIED."""
        return await self._transition("VERIFY", "VerifyIncident", request, pb.VerifyIncidentResponse, "incident.verified", note=request.note)

    async def BeginDispatch(self, request: pb.BeginDispatchRequest, context: grpc.aio.ServicerContext) -> pb.BeginDispatchResponse:
        """VERIFIED -> DISPATCHING."""
        return await self._transition("BEGIN_DISPATCH", "BeginDispatch", request, pb.BeginDispatchResponse, "incident.dispatching", note=request.note)

    async def MarkResponding(self, request: pb.MarkRespondingRequest, context: grpc.aio.ServicerContext) -> pb.MarkRespondingResponse:
        """DISPATCHING -> RESPONDING."""
        return await self._transition("MARK_RESPONDING", "MarkResponding", request, pb.MarkRespondingResponse, "incident.responding", note=request.note)

    async def MarkContained(self, request: pb.MarkContainedRequest, context: grpc.aio.ServicerContext) -> pb.MarkContainedResponse:
        """RESPONDING -> CONTAINED."""
        return await self._transition("MARK_CONTAINED", "MarkContained", request, pb.MarkContainedResponse, "incident.contained", note=request.note)

    async def CloseIncident(self, request: pb.CloseIncidentRequest, context: grpc.aio.ServicerContext) -> pb.CloseIncidentResponse:
        """CONTAINED -> CLOSED with an outcome summary."""
        _raise_if(domain.text_violations("outcome_summary", request.outcome_summary, required=True, maximum=domain.MAX_DESCRIPTION))
        return await self._transition(
            "CLOSE",
            "CloseIncident",
            request,
            pb.CloseIncidentResponse,
            "incident.closed",
            note=request.outcome_summary,
            extra={"outcome_summary": request.outcome_summary},
        )

    async def CancelIncident(self, request: pb.CancelIncidentRequest, context: grpc.aio.ServicerContext) -> pb.CancelIncidentResponse:
        """Any open state -> CANCELLED with a reason."""
        _raise_if(domain.text_violations("reason", request.reason, required=True, maximum=domain.MAX_NOTE))
        return await self._transition(
            "CANCEL", "CancelIncident", request, pb.CancelIncidentResponse, "incident.cancelled", note=request.reason, extra={"cancel_reason": request.reason}
        )

    async def ChangeSeverity(self, request: pb.ChangeSeverityRequest, context: grpc.aio.ServicerContext) -> pb.ChangeSeverityResponse:
        """Raise or lower the response level, with a reason."""
        incident_id = parse_name(request.name)
        violations = _version_violations(request.version) + _severity_violations("severity", request.severity)
        violations += domain.text_violations("reason", request.reason, required=True, maximum=domain.MAX_NOTE)
        _raise_if(violations)
        level = SEVERITY_TO_LEVEL[request.severity]

        def work(session: Session, principal: Principal) -> pb.ChangeSeverityResponse:
            row = store.get(session=session, incident_id=incident_id)
            domain.authorize_write(principal, "CHANGE_SEVERITY", park_id=row.park_id, exercise_id=row.exercise_id)
            domain.check_open("CHANGE_SEVERITY", State(row.state))
            if row.severity == level:
                raise invalid_argument([FieldViolation("severity", f"the incident is already at level {level}")])
            row = store.change(
                session=session,
                incident_id=incident_id,
                expected_version=request.version,
                values={"severity": level},
                actor=principal.subject,
                action="SEVERITY_CHANGED",
                note=request.reason,
                event_type="incident.severity_changed",
            )
            return pb.ChangeSeverityResponse(incident=to_proto(row))

        return await self._mutate("ChangeSeverity", request, request.request_id, pb.ChangeSeverityResponse, work)

    async def SetDemands(self, request: pb.SetDemandsRequest, context: grpc.aio.ServicerContext) -> pb.SetDemandsResponse:
        """Replace the demands."""
        incident_id = parse_name(request.name)
        lines = demands_from_proto(request.demands)
        violations = _version_violations(request.version) + domain.demand_violations("demands", lines)
        violations += domain.text_violations("note", request.note, required=False, maximum=domain.MAX_NOTE)
        _raise_if(violations)

        def work(session: Session, principal: Principal) -> pb.SetDemandsResponse:
            row = store.get(session=session, incident_id=incident_id)
            domain.authorize_write(principal, "SET_DEMANDS", park_id=row.park_id, exercise_id=row.exercise_id)
            domain.check_open("SET_DEMANDS", State(row.state))
            row = store.change(
                session=session,
                incident_id=incident_id,
                expected_version=request.version,
                values={"demands": demands_json(lines)},
                actor=principal.subject,
                action="DEMANDS_SET",
                note=request.note,
                event_type="incident.demands_set",
            )
            return pb.SetDemandsResponse(incident=to_proto(row))

        return await self._mutate("SetDemands", request, request.request_id, pb.SetDemandsResponse, work)

    async def ListTimelineEntries(self, request: pb.ListTimelineEntriesRequest, context: grpc.aio.ServicerContext) -> pb.ListTimelineEntriesResponse:
        """Return a page of an incident's timeline, oldest first."""
        require_authenticated()
        incident_id = parse_name(request.parent, "parent")
        _raise_if(page_size_violations(request.page_size, maximum=1000))
        filters = {"incident": incident_id}
        position = decode_page_token(request.page_token, filters)
        limit = effective_page_size(request.page_size, default=100, maximum=1000)

        def read() -> pb.ListTimelineEntriesResponse:
            with Session(read_only(self._engine)) as session:
                store.get(session=session, incident_id=incident_id)
                rows = store.timeline_page(session=session, incident_id=incident_id, after_sequence=int(position["seq"]) if position else 0, limit=limit)
            page, more = rows[:limit], len(rows) > limit
            entries = [_entry_proto(incident_id, r) for r in page]
            token = encode_page_token({"seq": page[-1].sequence}, filters) if more and page else ""
            return pb.ListTimelineEntriesResponse(timeline_entries=entries, next_page_token=token)

        return await run_in_thread(read)


    async def AnnotateIncident(self, request: pb.AnnotateIncidentRequest, context: grpc.aio.ServicerContext) -> pb.AnnotateIncidentResponse:
        """Record a decision (such as a plan override) on an open incident's timeline."""
        incident_id = parse_name(request.name)
        violations = domain.text_violations("note", request.note, required=True, maximum=domain.MAX_NOTE)
        if not ACTION_PATTERN.match(request.action):
            violations.append(FieldViolation("action", "must be UPPER_SNAKE, 3 to 40 characters, e.g. PLAN_OVERRIDE"))
        elif request.action in domain.TRANSITIONS or request.action in RESERVED_ACTIONS:
            violations.append(FieldViolation("action", f"{request.action} is recorded by its own method"))
        if request.details.ByteSize() > MAX_DETAILS_BYTES:
            violations.append(FieldViolation("details", f"at most {MAX_DETAILS_BYTES} bytes"))
        _raise_if(violations)
        details = json_format.MessageToDict(request.details)

        def work(session: Session, principal: Principal) -> pb.AnnotateIncidentResponse:
            row = store.get(session=session, incident_id=incident_id)
            domain.authorize_write(principal, "ANNOTATE", park_id=row.park_id, exercise_id=row.exercise_id)
            domain.check_open("ANNOTATE", State(row.state))
            entry = store.annotate(session=session, incident_id=incident_id, actor=principal.subject, action=request.action, note=request.note, details=details)
            return pb.AnnotateIncidentResponse(entry=_entry_proto(incident_id, entry))

        return await self._mutate("AnnotateIncident", request, request.request_id, pb.AnnotateIncidentResponse, work)


def _entry_proto(incident_id: str, r: store.TimelineRow) -> pb.TimelineEntry:
    """The proto view of a timeline row."""
    return pb.TimelineEntry(
        name=f"{incident_name(incident_id)}/timelineEntries/{r.sequence}",
        sequence=r.sequence,
        time=_timestamp(r.time),
        actor=r.actor,
        action=r.action,
        note=r.note,
        before=_struct(r.before),
        after=_struct(r.after),
        version=r.version,
    )


def _version_violations(version: int) -> list[FieldViolation]:
    """A change must name the version it was based on."""
    return [] if version > 0 else [FieldViolation("version", "required: the version the change was based on (>= 1)")]
