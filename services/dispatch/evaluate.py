"""Score any plan with the objective breakdown and list the hard constraints it breaks."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from services.common.catalogue import ResourceKind
from services.dispatch.model import DispatchRequest, Evaluation, LineOutcome, ObjectiveBreakdown, Plan, Violation
from services.dispatch.problem import AID_TRAVEL_LIMIT, CAPABILITY, COMMITTED, NEEDED_WITHIN, NO_AGREEMENT, Line, Problem, build_problem, reasons

_REASON_CODES = {
    CAPABILITY: "CAPABILITY_MISSING",
    COMMITTED: "COMMITTED_MOVED",
    NO_AGREEMENT: "NO_MUTUAL_AID",
    AID_TRAVEL_LIMIT: "AID_TRAVEL_LIMIT",
    NEEDED_WITHIN: "NEEDED_WITHIN_EXCEEDED",
}


def _reason_message(code: int, who: str, line: Line, eta: int) -> str:
    target = f"{line.incident_id} demand {line.demand_index} ({line.resource_type})"
    return {
        CAPABILITY: f"{who} lacks a capability required by {target}",
        COMMITTED: f"{who} is committed elsewhere and moving committed units is not allowed ({target})",
        NO_AGREEMENT: f"{who} crosses parks to {target} without a mutual-aid agreement covering it",
        AID_TRAVEL_LIMIT: f"{who} needs {eta / 60:.1f} min to {target}, over the mutual-aid travel limit",
        NEEDED_WITHIN: f"{who} arrives after {eta / 60:.1f} min, later than {target} is needed",
    }[code]


class _Tally:
    """Running sums while walking a plan; sends are checked per line in one batch."""

    def __init__(self, problem: Problem) -> None:
        self.delivered = np.zeros(len(problem.lines))
        self.completion = np.zeros(len(problem.lines))
        self.travel = 0.0
        self.moved = 0
        self.gate_out = np.zeros(len(problem.gates))
        self.drawn: dict[int, float] = defaultdict(float)
        self.violations: list[Violation] = []
        self.pending: dict[int, list[tuple[int, float, str, dict[str, str]]]] = defaultdict(list)

    def refuse(self, code: str, message: str, **ids: str) -> None:
        """Record a broken rule, naming the unit, depot or incident it concerns."""
        self.violations.append(Violation(code, message, **ids))

    def send(self, line: Line, src: int, amount: float, who: str, **ids: str) -> None:
        """Queue one unit or shipment for counting."""
        self.pending[line.index].append((src, amount, who, ids))

    def flush(self, problem: Problem) -> None:
        """Count queued sends and check their eligibility."""
        for index, sends in self.pending.items():
            line = problem.lines[index]
            srcs = np.array([s[0] for s in sends], dtype=np.int64)
            reason, eta, gate, move = reasons(problem, line, srcs)
            for n, (_, amount, who, ids) in enumerate(sends):
                code, seconds = int(reason[n]), int(eta[n])
                if code:
                    self.refuse(_REASON_CODES[code], _reason_message(code, who, line, seconds), incident_id=line.incident_id, **ids)
                self.delivered[index] += amount
                self.completion[index] = max(self.completion[index], seconds)
                self.travel += seconds
                self.moved += int(move[n])
                if gate[n] >= 0:
                    self.gate_out[int(gate[n])] += amount
        self.pending.clear()


def _target(incident_id: str, demand_index: int) -> str:
    """How a plan entry's demand line is named in messages (a negative index: no line of that type)."""
    return f"{incident_id} demand {demand_index}" if demand_index >= 0 else f"{incident_id}, which has no demand line of that type"


def _line_of(problem: Problem, incident_id: str, demand_index: int) -> Line | None:
    index = problem.line_index.get((incident_id, demand_index))
    return None if index is None else problem.lines[index]


def _assignments(problem: Problem, plan: Plan, tally: _Tally) -> None:
    seen: set[str] = set()
    for a in plan.assignments:
        src = problem.unit_source.get(a.unit_id)
        line = _line_of(problem, a.incident_id, a.demand_index)
        ids = {"unit_id": a.unit_id, "incident_id": a.incident_id}
        if src is None:
            tally.refuse("UNKNOWN_UNIT", f"unit {a.unit_id} is not in the request", unit_id=a.unit_id)
        elif line is None:
            tally.refuse("UNKNOWN_DEMAND", f"unit {a.unit_id} is sent to unknown {_target(a.incident_id, a.demand_index)}", **ids)
        elif a.unit_id in seen:
            tally.refuse("UNIT_ASSIGNED_TWICE", f"unit {a.unit_id} is assigned more than once", **ids)
        elif problem.sources[src].resource_type != line.resource_type:
            seen.add(a.unit_id)
            needs = f"{a.incident_id} demand {a.demand_index} needs {line.resource_type}"
            tally.refuse("TYPE_MISMATCH", f"unit {a.unit_id} is a {problem.sources[src].resource_type}, {needs}", **ids)
        else:
            seen.add(a.unit_id)
            tally.send(line, src, 1.0, f"unit {a.unit_id}", unit_id=a.unit_id)


