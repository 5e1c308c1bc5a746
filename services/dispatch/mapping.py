"""Proto <-> domain: requests and plans in (every problem under its proto field path), answers out.

Conventions of the contract, as mapped here:
- park ids are the ones the request mentions (incidents, units, stocks, reserves, agreements);
- empty strings mean "none" (park, depot, committed incident); an empty vehicle class is MEDIUM;
- `needed_within_minutes` 0 means no response standard;
- options: 0 means the default (time limit 5 s, 2 workers), an unset strategy is OPTIMAL, and
  `reassignment_penalty_s` < 0 forbids moving committed units (>= 0 allows it at that cost);
- a `TravelMatrix` replaces the built-in model; rows follow request order (units x incidents,
  stocks x incidents); the rows of the stocks of one depot must agree, since travel is per depot;
- positions are required unless a travel matrix is given;
- the solver report covers the completion tier: the objective is lexicographic (unmet demand first,
  then completion time), so `objective_value` is the plan's severity-weighted completion seconds and
  `best_bound` a proven lower bound on it over plans with no more unmet demand; `gap` relates the two.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as pb

from services.common.errors import FieldViolation
from services.dispatch.addressing import StockSend, UnitSend, resolve_plan
from services.dispatch.catalogue import CONSUMABLE_UNITS_OF_MEASURE, DEFAULT_VEHICLE_CLASS
from services.dispatch.model import (
    Choice,
    Demand,
    DispatchRequest,
    DispatchResponse,
    Evaluation,
    GeoPoint,
    Incident,
    IncidentExplanation,
    LineExplanation,
    MutualAid,
    ObjectiveBreakdown,
    Options,
    Plan,
    Policies,
    Reserve,
    RoadCondition,
    SolveStatus,
    Stock,
    Strategy,
    TravelMatrices,
    TravelModel,
    Unit,
)
from services.dispatch.validation import Limits, check_counts, validate

DEFAULT_TIME_LIMIT_S = 5.0
DEFAULT_WORKERS = 2

# Domain field paths renamed to the contract's, applied in order.
_PATH_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^policies\.reserves\[", "reserves["),
        (r"^policies\.agreements\[(\d+)\]\.lender_park$", r"mutual_aid[\1].lender_park_id"),
        (r"^policies\.agreements\[(\d+)\]\.borrower_park$", r"mutual_aid[\1].borrower_park_id"),
        (r"^policies\.agreements\[(\d+)\]\.max_travel_min$", r"mutual_aid[\1].max_travel_minutes"),
        (r"^policies\.agreements\[", "mutual_aid["),
        (r"^travel_model\.conditions\[", "road_restrictions["),
        (r"^travel_matrices\.unit.*", "travel_matrix.unit_seconds"),
        (r"^travel_matrices\.depot.*", "travel_matrix.stock_seconds"),
        (r"^travel_matrices\..*", "travel_matrix"),
        (r"^shared_depots\[", "shared_depot_ids["),
        (r"\.lat$", ".latitude"),
        (r"\.lon$", ".longitude"),
        (r"\.needed_within_min$", ".needed_within_minutes"),
        (r"^units\[(\d+)\]\.home_park$", r"units[\1].park_id"),
        (r"\.reported_at_s$", ".report_time_unix_s"),
        (r"^options\.num_workers$", "options.workers"),
        (r"^options\.move_penalty_s$", "options.reassignment_penalty_s"),
    )
)


def proto_field(path: str) -> str:
    """The contract's name for a domain field path."""
    for pattern, replacement in _PATH_RULES:
        path = pattern.sub(replacement, path)
    return path


def check_request_size(message: pb.OptimizePlanRequest, limits: Limits) -> None:
    """RequestTooLargeError naming the first size limit the request exceeds."""
    check_counts(
        incidents=len(message.incidents),
        units=len(message.units),
        stocks=len(message.stocks),
        demands_per_incident=(len(i.demands) for i in message.incidents),
        road_conditions=len(message.road_restrictions),
        limits=limits,
    )


