"""After-action report messages: their origin, their stored form, and a live report as domain facts for a new case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from emergency.casebase.v1 import casebase_service_pb2 as pb
from google.protobuf import json_format

from services.casebase.after_action import ClosedIncident, case_from_incident
from services.casebase.mapping_case import query_from_profile, substance_raw, weather_raw
from services.casebase.models import AfterActionReport, Case
from services.casebase.store import report_document
from services.casebase.tables import ReportRow
from services.casebase.validation import REPORT_NAME
from services.common.clock import as_utc, to_timestamp
from services.common.names import INCIDENT, SCENARIO

OUTPUT_ONLY = ("name", "create_time")
COMPARATORS = {pb.Target.COMPARATOR_AT_MOST: "<=", pb.Target.COMPARATOR_AT_LEAST: ">="}


def is_live(report: pb.AfterActionReport) -> bool:
    """A report of a live incident: no scenario and no exercise."""
    return not report.scenario and not report.exercise_id


def scenario_id_of(report: pb.AfterActionReport) -> str:
    """The scenario id a drill report names ("" for live reports or a malformed name)."""
    ids = SCENARIO.match(report.scenario)
    return ids[0] if ids else ""


def report_body(report: pb.AfterActionReport) -> dict[str, Any]:
    """The report as stored: every field but the output-only ones."""
    body = pb.AfterActionReport()
    body.CopyFrom(report)
    for name in OUTPUT_ONLY:
        body.ClearField(name)
    return json_format.MessageToDict(body, preserving_proto_field_name=True)


def report_to_proto(document: dict[str, Any], report_id: str, created_at: dt.datetime) -> pb.AfterActionReport:
    """The stored report as a message."""
    message = json_format.ParseDict(document, pb.AfterActionReport())
    message.name = REPORT_NAME.format(report_id)
    message.create_time.CopyFrom(to_timestamp(created_at))
    return message


def case_from_live_report(report: pb.AfterActionReport, report_id: str, created_at: dt.datetime) -> Case:
    """A new accident case from a stored live report (ValueError if it lacks what a case needs)."""
    incident_ids = INCIDENT.match(report.incidents[0]) if report.incidents else None
    if incident_ids is None or not report.timeline:
        raise ValueError("the report names no incident or has no timeline")
    (incident_id,) = incident_ids
    ended = as_utc(created_at)
    started = ended - dt.timedelta(minutes=report.timeline[-1].offset_minutes)
    profile = report.profile
    query, problems = query_from_profile(profile)
    if query is None:
        raise ValueError("; ".join(f"profile.{p.path}: {p.message}" for p in problems))
    incident = ClosedIncident.model_validate(
        {
            "id": incident_id,
            "state": "CLOSED",
            "title": report.title,
            "park": "",
            "park_kind": query.park_kind,
            "place": "",
            "kind": query.kind,
            "substances": [substance_raw(s) for s in profile.substances],
            "severity": query.severity,
            "weather": weather_raw(profile.weather),
            "description": profile.text,
            "reported_at": started,
            "closed_at": ended,
        }
    )
    domain_report = AfterActionReport.model_validate(
        {
            "id": report_id,
            "origin": "LIVE",
            "incident_id": incident_id,
            "started_at": started,
            "ended_at": ended,
            "timeline": [{"offset_s": e.offset_minutes * 60, "text": e.text} for e in report.timeline],
            "target_results": [
                {
                    "target_id": f"{r.inject_id or 'target'}-{k + 1}",
                    "metric": r.target.metric,
                    "comparator": COMPARATORS.get(r.target.comparator, "<="),
                    "threshold": r.target.threshold,
                    "observed": r.measured,
                    "met": r.met,
                    "inject_id": r.inject_id or None,
                }
                for k, r in enumerate(report.target_results)
            ],
            "score": report.score / 100.0 if report.score else None,
            "lessons": [*report.lessons, *([report.findings] if report.findings.strip() else [])],
            "resources_used": [{"type": u.resource_type, "quantity": u.quantity, "estimate": u.estimated} for u in report.resources_used],
        }
    )
    return case_from_incident(incident, domain_report)


def report_message(row: ReportRow) -> pb.AfterActionReport:
    """A stored report as a message."""
    return report_to_proto(report_document(row), row.report_id, row.created_at)


def incidents_of(row: ReportRow) -> list[str]:
    """The incidents a stored report names."""
    return list(report_document(row).get("incidents", []))


def case_of_report(row: ReportRow) -> Case:
    """A new accident case from a stored live report (ValueError if it lacks what a case needs)."""
    return case_from_live_report(report_message(row), row.report_id, row.created_at)
