"""Operator loops for the chaos run: whole incident lifecycles through the gateway, retrying through every fault."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from bench.gateway import incident_for as bench_incident
from services.common.auth import Role, mint_token
from services.common.client import bearer
from services.common.settings import DEVELOPMENT_JWT_SECRET

T = TypeVar("T")
Metadata = tuple[tuple[str, str], ...]
# What a crash, a restart or a dead dependency looks like to a caller: try again with the same request id.
TRANSIENT = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.CANCELLED}
)
CALL_TIMEOUT_S = 20.0
FALLBACK_DEMANDS = [
    common_pb2.ResourceDemand(resource_type="PUMPER_ENGINE", quantity=1),
    common_pb2.ResourceDemand(resource_type="AMBULANCE", quantity=1),
    common_pb2.ResourceDemand(resource_type="SCBA_CYLINDER", quantity=4),
]


class GaveUp(Exception):
    """A call kept failing transiently past its budget, or was refused for good."""

    def __init__(self, step: str, error: grpc.aio.AioRpcError) -> None:
        super().__init__(f"{step}: {error.code().name} {error.details()}")
        self.step = step
        self.error = error


@dataclass
class Tally:
    """What the operator loops did, shared with the kill schedule and the audit."""

    rounds: int = 0
    committed: int = 0
    closed: int = 0
    cancelled: int = 0
    close_retries_refused: int = 0
    in_commit: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)
    # incident name -> unit names that a CommitPlan answer said were sent to it
    committed_units: dict[str, set[str]] = field(default_factory=dict)
    last_success: float = 0.0


def incident_for(rng: random.Random, parks: tuple[str, ...]) -> ipb.Incident:
    """A plausible incident in one of the given demo parks."""
    return bench_incident(rng, parks, source="chaos", reported_by="the chaos run")


class Operator:
    """One operator: report, propose, commit, on scene, contain, close with units home; again until told to stop."""

    def __init__(self, index: int, address: str, seed: int, parks: tuple[str, ...], tally: Tally, budget_s: float) -> None:
        self.index = index
        self.rng = random.Random(seed * 1000 + index)
        self.address = address
        self.parks = parks
        self.tally = tally
        self.budget_s = budget_s
        self.metadata: Metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject=f"chaos-operator-{index}", role=Role.OPERATOR, ttl_s=3600))
        self.stub: gpb_grpc.CommandCenterServiceStub | None = None

    def rid(self, step: str) -> str:
        """A fresh request id (kept across the retries of one step)."""
        return f"chaos-{self.index}-{step}-{uuid.UUID(int=self.rng.getrandbits(128)).hex[:16]}"

    async def call(self, step: str, method: Callable[..., Awaitable[T]], request: Any) -> T:
        """Call, retrying transient failures with the same request (and so the same request id) within the budget."""
        deadline = time.monotonic() + self.budget_s
        pause = 0.2
        while True:
            try:
                reply = await method(request, metadata=self.metadata, timeout=CALL_TIMEOUT_S)
                self.tally.last_success = time.monotonic()
                return reply
            except grpc.aio.AioRpcError as error:
                if error.code() not in TRANSIENT or time.monotonic() + pause > deadline:
                    raise GaveUp(step, error) from error
                self.tally.retries[f"{step}:{error.code().name}"] += 1
                self.tally.samples.setdefault(f"{step}:{error.code().name}", (error.details() or "")[:300])
                await asyncio.sleep(pause)
                pause = min(pause * 1.5, 2.0)

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until stopped; a round in progress is always finished."""
        async with grpc.aio.insecure_channel(self.address) as channel:
            self.stub = gpb_grpc.CommandCenterServiceStub(channel)
            while not stop.is_set():
                try:
                    await self.round()
                except GaveUp as gave_up:
                    self.tally.errors.append(f"operator {self.index}: {gave_up}")
                self.tally.rounds += 1

    async def round(self) -> None:
        """One incident from report to closed (or cancelled), its units back AVAILABLE."""
        stub = self.stub
        assert stub is not None
        report = gpb.ReportIncidentRequest(request_id=self.rid("report"), incident=incident_for(self.rng, self.parks), accept_recommendation=True)
        reported = (await self.call("report", stub.ReportIncident, report)).incident
        name = reported.name
        if not reported.demands:  # the casebase was down while reporting: the operator states the needs
            self.tally.retries["report:no-recommendation"] += 1
            demands = gpb.SetDemandsRequest(
                request_id=self.rid("demands"), incident=name, version=reported.version, demands=FALLBACK_DEMANDS, note="casebase unreachable"
            )
            await self.call("demands", stub.SetDemands, demands)
        committed = False
        try:
            committed = await self.commit(name)
            if committed:
                await self.call(
                    "on-scene",
                    stub.UpdateUnitStatus,
                    gpb.UpdateUnitStatusRequest(request_id=self.rid("on-scene"), incident=name, state=rpb.Unit.STATE_ON_SCENE),
                )
                await self.call(
                    "contain", stub.ContainIncident, gpb.ContainIncidentRequest(request_id=self.rid("contain"), incident=name, note="contained under chaos")
                )
                close = gpb.CloseIncidentRequest(request_id=self.rid("close"), incident=name, outcome_summary="closed by the chaos run", units_available=True)
                try:
                    await self.call("close", stub.CloseIncident, close)
                except GaveUp as gave_up:
                    # A retry after a failure past the incident's own close is refused although the close happened.
                    if gave_up.error.code() is not grpc.StatusCode.FAILED_PRECONDITION or "it is CLOSED" not in (gave_up.error.details() or ""):
                        raise
                    self.tally.close_retries_refused += 1
                    self.tally.errors.append(f"operator {self.index}: {gave_up}")
                self.tally.closed += 1
        finally:
            if not committed:
                await self.cancel(name)
            home = gpb.UpdateUnitStatusRequest(request_id=self.rid("home"), incident=name, state=rpb.Unit.STATE_AVAILABLE, reason="back at the depot")
            try:
                await self.call("home", stub.UpdateUnitStatus, home)
            except GaveUp as gave_up:
                if gave_up.error.code() is not grpc.StatusCode.FAILED_PRECONDITION:
                    raise

    async def cancel(self, name: str) -> None:
        """Cancel an incident nothing was committed to (or whose commit failed)."""
        assert self.stub is not None
        request = gpb.CancelIncidentRequest(request_id=self.rid("cancel"), incident=name, reason="chaos round: nothing committed")
        try:
            await self.call("cancel", self.stub.CancelIncident, request)
            self.tally.cancelled += 1
        except GaveUp as gave_up:
            if gave_up.error.code() is not grpc.StatusCode.FAILED_PRECONDITION:
                raise

    async def commit(self, name: str) -> bool:
        """Propose and commit, re-proposing when the plan went stale; True once units are committed."""
        stub = self.stub
        assert stub is not None
        for _ in range(4):
            options = dpb.PlanOptions(time_limit_s=0.5, workers=1)
            proposal = (await self.call("propose", stub.ProposePlan, gpb.ProposePlanRequest(incidents=[name], options=options))).proposal
            self.tally.in_commit += 1
            try:
                reply = await self.call("commit", stub.CommitPlan, gpb.CommitPlanRequest(request_id=self.rid("commit"), proposal=proposal.name))
            except GaveUp as gave_up:
                code = gave_up.error.code()
                if code in (grpc.StatusCode.ABORTED, grpc.StatusCode.FAILED_PRECONDITION) and "NOTHING_TO_COMMIT" not in (gave_up.error.details() or ""):
                    self.tally.retries[f"commit:{code.name}"] += 1
                    continue  # stale plan or lost reservation: plan again
                if code is grpc.StatusCode.FAILED_PRECONDITION:
                    return False
                raise
            finally:
                self.tally.in_commit -= 1
            if name not in {i.name for i in reply.incidents}:
                return False
            units = {a.unit_id for a in reply.committed.optimized.plan.assignments if a.incident_id == name}
            self.tally.committed_units.setdefault(name, set()).update(units)
            self.tally.committed += 1
            return True
        return False