class _Reader:
    """Reads one request, collecting the violations only the proto form can show."""

    def __init__(self, message: pb.OptimizePlanRequest) -> None:
        self.message = message
        self.matrix = message.HasField("travel_matrix")
        self.found: list[FieldViolation] = []

    def point(self, path: str, owner: object, name: str, required: bool) -> GeoPoint:
        """A GeoPoint field; a missing one is a violation when positions matter."""
        if not owner.HasField(name):  # type: ignore[attr-defined]
            if required:
                self.found.append(FieldViolation(path, "required"))
            return GeoPoint(0.0, 0.0)
        value: common_pb2.GeoPoint = getattr(owner, name)
        return GeoPoint(value.latitude, value.longitude)

    def incident(self, n: int, msg: pb.PlanIncident) -> Incident:
        """One incident and its demand lines."""
        demands = tuple(
            Demand(
                resource_type=d.resource_type,
                quantity=d.quantity,
                required_capabilities=tuple(d.required_capabilities),
                needed_within_min=float(d.needed_within_minutes) if d.needed_within_minutes else None,
            )
            for d in msg.demands
        )
        return Incident(
            id=msg.id,
            location=self.point(f"incidents[{n}].location", msg, "location", not self.matrix),
            severity_weight=msg.severity_weight,
            demands=demands,
            park_id=msg.park_id or None,
            reported_at_s=float(msg.report_time_unix_s),
        )

    def unit(self, n: int, msg: pb.PlanUnit) -> Unit:
        """One unit."""
        return Unit(
            id=msg.id,
            resource_type=msg.resource_type,
            position=self.point(f"units[{n}].position", msg, "position", not self.matrix),
            capabilities=tuple(msg.capabilities),
            home_park=msg.park_id or None,
            home_depot=msg.depot_id or None,
            vehicle_class=msg.vehicle_class or DEFAULT_VEHICLE_CLASS,
            committed_to=msg.committed_incident_id or None,
        )

    def stock(self, n: int, msg: pb.PlanStock) -> Stock:
        """One depot stock line."""
        return Stock(
            depot_id=msg.depot_id,
            resource_type=msg.resource_type,
            amount=msg.amount,
            position=self.point(f"stocks[{n}].position", msg, "position", not self.matrix),
            park_id=msg.park_id or None,
        )

    def condition(self, n: int, msg: pb.RoadRestriction) -> RoadCondition:
        """One closed or slowed area."""
        return RoadCondition(
            id=f"road_restrictions[{n}]",
            center=self.point(f"road_restrictions[{n}].center", msg, "center", True),
            radius_m=msg.radius_m,
            delay_s=msg.delay_s,
            closed=msg.closed,
        )

    def policies(self) -> Policies:
        """Reserves and mutual-aid agreements."""
        m = self.message
        return Policies(
            reserves=tuple(Reserve(r.park_id, r.resource_type, r.minimum) for r in m.reserves),
            agreements=tuple(MutualAid(a.lender_park_id, a.borrower_park_id, tuple(a.resource_types), a.max_travel_minutes) for a in m.mutual_aid),
        )

    def options(self) -> Options:
        """Options with the contract's defaults for unset (zero) values."""
        o = self.message.options
        strategy = Strategy.OPTIMAL
        if o.strategy == pb.PlanOptions.STRATEGY_GREEDY:
            strategy = Strategy.GREEDY
        elif o.strategy not in (pb.PlanOptions.STRATEGY_UNSPECIFIED, pb.PlanOptions.STRATEGY_OPTIMAL):
            self.found.append(FieldViolation("options.strategy", f"unknown strategy {o.strategy}"))
        penalty = o.reassignment_penalty_s
        if not math.isfinite(penalty):
            self.found.append(FieldViolation("options.reassignment_penalty_s", "must be a finite number"))
            penalty = -1.0
        return Options(
            strategy=strategy,
            time_limit_s=o.time_limit_s if o.time_limit_s != 0 else DEFAULT_TIME_LIMIT_S,
            relative_gap=o.relative_gap,
            num_workers=o.workers if o.workers != 0 else DEFAULT_WORKERS,
            random_seed=o.random_seed,
            allow_move_committed=penalty >= 0,
            move_penalty_s=max(0.0, penalty),
            allow_reserve_dip=o.allow_reserve_breach,
        )

    def grid(self, field: str, values: object, rows: int, cols: int) -> np.ndarray:
        """A row-major matrix field as rows x cols seconds (zeros after a violation)."""
        flat = np.asarray(values, dtype=np.float64)
        if flat.size != rows * cols:
            self.found.append(FieldViolation(field, f"has {flat.size} values; needs {rows} x {cols} = {rows * cols} (rows x incidents, row-major)"))
            return np.zeros((rows, cols))
        bad = np.flatnonzero(~np.isfinite(flat) | (flat < 0))
        if len(bad):
            self.found.append(FieldViolation(f"{field}[{int(bad[0])}]", f"travel seconds must be finite and >= 0 ({len(bad)} bad values)"))
            return np.zeros((rows, cols))
        return flat.reshape(rows, cols)

    def matrices(self, stocks: tuple[Stock, ...]) -> TravelMatrices | None:
        """Explicit travel times in request order; one row per depot."""
        if not self.matrix:
            return None
        m = self.message
        cols = len(m.incidents)
        units = self.grid("travel_matrix.unit_seconds", m.travel_matrix.unit_seconds, len(m.units), cols)
        per_stock = self.grid("travel_matrix.stock_seconds", m.travel_matrix.stock_seconds, len(m.stocks), cols)
        first: dict[str, int] = {}
        for n, stock in enumerate(stocks):
            k = first.setdefault(stock.depot_id, n)
            if k != n and not np.array_equal(per_stock[k], per_stock[n]):
                self.found.append(
                    FieldViolation(
                        "travel_matrix.stock_seconds",
                        f"rows of stocks[{k}] and stocks[{n}] differ; both are depot {stock.depot_id!r}, which has one set of travel times",
                    )
                )
        return TravelMatrices(
            incident_ids=tuple(i.id for i in m.incidents),
            unit_ids=tuple(u.id for u in m.units),
            unit_seconds=units,
            depot_ids=tuple(first),
            depot_seconds=per_stock[list(first.values())] if first else np.zeros((0, cols)),
        )


