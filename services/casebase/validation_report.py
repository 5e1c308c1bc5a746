"""Field checks of after-action reports, at message paths relative to the report."""

from __future__ import annotations

import math

from emergency.casebase.v1 import casebase_service_pb2 as pb

from services.casebase.mapping_case import query_from_profile
from services.casebase.mapping_report import COMPARATORS, OUTPUT_ONLY, is_live
from services.casebase.metrics import METRICS
from services.casebase.models import Scenario
from services.casebase.validation import Problem
from services.casebase.vocabulary import ResourceType
from services.common.names import INCIDENT, SCENARIO, is_id

MAX_TEXT = 2000
MAX_FINDINGS = 20_000
MAX_ITEMS = 1000


def report_problems(report: pb.AfterActionReport) -> list[Problem]:
    """Every problem of a report to store, at message paths relative to the report."""
    found: list[Problem] = []
    for name in OUTPUT_ONLY:
        descriptor = report.DESCRIPTOR.fields_by_name[name]
        if report.HasField(name) if descriptor.message_type is not None else bool(getattr(report, name)):
            found.append(Problem(name, "OUTPUT_ONLY", "output only; must not be set"))
    found += _origin_problems(report)
    found += _timeline_problems(report)
    for k, result in enumerate(report.target_results):
        found += _result_problems(f"target_results[{k}]", result)
    if not (math.isfinite(report.score) and 0 <= report.score <= 100):
        found.append(Problem("score", "OUT_OF_RANGE", "must be between 0 and 100"))
    found += _text_list_problems("lessons", list(report.lessons))
    if len(report.findings) > MAX_FINDINGS:
        found.append(Problem("findings", "TOO_LONG", f"at most {MAX_FINDINGS} characters"))
    found += _resource_problems(report)
    found += _live_problems(report) if is_live(report) else []
    return found


def _origin_problems(report: pb.AfterActionReport) -> list[Problem]:
    """A drill names both its scenario and its exercise; incidents are well-formed and listed once."""
    found = []
    if report.scenario and SCENARIO.match(report.scenario) is None:
        found.append(Problem("scenario", "MALFORMED", "must be scenarios/{scenario}"))
    if report.exercise_id and not is_id(report.exercise_id):
        found.append(Problem("exercise_id", "MALFORMED", "lowercase letters, digits and hyphens"))
    if report.scenario and not report.exercise_id:
        found.append(Problem("exercise_id", "REQUIRED", "a drill report names its exercise"))
    if report.exercise_id and not report.scenario:
        found.append(Problem("scenario", "REQUIRED", "a drill report names its scenario"))
    seen: set[str] = set()
    for k, name in enumerate(report.incidents):
        if INCIDENT.match(name) is None:
            found.append(Problem(f"incidents[{k}]", "MALFORMED", "must be incidents/{incident}"))
        elif name in seen:
            found.append(Problem(f"incidents[{k}]", "DUPLICATE", f"{name} is listed twice"))
        seen.add(name)
    return found


def _timeline_problems(report: pb.AfterActionReport) -> list[Problem]:
    """Offsets finite, non-negative and in order; texts present."""
    found = []
    previous = 0.0
    if len(report.timeline) > MAX_ITEMS:
        found.append(Problem("timeline", "TOO_MANY", f"at most {MAX_ITEMS} entries"))
    for k, event in enumerate(report.timeline):
        if not (math.isfinite(event.offset_minutes) and event.offset_minutes >= 0):
            found.append(Problem(f"timeline[{k}].offset_minutes", "OUT_OF_RANGE", "must be a finite number of minutes >= 0"))
        elif event.offset_minutes < previous:
            found.append(Problem(f"timeline[{k}].offset_minutes", "OUT_OF_ORDER", f"{event.offset_minutes:g} min is before the previous entry's {previous:g}"))
        else:
            previous = event.offset_minutes
        if not event.text.strip() or len(event.text) > MAX_TEXT:
            found.append(Problem(f"timeline[{k}].text", "LENGTH", f"1 to {MAX_TEXT} characters"))
    return found


