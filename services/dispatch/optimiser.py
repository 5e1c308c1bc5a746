"""Lexicographic CP-SAT solve in three stages: unmet demand, then completion time, then travel.

Each stage fixes the previous tier at its best value and starts from a complete hint (every
variable, shortages and staircase helpers included) taken from the best plan known so far.
Stage 1 ignores completion time, so its plan is re-routed by a min-cost flow that keeps every
line's delivered amount (same unmet demand) before stage 2 starts from it. The completion bound is
the better of the LP relaxation of the full model and the Lagrangian flow bound.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from services.dispatch.cancel import Cancellation
from services.dispatch.cpmodel import DispatchModel, Terms, unmet_coefficients
from services.dispatch.flow_bound import CompletionBound
from services.dispatch.flow_conversion import Flows
from services.dispatch.flow_plan import flow_flows
from services.dispatch.lp_bound import lp_completion_bound, lp_unmet, short_coefficients
from services.dispatch.mip import MipResult
from services.dispatch.portfolio import mip_eligible, start_mip
from services.dispatch.problem import Problem
from services.dispatch.prune import DEFAULT_FACTOR, prune

STAGE1_SHARE = 0.3
STAGE3_SHARE = 0.1
TIE_SHARE = 0.1
TIE_MIN_S = 0.3
BOUND_SHARE = 0.25
# The LP bound's share of the bound budget, and floors so short limits do not starve the bounds.
LP_OF_BOUND = 0.7
LP_BOUND_MIN_S = 0.5
FLOW_BOUND_MIN_S = 0.1
# Of the completion stage, the MIP's share when it runs (CP-SAT gets the rest unless the MIP proves).
MIP_SHARE = 0.7
BOUND_FLOOR_SHARE = 0.5
UNMET_LP_SHARE = 0.1
# LPs solve in milliseconds when the machine is idle; the floor keeps a loaded one from timing them out.
UNMET_LP_MIN_S = 0.5
MIN_STAGE_S = 0.02

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CpReport:
    """What the solver stages achieved.

    `plan_origin` names who produced the plan in `flows`: "cpsat" or "mip" when a solver found it,
    else the hint it started from ("greedy", "flow" or "lp"). `bounds` holds each lower bound on the
    completion tier (seconds) by origin; each is meant to hold for the whole request, and the caller
    checks them against the plan it returns.
    """

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
    plan_origin: str = "cpsat"
    bounds: dict[str, float] = field(default_factory=dict)
    solver_found: bool = True
    # The plan's unmet tier in the model's units (comparable between reports on the same problem).
    best_unmet: int = 0
    best_short: int = 0
    # The unmet fractions alone are proven (unmet_proven also covers their tie-break, units short).
    fraction_proven: bool = False


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


def _solver(problem: Problem, seconds: float, gap: float = 0.0, workers: int | None = None) -> cp_model.CpSolver:
    opts = problem.request.options
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(MIN_STAGE_S, seconds)
    solver.parameters.num_workers = workers if workers is not None else opts.num_workers
    solver.parameters.random_seed = opts.random_seed
    solver.parameters.relative_gap_limit = gap
    solver.parameters.linearization_level = 2
    return solver


@dataclass(frozen=True)
class _Outcome:
    """One stage's result: the values kept, their value, CP-SAT's bound, and how it ended."""

    values: list[int]
    value: int
    bound: float
    proven: bool
    improved: bool
    infeasible: bool = False
    solved: bool = False


def _stage(
    dm: DispatchModel,
    terms: Terms,
    hint: list[int],
    seconds: float,
    watcher: _Watcher,
    gap: float = 0.0,
    workers: int | None = None,
    stop: Cancellation | None = None,
) -> _Outcome:
    """Minimise one tier from a full hint; `improved` is True when CP-SAT's plan beat the hint."""
    dm.model.minimize(dm.objective(terms))
    dm.set_hint(hint)
    hinted = terms.value(hint)
    solver = _solver(dm.problem, seconds, gap, workers)
    if not watcher.cancel.attach(solver):
        return _Outcome(hint, hinted, float("-inf"), False, False)
    if stop is not None and not stop.attach(solver):
        watcher.cancel.detach()
        return _Outcome(hint, hinted, float("-inf"), False, False)
    try:
        status = solver.solve(dm.model, watcher)
    finally:
        watcher.cancel.detach()
        if stop is not None:
            stop.detach()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = list(solver.response_proto.solution)
        value = terms.value(values)
        bound = float(solver.best_objective_bound)
        if hinted <= value:
            return _Outcome(hint, hinted, bound, bound >= hinted - 1e-9, False, solved=True)
        return _Outcome(values, value, bound, bound >= value - 1e-9, True, solved=True)
    return _Outcome(hint, hinted, float("-inf"), False, False, infeasible=status == cp_model.INFEASIBLE)


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


