"""Reference optima: the objective tiers solved as MIPs by HiGHS, without CP-SAT.

Used for test fixtures and the benchmark's `exact` section: the unmet tier is minimised over the full
model, then its tie-break (weighted units short) with the unmet tier held, then the completion tier
with both held. Slow (seconds to minutes on
10 x 400), so never on the request path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from services.dispatch.cpmodel import unmet_coefficients, weight_scale
from services.dispatch.evaluate import evaluate
from services.dispatch.flow_conversion import to_plan
from services.dispatch.mip import LastArrivalMip
from services.dispatch.model import DispatchRequest
from services.dispatch.problem import build_problem


@dataclass(frozen=True)
class ExactResult:
    """The lexicographic optimum as the evaluator scores it, and whether both tiers are proven."""

    weighted_unmet: float
    weighted_units_short: float
    weighted_completion_s: float
    completion_bound_s: float
    proven: bool
    seconds: float


def solve_exact(request: DispatchRequest, seconds_per_tier: float = 300.0) -> ExactResult:
    """Solve the unmet tier, then the completion tier, each within the time limit."""
    started = time.perf_counter()
    problem = build_problem(request)
    coef, wscale = unmet_coefficients(problem), weight_scale(problem)
    first = LastArrivalMip(problem, coef, wscale, None).solve(seconds_per_tier, tier="unmet")
    if first.flows is None:
        raise RuntimeError("the unmet tier found no plan")
    best_unmet = round(first.value)
    tie = LastArrivalMip(problem, coef, wscale, best_unmet).solve(seconds_per_tier, tier="short", hint=first.flows)
    if tie.flows is None:
        raise RuntimeError("the unmet tie-break found no plan")
    best_short = round(tie.value)
    second = LastArrivalMip(problem, coef, wscale, best_unmet, best_short).solve(seconds_per_tier, hint=tie.flows)
    if second.flows is None:
        raise RuntimeError("the completion tier found no plan")
    evaluation = evaluate(request, to_plan(problem, second.flows), problem)
    if evaluation.violations:
        raise RuntimeError(f"the exact plan breaks rules: {evaluation.violations[:3]}")
    return ExactResult(
        weighted_unmet=evaluation.objective.weighted_unmet,
        weighted_units_short=evaluation.objective.weighted_units_short,
        weighted_completion_s=evaluation.objective.weighted_completion_s,
        completion_bound_s=second.bound / wscale,
        proven=first.proven and tie.proven and second.proven,
        seconds=time.perf_counter() - started,
    )
