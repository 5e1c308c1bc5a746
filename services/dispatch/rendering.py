"""Domain responses, evaluations and explanations as contract messages.

The solver report covers the completion tier: the objective is lexicographic (unmet demand first,
then completion time), so `objective_value` is the plan's severity-weighted completion seconds and
`best_bound` a proven lower bound on it over plans with no more unmet demand; `gap` relates the two.
"""

from __future__ import annotations

from collections.abc import Iterable

from emergency.dispatch.v1 import dispatch_service_pb2 as pb

from services.dispatch.catalogue import CONSUMABLE_UNITS_OF_MEASURE
from services.dispatch.model import (
    Choice,
    DispatchRequest,
    DispatchResponse,
    Evaluation,
    IncidentExplanation,
    LineExplanation,
    ObjectiveBreakdown,
    Plan,
    SolveStatus,
)

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
        weighted_unmet=o.weighted_unmet,
        weighted_completion_s=o.weighted_completion_s,
        total_travel_s=o.travel_s,
        reassignments=o.reassignments,
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