def _parks(message: pb.OptimizePlanRequest) -> tuple[str, ...]:
    """Every park id the request mentions."""
    ids = {i.park_id for i in message.incidents} | {u.park_id for u in message.units} | {s.park_id for s in message.stocks}
    ids |= {r.park_id for r in message.reserves}
    ids |= {a.lender_park_id for a in message.mutual_aid} | {a.borrower_park_id for a in message.mutual_aid}
    return tuple(sorted(ids - {""}))


def to_request(message: pb.OptimizePlanRequest) -> tuple[DispatchRequest, list[FieldViolation]]:
    """The domain request and every field violation, named in proto paths (empty when well formed)."""
    reader = _Reader(message)
    stocks = tuple(reader.stock(n, s) for n, s in enumerate(message.stocks))
    request = DispatchRequest(
        incidents=tuple(reader.incident(n, i) for n, i in enumerate(message.incidents)),
        units=tuple(reader.unit(n, u) for n, u in enumerate(message.units)),
        stocks=stocks,
        parks=_parks(message),
        policies=reader.policies(),
        travel_model=TravelModel(conditions=tuple(reader.condition(n, r) for n, r in enumerate(message.road_restrictions))),
        travel_matrices=reader.matrices(stocks),
        options=reader.options(),
        shared_depots=tuple(message.shared_depot_ids),
    )
    violations = reader.found + [FieldViolation(proto_field(v.field), v.description) for v in validate(request)]
    return request, list(dict.fromkeys(violations))


def to_plan(request: DispatchRequest, plan: pb.Plan) -> Plan:
    """A plan from the contract, each entry placed on a demand line of its incident and type."""
    units = (UnitSend(a.unit_id, a.incident_id, a.resource_type, a.eta_s) for a in plan.assignments)
    stocks = (StockSend(s.depot_id, s.incident_id, s.resource_type, s.amount, s.eta_s) for s in plan.shipments)
    return resolve_plan(request, units, stocks)


STATUS = {
    SolveStatus.OPTIMAL: pb.SolverReport.STATUS_OPTIMAL,
    SolveStatus.FEASIBLE: pb.SolverReport.STATUS_FEASIBLE,
    SolveStatus.FALLBACK: pb.SolverReport.STATUS_FALLBACK,
    SolveStatus.HEURISTIC: pb.SolverReport.STATUS_GREEDY,
}

Reasons = dict[tuple[str, int], str]


def objective(o: ObjectiveBreakdown) -> pb.Objective:
    """The score of a plan in objective order."""
    return pb.Objective(
        weighted_unmet=o.weighted_unmet, weighted_completion_s=o.weighted_completion_s, total_travel_s=o.travel_s, reassignments=o.reassignments
    )


def unmet_reasons(explanations: Iterable[IncidentExplanation]) -> Reasons:
    """Why each short demand line is short, by (incident id, demand index)."""
    return {(e.incident_id, line.demand_index): line.unmet_reason for e in explanations for line in e.lines if line.unmet_reason}


