"""The after-action report of a closed live incident: its timeline, response times per demand line, targets, unmet demand.

Response standards (the suite's standard of cover, in minutes from the report): a demand line is met in time when it
is met within its own ``needed_within_minutes``, or else within the level's standard below; every line of the incident
should be met within the level's ``all_met`` time. Arrival is when a unit was reported ON_SCENE, or, for units never
reported and for supplies, the commit time plus the planned travel time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb

from gateway.mapping import committed_plan
from gateway.quantities import format_quantity
from gateway.reporting import profile_of
from gateway.scoring import NEVER, Arrival, demand_met_minutes
from gateway.tables import ActivityRow, CommitRow
from services.common.catalogue import load_catalogue
from services.common.clock import as_utc, from_timestamp

# Minutes from the report: (a demand line met, every line met), per national response level.
RESPONSE_STANDARDS: dict[int, tuple[float, float]] = {
    common_pb2.SEVERITY_I: (15.0, 60.0),
    common_pb2.SEVERITY_II: (20.0, 90.0),
    common_pb2.SEVERITY_III: (30.0, 120.0),
    common_pb2.SEVERITY_IV: (45.0, 180.0),
}
DEFAULT_STANDARD = (30.0, 120.0)
MAX_TIMELINE = 1000


@dataclass(frozen=True)
class LineResult:
    """One demand line: when it was met (NEVER if not), what stayed unmet, and the limit it was held to."""

    demand: common_pb2.ResourceDemand
    met_minutes: float
    unmet: float
    limit_minutes: float


def minutes_between(start: datetime, end: datetime) -> float:
    """Minutes from start to end, never negative."""
    return max((as_utc(end) - as_utc(start)).total_seconds() / 60.0, 0.0)


def arrivals(incident: ipb.Incident, commits: Sequence[CommitRow], activity: Sequence[ActivityRow]) -> list[Arrival]:
    """Every unit and supply sent to the incident, in minutes from its report."""
    reported = from_timestamp(incident.create_time)
    on_scene = {row.subject: minutes_between(reported, row.time) for row in activity if row.action == "UNIT_ON_SCENE"}
    found: list[Arrival] = []
    seen: set[str] = set()
    for commit in commits:
        sent = minutes_between(reported, commit.committed_at)
        plan = committed_plan(commit)
        for a in plan.assignments:
            if a.unit_id in seen:
                continue
            seen.add(a.unit_id)
            found.append(Arrival(a.resource_type, 1.0, on_scene.get(a.unit_id, sent + a.eta_s / 60.0)))
        found.extend(Arrival(s.resource_type, s.amount, sent + s.eta_s / 60.0) for s in plan.shipments)
    return found


def line_results(incident: ipb.Incident, sent: Sequence[Arrival]) -> list[LineResult]:
    """Each demand line measured against its limit."""
    line_limit, _ = RESPONSE_STANDARDS.get(incident.severity, DEFAULT_STANDARD)
    results = []
    for demand in incident.demands:
        met, unmet = demand_met_minutes(demand, sent)
        results.append(LineResult(demand, met, unmet, float(demand.needed_within_minutes or line_limit)))
    return results


def target_results(incident: ipb.Incident, lines: Sequence[LineResult]) -> list[cpb.TargetResult]:
    """A target per demand line and one for the whole incident, met or missed."""
    catalogue = load_catalogue()
    results = []
    at_most = cpb.Target.COMPARATOR_AT_MOST
    for line in lines:
        metric = "SUPPLY_DELIVERED_MIN" if catalogue.is_consumable(line.demand.resource_type) else "ALL_DEMAND_MET_MIN"
        target = cpb.Target(
            metric=metric,
            resource_type=line.demand.resource_type,
            comparator=at_most,
            threshold=line.limit_minutes,
            description=f"{format_quantity(line.demand.quantity)} {line.demand.resource_type} within {line.limit_minutes:g} min",
        )
        met = line.met_minutes != NEVER and line.met_minutes <= line.limit_minutes + 1e-9
        results.append(cpb.TargetResult(inject_id=line.demand.resource_type, target=target, measured=round(line.met_minutes, 2), met=met))
    if lines:
        _, all_limit = RESPONSE_STANDARDS.get(incident.severity, DEFAULT_STANDARD)
        times = [line.met_minutes for line in lines]
        measured = NEVER if any(t == NEVER for t in times) else max(times)
        target = cpb.Target(metric="ALL_DEMAND_MET_MIN", comparator=at_most, threshold=all_limit, description=f"every demand line met within {all_limit:g} min")
        results.append(cpb.TargetResult(inject_id="all", target=target, measured=round(measured, 2), met=measured != NEVER and measured <= all_limit + 1e-9))
    return results


def timeline_events(incident: ipb.Incident, entries: Sequence[gpb.IncidentTimelineEntry]) -> list[cpb.CaseEvent]:
    """The merged timeline in minutes from the report, ending at the close."""
    reported = from_timestamp(incident.create_time)
    events = []
    for entry in entries[-MAX_TIMELINE:]:
        text = f"{entry.action} {entry.subject if entry.subject != incident.name else ''}".strip()
        text += f" by {entry.actor}" if entry.actor else ""
        text += f": {entry.note}" if entry.note else ""
        events.append(cpb.CaseEvent(offset_minutes=round(minutes_between(reported, from_timestamp(entry.time)), 2), text=text[:2000]))
    ended = minutes_between(reported, from_timestamp(incident.update_time))
    if not events or events[-1].offset_minutes < ended or ended <= 0:
        events.append(cpb.CaseEvent(offset_minutes=round(max(ended, 0.01), 2), text=f"closed: {incident.outcome_summary}"[:2000]))
    for k in range(1, len(events)):  # offsets rounded to 0.01 min must still run in order
        events[k].offset_minutes = max(events[k].offset_minutes, events[k - 1].offset_minutes)
    return events


def findings(lines: Sequence[LineResult], unmet: Sequence[dpb.UnmetDemand]) -> str:
    """Response time per demand line, and what the plan left unmet."""
    text = []
    for line in lines:
        d = line.demand
        status = (
            f"met after {line.met_minutes:.1f} min"
            if line.met_minutes != NEVER
            else f"{format_quantity(line.unmet)} of {format_quantity(d.quantity)} never delivered"
        )
        text.append(f"{d.resource_type} x{format_quantity(d.quantity)}: {status} (limit {line.limit_minutes:g} min)")
    for u in unmet:
        text.append(f"plan left unmet: {format_quantity(u.quantity)} {u.resource_type}" + (f" ({u.reason})" if u.reason else ""))
    return "\n".join(text) or "no demand lines were set"


def build_report(
    incident: ipb.Incident,
    entries: Sequence[gpb.IncidentTimelineEntry],
    commits: Sequence[CommitRow],
    activity: Sequence[ActivityRow],
    unmet: Sequence[dpb.UnmetDemand],
) -> cpb.AfterActionReport:
    """The report of a closed live incident, ready for the casebase."""
    sent = arrivals(incident, commits, activity)
    lines = line_results(incident, sent)
    results = target_results(incident, lines)
    missed = [r for r in results if not r.met]
    lessons = [f"missed: {r.target.description} (measured {'never' if r.measured == NEVER else f'{r.measured:.1f} min'})" for r in missed]
    used: dict[str, float] = {}
    for arrival in sent:
        used[arrival.resource_type] = used.get(arrival.resource_type, 0.0) + arrival.quantity
    return cpb.AfterActionReport(
        title=incident.title[:300],
        incidents=[incident.name],
        timeline=timeline_events(incident, entries),
        target_results=results,
        score=round(100.0 * (len(results) - len(missed)) / len(results), 2) if results else 100.0,
        lessons=lessons or ["every response standard was met"],
        findings=findings(lines, unmet)[:20000],
        profile=profile_of(incident),
        resources_used=[cpb.ResourceUse(resource_type=t, quantity=q) for t, q in sorted(used.items()) if q > 0],
    )
