"""The optimiser's telemetry: a span per solve with its stages as child spans, and solve time, status, gap and gain over greedy."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from opentelemetry import trace
from opentelemetry.metrics import Histogram

from services.common.metrics import DURATION_BUCKETS_S, RATIO_BUCKETS, service_metrics
from services.dispatch.model import DispatchRequest, DispatchResponse, ObjectiveBreakdown

SERVICE = "dispatch"

tracer = trace.get_tracer("emergency.dispatch")


# figure -> (instrument name, unit, description, bucket edges); every solve records each, by strategy and status
_HISTOGRAMS = {
    "duration": ("emergency.dispatch.solve.duration", "s", "Wall time of a solve, by strategy and status", DURATION_BUCKETS_S),
    "gap": ("emergency.dispatch.gap", "1", "Relative gap between the plan and the best bound at the end of a solve", RATIO_BUCKETS),
    "improvement": ("emergency.dispatch.improvement", "1", "Share of the greedy plan's weighted completion time the returned plan saves", RATIO_BUCKETS),
}


@functools.cache
def _histogram(figure: str) -> Histogram:
    name, unit, description, buckets = _HISTOGRAMS[figure]
    return service_metrics(SERVICE).histogram(name, unit, description, buckets)


def improvement_over(baseline: ObjectiveBreakdown | None, objective: ObjectiveBreakdown) -> float:
    """The share of the greedy plan's severity-weighted completion time that the plan saves (0 when it saves none)."""
    if baseline is None or baseline.weighted_completion_s <= 0:
        return 0.0
    return max(0.0, (baseline.weighted_completion_s - objective.weighted_completion_s) / baseline.weighted_completion_s)


def _stage(name: str, start_ns: int, seconds: float, **attributes: str | int | float) -> None:
    """A child span for a stage the solver timed itself (build, first feasible plan, search)."""
    end_ns = start_ns + max(0, int(seconds * 1e9))
    tracer.start_span(name, start_time=start_ns, attributes=attributes).end(end_time=end_ns)


def traced_solve(request: DispatchRequest, solve: Callable[[], DispatchResponse]) -> DispatchResponse:
    """Run one solve inside a `dispatch.solve` span, add its stages as child spans, and record its figures."""
    strategy = str(request.options.strategy)
    with tracer.start_as_current_span(
        "dispatch.solve", attributes={"dispatch.strategy": strategy, "dispatch.time_limit_s": request.options.time_limit_s}
    ) as span:
        start_ns = time.time_ns()
        response = solve()
        size = response.model_size
        span.set_attributes(
            {
                "dispatch.status": str(response.status),
                "dispatch.source": response.source,
                "dispatch.relative_gap": response.relative_gap,
                "dispatch.best_bound_s": response.best_bound_s,
                "dispatch.weighted_unmet": response.objective.weighted_unmet,
                "dispatch.weighted_completion_s": response.objective.weighted_completion_s,
                "dispatch.model.variables": size.variables,
                "dispatch.model.constraints": size.constraints,
                "dispatch.model.candidates": size.candidates,
                "dispatch.incidents": len(request.incidents),
                "dispatch.units": len(request.units),
            }
        )
        _stage("dispatch.build", start_ns, response.build_s, **{"dispatch.model.variables": size.variables, "dispatch.model.constraints": size.constraints})
        _stage("dispatch.first_feasible", start_ns, response.first_feasible_s)
        search_start = start_ns + int(response.first_feasible_s * 1e9)
        _stage("dispatch.search", search_start, max(0.0, response.wall_time_s - response.first_feasible_s), **{"dispatch.relative_gap": response.relative_gap})
    labels = {"strategy": strategy, "status": str(response.status)}
    values = {"duration": response.wall_time_s, "gap": response.relative_gap, "improvement": improvement_over(response.baseline, response.objective)}
    for figure, value in values.items():
        _histogram(figure).record(value, labels)
    return response
