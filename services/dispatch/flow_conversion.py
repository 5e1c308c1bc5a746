"""Conversion between solver flows ((line, source) -> amount) and plans."""

from __future__ import annotations

from collections import defaultdict

from services.common.catalogue import ResourceKind
from services.dispatch.model import Assignment, Plan, Shipment, UnmetDemand
from services.dispatch.problem import Problem

Flows = dict[tuple[int, int], int]


def to_plan(problem: Problem, flows: Flows) -> Plan:
    """Turn flows into a plan, picking units of a group in id order."""
    cursor: dict[int, int] = defaultdict(int)
    assignments: list[Assignment] = []
    shipments: list[Shipment] = []
    delivered: dict[int, int] = defaultdict(int)
    for (line_index, src_index), amount in sorted(flows.items()):
        if amount <= 0:
            continue
        line = problem.lines[line_index]
        src = problem.sources[src_index]
        eta = float(problem.eta(src_index, line.incident))
        delivered[line_index] += amount
        if src.kind is ResourceKind.UNIT:
            start = cursor[src_index]
            for unit_id in src.ids[start : start + amount]:
                assignments.append(Assignment(unit_id, line.incident_id, line.demand_index, eta))
            cursor[src_index] = start + amount
        else:
            shipments.append(Shipment(src.ids[0], line.incident_id, line.demand_index, line.resource_type, float(amount), eta))
    unmet = []
    for line in problem.lines:
        missing = max(0.0, line.requested - delivered[line.index])
        if missing > 0:
            unmet.append(UnmetDemand(line.incident_id, line.demand_index, line.resource_type, missing, missing / line.requested))
    return Plan(assignments=tuple(assignments), shipments=tuple(shipments), unmet=tuple(unmet))


def from_plan(problem: Problem, plan: Plan) -> Flows:
    """Turn a plan back into flows, ignoring entries that reference nothing known."""
    flows: Flows = defaultdict(int)
    for a in plan.assignments:
        src = problem.unit_source.get(a.unit_id)
        line = problem.line_index.get((a.incident_id, a.demand_index))
        if src is not None and line is not None:
            flows[(line, src)] += 1
    for s in plan.shipments:
        src = problem.stock_source.get((s.depot_id, s.resource_type))
        line = problem.line_index.get((s.incident_id, s.demand_index))
        if src is not None and line is not None:
            flows[(line, src)] += round(s.amount)
    return dict(flows)
