"""Proto <-> domain for incidents: names, enums, stored rows as messages, and request fields as column values and filters."""

from __future__ import annotations

import json
from typing import Any

from emergency.common.v1 import common_pb2
from emergency.incident.v1 import incident_service_pb2 as pb
from google.protobuf import json_format, struct_pb2

from services.common.clock import optional_time, to_timestamp
from services.common.names import INCIDENT
from services.incident import domain, store
from services.incident.domain import DemandLine
from services.incident.tables import IncidentRow, TimelineRow

SEVERITY_TO_LEVEL = {common_pb2.SEVERITY_I: "I", common_pb2.SEVERITY_II: "II", common_pb2.SEVERITY_III: "III", common_pb2.SEVERITY_IV: "IV"}
LEVEL_TO_SEVERITY = {v: k for k, v in SEVERITY_TO_LEVEL.items()}
KIND_PREFIX = "INCIDENT_KIND_"
STATE_PREFIX = "STATE_"
UPDATABLE_PATHS = frozenset({"title", "park_id", "location", "kind", "substance", "reporter", "description", "weather"})
OUTPUT_ONLY_FIELDS = ("name", "severity_weight", "state", "version", "create_time", "update_time", "outcome_summary", "cancel_reason")
NOT_UPDATABLE_PATHS = frozenset({*OUTPUT_ONLY_FIELDS, "severity", "demands", "exercise_id"})


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


def _message_json(message: Any) -> str:
    """A message as stored: JSON with proto field names, keys sorted."""
    return json.dumps(json_format.MessageToDict(message, preserving_proto_field_name=True), sort_keys=True)


def row_values(incident: pb.Incident, paths: frozenset[str]) -> dict[str, Any]:
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
        values["substance"] = _message_json(incident.substance)
    if "reporter" in paths:
        values["reporter"] = incident.reporter.strip()
    if "description" in paths:
        values["description"] = incident.description
    if "weather" in paths:
        values["weather"] = _message_json(incident.weather)
    return values


def new_row(incident_id: str, incident: pb.Incident) -> IncidentRow:
    """The row of a newly reported incident."""
    return IncidentRow(
        incident_id=incident_id,
        exercise_id=incident.exercise_id,
        severity=SEVERITY_TO_LEVEL[incident.severity],
        demands=demands_json(demands_from_proto(incident.demands)),
        state=domain.State.REPORTED.value,
        **row_values(incident, UPDATABLE_PATHS),
    )


def incident_filter(request: pb.ListIncidentsRequest) -> store.IncidentFilter:
    """The filter of a (valid) list request."""
    return store.IncidentFilter(
        exercise_id=request.exercise_id,
        states=[pb.Incident.State.Name(value).removeprefix(STATE_PREFIX) for value in request.states],
        park_id=request.park_id,
        severities=[SEVERITY_TO_LEVEL[severity] for severity in request.severities],
        created_from=optional_time(request, "create_time_from"),
        created_to=optional_time(request, "create_time_to"),
        incident_ids=[INCIDENT.parse_one(name) for name in request.names],
    )


def filter_scope(where: store.IncidentFilter) -> dict[str, Any]:
    """What a page token of a list call is bound to."""
    return {
        "names": ",".join(sorted(where.incident_ids)),
        "exercise": where.exercise_id,
        "states": list(where.states),
        "park": where.park_id,
        "severities": list(where.severities),
        "from": str(where.created_from),
        "to": str(where.created_to),
    }


def to_proto(row: IncidentRow) -> pb.Incident:
    """The proto view of a stored incident."""
    substance = json.loads(row.substance)
    weather = json.loads(row.weather)
    message = pb.Incident(
        name=INCIDENT.format(row.incident_id),
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
    message.create_time.CopyFrom(to_timestamp(row.created_at))
    message.update_time.CopyFrom(to_timestamp(row.updated_at))
    return message


def _struct(text: str) -> struct_pb2.Struct:
    """A Struct from stored JSON."""
    value = struct_pb2.Struct()
    value.update(json.loads(text))
    return value


def entry_to_proto(incident_id: str, row: TimelineRow) -> pb.TimelineEntry:
    """The proto view of a timeline row."""
    return pb.TimelineEntry(
        name=f"{INCIDENT.format(incident_id)}/timelineEntries/{row.sequence}",
        sequence=row.sequence,
        time=to_timestamp(row.time),
        actor=row.actor,
        action=row.action,
        note=row.note,
        before=_struct(row.before),
        after=_struct(row.after),
        version=row.version,
    )


def details_of(details: struct_pb2.Struct) -> dict[str, Any]:
    """The details of a timeline entry as stored."""
    return json_format.MessageToDict(details)
