"""The commit saga: reserve all of a plan, re-plan if it went stale, confirm, move the incidents; compensate on failure.

Every step is written to the gateway database before and after its backend call, and every backend request id is
derived from the gateway request id, the generation, the attempt and the step, so a retry (or a restarted process)
replays steps instead of repeating them. Until a reservation is confirmed, any failure releases what is held (if the
process died, recovery replays every reserve call under its recorded request id and releases what it finds). Once a
reservation is confirmed, units are on their way: the saga only rolls forward, and a restarted gateway finishes it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf import json_format
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from gateway import store
from gateway.backends import call
from gateway.compensation import SagaBase
from gateway.names import derive_id
from gateway.outcome import Sent, outcome
from gateway.planning import IncidentHolds, holds_from_plan
from gateway.saga_records import (
    COMPENSATED,
    CONFIRMED,
    DONE,
    FORWARD_ONLY,
    HELD,
    LOST,
    RUNNING,
    TRANSIENT,
    AlreadyCommitted,
    Held,
    StalePlan,
    dump_held,
    encode,
    held_list,
)
from services.common.db import run_in_thread, session_scope
from services.common.errors import ServiceError, aborted, failed_precondition, unavailable
from services.common.idempotency import reused_id_error
from services.common.outbox import utcnow

log = logging.getLogger(__name__)


class CommitSaga(SagaBase):
    """Runs, resumes and compensates commits of proposals."""

    # ---- entry points -------------------------------------------------------------------------------------------

    async def existing(self, *, request_id: str, method: str, fingerprint: str) -> store.SagaRow | None:
        """The saga of a request id, refusing a reused id with other content."""

        def read() -> store.SagaRow | None:
            with Session(self._engine) as session:
                return store.get_saga(session=session, request_id=request_id)

        saga = await run_in_thread(read)
        if saga is not None and (saga.method != method or saga.fingerprint != fingerprint):
            error = reused_id_error(request_id)
            error.reason = "REQUEST_ID_REUSED"
            raise error
        return saga

    async def commit(self, *, request_id: str, method: str, fingerprint: str, proposal_id: str, max_replans: int, subject: str) -> gpb.CommitPlanResponse:
        """Commit a proposal, or return the first answer of an earlier try with the same request id."""
        async with self._turn(request_id):
            try:
                saga = await self._begin(request_id, method, fingerprint, proposal_id, max_replans, subject)
                if saga.state == DONE:
                    return gpb.CommitPlanResponse.FromString(saga.response)
                if saga.step in FORWARD_ONLY:
                    return await self._forward(saga)
                if saga.step != "STARTED":  # left half-way before any confirm by a previous process: start over cleanly
                    saga = await self._compensate(saga, "resumed after an interruption before confirm")
                    saga = await self._begin(request_id, method, fingerprint, proposal_id, max_replans, subject)
            except AlreadyCommitted as done:  # another request committed this proposal: its answer, nothing more sent
                return done.answer()
            return await self._run(saga)

    async def recover(self) -> list[str]:
        """Finish or compensate every saga a previous process left running; return what was done."""

        def read() -> list[store.SagaRow]:
            with Session(self._engine) as session:
                return store.open_sagas(session=session)

        outcomes = []
        for found in await run_in_thread(read):
            async with self._turn(found.request_id):
                saga = await self._reload(found)
                if saga.state != RUNNING:
                    continue  # a retry of the request got there first
                try:
                    if saga.step in FORWARD_ONLY:
                        await self._forward(saga)
                        outcomes.append(f"{saga.request_id}: finished")
                    else:
                        await self._compensate(saga, "the gateway restarted before the reservation was confirmed")
                        outcomes.append(f"{saga.request_id}: compensated")
                except ServiceError as error:
                    log.warning("recovery of saga %s left it for later: %s", saga.request_id, error)
                    outcomes.append(f"{saga.request_id}: pending ({error.reason})")
        return outcomes

    @asynccontextmanager
    async def _turn(self, request_id: str) -> AsyncIterator[None]:
        """One try of a request id at a time in this process (the lock is dropped when nobody waits for it)."""
        lock, users = self._locks.get(request_id, (asyncio.Lock(), 0))
        self._locks[request_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[request_id]
            if users <= 1:
                del self._locks[request_id]
            else:
                self._locks[request_id] = (lock, users - 1)

    async def _begin(self, request_id: str, method: str, fingerprint: str, proposal_id: str, max_replans: int, subject: str) -> store.SagaRow:
        """Create the saga, or load it; a compensated saga starts a new generation."""

        def write() -> store.SagaRow:
            with session_scope(self._engine) as session:
                saga = store.get_saga(session=session, request_id=request_id)
                if saga is None or saga.state == COMPENSATED:
                    owner = store.claim_proposal(session=session, proposal_id=saga.first_proposal_id if saga else proposal_id, request_id=request_id)
                    if owner is not None:
                        raise AlreadyCommitted(owner)
                if saga is None:
                    proposal = store.get_proposal(session=session, proposal_id=proposal_id)
                    saga = store.SagaRow(
                        request_id=request_id,
                        method=method,
                        fingerprint=fingerprint,
                        proposal_id=proposal_id,
                        first_proposal_id=proposal_id,
                        exercise_id=proposal.exercise_id,
                        max_replans=max_replans,
                        subject=subject,
                    )
                    session.add(saga)
                    session.flush()
                    store.add_step(session=session, saga=saga, step="STARTED", status="done", detail={"proposal": proposal_id})
                elif saga.method != method or saga.fingerprint != fingerprint:
                    error = reused_id_error(request_id)
                    error.reason = "REQUEST_ID_REUSED"
                    raise error
                elif saga.state == COMPENSATED:
                    saga.generation += 1
                    saga.attempt = 0
                    saga.state, saga.step, saga.error = RUNNING, "STARTED", ""
                    saga.reservations = "[]"
                    saga.updated_at = utcnow()
                    session.add(saga)
                    store.add_step(session=session, saga=saga, step="STARTED", status="done", detail={"proposal": saga.proposal_id, "retry": True})
                return saga

        try:
            return await run_in_thread(write)
        except IntegrityError:  # another request claimed the proposal in the same instant: its claim now answers
            return await run_in_thread(write)

    # ---- forward path ---------------------------------------------------------------------------------------------

    async def _run(self, saga: store.SagaRow) -> gpb.CommitPlanResponse:
        """Reserve (re-planning while stale), confirm, then roll forward."""
        saga = await self._reserve_fresh(saga)
        self._fault("reserved")
        return await self._forward(saga)

    async def _reserve_fresh(self, saga: store.SagaRow) -> store.SagaRow:
        """Reserve the proposal; if it went stale, re-plan on fresh data (at most max_replans times) and reserve again.

        The first try is optimistic; re-plans go through the joint re-planner, which plans the stale commits of a
        namespace together and lets the next batch plan only after this one has reserved.
        """
        try:
            return await self._reserve_proposal(saga)
        except StalePlan as stale:
            last = stale
        while True:
            if saga.attempt >= saga.max_replans:
                await self._record(saga, "REPLAN", "failed", {"reason": last.error.reason}, state=COMPENSATED, error=last.error.message)
                raise aborted(
                    "PLAN_STALE",
                    f"availability kept changing: the plan was re-made {saga.attempt} time(s) and its reservation was still refused ({last.error.message[:300]})",
                    {"replans": str(saga.attempt), "max_replans": str(saga.max_replans), "conflicts": last.error.metadata.get("conflicts", "")},
                ) from last
            stale_row = await self._planner.get(saga.proposal_id)
            options = dpb.OptimizePlanRequest.FromString(stale_row.request).options
            # A re-plan races the same changes that made the first plan stale: keep it short.
            options.time_limit_s = min(options.time_limit_s or self._config.replan_time_limit_s, self._config.replan_time_limit_s)
            attempt = saga.attempt + 1
            await self._record(saga, "REPLAN", "begin", {"stale_proposal": stale_row.proposal_id, "attempt": attempt})
            kept = (await self._planner.message(stale_row.proposal_id)).overrides
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
                    return await self._reserve_proposal(saga)
            except StalePlan as stale:
                last = stale
            except ServiceError as error:
                if (await self._reload(saga)).state == RUNNING:
                    await self._record(saga, "REPLAN", "failed", {"code": error.code.name, "reason": error.reason}, state=COMPENSATED, error=error.message)
                raise

    async def _reserve_proposal(self, saga: store.SagaRow) -> store.SagaRow:
        """Reserve the saga's current proposal, or raise StalePlan (holding nothing) if availability moved on."""
        proposal = await self._planner.get(saga.proposal_id)
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

    async def _reserve_all(self, saga: store.SagaRow, holds: list[IncidentHolds]) -> store.SagaRow:
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
                ttl_seconds=self._config.reservation_ttl_s,
            )
            await self._record(saga, "RESERVE", "begin", {"incident": hold.incident, "request_id": request.request_id, "request": encode(request)})
            try:
                reply = await call(self._backends.resources.ReserveResources, request)
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

    async def _forward(self, saga: store.SagaRow) -> gpb.CommitPlanResponse:
        """Confirm what is held, move the incidents along, and finish; from here on the saga never releases units."""
        saga = await self._confirm_all(saga)
        self._fault("confirmed")
        confirmed = [h for h in held_list(saga) if h.state == CONFIRMED]
        if not confirmed:
            await self._record(saga, "CONFIRMED", "failed", {"reason": "nothing confirmed"}, state=COMPENSATED, error="no reservation could be confirmed")
            raise aborted("RESERVATION_LOST", "the reservations expired before they could be confirmed; retry the request to plan again")
        saga = await self._record(saga, "TRANSITIONING", "begin", {}, step="TRANSITIONING")
        incidents: list[ipb.Incident] = []
        for item in confirmed:
            incident = await self._advance(saga, item, [h.reservation for h in confirmed if h.incident == item.incident])
            if incident is not None:
                incidents.append(incident)
        if not incidents:
            await self._record(
                saga, "TRANSITIONED", "failed", {"reason": "INCIDENTS_CLOSED"}, state=COMPENSATED, error="every incident was closed or cancelled"
            )
            raise failed_precondition(
                "INCIDENTS_CLOSED",
                "every incident of the plan was closed or cancelled meanwhile; the units sent were turned back",
                {"reservations": ",".join(h.reservation for h in confirmed)},
            )
        saga = await self._record(saga, "TRANSITIONED", "done", {"incidents": [i.name for i in incidents]}, step="TRANSITIONED")
        self._fault("transitioned")
        return await self._finish(saga, incidents)

    async def _confirm_all(self, saga: store.SagaRow) -> store.SagaRow:
        """Confirm every held reservation; one that expired meanwhile is marked lost."""
        held = held_list(saga)
        saga = await self._record(saga, "CONFIRMING", "begin", {"reservations": [h.reservation for h in held if h.state == HELD]}, step="CONFIRMING")
        for item in held:
            if item.state != HELD:
                continue
            request = rpb.ConfirmReservationRequest(request_id=self._rid(saga, "confirm", item.reservation), name=item.reservation)
            await self._record(saga, "CONFIRM", "begin", {"reservation": item.reservation, "request_id": request.request_id})
            try:
                await call(self._backends.resources.ConfirmReservation, request)
                item.state = CONFIRMED
            except ServiceError as error:
                if error.code in TRANSIENT:
                    await self._record(saga, "CONFIRM", "failed", {"reservation": item.reservation, "code": error.code.name})
                    raise unavailable(
                        "COMMIT_PENDING", f"confirming {item.reservation} failed ({error.message}); retry the same request_id to finish the commit"
                    ) from error
                item.state = LOST
            saga = await self._record(saga, "CONFIRM", "done", {"reservation": item.reservation, "state": item.state}, reservations=dump_held(held))
        return await self._record(saga, "CONFIRMED", "done", {}, step="CONFIRMED")

    async def _advance(self, saga: store.SagaRow, item: Held, reservations: list[str]) -> ipb.Incident | None:
        """Move one incident to RESPONDING (verify, begin dispatch, mark responding) with notes naming its reservations."""
        names = ", ".join(reservations)
        notes = {
            "verify": f"verified on dispatch commit {saga.request_id}",
            "begin": f"dispatching: {names} reserved (proposals/{saga.proposal_id})",
            "responding": f"responding: {names} confirmed, units en route (proposals/{saga.proposal_id})",
        }
        stub = self._backends.incident
        incident = (await call(stub.GetIncident, ipb.GetIncidentRequest(name=item.incident))).incident
        for _ in range(3 + self._config.transition_attempts):  # three steps, and re-reads when the incident changed under us
            state = incident.state
            if state in (ipb.Incident.STATE_RESPONDING, ipb.Incident.STATE_CONTAINED):
                return incident
            if state in (ipb.Incident.STATE_CLOSED, ipb.Incident.STATE_CANCELLED):
                await self._recall(saga, item, f"{item.incident} is {ipb.Incident.State.Name(state)}")
                return None
            step, method, request_type = {
                ipb.Incident.STATE_REPORTED: ("verify", stub.VerifyIncident, ipb.VerifyIncidentRequest),
                ipb.Incident.STATE_VERIFIED: ("begin", stub.BeginDispatch, ipb.BeginDispatchRequest),
                ipb.Incident.STATE_DISPATCHING: ("responding", stub.MarkResponding, ipb.MarkRespondingRequest),
            }[state]
            request = request_type(
                request_id=self._rid(saga, step, item.incident, incident.version), name=item.incident, version=incident.version, note=notes[step]
            )
            try:
                incident = (await call(method, request)).incident
            except ServiceError as error:
                if error.code is grpc.StatusCode.ABORTED or error.code is grpc.StatusCode.FAILED_PRECONDITION:
                    incident = (await call(stub.GetIncident, ipb.GetIncidentRequest(name=item.incident))).incident
                    continue  # the incident changed under us: go on from what it is now
                if error.code in TRANSIENT:
                    raise unavailable(
                        "COMMIT_PENDING", f"units are confirmed but {item.incident} could not be updated ({error.message}); retry the same request_id to finish"
                    ) from error
                raise
        raise unavailable("COMMIT_PENDING", f"{item.incident} kept changing while it was being moved to RESPONDING; retry the same request_id to finish")

    async def _finish(self, saga: store.SagaRow, incidents: list[ipb.Incident]) -> gpb.CommitPlanResponse:
        """Store the committed plans, the answer and the event in one transaction."""
        proposal = await self._planner.get(saga.proposal_id)
        optimized = dpb.OptimizePlanResponse.FromString(proposal.optimized)
        first = (
            optimized.plan
            if saga.first_proposal_id == proposal.proposal_id
            else dpb.OptimizePlanResponse.FromString((await self._planner.get(saga.first_proposal_id)).optimized).plan
        )
        confirmed = [h for h in held_list(saga) if h.state == CONFIRMED]
        committed = {i.name for i in incidents}
        sent = outcome(first, optimized.plan, [Sent(h.incident, h.units) for h in confirmed], committed, final_proposal=f"proposals/{proposal.proposal_id}")
        response = gpb.CommitPlanResponse(
            committed=await self._planner.message(proposal.proposal_id),
            reservations=[h.reservation for h in confirmed],
            replans=saga.replans,
            incidents=incidents,
            outcome=gpb.CommitPlanResponse.OUTCOME_COMMITTED,
            commit_request_id=saga.request_id,
            dispatched_units=sent.units,
            dispatched_shipments=sent.shipments,
            not_dispatched=sent.not_dispatched,
        )

        def write() -> store.SagaRow:
            with session_scope(self._engine) as session:
                row = store.get_saga(session=session, request_id=saga.request_id)
                assert row is not None
                for item in confirmed:
                    if item.incident not in committed:
                        continue
                    part = sent.plans.get(item.incident, dpb.Plan())
                    session.add(
                        store.CommitRow(
                            request_id=saga.request_id,
                            generation=saga.generation,
                            exercise_id=saga.exercise_id,
                            incident=item.incident,
                            reservation=item.reservation,
                            proposal_id=proposal.proposal_id,
                            plan=json_format.MessageToJson(part, preserving_proto_field_name=True, indent=None),
                        )
                    )
                row.state, row.step, row.response, row.updated_at = DONE, "TRANSITIONED", response.SerializeToString(), utcnow()
                session.add(row)
                store.add_step(session=session, saga=row, step="DONE", status="done", detail={"reservations": list(response.reservations)})
                store.emit(
                    session,
                    "plan.committed",
                    f"proposals/{proposal.proposal_id}",
                    exercise_id=saga.exercise_id,
                    payload={
                        "request_id": saga.request_id,
                        "incidents": sorted(committed),
                        "reservations": list(response.reservations),
                        "replans": saga.replans,
                    },
                )
                return row

        await run_in_thread(write)
        self._on_commit()
        return response
