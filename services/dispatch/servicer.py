"""DispatchService: auth, status codes and running the optimiser off the event loop.

Proto <-> domain mapping lives in mapping.py; the rules live in domain.py.
Solves run in worker threads so health checks and other calls keep answering; each solve's time
limit is capped by what is left of the call's deadline, and a call that goes away stops its solver.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from dataclasses import replace

from emergency.dispatch.v1 import dispatch_service_pb2 as pb
from emergency.dispatch.v1 import dispatch_service_pb2_grpc as pb_grpc

from services.common.auth import require_authenticated
from services.common.deadline import remaining_s
from services.common.errors import FieldViolation, ServiceError, raise_if, resource_exhausted
from services.common.interceptors import Context
from services.dispatch import domain, mapping, monitoring
from services.dispatch.cancel import Cancellation
from services.dispatch.model import DispatchRequest
from services.dispatch.validation import DEFAULT_LIMITS, Limits, RequestTooLargeError, check_plan_size

# Of what is left of a call's deadline, this share (at least DEADLINE_RESERVE_S) is kept for building
# the model, explaining the plan and sending it; the solver gets the rest.
DEADLINE_RESERVE_SHARE = 0.2
DEADLINE_RESERVE_S = 0.25
MIN_TIME_LIMIT_S = 0.05


def _too_large(error: RequestTooLargeError) -> ServiceError:
    """RESOURCE_EXHAUSTED naming the limit."""
    return resource_exhausted(
        "REQUEST_TOO_LARGE", f"request over the size limit: {error}", {"limit": error.limit, "maximum": str(error.maximum), "actual": str(error.actual)}
    )


def solver_seconds(requested_s: float, remaining: float | None) -> float:
    """The time limit to solve with: the requested one, capped by what the deadline leaves."""
    if remaining is None:
        return requested_s
    usable = remaining - max(DEADLINE_RESERVE_S, DEADLINE_RESERVE_SHARE * remaining)
    return max(MIN_TIME_LIMIT_S, min(requested_s, usable))


def _require_request(message: pb.StreamPlansRequest | pb.EvaluatePlanRequest) -> None:
    """A wrapped request must carry the planning request."""
    if not message.HasField("request"):
        raise_if([FieldViolation("request", "required")])


class DispatchServicer(pb_grpc.DispatchServiceServicer):
    """Plans, streams and scores plans; holds nothing between calls."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self._limits = limits

    def _prepare(self, message: pb.OptimizePlanRequest, remaining: float | None, prefix: str = "") -> DispatchRequest:
        """The domain request with its time limit fitted to the deadline, or the error to return."""
        try:
            mapping.check_request_size(message, self._limits)
        except RequestTooLargeError as error:
            raise _too_large(error) from error
        request, violations = mapping.to_request(message)
        raise_if(FieldViolation(prefix + v.field, v.description) for v in violations)
        seconds = solver_seconds(request.options.time_limit_s, remaining)
        return replace(request, options=replace(request.options, time_limit_s=seconds))

    def _optimise(self, message: pb.OptimizePlanRequest, remaining: float | None, cancel: Cancellation) -> pb.OptimizePlanResponse:
        """Prepare, solve and render in a worker thread."""
        request = self._prepare(message, remaining)
        return mapping.optimize_response(
            request, monitoring.traced_solve(request, lambda: domain.optimise(request, limits=self._limits, cancel=cancel, validated=True))
        )

    async def OptimizePlan(self, request: pb.OptimizePlanRequest, context: Context) -> pb.OptimizePlanResponse:
        """The best plan found within the time limit, or the greedy plan when asked for."""
        require_authenticated()
        cancel = Cancellation()
        try:
            return await asyncio.to_thread(self._optimise, request, remaining_s(), cancel)
        finally:
            cancel.cancel()

    async def StreamPlans(self, request: pb.StreamPlansRequest, context: Context) -> AsyncIterator[pb.StreamPlansResponse]:
        """Improving plans as the solver finds them; the last message is the final plan."""
        require_authenticated()
        _require_request(request)
        prepared = await asyncio.to_thread(self._prepare, request.request, remaining_s(), "request.")
        stream = domain.optimise_stream(prepared, limits=self._limits, validated=True, run=functools.partial(monitoring.traced_solve, prepared))
        async with contextlib.aclosing(stream):
            async for solved, final in stream:
                result = await asyncio.to_thread(mapping.optimize_response, prepared, solved)
                yield pb.StreamPlansResponse(result=result, final=final)

    def _evaluate(self, message: pb.EvaluatePlanRequest) -> pb.EvaluatePlanResponse:
        """Prepare, score and explain in a worker thread."""
        try:
            check_plan_size(len(message.plan.assignments) + len(message.plan.shipments), self._limits)
        except RequestTooLargeError as error:
            raise _too_large(error) from error
        request = self._prepare(message.request, None, "request.")
        evaluation, explanations = domain.assess_plan(request, mapping.to_plan(request, message.plan), limits=self._limits)
        return mapping.evaluate_response(evaluation, explanations)

    async def EvaluatePlan(self, request: pb.EvaluatePlanRequest, context: Context) -> pb.EvaluatePlanResponse:
        """A plan's score, its broken rules and its unmet demand."""
        require_authenticated()
        _require_request(request)
        return await asyncio.to_thread(self._evaluate, request)
