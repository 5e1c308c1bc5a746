"""Field violations of incident requests, at the requests' own field paths, checked once per request."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from emergency.common.v1 import common_pb2
from emergency.incident.v1 import incident_service_pb2 as pb
from google.protobuf import struct_pb2

from services.common.catalogue import unknown_type_message
from services.common.clock import from_timestamp
from services.common.errors import FieldViolation
from services.common.fields import text_violations
from services.common.idempotency import request_id_violations
from services.common.names import ID_PATTERN, INCIDENT, LONG_ID_PATTERN, TYPE_CODE_PATTERN, id_violations
from services.common.pagination import page_size_violations
from services.incident import domain, mapping
from services.incident.domain import DemandLine, EntryKind

ID_HINT = "lowercase letters, digits and hyphens, starting with a letter or digit"
UN_NUMBER_PATTERN = re.compile(r"^[0-9]{4}$")
HAZARD_CLASSES = frozenset(
    {
        "1",
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "1.5",
        "1.6",
        "2",
        "2.1",
        "2.2",
        "2.3",
        "3",
        "4",
        "4.1",
        "4.2",
        "4.3",
        "5",
        "5.1",
        "5.2",
        "6",
        "6.1",
        "6.2",
        "7",
        "8",
        "9",
    }
)
MAX_NAMES = 500


def optional_id_violations(field: str, value: str, pattern: re.Pattern[str] = LONG_ID_PATTERN) -> list[FieldViolation]:
    """An optional id: incident and exercise ids of 3-63 characters, park ids (ID_PATTERN) of 1-63."""
    return id_violations(field, value, required=False, pattern=pattern, rule=ID_HINT)


def coordinate_violations(field: str, latitude: float, longitude: float) -> list[FieldViolation]:
    """Latitude and longitude must be finite and in range."""
    found: list[FieldViolation] = []
    if not math.isfinite(latitude) or not -90.0 <= latitude <= 90.0:
        found.append(FieldViolation(f"{field}.latitude", "must be a finite number between -90 and 90"))
    if not math.isfinite(longitude) or not -180.0 <= longitude <= 180.0:
        found.append(FieldViolation(f"{field}.longitude", "must be a finite number between -180 and 180"))
    return found


def substance_violations(field: str, name: str, un_number: str, hazard_class: str) -> list[FieldViolation]:
    """Substance name length, UN number shape and known hazard class."""
    found = text_violations(f"{field}.name", name, required=False, maximum=domain.MAX_TITLE)
    if un_number and not UN_NUMBER_PATTERN.match(un_number):
        found.append(FieldViolation(f"{field}.un_number", "must be four digits, e.g. 1017"))
    if hazard_class and hazard_class not in HAZARD_CLASSES:
        found.append(FieldViolation(f"{field}.hazard_class", "must be a UN class or division, e.g. 2.3 or 8"))
    return found


def demand_violations(field: str, demands: Iterable[DemandLine]) -> list[FieldViolation]:
    """Each line: a well-formed type, a positive finite quantity, a sane deadline; no type twice."""
    found: list[FieldViolation] = []
    seen: set[str] = set()
    lines = list(demands)
    if len(lines) > domain.MAX_DEMANDS:
        found.append(FieldViolation(field, f"at most {domain.MAX_DEMANDS} demand lines"))
    for index, line in enumerate(lines):
        at = f"{field}[{index}]"
        if not TYPE_CODE_PATTERN.match(line.resource_type):
            found.append(FieldViolation(f"{at}.resource_type", "must be a catalogue code such as HAZMAT_TEAM"))
        elif (unknown := unknown_type_message(line.resource_type)) is not None:
            found.append(FieldViolation(f"{at}.resource_type", unknown))
        elif line.resource_type in seen:
            found.append(FieldViolation(f"{at}.resource_type", f"{line.resource_type} appears more than once"))
        seen.add(line.resource_type)
        if not math.isfinite(line.quantity) or line.quantity <= 0:
            found.append(FieldViolation(f"{at}.quantity", "must be greater than zero"))
        elif line.quantity > domain.MAX_QUANTITY:
            found.append(FieldViolation(f"{at}.quantity", f"at most {domain.MAX_QUANTITY}"))
        if not 0 <= line.needed_within_minutes <= domain.MAX_NEEDED_WITHIN_MINUTES:
            found.append(FieldViolation(f"{at}.needed_within_minutes", f"must be between 0 and {domain.MAX_NEEDED_WITHIN_MINUTES}"))
        for cap_index, capability in enumerate(line.required_capabilities):
            if not capability or len(capability) > 64:
                found.append(FieldViolation(f"{at}.required_capabilities[{cap_index}]", "must be a capability tag of 1 to 64 characters"))
    return found


def incident_violations(incident: pb.Incident, prefix: str, paths: frozenset[str] | None = None) -> list[FieldViolation]:
    """Validate the fields of an incident (all of them, or only the given paths)."""

    def wanted(path: str) -> bool:
        return paths is None or path in paths

    found: list[FieldViolation] = []
    if wanted("title"):
        found += text_violations(f"{prefix}.title", incident.title, required=True, maximum=domain.MAX_TITLE)
    if wanted("reporter"):
        found += text_violations(f"{prefix}.reporter", incident.reporter, required=True, maximum=domain.MAX_REPORTER)
    if wanted("description"):
        found += text_violations(f"{prefix}.description", incident.description, required=False, maximum=domain.MAX_DESCRIPTION)
    if wanted("park_id"):
        found += optional_id_violations(f"{prefix}.park_id", incident.park_id, ID_PATTERN)
    if wanted("location"):
        if not incident.HasField("location") or not incident.location.HasField("point"):
            found.append(FieldViolation(f"{prefix}.location.point", "required"))
        else:
            point = incident.location.point
            found += coordinate_violations(f"{prefix}.location.point", point.latitude, point.longitude)
        found += text_violations(f"{prefix}.location.description", incident.location.description, required=False, maximum=domain.MAX_PLACE)
    if wanted("kind"):
        if incident.kind == common_pb2.INCIDENT_KIND_UNSPECIFIED:
            found.append(FieldViolation(f"{prefix}.kind", "required"))
        elif incident.kind not in common_pb2.IncidentKind.values():
            found.append(FieldViolation(f"{prefix}.kind", f"unknown incident kind {incident.kind}"))
    if wanted("substance"):
        s = incident.substance
        found += substance_violations(f"{prefix}.substance", s.name, s.un_number, s.hazard_class)
    if wanted("weather") and incident.HasField("weather"):
        w = incident.weather
        if not -90 <= w.temperature_c <= 70:
            found.append(FieldViolation(f"{prefix}.weather.temperature_c", "must be between -90 and 70"))
        if not 0 <= w.wind_speed_mps <= 120:
            found.append(FieldViolation(f"{prefix}.weather.wind_speed_mps", "must be between 0 and 120"))
        if not 0 <= w.wind_direction_deg < 360:
            found.append(FieldViolation(f"{prefix}.weather.wind_direction_deg", "must be between 0 and 360"))
    return found


def severity_violations(field: str, value: int) -> list[FieldViolation]:
    """A severity must be one of the four levels."""
    if value == common_pb2.SEVERITY_UNSPECIFIED:
        return [FieldViolation(field, "required: SEVERITY_I to SEVERITY_IV")]
    if value not in mapping.SEVERITY_TO_LEVEL:
        return [FieldViolation(field, f"unknown severity {value}")]
    return []


def output_only_violations(incident: pb.Incident, prefix: str) -> list[FieldViolation]:
    """Output-only fields must not be set by clients."""
    found = []
    for field in mapping.OUTPUT_ONLY_FIELDS:
        descriptor = incident.DESCRIPTOR.fields_by_name[field]
        is_set = incident.HasField(field) if descriptor.message_type is not None else bool(getattr(incident, field))
        if is_set:
            found.append(FieldViolation(f"{prefix}.{field}", "output only; must not be set"))
    return found


def version_violations(version: int) -> list[FieldViolation]:
    """A change must name the version it was based on."""
    return [] if version > 0 else [FieldViolation("version", "required: the version the change was based on (>= 1)")]


def create_violations(request: pb.CreateIncidentRequest) -> list[FieldViolation]:
    """Everything wrong with a new incident."""
    incident = request.incident
    found = request_id_violations(request.request_id)
    found += optional_id_violations("incident_id", request.incident_id)
    found += incident_violations(incident, "incident")
    found += severity_violations("incident.severity", incident.severity)
    found += optional_id_violations("incident.exercise_id", incident.exercise_id)
    found += demand_violations("incident.demands", mapping.demands_from_proto(incident.demands))
    found += output_only_violations(incident, "incident")
    return found


def update_violations(request: pb.UpdateIncidentRequest) -> list[FieldViolation]:
    """An update names updatable fields, the version it was based on, and valid values for those fields."""
    paths = frozenset(request.update_mask.paths)
    found: list[FieldViolation] = []
    if not paths:
        found.append(FieldViolation("update_mask", "name at least one field to change"))
    for path in sorted(paths - mapping.UPDATABLE_PATHS):
        reason = "output only or changed by its own method" if path in mapping.NOT_UPDATABLE_PATHS else "unknown field"
        found.append(FieldViolation(f"update_mask.paths[{path}]", f"{path!r} cannot be updated: {reason}"))
    found += version_violations(request.version)
    found += incident_violations(request.incident, "incident", paths & mapping.UPDATABLE_PATHS)
    return found


def list_violations(request: pb.ListIncidentsRequest) -> list[FieldViolation]:
    """Filters of a list call: known states and levels, a time range in order, well-formed names and ids."""
    found = page_size_violations(request.page_size, maximum=500)
    found += optional_id_violations("exercise_id", request.exercise_id)
    found += optional_id_violations("park_id", request.park_id, ID_PATTERN)
    for index, value in enumerate(request.states):
        if value == pb.Incident.STATE_UNSPECIFIED or value not in pb.Incident.State.values():
            found.append(FieldViolation(f"states[{index}]", f"unknown state {value}"))
    for index, severity in enumerate(request.severities):
        if severity not in mapping.SEVERITY_TO_LEVEL:
            found.append(FieldViolation(f"severities[{index}]", f"unknown severity {severity}"))
    if (
        request.HasField("create_time_from")
        and request.HasField("create_time_to")
        and from_timestamp(request.create_time_from) > from_timestamp(request.create_time_to)
    ):
        found.append(FieldViolation("create_time_to", "must not be before create_time_from"))
    if len(request.names) > MAX_NAMES:
        found.append(FieldViolation("names", f"at most {MAX_NAMES} names (got {len(request.names)})"))
    else:
        for index, name in enumerate(request.names):
            found += INCIDENT.violations(name, f"names[{index}]")
    return found


def transition_violations(version: int, note: str) -> list[FieldViolation]:
    """A move along the state machine names the version it was based on; its note is optional."""
    return version_violations(version) + text_violations("note", note, required=False, maximum=domain.MAX_NOTE)


def severity_change_violations(request: pb.ChangeSeverityRequest) -> list[FieldViolation]:
    """A new level, with the version it was based on and a reason."""
    found = version_violations(request.version) + severity_violations("severity", request.severity)
    return found + text_violations("reason", request.reason, required=True, maximum=domain.MAX_NOTE)


def demands_change_violations(request: pb.SetDemandsRequest) -> list[FieldViolation]:
    """New demand lines, with the version they were based on and an optional note."""
    found = version_violations(request.version) + demand_violations("demands", mapping.demands_from_proto(request.demands))
    return found + text_violations("note", request.note, required=False, maximum=domain.MAX_NOTE)


def entry_violations(kind: EntryKind, action: str, note: str, details: struct_pb2.Struct) -> list[FieldViolation]:
    """A timeline entry added on its own: a note, an action of its kind's shape not taken by another method, details within bounds."""
    found = text_violations("note", note, required=True, maximum=domain.MAX_NOTE)
    if not kind.action_pattern.match(action):
        found.append(FieldViolation("action", kind.action_hint))
    elif action in kind.reserved_actions:
        found.append(FieldViolation("action", f"{action} is recorded by its own method"))
    if details.ByteSize() > kind.max_details_bytes:
        found.append(FieldViolation("details", f"at most {kind.max_details_bytes} bytes"))
    return found
