"""Lexicographic CP-SAT solve in three stages: unmet demand, then completion time, then travel.

Each stage fixes the previous tier at its best value and starts from a complete hint (every
variable, shortages and staircase helpers included) taken from the best plan known so far.
Stage 1 ignores completion time, so its plan is re-routed by a min-cost flow that keeps every
line's delivered amount (same unmet demand) before stage 2 starts from it. The completion bound is
the better of the LP relaxation of the full model and the Lagrangian flow bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from services.dispatch.bound import CompletionBound
from services.dispatch.cancel import Cancellation
from services.dispatch.cpmodel import DispatchModel, Terms, unmet_coefficients
from services.dispatch.flow import flow_flows
from services.dispatch.flows import Flows
from services.dispatch.lpbound import lp_completion_bound, lp_unmet
from services.dispatch.problem import Problem
from services.dispatch.prune import DEFAULT_FACTOR, prune

STAGE1_SHARE = 0.3
STAGE3_SHARE = 0.1
BOUND_SHARE = 0.25
UNMET_LP_SHARE = 0.1
MIN_STAGE_S = 0.02


@dataclass(frozen=True)
class CpReport:
    """What the CP-SAT stages achieved."""

    flows: Flows
    status: str
    unmet_proven: bool
    completion_proven: bool
    completion_bound_s: float
    model_bound_s: float
    pruned: bool
    completion_best_s: float
    build_s: float
    first_solution_s: float | None
    variables: int
    constraints: int
    candidates: int


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Passes every improving solution's flows to a listener."""

    def __init__(self, dm: DispatchModel, listener: Callable[[Flows], None] | None, start: float, cancel: Cancellation) -> None:
        super().__init__()
        self.dm = dm
        self.listener = listener
        self.start = start
        self.cancel = cancel
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        """Record the time of the first solution and forward the flows."""
        if self.cancel.cancelled:
            self.stop_search()
        if self.first is None:
            self.first = time.perf_counter() - self.start
        if self.listener is not None:
            values = list(self.response_proto.solution)
            self.listener(self.dm.flows_of(values))


def _solver(problem: Problem, seconds: float, gap: float = 0.0) -> cp_model.CpSolver:
    opts = problem.request.options
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(MIN_STAGE_S, seconds)
    solver.parameters.num_workers = opts.num_workers
    solver.parameters.random_seed = opts.random_seed
    solver.parameters.relative_gap_limit = gap
    solver.parameters.linearization_level = 2
    return solver


def _stage(dm: DispatchModel, terms: Terms, hint: list[int], seconds: float, watcher: _Watcher, gap: float = 0.0) -> tuple[list[int], int, float, bool]:
    """Minimise one tier from a full hint; return values, value, bound and whether it is proven."""
    dm.model.minimize(dm.objective(terms))
    dm.set_hint(hint)
    solver = _solver(dm.problem, seconds, gap)
    if not watcher.cancel.attach(solver):
        return hint, terms.value(hint), float("-inf"), False
    try:
        status = solver.solve(dm.model, watcher)
    finally:
        watcher.cancel.detach()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = list(solver.response_proto.solution)
        value = terms.value(values)
        hinted = terms.value(hint)
        if hinted < value:
            values, value = hint, hinted
        bound = float(solver.best_objective_bound)
        return values, value, bound, bound >= value - 1e-9
    value = terms.value(hint)
    return hint, value, float("-inf"), False


def polish(dm: DispatchModel, values: list[int], best_unmet: int) -> list[int]:
    """The plan re-routed with every line's delivered amount kept, if that shortens completion."""
    try:
        flows = flow_flows(dm.problem, dm.flows_of(values), dm.kept)
    except RuntimeError:
        return values
    polished = dm.hint_values(flows)
    if dm.unmet.value(polished) <= best_unmet and dm.completion.value(polished) < dm.completion.value(values):
        return polished
    return values


def completion_bound(dm: DispatchModel, best_unmet: int, seconds: float, cancel: Cancellation) -> float:
    """Best of the LP and flow bounds (weight-scaled seconds), both valid for the unpruned request."""
    if cancel.cancelled:
        return 0.0
    deadline = time.perf_counter() + seconds
    lp = lp_completion_bound(dm.problem, dm.unmet_coef, dm.wscale, best_unmet, seconds)
    flow = CompletionBound(dm.problem, dm.unmet_coef, dm.wscale).bound(best_unmet, deadline_s=deadline, stop=lambda: cancel.cancelled)
    return max(lp, flow)


