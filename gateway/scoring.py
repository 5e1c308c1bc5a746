"""After-action scoring of a drill: measure each target, score the rubric, and write the findings (pure functions).

Times are measured from an inject's release. Response latencies (to plan, to commit) are real seconds, since the
pipeline and the operators run in real time whatever the scenario clock; travel (ETA) is the optimiser's travel
time. A metric that never happened (no unit of the type ever sent) is measured as NEVER (-1) and is not met.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb

from services.common.rubric import CRITERIA

NEVER = -1.0
PLAN_TARGET_S = 120.0  # when a scenario sets no plan-time target, a plan within two minutes earns the time_to_plan mark

# Metric names of the scenario library and the shorter forms the contract's comments use, to one measure each.
METRIC_ALIASES = {
    "FIRST_ARRIVAL_MIN": "first_arrival",
    "ARRIVAL_MINUTES": "first_arrival",
    "UNITS_ON_SCENE": "units_on_scene",
    "SUPPLY_DELIVERED_MIN": "supply_delivered",
    "SUPPLY_DELIVERED_MINUTES": "supply_delivered",
    "ALL_DEMAND_MET_MIN": "all_demand_met",
    "ALL_DEMAND_MET_MINUTES": "all_demand_met",
    "UNMET_DEMAND_FRACTION": "unmet_fraction",
    "UNMET_FRACTION": "unmet_fraction",
    "SEVERITY_WEIGHTED_UNMET": "weighted_unmet",
    "PARKS_BELOW_RESERVE": "reserve_violations",
    "RESERVE_VIOLATIONS": "reserve_violations",
    "REPLACEMENT_DISPATCHED_MIN": "response_min",
    "REROUTE_MIN": "response_min",
    "RESUPPLY_MIN": "response_min",
    "PLAN_ISSUED_S": "plan_s",
    "TIME_TO_PLAN_S": "plan_s",
    "OPTIMALITY_GAP": "optimality_gap",
}


@dataclass(frozen=True)
class Arrival:
    """Units or an amount of one type reaching an incident, in minutes from its inject's release."""

    resource_type: str
    quantity: float
    minutes: float


@dataclass
class InjectRecord:
    """What happened for one released inject."""

    inject: cpb.Inject
    released_s: float
    incident: str = ""
    demands: list[common_pb2.ResourceDemand] = field(default_factory=list)
    severity_weight: float = 1.0
    arrivals: list[Arrival] = field(default_factory=list)
    plan_s: float | None = None
    commit_s: float | None = None
    response_s: float | None = None
    note: str = ""


@dataclass
class DrillFacts:
    """Everything the report is computed from."""

    injects: list[InjectRecord]
    reserve_breaches: list[str] = field(default_factory=list)
    executed: dpb.Objective | None = None
    hindsight: dpb.Objective | None = None


def metric_key(metric: str) -> str:
    """The measure a target's metric name refers to, or '' if unknown."""
    return METRIC_ALIASES.get(metric.strip().upper(), "")


def demand_met_minutes(demand: common_pb2.ResourceDemand, arrivals: Sequence[Arrival]) -> tuple[float, float]:
    """When the demand line was fully met (NEVER if it was not) and how much of it stayed unmet."""
    delivered = 0.0
    for arrival in sorted((a for a in arrivals if a.resource_type == demand.resource_type), key=lambda a: a.minutes):
        delivered += arrival.quantity
        if delivered >= demand.quantity - 1e-9:
            return arrival.minutes, 0.0
    return NEVER, max(demand.quantity - delivered, 0.0)


def unmet_fraction(record: InjectRecord) -> float:
    """Mean unmet share over the incident's demand lines (0 with no demands)."""
    if not record.demands:
        return 0.0
    shares = [demand_met_minutes(d, record.arrivals)[1] / d.quantity for d in record.demands if d.quantity > 0]
    return sum(shares) / len(shares) if shares else 0.0


def all_demand_met(record: InjectRecord) -> float:
    """Minutes until every demand line of the incident was met, or NEVER."""
    if not record.demands:
        return NEVER
    times = [demand_met_minutes(d, record.arrivals)[0] for d in record.demands]
    return NEVER if any(t == NEVER for t in times) else max(times)


def optimality_gap(executed: dpb.Objective | None, hindsight: dpb.Objective | None) -> float | None:
    """Relative shortfall of the executed plan against hindsight, first on unmet demand, then on completion time."""
    if executed is None or hindsight is None:
        return None
    if executed.weighted_unmet > hindsight.weighted_unmet + 1e-9:
        return min(1.0, (executed.weighted_unmet - hindsight.weighted_unmet) / executed.weighted_unmet)
    if executed.weighted_completion_s > 0 and executed.weighted_completion_s > hindsight.weighted_completion_s:
        return min(1.0, (executed.weighted_completion_s - hindsight.weighted_completion_s) / executed.weighted_completion_s)
    return 0.0