def plan(request: DispatchRequest, value: Plan, reasons: Reasons) -> pb.Plan:
    """Assignments, shipments and unmet demand; each assignment names the type it fills."""
    demand_types = {(i.id, k): d.resource_type for i in request.incidents for k, d in enumerate(i.demands)}
    return pb.Plan(
        assignments=[
            pb.UnitAssignment(unit_id=a.unit_id, incident_id=a.incident_id, eta_s=a.eta_s, resource_type=demand_types.get((a.incident_id, a.demand_index), ""))
            for a in value.assignments
        ],
        shipments=[
            pb.Shipment(depot_id=s.depot_id, incident_id=s.incident_id, resource_type=s.resource_type, amount=s.amount, eta_s=s.eta_s) for s in value.shipments
        ],
        unmet=[
            pb.UnmetDemand(
                incident_id=u.incident_id, resource_type=u.resource_type, quantity=u.quantity, reason=reasons.get((u.incident_id, u.demand_index), "")
            )
            for u in value.unmet
        ],
    )


def _amount(value: float, resource_type: str) -> str:
    """An amount with its unit of measure (units are counted)."""
    measure = CONSUMABLE_UNITS_OF_MEASURE.get(resource_type)
    return f"{value:g} {measure}" if measure else f"{value:g}"


def _line_summary(line: LineExplanation) -> str:
    """One demand line in words."""
    text = f"{_amount(line.delivered, line.resource_type)} of {_amount(line.requested, line.resource_type)} {line.resource_type}"
    if line.delivered > 0:
        text += f", complete after {line.completion_s / 60:.1f} min"
    if line.unmet_reason:
        text += f" ({line.unmet_reason})"
    return text


def alternative_note(choice: Choice) -> str:
    """A choice's next-best source in words; never a negative cost."""
    alt = choice.alternative
    if alt is None:
        return "no alternative"
    if alt.eta_s < choice.eta_s:
        return f"{alt.source_id} is {(choice.eta_s - alt.eta_s) / 60:.1f} min nearer but {alt.status}"
    return f"{alt.source_id} would add {alt.added_min:.1f} min ({alt.status})"


def explanation(e: IncidentExplanation) -> pb.IncidentExplanation:
    """Why the plan does what it does for one incident."""
    alternatives = [
        pb.Alternative(
            chosen_id=choice.source_id,
            alternative_id=choice.alternative.source_id if choice.alternative else "",
            added_minutes=choice.alternative.added_min if choice.alternative else 0.0,
            note=alternative_note(choice),
        )
        for line in e.lines
        for choice in line.choices
    ]
    return pb.IncidentExplanation(
        incident_id=e.incident_id,
        summary="; ".join(_line_summary(line) for line in e.lines),
        alternatives=alternatives,
        binding_constraints=[b.message for b in e.bindings],
    )


def solver_report(response: DispatchResponse) -> pb.SolverReport:
    """How the solver did, on the completion tier."""
    return pb.SolverReport(
        status=STATUS[response.status],
        best_bound=response.best_bound_s,
        objective_value=response.objective.weighted_completion_s,
        gap=response.relative_gap,
        wall_time_s=response.wall_time_s,
        first_feasible_s=response.first_feasible_s,
        build_time_s=response.build_s,
        variables=response.model_size.variables,
        constraints=response.model_size.constraints,
        plan_source=response.source,
        bound_source=response.bound_source,
    )


def optimize_response(request: DispatchRequest, response: DispatchResponse) -> pb.OptimizePlanResponse:
    """The plan, its score, the solver report, explanations and the greedy baseline's score."""
    message = pb.OptimizePlanResponse(
        plan=plan(request, response.plan, unmet_reasons(response.explanations)),
        objective=objective(response.objective),
        solver=solver_report(response),
        explanations=[explanation(e) for e in response.explanations],
    )
    if response.baseline is not None:
        message.greedy_objective.CopyFrom(objective(response.baseline))
    return message


def evaluate_response(evaluation: Evaluation, explanations: Iterable[IncidentExplanation]) -> pb.EvaluatePlanResponse:
    """A plan's score, broken rules and unmet demand as the evaluator sees them."""
    reasons = unmet_reasons(explanations)
    return pb.EvaluatePlanResponse(
        objective=objective(evaluation.objective),
        violations=[pb.Violation(code=v.code, message=v.message) for v in evaluation.violations],
        unmet=[
            pb.UnmetDemand(
                incident_id=line.incident_id,
                resource_type=line.resource_type,
                quantity=line.unmet,
                reason=reasons.get((line.incident_id, line.demand_index), ""),
            )
            for line in evaluation.lines
            if line.unmet > 0
        ],
    )
