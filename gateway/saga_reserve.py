"""The saga from STARTED to RESERVED: reserve the whole plan, or re-plan on fresh data while it went stale."""

from __future__ import annotations

import json

import grpc
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway import store_sagas
from gateway.backends import call
from gateway.compensation import Compensation
from gateway.names import derive_id
from gateway.planning import IncidentHolds, holds_from_plan
from gateway.saga_records import COMPENSATED, HELD, RESERVED_MEMORY, RUNNING, Held, StalePlan, dump_held, encode
from gateway.tables import ProposalRow, SagaRow
from services.common.db import run_in_thread
from services.common.errors import ServiceError, aborted, failed_precondition


class Reserving(Compensation):
    """Reserves a proposal all or nothing, and re-plans through the joint re-planner when availability moved on."""

    async def _reserve_fresh(self, saga: SagaRow) -> SagaRow:
        """Reserve the proposal; if it went stale, re-plan on fresh data (at most max_replans times) and reserve again.

        The first try is optimistic; re-plans go through the joint re-planner, which plans the stale commits of a
        namespace together and lets the next batch plan only after this one has reserved.
        """
        last: StalePlan | None = None
        try:
            return await self._reserve_proposal(saga)
        except StalePlan as stale:
            last = stale
        while last is not None:
            if saga.attempt >= saga.max_replans:
                await self._record(saga, "REPLAN", "failed", {"reason": last.error.reason}, state=COMPENSATED, error=last.error.message)
                raise aborted(
                    "PLAN_STALE",
                    f"availability kept changing: the plan was re-made {saga.attempt} time(s) and its reservation was still refused ({last.error.message[:300]})",
                    {"replans": str(saga.attempt), "max_replans": str(saga.max_replans), "conflicts": last.error.metadata.get("conflicts", "")},
                ) from last
            saga, last = await self._replan(saga)
        return saga

    async def _replan(self, saga: SagaRow) -> tuple[SagaRow, StalePlan | None]:
        """Re-plan the stale proposal's incidents and reserve the fresh plan: the saga, and why the fresh plan went stale too (if it did)."""
        stale_row = await self.planner.get(saga.proposal_id)
        options = dpb.OptimizePlanRequest.FromString(stale_row.request).options
        # A re-plan races the same changes that made the first plan stale: keep it short.
        options.time_limit_s = min(options.time_limit_s or self.wiring.config.replan_time_limit_s, self.wiring.config.replan_time_limit_s)
        attempt = saga.attempt + 1
        await self._record(saga, "REPLAN", "begin", {"stale_proposal": stale_row.proposal_id, "attempt": attempt})
        kept = (await self.planner.message(stale_row.proposal_id)).overrides
        try:
            async with self._replanner.turn(
                exercise_id=saga.exercise_id,
                incidents=json.loads(stale_row.incidents),
                proposal_id=derive_id("replan", saga.request_id, saga.generation, attempt),
                parent=stale_row.proposal_id,
                created_by=saga.subject,
                options=options,
                overrides=kept if kept.ByteSize() else None,
            ) as fresh:
                saga = await self._record(
                    saga,
                    "REPLAN",
                    "done",
                    {"proposal": fresh.proposal_id},
                    proposal_id=fresh.proposal_id,
                    attempt=attempt,
                    replans=saga.replans + 1,
                    step="STARTED",
                )
                return await self._reserve_proposal(saga), None
        except StalePlan as stale:
            return saga, stale
        except ServiceError as error:
            if (await self._reload(saga)).state == RUNNING:
                await self._record(saga, "REPLAN", "failed", {"code": error.code.name, "reason": error.reason}, state=COMPENSATED, error=error.message)
            raise

    async def _reserve_proposal(self, saga: SagaRow) -> SagaRow:
        """Reserve the saga's current proposal, or raise StalePlan (holding nothing) if availability moved on."""
        proposal = await self.planner.get(saga.proposal_id)
        optimized = dpb.OptimizePlanResponse.FromString(proposal.optimized)
        holds = [h for h in holds_from_plan(optimized.plan, json.loads(proposal.unit_versions)) if not h.empty]
        if not holds:
            await self._record(saga, "RESERVING", "failed", {"reason": "NOTHING_TO_COMMIT"}, state=COMPENSATED, error="the plan sends nothing")
            raise failed_precondition(
                "NOTHING_TO_COMMIT",
                f"proposals/{proposal.proposal_id} sends no unit or supply to any incident",
                {"proposal": f"proposals/{proposal.proposal_id}"},
            )
        if await self._committed_since(saga, proposal):
            await self._record(saga, "RESERVING", "stale", {"reason": "the incidents received another commit"})
            raise StalePlan(aborted("PLAN_STALE", "another commit reached these incidents since the plan was made", {"conflicts": "0"}))
        outdated = self._held_since(saga.exercise_id, holds)
        if outdated:  # this process itself has reserved some of these units since the plan saw them: skip the doomed call
            await self._record(saga, "RESERVING", "stale", {"units": outdated[:50]})
            raise StalePlan(
                aborted(
                    "PLAN_STALE", f"{len(outdated)} planned unit(s) were reserved by another commit since the plan was made", {"conflicts": str(len(outdated))}
                )
            )
        try:
            saga = await self._reserve_all(saga, holds)
            self._note_held(saga.exercise_id, holds)
            return saga
        except StalePlan:
            raise
        except ServiceError as error:
            await self._compensate(saga, f"reservation failed: {error.message}")
            raise

    async def _reserve_all(self, saga: SagaRow, holds: list[IncidentHolds]) -> SagaRow:
        """Reserve per incident, all or nothing: a conflict releases this attempt's reservations and raises StalePlan."""
        held: list[Held] = []
        saga = await self._record(saga, "RESERVING", "begin", {"incidents": [h.incident for h in holds]}, step="RESERVING")
        for hold in holds:
            request = rpb.ReserveResourcesRequest(
                request_id=self._rid(saga, "reserve", saga.attempt, hold.incident),
                incident=hold.incident,
                exercise_id=saga.exercise_id,
                units=list(hold.units),
                stocks=list(hold.stocks),
                ttl_seconds=self.wiring.config.reservation_ttl_s,
            )
            await self._record(saga, "RESERVE", "begin", {"incident": hold.incident, "request_id": request.request_id, "request": encode(request)})
            try:
                reply = await call(self.wiring.backends.resources.ReserveResources, request)
                self._fault("reserve-call")
            except ServiceError as error:
                await self._record(saga, "RESERVE", "failed", {"incident": hold.incident, "code": error.code.name, "reason": error.reason})
                saga = await self._release(saga, held, f"another item of the plan could not be reserved ({error.reason})")
                # A refusal is ABORTED listing every conflict; a very long list can outgrow gRPC's trailer limit and
                # arrive as RESOURCE_EXHAUSTED instead. Either way the all-or-nothing reservation holds nothing.
                if error.code in (grpc.StatusCode.ABORTED, grpc.StatusCode.RESOURCE_EXHAUSTED):
                    raise StalePlan(error) from error
                raise
            held.append(Held(hold.incident, reply.reservation.name, HELD, [u.unit for u in reply.reservation.units]))
            saga = await self._record(saga, "RESERVE", "done", {"incident": hold.incident, "reservation": reply.reservation.name}, reservations=dump_held(held))
        return await self._record(saga, "RESERVED", "done", {"reservations": [h.reservation for h in held]}, step="RESERVED")

    async def _committed_since(self, saga: SagaRow, proposal: ProposalRow) -> bool:
        """Whether another commit sent units or supplies to the proposal's incidents after it was made (it would send them twice)."""
        return await run_in_thread(store_sagas.committed_since, self.wiring.engine, saga, json.loads(proposal.incidents), proposal.created_at)

    def _held_since(self, exercise_id: str, holds: list[IncidentHolds]) -> list[str]:
        """Planned units this process has reserved in the namespace at (or after) the version the plan saw."""
        return [h.unit for hold in holds for h in hold.units if self._reserved_at.get((exercise_id, h.unit), -1) >= h.version]

    def _note_held(self, exercise_id: str, holds: list[IncidentHolds]) -> None:
        """Remember the versions at which this process reserved units (versions count per namespace; oldest forgotten first)."""
        for hold in holds:
            for h in hold.units:
                self._reserved_at.pop((exercise_id, h.unit), None)
                self._reserved_at[(exercise_id, h.unit)] = h.version
        while len(self._reserved_at) > RESERVED_MEMORY:
            self._reserved_at.pop(next(iter(self._reserved_at)))
