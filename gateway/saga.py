"""The commit saga: reserve all of a plan, re-plan if it went stale, confirm, move the incidents; compensate on failure.

Every step is written to the gateway database before and after its backend call, and every backend request id is
derived from the gateway request id, the generation, the attempt and the step, so a retry (or a restarted process)
replays steps instead of repeating them. Until a reservation is confirmed, any failure releases what is held (if the
process died, recovery replays every reserve call under its recorded request id and releases what it finds). Once a
reservation is confirmed, units are on their way: the saga only rolls forward, and a restarted gateway finishes it.

The states, in order: STARTED, RESERVING, RESERVED (`saga_reserve`), CONFIRMING, CONFIRMED, TRANSITIONING, TRANSITIONED,
DONE (`saga_forward`); COMPENSATED from any state before CONFIRMING (`compensation`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb

from gateway import store_sagas
from gateway.names import derive_id
from gateway.saga_forward import Forwarding
from gateway.saga_records import DONE, FORWARD_ONLY, RUNNING, AlreadyCommitted, SagaBusy
from gateway.saga_reserve import Reserving
from gateway.tables import SagaRow
from services.common.db import run_in_thread
from services.common.errors import ServiceError, unavailable
from services.common.idempotency import reused_id_error

log = logging.getLogger(__name__)

BUSY_POLL_S = 0.2


class CommitSaga(Reserving, Forwarding):
    """Runs, resumes and compensates commits of proposals."""

    async def commit(self, *, request_id: str, method: str, fingerprint: str, proposal_id: str, max_replans: int, subject: str) -> gpb.CommitPlanResponse:
        """Commit a proposal, or return the first answer of an earlier try with the same request id."""
        start = store_sagas.SagaStart(request_id, method, fingerprint, proposal_id, max_replans, subject)
        async with self._turn(request_id), self._renewing(request_id):
            try:
                saga = await self._begin(start)
                if saga.state == DONE:
                    return gpb.CommitPlanResponse.FromString(saga.response)
                if saga.step in FORWARD_ONLY:
                    return await self._forward(saga)
                if saga.step != "STARTED":  # left half-way before any confirm by a previous process: start over cleanly
                    saga = await self._compensate(saga, "resumed after an interruption before confirm")
                    saga = await self._begin(start)
            except AlreadyCommitted as done:  # another request committed this proposal: its answer, nothing more sent
                return done.answer()
            saga = await self._reserve_fresh(saga)
            self._fault("reserved")
            return await self._forward(saga)

    async def dispatch(
        self,
        *,
        request_id: str,
        fingerprint: str,
        incident_names: Sequence[str],
        exercise_id: str,
        options: dpb.PlanOptions | None,
        max_replans: int,
        subject: str,
    ) -> gpb.CommitPlanResponse:
        """Propose and commit at once (AutoDispatch); a retry commits the proposal its first try made."""
        existing = await self._existing(request_id=request_id, method="AutoDispatch", fingerprint=fingerprint)
        if existing is not None:
            proposal_id = existing.first_proposal_id
        else:
            row = await self.planner.propose(
                incident_names=incident_names,
                exercise_id=exercise_id,
                options=options,
                created_by=subject,
                origin="AUTO",
                proposal_id=derive_id("auto", request_id),
            )
            proposal_id = row.proposal_id
        return await self.commit(
            request_id=request_id, method="AutoDispatch", fingerprint=fingerprint, proposal_id=proposal_id, max_replans=max_replans, subject=subject
        )

    async def recover(self, *, at_start: bool = False) -> list[str]:
        """Finish or compensate every saga whose replica stopped renewing its lease (at start, this replica's own too); return what was done."""
        outcomes = []
        for found in await run_in_thread(store_sagas.claim_orphans, self.wiring.engine, self.lease, own_too=at_start):
            async with self._turn(found.request_id), self._renewing(found.request_id):
                saga = await self._reload(found)
                if saga.state != RUNNING:
                    continue  # a retry of the request got there first
                try:
                    if saga.step in FORWARD_ONLY:
                        await self._forward(saga)
                        outcomes.append(f"{saga.request_id}: finished")
                    else:
                        await self._compensate(saga, "the gateway stopped before the reservation was confirmed")
                        outcomes.append(f"{saga.request_id}: compensated")
                except ServiceError as error:
                    log.warning("recovery of saga %s left it for later: %s", saga.request_id, error)
                    outcomes.append(f"{saga.request_id}: pending ({error.reason})")
        return outcomes

    async def _existing(self, *, request_id: str, method: str, fingerprint: str) -> SagaRow | None:
        """The saga of a request id, refusing a reused id with other content."""
        saga = await run_in_thread(store_sagas.load, self.wiring.engine, request_id)
        if saga is not None and (saga.method != method or saga.fingerprint != fingerprint):
            raise reused_id_error(request_id)
        return saga

    async def _begin(self, start: store_sagas.SagaStart) -> SagaRow:
        """Create the saga (claiming its proposal), or load it; a compensated saga starts a new generation.

        While another replica runs the same request id, wait for it (up to two leases) rather than run it twice.
        """
        patience = asyncio.get_running_loop().time() + 2 * self.lease.seconds
        while True:
            try:
                return await run_in_thread(store_sagas.begin, self.wiring.engine, self.lease, start)
            except SagaBusy as busy:
                if asyncio.get_running_loop().time() > patience:
                    raise unavailable("COMMIT_IN_PROGRESS", f"request {start.request_id}: {busy}; retry later for its answer") from None
                await asyncio.sleep(BUSY_POLL_S)