def overall_unmet_fraction(facts: DrillFacts) -> float:
    """Unmet share over every demand line of every drill incident."""
    shares = [demand_met_minutes(d, r.arrivals)[1] / d.quantity for r in facts.injects if r.incident for d in r.demands if d.quantity > 0]
    return sum(shares) / len(shares) if shares else 0.0


def measure(target: cpb.Target, record: InjectRecord, facts: DrillFacts) -> float | None:
    """The measured value of one target (NEVER when it never happened; None when the metric is unknown)."""
    key = metric_key(target.metric)
    of_type = [a for a in record.arrivals if not target.resource_type or a.resource_type == target.resource_type]
    if key == "first_arrival":
        return min((a.minutes for a in of_type), default=NEVER)
    if key == "units_on_scene":
        return float(sum(a.quantity for a in of_type))
    if key == "supply_delivered":
        lines = [d for d in record.demands if d.resource_type == target.resource_type]
        if not lines:
            return max((a.minutes for a in of_type), default=NEVER)
        return demand_met_minutes(lines[0], record.arrivals)[0]
    if key == "all_demand_met":
        return all_demand_met(record) if record.incident else _latest_all_met(facts)
    if key == "unmet_fraction":
        return unmet_fraction(record) if record.incident else overall_unmet_fraction(facts)
    if key == "weighted_unmet":
        return facts.executed.weighted_unmet if facts.executed is not None else None
    if key == "reserve_violations":
        return float(len({b.split("/")[0] for b in facts.reserve_breaches}))
    if key == "response_min":
        return NEVER if record.response_s is None else record.response_s / 60.0
    if key == "plan_s":
        return NEVER if record.plan_s is None else record.plan_s
    if key == "optimality_gap":
        return optimality_gap(facts.executed, facts.hindsight)
    return None


def _latest_all_met(facts: DrillFacts) -> float:
    """Minutes until the last incident of the drill had all its demand met, or NEVER."""
    times = [all_demand_met(r) for r in facts.injects if r.incident]
    return NEVER if not times or any(t == NEVER for t in times) else max(times)


def is_met(target: cpb.Target, measured: float | None) -> bool:
    """Whether a measured value satisfies the target; NEVER and unknown are never met."""
    if measured is None or measured == NEVER or math.isnan(measured):
        return False
    if target.comparator == cpb.Target.COMPARATOR_AT_LEAST:
        return measured >= target.threshold - 1e-9
    return measured <= target.threshold + 1e-9


def target_position(inject_index: int, target_index: int) -> str:
    """How a rubric names one target: by its position in the scenario."""
    return f"injects[{inject_index}].targets[{target_index}]"


def target_results(facts: DrillFacts, scenario: cpb.Scenario) -> dict[str, cpb.TargetResult]:
    """Every target of the scenario by position, measured; targets of injects never released are not met."""
    records = {r.inject.id: r for r in facts.injects}
    results = {}
    for i, inject in enumerate(scenario.injects):
        record = records.get(inject.id)
        for j, target in enumerate(inject.targets):
            value = measure(target, record, facts) if record is not None else NEVER
            results[target_position(i, j)] = cpb.TargetResult(
                inject_id=inject.id, target=target, measured=NEVER if value is None else value, met=is_met(target, value)
            )
    return results


def _share_met(results: Sequence[cpb.TargetResult]) -> float:
    """Share of the targets that were met (1 with none)."""
    return sum(1 for r in results if r.met) / len(results) if results else 1.0


def criterion_score(criterion: str, results: dict[str, cpb.TargetResult], facts: DrillFacts) -> float:
    """A 0-1 score for one rubric criterion.

    A criterion names either a family of metrics (it scores the share of the scenario's targets in that family
    that were met; with no such target, the drill's own measure of the family) or one target by position.
    Anything else scores the share of all targets met.
    """
    name = criterion.strip()
    if name in results:
        return 1.0 if results[name].met else 0.0
    family = CRITERIA.get(name.lower())
    if family is None:
        return _share_met(list(results.values()))
    members = [r for r in results.values() if r.target.metric.strip().upper() in family]
    if members:
        return _share_met(members)
    if name == "time_to_plan":
        planned = [r for r in facts.injects if r.incident]
        return sum(1 for r in planned if r.plan_s is not None and r.plan_s <= PLAN_TARGET_S) / len(planned) if planned else 1.0
    if name == "reserve_kept":
        return 0.0 if facts.reserve_breaches else 1.0
    if name == "unmet_demand":
        return 1.0 - overall_unmet_fraction(facts)
    if name == "plan_quality":
        gap = optimality_gap(facts.executed, facts.hindsight)
        return 1.0 - gap if gap is not None else 0.0
    return 1.0


