"""Public entry points of the dispatch optimiser: optimise, stream, evaluate, explain, validate."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

from services.dispatch.cancel import Cancellation
from services.dispatch.decompose import solve_decomposed
from services.dispatch.evaluate import evaluate
from services.dispatch.explain import explain
from services.dispatch.flow_conversion import Flows, to_plan
from services.dispatch.flow_plan import flow_flows
from services.dispatch.greedy import greedy_flows
from services.dispatch.model import (
    DispatchRequest,
    DispatchResponse,
    Evaluation,
    IncidentExplanation,
    ModelSize,
    ObjectiveBreakdown,
    Plan,
    SolveStatus,
    Strategy,
)
from services.dispatch.optimiser import CpReport
from services.dispatch.problem import Problem, build_problem
from services.dispatch.validation import DEFAULT_LIMITS, InvalidRequestError, Limits, check_size, validate

__all__ = ["assess_plan", "evaluate_plan", "explain_plan", "optimise", "optimise_stream", "validate"]

Listener = Callable[[DispatchResponse], None]
# The solver's deadline leaves room for scoring and explaining the final plan (FINISHING_FACTOR times
# the cost of the greedy plan's), but never less than MIN_SOLVE_S for the solver.
FINISHING_FACTOR = 4.0
MIN_SOLVE_S = 0.2
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Scored:
    """A plan with its evaluation and where it came from."""

    plan: Plan
    evaluation: Evaluation
    source: str


def _prepare(request: DispatchRequest, limits: Limits, validated: bool = False) -> Problem:
    check_size(request, limits)
    violations = () if validated else validate(request)
    if violations:
        raise InvalidRequestError(violations)
    return build_problem(request)


def _score(problem: Problem, flows: Flows, source: str) -> _Scored:
    plan = to_plan(problem, flows)
    return _Scored(plan, evaluate(problem.request, plan, problem), source)


def _best(scored: list[_Scored]) -> _Scored:
    """Lexicographically best feasible plan (unmet, completion, travel), earlier entries win ties."""
    feasible = [s for s in scored if s.evaluation.feasible] or scored
    return min(feasible, key=lambda s: s.evaluation.objective.key())


def _response(
    problem: Problem,
    best: _Scored,
    status: SolveStatus,
    started: float,
    first_feasible: float,
    report: CpReport | None,
    prepared_s: float = 0.0,
    explanations: tuple[IncidentExplanation, ...] = (),
    baseline: ObjectiveBreakdown | None = None,
) -> DispatchResponse:
    completion = best.evaluation.objective.weighted_completion_s
    bound, bound_source = 0.0, ""
    if report is not None:
        bound, bound_source, defects = checked_bound(report.bounds, completion)
        if defects and status is SolveStatus.OPTIMAL:
            status = SolveStatus.FEASIBLE
        size = ModelSize(report.variables, report.constraints, report.candidates, len(problem.sources))
        build_s = prepared_s + report.build_s
    else:
        size = ModelSize(groups=len(problem.sources))
        build_s = prepared_s
    gap = 0.0 if completion <= 0 else max(0.0, (completion - bound) / completion)
    return DispatchResponse(
        plan=best.plan,
        objective=best.evaluation.objective,
        status=status,
        best_bound_s=bound,
        relative_gap=gap,
        unmet_proven_optimal=bool(report and report.unmet_proven),
        wall_time_s=time.perf_counter() - started,
        first_feasible_s=first_feasible,
        build_s=build_s,
        model_size=size,
        explanations=explanations,
        violations=best.evaluation.violations,
        source=best.source,
        solver_first_solution_s=report.first_solution_s if report is not None else None,
        model_bound_s=report.model_bound_s if report is not None else None,
        candidates_pruned=bool(report and report.pruned),
        baseline=baseline,
        bound_source=bound_source,
    )


def checked_bound(bounds: dict[str, float], completion: float) -> tuple[float, str, list[str]]:
    """The best bound that does not exceed the plan, its origin, and the origins that did (defects).

    A bound is never clipped to the plan: one above it is wrong, logged as a defect and left out.
    """
    tolerance = 1e-6 * max(1.0, completion)
    defects = [name for name, value in bounds.items() if value > completion + tolerance]
    for name in defects:
        logger.error("lower-bound defect: the %s bound %.3f exceeds the plan's completion %.3f", name, bounds[name], completion)
    valid = {name: value for name, value in bounds.items() if name not in defects}
    if not valid:
        return 0.0, "", defects
    name = max(valid, key=lambda n: valid[n])
    return valid[name], name, defects


class _Emitter:
    """Forwards strictly improving plans to a listener."""

    def __init__(self, problem: Problem, listener: Listener | None, started: float, baseline: ObjectiveBreakdown) -> None:
        self.problem = problem
        self.listener = listener
        self.started = started
        self.baseline = baseline
        self.first_feasible = 0.0
        self.last: tuple[float, float, float, float] | None = None
        self.best: _Scored | None = None

    def offer(self, scored: _Scored) -> None:
        """Emit the plan if it is feasible and better than the last one emitted."""
        if not scored.evaluation.feasible:
            return
        key = scored.evaluation.objective.key()
        if self.last is not None and key >= self.last:
            return
        self.last = key
        self.best = scored
        if self.listener is not None:
            self.listener(_response(self.problem, scored, SolveStatus.FEASIBLE, self.started, self.first_feasible, None, baseline=self.baseline))

    def flows(self, flows: Flows) -> None:
        """Score solver flows and offer them."""
        self.offer(_score(self.problem, flows, "cpsat"))


def optimise(
    request: DispatchRequest, *, limits: Limits = DEFAULT_LIMITS, listener: Listener | None = None, cancel: Cancellation | None = None, validated: bool = False
) -> DispatchResponse:
    """Plan a validated request; infeasible demand ends up as explained unmet demand, never an error.

    `listener` receives each strictly improving plan as it is found; `cancel` stops the solver early
    (the best plan found so far is returned). `validated` skips validation a caller has just done
    (the service validates while mapping the request).
    """
    started = time.perf_counter()
    problem = _prepare(request, limits, validated)
    prepared_s = time.perf_counter() - started
    greedy_raw = greedy_flows(problem)
    greedy_plan = to_plan(problem, greedy_raw)
    first_feasible = time.perf_counter() - started
    greedy = _Scored(greedy_plan, evaluate(problem.request, greedy_plan, problem), "greedy")
    baseline = greedy.evaluation.objective
    # Scoring and explaining the final plan cost about three times what scoring this one did; keep four.
    finishing_s = FINISHING_FACTOR * (time.perf_counter() - started - prepared_s)
    if request.options.strategy == Strategy.GREEDY:
        return _response(problem, greedy, SolveStatus.HEURISTIC, started, first_feasible, None, prepared_s, explain(problem, greedy.plan), baseline)
    emitter = _Emitter(problem, listener, started, baseline)
    emitter.first_feasible = first_feasible
    emitter.offer(greedy)
    flow_raw = flow_flows(problem)
    relaxed = _score(problem, flow_raw, "flow")
    emitter.offer(relaxed)
    deadline = started + max(MIN_SOLVE_S, request.options.time_limit_s - finishing_s)
    report: CpReport | None
    try:
        report = solve_decomposed(problem, [("greedy", greedy_raw), ("flow", flow_raw)], deadline, emitter.flows if listener else None, cancel=cancel)
    except Exception:  # a solver failure must still return the heuristic plan
        logger.exception("CP-SAT solve failed; returning the best heuristic plan")
        report = None
    if report is None:
        best = _best([relaxed, greedy])
        return _response(problem, best, SolveStatus.FALLBACK, started, first_feasible, None, prepared_s, explain(problem, best.plan), baseline)
    solved = _score(problem, report.flows, report.plan_origin)
    best = _best([solved, relaxed, greedy] + ([emitter.best] if emitter.best is not None else []))
    # Beaten on the proven tiers (unmet demand, its tie-break, completion); travel alone does not count.
    beaten = best.evaluation.objective.key()[:3] < solved.evaluation.objective.key()[:3]
    if report.status == "OPTIMAL" and not beaten:
        status = SolveStatus.OPTIMAL
    elif beaten or not report.solver_found:
        # No solver found a plan of its own (or a heuristic beat it): say so, and which plan it is.
        status = SolveStatus.FALLBACK
    else:
        status = SolveStatus.FEASIBLE
    emitter.offer(best)
    return _response(problem, best, status, started, first_feasible, report, prepared_s, explain(problem, best.plan), baseline)


async def optimise_stream(
    request: DispatchRequest,
    *,
    limits: Limits = DEFAULT_LIMITS,
    validated: bool = False,
    run: Callable[[Callable[[], DispatchResponse]], DispatchResponse] = lambda solve: solve(),
) -> AsyncGenerator[tuple[DispatchResponse, bool], None]:
    """Yield (response, final) for each strictly improving plan as it is found, then (the final response, True).

    The solve runs in a worker thread (through `run`, which the service uses to trace it); closing
    the stream early stops the solver.
    """
    loop = asyncio.get_running_loop()
    found: asyncio.Queue[DispatchResponse] = asyncio.Queue()
    cancel = Cancellation()

    def listener(item: DispatchResponse) -> None:
        loop.call_soon_threadsafe(found.put_nowait, item)

    solving = asyncio.ensure_future(asyncio.to_thread(run, lambda: optimise(request, limits=limits, listener=listener, cancel=cancel, validated=validated)))
    try:
        while True:
            getter = asyncio.ensure_future(found.get())
            done, _ = await asyncio.wait({getter, solving}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            yield getter.result(), False
        # The listener's puts were scheduled before the solve finished: drain them first.
        while not found.empty():
            yield found.get_nowait(), False
        yield solving.result(), True
    finally:
        cancel.cancel()


def evaluate_plan(request: DispatchRequest, plan: Plan, *, limits: Limits = DEFAULT_LIMITS) -> Evaluation:
    """Score any plan for a validated request with the same breakdown as the optimiser."""
    return evaluate(request, plan, _prepare(request, limits))


def assess_plan(request: DispatchRequest, plan: Plan, *, limits: Limits = DEFAULT_LIMITS) -> tuple[Evaluation, tuple[IncidentExplanation, ...]]:
    """Score and explain any plan, preparing the request once."""
    problem = _prepare(request, limits)
    return evaluate(request, plan, problem), explain(problem, plan)


def explain_plan(request: DispatchRequest, plan: Plan, *, limits: Limits = DEFAULT_LIMITS) -> tuple[IncidentExplanation, ...]:
    """Explain any plan incident by incident."""
    return explain(_prepare(request, limits), plan)
