"""A plan and a bound for one part of a request without building the CP-SAT model.

The best of the heuristic plans and the unmet-tier LP plan (whole on nearly every instance), re-routed
by the min-cost flow with each line's delivered amount kept, and the Lagrangian flow bound. Linear in
the candidates apart from the flows, so every part of the largest request gets a plan better than
greedy and a valid bound before any CP-SAT time is spent.
"""

from __future__ import annotations

import math
import time

from services.dispatch.cancel import Cancellation
from services.dispatch.cpmodel import unmet_coefficients, weight_scale
from services.dispatch.flow_bound import CompletionBound
from services.dispatch.flow_conversion import Flows
from services.dispatch.flow_plan import flow_flows
from services.dispatch.lp_bound import lp_completion_bound, lp_unmet, short_coefficients
from services.dispatch.optimiser import CpReport
from services.dispatch.problem import Problem

UNMET_LP_SHARE = 0.3
UNMET_LP_MIN_S = 0.2
# The flow bound always gets this long (one flow per mix at the proven unmet tier is enough).
BOUND_MIN_S = 0.05


def _eta_of(problem: Problem) -> list[dict[int, int]]:
    return [dict(zip(c.src.tolist(), c.eta.tolist(), strict=True)) for c in problem.candidates]


def score(problem: Problem, flows: Flows, coef: list[int], wscale: int, etas: list[dict[int, int]]) -> tuple[int, int, int]:
    """(unmet, units short, completion) of a plan in model units, as the CP-SAT model would count them."""
    delivered = [0] * len(problem.lines)
    last = [0] * len(problem.lines)
    for (li, src), value in flows.items():
        if value > 0:
            delivered[li] += value
            last[li] = max(last[li], etas[li][src])
    unmet = sum(c * max(0, line.quantity - d) for line, c, d in zip(problem.lines, coef, delivered, strict=True))
    short = sum(round(line.weight * wscale) * max(0, line.quantity - d) for line, d in zip(problem.lines, delivered, strict=True))
    completion = sum(round(line.weight * wscale) * t for line, t in zip(problem.lines, last, strict=True))
    return unmet, short, completion


def _rerouted(problem: Problem, flows: Flows) -> Flows:
    """The plan re-routed by the min-cost flow with each line's delivered amount kept."""
    try:
        return flow_flows(problem, flows)
    except RuntimeError:
        return flows


def quick_report(problem: Problem, hints: list[tuple[str, Flows]], deadline: float, cancel: Cancellation, lp: bool = False) -> CpReport:
    """Best heuristic or LP plan, re-routed, with the flow bound when the unmet tier is proven.

    With `lp` (small parts, where LPs take milliseconds) the tie-break of the unmet tier gets its LP
    too, which proves it (so the part's bound counts in full even if its full stages never run), and
    the completion bound is the better of the flow bound and the completion LP's.
    """
    started = time.perf_counter()
    coef, wscale = unmet_coefficients(problem), weight_scale(problem)
    etas = _eta_of(problem)
    unmet_lb, lp_plan = lp_unmet(problem, coef, max(UNMET_LP_MIN_S, UNMET_LP_SHARE * (deadline - started)))
    named = [*hints, ("lp", lp_plan)] if lp_plan is not None else list(hints)
    origin, flows = min(named, key=lambda nf: score(problem, nf[1], coef, wscale, etas))
    unmet, short, completion = score(problem, flows, coef, wscale, etas)
    rerouted = _rerouted(problem, flows)
    if score(problem, rerouted, coef, wscale, etas) < (unmet, short, completion):
        flows = rerouted
        unmet, short, completion = score(problem, flows, coef, wscale, etas)
    # Proven: the fraction tier by the LP; its tie-break when nothing is short at all, or by its own LP.
    fractions = unmet <= math.ceil(unmet_lb - 1e-6)
    proven1 = fractions and short == 0
    if lp and fractions and not proven1 and not cancel.cancelled:
        tie_lb, tie_plan = lp_unmet(problem, short_coefficients(problem, wscale), UNMET_LP_MIN_S, held=(coef, unmet))
        if tie_plan is not None:
            tied = _rerouted(problem, tie_plan)
            if score(problem, tied, coef, wscale, etas)[:2] < (unmet, short):
                origin, flows = "lp", tied
                unmet, short, completion = score(problem, flows, coef, wscale, etas)
        proven1 = short <= math.ceil(tie_lb - 1e-6)
    bounds: dict[str, float] = {}
    if lp and fractions and not cancel.cancelled:
        bounds["lp"] = math.ceil(lp_completion_bound(problem, coef, wscale, unmet, UNMET_LP_MIN_S) - 1e-6) / wscale
    if fractions and not cancel.cancelled:
        bound = CompletionBound(problem, coef, wscale).bound(
            unmet, deadline_s=max(deadline, time.perf_counter() + BOUND_MIN_S), stop=lambda: cancel.cancelled, unmet_proven=True
        )
        bounds["flow"] = math.ceil(bound - 1e-6) / wscale
    best = max(bounds.values(), default=0.0)
    return CpReport(
        flows=flows,
        status="OPTIMAL" if proven1 and best >= completion / wscale - 1e-9 else "FEASIBLE",
        unmet_proven=proven1,
        completion_proven=best >= completion / wscale - 1e-9,
        completion_bound_s=best,
        model_bound_s=0.0,
        pruned=True,
        completion_best_s=completion / wscale,
        build_s=0.0,
        first_solution_s=None,
        variables=0,
        constraints=0,
        candidates=sum(len(c.src) for c in problem.candidates),
        plan_origin=origin,
        bounds=bounds,
        solver_found=False,
        best_unmet=unmet,
        best_short=short,
        fraction_proven=fractions,
    )