def _result_problems(path: str, result: pb.TargetResult) -> list[Problem]:
    """A target result names a known metric, a comparator and finite numbers."""
    found = []
    if result.target.metric not in METRICS:
        found.append(Problem(f"{path}.target.metric", "NOT_MEASURABLE", f"unknown metric {result.target.metric!r}; known: {', '.join(sorted(METRICS))}"))
    if result.target.comparator not in COMPARATORS:
        found.append(Problem(f"{path}.target.comparator", "REQUIRED", "COMPARATOR_AT_MOST or COMPARATOR_AT_LEAST"))
    if not math.isfinite(result.target.threshold):
        found.append(Problem(f"{path}.target.threshold", "NOT_FINITE", "must be a finite number"))
    if not math.isfinite(result.measured):
        found.append(Problem(f"{path}.measured", "NOT_FINITE", "must be a finite number"))
    if result.inject_id and len(result.inject_id) > 200:
        found.append(Problem(f"{path}.inject_id", "TOO_LONG", "at most 200 characters"))
    return found


def _text_list_problems(field: str, values: list[str]) -> list[Problem]:
    """Entries of a text list are present and not too long."""
    found = [Problem(field, "TOO_MANY", f"at most {MAX_ITEMS} entries")] if len(values) > MAX_ITEMS else []
    found += [Problem(f"{field}[{k}]", "LENGTH", f"1 to {MAX_TEXT} characters") for k, v in enumerate(values) if not v.strip() or len(v) > MAX_TEXT]
    return found


def _resource_problems(report: pb.AfterActionReport) -> list[Problem]:
    """Catalogue types, positive quantities, each type once."""
    found = []
    seen: set[str] = set()
    for k, use in enumerate(report.resources_used):
        if use.resource_type not in ResourceType.__members__:
            found.append(Problem(f"resources_used[{k}].resource_type", "UNKNOWN_RESOURCE_TYPE", f"unknown resource type {use.resource_type!r}"))
        elif use.resource_type in seen:
            found.append(Problem(f"resources_used[{k}].resource_type", "DUPLICATE", f"{use.resource_type} is listed twice"))
        seen.add(use.resource_type)
        if not (math.isfinite(use.quantity) and use.quantity > 0):
            found.append(Problem(f"resources_used[{k}].quantity", "NOT_POSITIVE", "must be > 0"))
    return found


def _live_problems(report: pb.AfterActionReport) -> list[Problem]:
    """A live report holds what a new accident case needs."""
    found = []
    if not 3 <= len(report.title.strip()) <= 300:
        found.append(Problem("title", "LENGTH", "a live report has a title of 3 to 300 characters"))
    if not report.incidents:
        found.append(Problem("incidents", "REQUIRED", "a live report names its incident"))
    if not report.timeline or report.timeline[-1].offset_minutes <= 0:
        found.append(Problem("timeline", "REQUIRED", "a live report's timeline runs from the alarm to the end (its last offset is the response's length)"))
    if not report.HasField("profile"):
        return [*found, Problem("profile", "REQUIRED", "a live report carries the incident's profile")]
    _, problems = query_from_profile(report.profile)
    found += [Problem(f"profile.{p.path}", p.code, p.message) for p in problems]
    profile = report.profile
    if not profile.severity:
        found.append(Problem("profile.severity", "REQUIRED", "a live report gives the incident's level"))
    if not profile.substances:
        found.append(Problem("profile.substances", "REQUIRED", "a live report names at least one substance with its hazard class"))
    for k, substance in enumerate(profile.substances):
        if not substance.hazard_class:
            found.append(Problem(f"profile.substances[{k}].hazard_class", "REQUIRED", "a live report gives each substance's hazard class"))
    if len(profile.text.strip()) < 10:
        found.append(Problem("profile.text", "TOO_SHORT", "a live report describes the incident in at least 10 characters"))
    return found


def inject_problems(report: pb.AfterActionReport, scenario: Scenario) -> list[Problem]:
    """A drill report's target results name injects of its scenario."""
    inject_ids = {inject.id for inject in scenario.injects}
    return [
        Problem(f"target_results[{k}].inject_id", "UNKNOWN_INJECT", f"{report.scenario} has no inject {r.inject_id!r}")
        for k, r in enumerate(report.target_results)
        if r.inject_id not in inject_ids
    ]