def completion_bounds(
    dm: DispatchModel, best_unmet: int, seconds: float, cancel: Cancellation, deadline: float | None = None, unmet_proven: bool = False
) -> dict[str, float]:
    """The LP and flow bounds (weight-scaled seconds), both valid for the unpruned request.

    The LP gets most of the budget with a floor of its own, so a short time limit does not cut it
    off (the floor never takes more than BOUND_FLOOR_SHARE of what is left before `deadline`); the
    flow bound uses what the LP leaves, likewise with a floor.
    """
    if cancel.cancelled:
        return {}
    started = time.perf_counter()
    cap = BOUND_FLOOR_SHARE * (deadline - started) if deadline is not None else float("inf")
    lp_s = max(min(LP_BOUND_MIN_S, cap), LP_OF_BOUND * seconds)
    lp = lp_completion_bound(dm.problem, dm.unmet_coef, dm.wscale, best_unmet, lp_s)
    deadline = max(started + seconds, time.perf_counter() + min(FLOW_BOUND_MIN_S, cap))
    flow = CompletionBound(dm.problem, dm.unmet_coef, dm.wscale).bound(
        best_unmet, deadline_s=deadline, stop=lambda: cancel.cancelled, unmet_proven=unmet_proven
    )
    return {"lp": lp, "flow": flow}


def completion_bound(dm: DispatchModel, best_unmet: int, seconds: float, cancel: Cancellation) -> float:
    """Best of the LP and flow bounds (weight-scaled seconds)."""
    return max(completion_bounds(dm, best_unmet, seconds, cancel).values(), default=0.0)


def _completion_stage(
    dm: DispatchModel, values: list[int], best1: int, best_short: int, seconds: float, watcher: _Watcher, floor: float
) -> tuple[_Outcome, MipResult | None, str | None]:
    """The completion stage: HiGHS's MIP first when the model is small enough, then CP-SAT.

    The MIP gets MIP_SHARE of the time; when it does not prove the tier, CP-SAT goes on from the
    better plan with the MIP's bound as a cut. One after the other rather than side by side: on two
    shared cores the two solvers slowed each other more than they helped.
    Returns the outcome, the MIP's result and which solver's plan won ("cpsat", "mip" or None when
    neither beat the plan they started from).
    """
    gap = dm.problem.request.options.relative_gap
    if not mip_eligible(dm):
        outcome = _stage(dm, dm.completion, values, seconds, watcher, gap)
        return outcome, None, "cpsat" if outcome.improved else None
    started = time.perf_counter()
    run = start_mip(dm, best1, best_short, started + MIP_SHARE * seconds, dm.flows_of(values))
    mip = run.wait(watcher.cancel)
    winner: str | None = None
    bound = floor
    if mip is not None and mip.flows is not None:
        mip_values = dm.hint_values(mip.flows)
        within = dm.unmet.value(mip_values) <= best1 and dm.short.value(mip_values) <= best_short
        if within and dm.completion.value(mip_values) < dm.completion.value(values):
            values, winner = mip_values, "mip"
            if watcher.listener is not None:
                watcher.listener(mip.flows)
    value = dm.completion.value(values)
    if mip is not None and math.isfinite(mip.bound):
        bound = max(bound, mip.bound)
        if mip.bound > floor:
            dm.model.add(dm.objective(dm.completion) >= round(mip.bound))
    if bound >= value - 1e-9 or watcher.cancel.cancelled:
        return _Outcome(values, value, bound, bound >= value - 1e-9, winner is not None, solved=mip is not None and mip.flows is not None), mip, winner
    outcome = _stage(dm, dm.completion, values, seconds - (time.perf_counter() - started), watcher, gap)
    if outcome.improved:
        winner = "cpsat"
    solved = outcome.solved or (mip is not None and mip.flows is not None)
    return replace(outcome, bound=max(outcome.bound, bound), improved=winner is not None, solved=solved), mip, winner