def solve_cpsat(
    problem: Problem,
    hints: list[Flows],
    deadline: float,
    listener: Callable[[Flows], None] | None = None,
    factor: float = DEFAULT_FACTOR,
    cancel: Cancellation | None = None,
) -> CpReport:
    """Build the pruned model, hint it with the best of the given plans and run the stages."""
    cancel = cancel if cancel is not None else Cancellation()
    start = time.perf_counter()
    # The LP of the unmet tier: a bound that proves stage 1, and often a whole (optimal) plan.
    unmet_lb, lp_plan = lp_unmet(problem, unmet_coefficients(problem), UNMET_LP_SHARE * max(MIN_STAGE_S, deadline - start))
    unmet_floor = math.ceil(unmet_lb - 1e-6)
    if lp_plan is not None:
        hints = [*hints, lp_plan]
    building = time.perf_counter()
    keep = {key for flows in hints for key, value in flows.items() if value > 0}
    dm = DispatchModel(problem, prune(problem, keep, factor))
    build_s = time.perf_counter() - building
    vectors = [dm.hint_values(flows) for flows in hints]
    hint = min(vectors, key=lambda v: (dm.unmet.value(v), dm.completion.value(v), dm.tertiary.value(v)))
    watcher = _Watcher(dm, listener, start, cancel)
    total = max(MIN_STAGE_S, deadline - time.perf_counter())

    if dm.unmet.value(hint) <= unmet_floor:
        values, best1, proven1 = hint, dm.unmet.value(hint), True
    else:
        values, best1, _, proven1 = _stage(dm, dm.unmet, hint, total * STAGE1_SHARE, watcher)
        proven1 = proven1 or best1 <= unmet_floor
    if dm.completion.value(hint) < dm.completion.value(values) and dm.unmet.value(hint) <= best1:
        values = hint
    values = polish(dm, values, best1)
    dm.model.add(dm.objective(dm.unmet) <= best1)
    # The completion objective is a whole number, so the bound may be rounded up.
    request_bound = float(math.ceil(completion_bound(dm, best1, BOUND_SHARE * total, cancel) - 1e-6))
    if request_bound > 0:
        dm.model.add(dm.objective(dm.completion) >= round(request_bound))

    left = deadline - time.perf_counter()
    stage2 = max(MIN_STAGE_S, left - total * STAGE3_SHARE)
    gap = problem.request.options.relative_gap
    if request_bound > 0 and dm.completion.value(values) <= request_bound + 1e-9:
        best2, cp_bound2 = dm.completion.value(values), request_bound
    else:
        values, best2, cp_bound2, _ = _stage(dm, dm.completion, values, stage2, watcher, gap)
    # CP-SAT's bound holds for the pruned model only; it is valid for the request when nothing was pruned.
    bound2 = max(request_bound, cp_bound2 if not dm.pruned else 0.0)
    proven2 = bound2 >= best2 - 1e-9
    dm.model.add(dm.objective(dm.completion) <= best2)

    left = deadline - time.perf_counter()
    values, _, _, _ = _stage(dm, dm.tertiary, values, max(MIN_STAGE_S, min(left, total * STAGE3_SHARE)), watcher)

    proto = dm.model.proto
    # OPTIMAL means unmet demand and completion time are proven; travel is polished in the time left.
    status = "OPTIMAL" if proven1 and proven2 else "FEASIBLE"
    return CpReport(
        flows=dm.flows_of(values),
        status=status,
        unmet_proven=proven1,
        completion_proven=proven2,
        completion_bound_s=max(0.0, bound2) / dm.wscale,
        completion_best_s=best2 / dm.wscale,
        model_bound_s=max(0.0, cp_bound2) / dm.wscale,
        pruned=dm.pruned,
        build_s=build_s,
        first_solution_s=watcher.first,
        variables=len(proto.variables),
        constraints=len(proto.constraints),
        candidates=len(dm.candidates),
    )