def _shipments(problem: Problem, plan: Plan, tally: _Tally) -> None:
    for s in plan.shipments:
        src = problem.stock_source.get((s.depot_id, s.resource_type))
        line = _line_of(problem, s.incident_id, s.demand_index)
        ids = {"depot_id": s.depot_id, "incident_id": s.incident_id}
        if src is None:
            tally.refuse("UNKNOWN_STOCK", f"depot {s.depot_id} holds no {s.resource_type}", depot_id=s.depot_id)
        elif line is None:
            tally.refuse("UNKNOWN_DEMAND", f"depot {s.depot_id} ships to unknown {_target(s.incident_id, s.demand_index)}", **ids)
        elif not math.isfinite(s.amount) or s.amount <= 0:
            tally.refuse("INVALID_AMOUNT", f"depot {s.depot_id} ships {s.amount} to {s.incident_id}", **ids)
        elif s.resource_type != line.resource_type:
            needs = f"{s.incident_id} demand {s.demand_index} needs {line.resource_type}"
            tally.refuse("TYPE_MISMATCH", f"depot {s.depot_id} ships {s.resource_type}, {needs}", **ids)
        else:
            tally.drawn[src] += s.amount
            tally.send(line, src, s.amount, f"depot {s.depot_id}", depot_id=s.depot_id)


def _stock_and_reserves(problem: Problem, tally: _Tally) -> float:
    request = problem.request
    stock_amount = {(s.depot_id, s.resource_type): s.amount for s in request.stocks}
    for src, drawn in tally.drawn.items():
        depot = problem.sources[src].ids[0]
        rtype = problem.sources[src].resource_type
        if drawn > stock_amount[(depot, rtype)] + 1e-9:
            tally.refuse("STOCK_EXCEEDED", f"depot {depot} ships {drawn:g} {rtype} but holds {stock_amount[(depot, rtype)]:g}", depot_id=depot)
    dip = 0.0
    for gate in problem.gates:
        out = tally.gate_out[gate.index]
        if out > gate.capacity + 1e-9:
            if request.options.allow_reserve_dip:
                dip += out - gate.capacity
            else:
                leaving = f"leaving {gate.home - out:g} at home below its reserve of {gate.minimum}"
                tally.refuse("RESERVE_BREACHED", f"park {gate.park_id} sends {out:g} {gate.resource_type} outside, {leaving}")
    return dip


def evaluate(request: DispatchRequest, plan: Plan, problem: Problem | None = None) -> Evaluation:
    """Score a plan (optimal, greedy or hand-made) and list its violations."""
    problem = problem if problem is not None else build_problem(request)
    tally = _Tally(problem)
    _assignments(problem, plan, tally)
    _shipments(problem, plan, tally)
    tally.flush(problem)
    dip = _stock_and_reserves(problem, tally)
    outcomes = []
    unmet_total = 0.0
    short_total = 0.0
    completion_total = 0.0
    for line in problem.lines:
        delivered = float(tally.delivered[line.index])
        unmet = max(0.0, line.requested - delivered)
        if line.kind is ResourceKind.UNIT:
            unmet = float(round(unmet))
        unmet_total += line.weight * unmet / line.requested
        short_total += line.weight * unmet
        completion_total += line.weight * float(tally.completion[line.index])
        outcomes.append(
            LineOutcome(line.incident_id, line.demand_index, line.resource_type, line.requested, delivered, unmet, float(tally.completion[line.index]))
        )
    opts = request.options
    objective = ObjectiveBreakdown(
        weighted_unmet=unmet_total,
        weighted_completion_s=completion_total,
        travel_s=tally.travel,
        reshuffle_s=tally.moved * opts.move_penalty_s,
        reserve_dip_s=dip * opts.reserve_dip_penalty_s,
        reassignments=tally.moved,
        weighted_units_short=short_total,
    )
    return Evaluation(objective=objective, lines=tuple(outcomes), violations=tuple(tally.violations))