def solve_cpsat(
    problem: Problem,
    hints: list[tuple[str, Flows]],
    deadline: float,
    listener: Callable[[Flows], None] | None = None,
    factor: float = DEFAULT_FACTOR,
    cancel: Cancellation | None = None,
) -> CpReport:
    """Build the pruned model, hint it with the best of the named plans and run the stages."""
    cancel = cancel if cancel is not None else Cancellation()
    start = time.perf_counter()
    # The LP of the unmet tier: a bound that proves stage 1, and often a whole (optimal) plan.
    unmet_lb, lp_plan = lp_unmet(problem, unmet_coefficients(problem), max(UNMET_LP_MIN_S, UNMET_LP_SHARE * (deadline - start)))
    unmet_floor = math.ceil(unmet_lb - 1e-6)
    if lp_plan is not None:
        hints = [*hints, ("lp", lp_plan)]
    building = time.perf_counter()
    keep = {key for _, flows in hints for key, value in flows.items() if value > 0}
    dm = DispatchModel(problem, prune(problem, keep, factor))
    build_s = time.perf_counter() - building
    named = [(name, dm.hint_values(flows)) for name, flows in hints]
    hint_origin, hint = min(named, key=lambda nv: (dm.unmet.value(nv[1]), dm.short.value(nv[1]), dm.completion.value(nv[1])))
    origin = hint_origin
    watcher = _Watcher(dm, listener, start, cancel)
    total = max(MIN_STAGE_S, deadline - time.perf_counter())

    # found: a solver (CP-SAT or the MIP) returned a plan of its own in some stage, better or not.
    found = False
    if dm.unmet.value(hint) <= unmet_floor:
        values, best1, proven1 = hint, dm.unmet.value(hint), True
    else:
        first = _stage(dm, dm.unmet, hint, total * STAGE1_SHARE, watcher)
        values, best1, proven1 = first.values, first.value, first.proven or first.value <= unmet_floor
        found = first.solved
        if first.improved:
            origin = "cpsat"
    if dm.completion.value(hint) < dm.completion.value(values) and dm.unmet.value(hint) <= best1:
        values, origin = hint, hint_origin
    dm.model.add(dm.objective(dm.unmet) <= best1)
    fraction_proven = proven1
    # Tie-break of the unmet tier: among plans with that much unmet demand, the fewest weighted units short.
    # Its LP (the unmet tier held) proves it or gives a whole plan; else CP-SAT gets a short stage.
    best_short = dm.short.value(values)
    if best_short > 0 and not cancel.cancelled:
        short_coef = short_coefficients(problem, dm.wscale)
        tie_lb, tie_plan = lp_unmet(problem, short_coef, max(TIE_MIN_S, UNMET_LP_SHARE * total), held=(dm.unmet_coef, best1))
        tie_floor = math.ceil(tie_lb - 1e-6)
        if tie_plan is not None:
            tie_values = dm.hint_values(tie_plan)
            if dm.unmet.value(tie_values) <= best1 and dm.short.value(tie_values) < best_short:
                values, best_short, origin = tie_values, dm.short.value(tie_values), "lp"
        if best_short > tie_floor:
            tie = _stage(dm, dm.short, values, max(TIE_MIN_S, total * TIE_SHARE), watcher)
            values, best_short = tie.values, tie.value
            proven1 = proven1 and (tie.proven or best_short <= tie_floor)
            found = found or tie.solved
            if tie.improved:
                origin = "cpsat"
    dm.model.add(dm.objective(dm.short) <= best_short)
    values = polish(dm, values, best1)
    bounds = completion_bounds(dm, best1, BOUND_SHARE * total, cancel, deadline, proven1)
    # The completion objective is a whole number, so the bound may be rounded up.
    request_bound = float(math.ceil(max(bounds.values(), default=0.0) - 1e-6))
    if request_bound > 0:
        dm.model.add(dm.objective(dm.completion) >= round(request_bound))

    left = deadline - time.perf_counter()
    stage2 = max(MIN_STAGE_S, left - total * STAGE3_SHARE)
    mip: MipResult | None = None
    cp_bound2 = float("-inf")
    if request_bound > 0 and dm.completion.value(values) <= request_bound + 1e-9:
        best2, cp_bound2 = dm.completion.value(values), request_bound
    else:
        second, mip, winner = _completion_stage(dm, values, best1, best_short, stage2, watcher, request_bound)
        if second.infeasible:
            # The plan in hand meets every constraint but the bound's cut: the bound is wrong.
            logger.error("completion bound defect: %s exceeds a feasible plan's %s", bounds, dm.completion.value(values))
            bounds, request_bound = {}, 0.0
        values, best2, cp_bound2 = second.values, second.value, second.bound
        found = found or second.solved or (mip is not None and mip.flows is not None)
        if winner is not None:
            origin = winner
    if mip is not None and math.isfinite(mip.bound):
        bounds["mip"] = mip.bound
    # CP-SAT's bound holds for the pruned model only; it is valid for the request when nothing was pruned.
    if not dm.pruned and math.isfinite(cp_bound2):
        bounds["cpsat"] = cp_bound2
    bound2 = max(bounds.values(), default=0.0)
    proven2 = bound2 >= best2 - 1e-9
    dm.model.add(dm.objective(dm.completion) <= best2)

    left = deadline - time.perf_counter()
    third = _stage(dm, dm.tertiary, values, max(MIN_STAGE_S, min(left, total * STAGE3_SHARE)), watcher)
    values = third.values
    found = found or third.solved
    if third.improved:
        origin = "cpsat"

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
        plan_origin=origin,
        bounds={name: max(0.0, b) / dm.wscale for name, b in bounds.items()},
        solver_found=found,
        best_unmet=best1,
        best_short=best_short,
        fraction_proven=fraction_proven,
    )