def rubric_score(rubric: Sequence[cpb.RubricItem], results: dict[str, cpb.TargetResult], facts: DrillFacts) -> float:
    """Score 0-100: the weighted rubric criteria, or the share of targets met when the scenario has no rubric."""
    total = sum(item.weight for item in rubric if item.weight > 0)
    if total <= 0:
        return 100.0 * _share_met(list(results.values()))
    return 100.0 * sum(item.weight * criterion_score(item.criterion, results, facts) for item in rubric if item.weight > 0) / total


def _fmt(value: float | None, unit: str) -> str:
    """A measured value for text."""
    if value is None:
        return "n/a"
    if value == NEVER:
        return "never"
    return f"{value:.1f} {unit}"


def findings(facts: DrillFacts) -> str:
    """Per inject: time to plan, time until each demand was met, unmet demand; then reserves and hindsight."""
    lines = []
    for record in facts.injects:
        kind = cpb.Inject.Kind.Name(record.inject.kind).removeprefix("KIND_")
        head = f"{record.inject.id} ({kind}, +{record.released_s / 60:.1f} min)"
        if record.incident:
            lines.append(
                f"{head}: {record.incident}, plan after {_fmt(record.plan_s, 's')}, committed after {_fmt(record.commit_s, 's')}"
                + (f" ({record.note})" if record.note else "")
            )
            for demand in record.demands:
                met, unmet = demand_met_minutes(demand, record.arrivals)
                status = f"met after {_fmt(met, 'min')}" if met != NEVER else f"{unmet:g} of {demand.quantity:g} unmet"
                limit = f" (needed within {demand.needed_within_minutes} min)" if demand.needed_within_minutes else ""
                lines.append(f"  {demand.resource_type} x{demand.quantity:g}: {status}{limit}")
        else:
            lines.append(f"{head}: {record.note or 'applied'}; response after {_fmt(record.response_s, 's')}")
    lines.append("reserve violations: " + (", ".join(sorted(facts.reserve_breaches)) if facts.reserve_breaches else "none"))
    if facts.executed is not None and facts.hindsight is not None:
        gap = optimality_gap(facts.executed, facts.hindsight)
        lines.append(
            "hindsight (optimiser on the whole scenario at once): weighted unmet "
            f"{facts.hindsight.weighted_unmet:.3f} vs {facts.executed.weighted_unmet:.3f} executed; weighted completion "
            f"{facts.hindsight.weighted_completion_s:.0f} s vs {facts.executed.weighted_completion_s:.0f} s executed; gap {gap if gap is not None else 0:.1%}"
        )
    return "\n".join(lines)


def lessons(results: Sequence[cpb.TargetResult], facts: DrillFacts) -> list[str]:
    """Short lessons from the missed targets and the breaches."""
    found = []
    for result in results:
        if not result.met:
            what = result.target.description or f"{result.target.metric} {result.target.resource_type}".strip()
            found.append(f"{result.inject_id}: missed {what} (measured {_fmt(result.measured, '')})".replace(" )", ")"))
    if facts.reserve_breaches:
        found.append("home reserves were breached: " + ", ".join(sorted(facts.reserve_breaches)))
    gap = optimality_gap(facts.executed, facts.hindsight)
    if gap is not None and gap > 0.05:
        found.append(f"the plans used were {gap:.0%} short of the best plan in hindsight")
    return found or ["every target was met"]


def timeline(facts: DrillFacts) -> list[cpb.CaseEvent]:
    """What happened, in scenario minutes: releases, plans, commits and arrivals."""
    events: list[tuple[float, str]] = []
    for record in facts.injects:
        start = record.released_s / 60.0
        kind = cpb.Inject.Kind.Name(record.inject.kind).removeprefix("KIND_").replace("_", " ").lower()
        events.append((start, f"inject {record.inject.id} released: {kind}" + (f" ({record.incident})" if record.incident else "")))
        if record.plan_s is not None:
            events.append((start + record.plan_s / 60.0, f"plan issued for {record.inject.id}"))
        if record.commit_s is not None:
            events.append((start + record.commit_s / 60.0, f"plan committed for {record.inject.id}"))
        firsts: dict[str, float] = defaultdict(lambda: math.inf)
        for arrival in record.arrivals:
            firsts[arrival.resource_type] = min(firsts[arrival.resource_type], arrival.minutes)
        for resource_type, minutes in sorted(firsts.items(), key=lambda p: p[1]):
            events.append((start + minutes, f"first {resource_type} on scene at {record.inject.id}"))
    return [cpb.CaseEvent(offset_minutes=round(t, 2), text=text) for t, text in sorted(events, key=lambda p: p[0])]
