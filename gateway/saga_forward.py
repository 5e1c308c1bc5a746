"""The saga from RESERVED to DONE: confirm what is held, move the incidents to RESPONDING, store the commit. Never backwards."""

from __future__ import annotations

import grpc
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway import store_sagas
from gateway.backends import call
from gateway.compensation import Compensation
from gateway.mapping import plan_json
from gateway.outcome import Sent, outcome
from gateway.saga_records import COMPENSATED, CONFIRMED, HELD, LOST, TRANSIENT, Held, dump_held, held_list
from gateway.tables import CommitRow, SagaRow
from services.common.db import run_in_thread
from services.common.errors import ServiceError, aborted, failed_precondition, unavailable

UNDER_WAY = (ipb.Incident.STATE_RESPONDING, ipb.Incident.STATE_CONTAINED)
ENDED = (ipb.Incident.STATE_CLOSED, ipb.Incident.STATE_CANCELLED)


class Forwarding(Compensation):
    """Confirms, transitions and finishes a reserved saga; from the first confirm on, units are on their way."""

    async def _forward(self, saga: SagaRow) -> gpb.CommitPlanResponse:
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

    async def _confirm_all(self, saga: SagaRow) -> SagaRow:
        """Confirm every held reservation; one that expired meanwhile is marked lost."""
        held = held_list(saga)
        saga = await self._record(saga, "CONFIRMING", "begin", {"reservations": [h.reservation for h in held if h.state == HELD]}, step="CONFIRMING")
        for item in held:
            if item.state != HELD:
                continue
            request = rpb.ConfirmReservationRequest(request_id=self._rid(saga, "confirm", item.reservation), name=item.reservation)
            await self._record(saga, "CONFIRM", "begin", {"reservation": item.reservation, "request_id": request.request_id})
            try:
                await call(self.wiring.backends.resources.ConfirmReservation, request)
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

    async def _advance(self, saga: SagaRow, item: Held, reservations: list[str]) -> ipb.Incident | None:
        """Move one incident to RESPONDING (verify, begin dispatch, mark responding) with notes naming its reservations."""
        names = ", ".join(reservations)
        notes = {
            "verify": f"verified on dispatch commit {saga.request_id}",
            "begin": f"dispatching: {names} reserved (proposals/{saga.proposal_id})",
            "responding": f"responding: {names} confirmed, units en route (proposals/{saga.proposal_id})",
        }
        stub = self.wiring.backends.incident
        incident: ipb.Incident = (await call(stub.GetIncident, ipb.GetIncidentRequest(name=item.incident))).incident
        for _ in range(3 + self.wiring.config.transition_attempts):  # three steps, and re-reads when the incident changed under us
            if incident.state in UNDER_WAY:
                return incident
            if incident.state in ENDED:
                await self._recall(saga, item, f"{item.incident} is {ipb.Incident.State.Name(incident.state)}")
                return None
            step, method, request_type = {
                ipb.Incident.STATE_REPORTED: ("verify", stub.VerifyIncident, ipb.VerifyIncidentRequest),
                ipb.Incident.STATE_VERIFIED: ("begin", stub.BeginDispatch, ipb.BeginDispatchRequest),
                ipb.Incident.STATE_DISPATCHING: ("responding", stub.MarkResponding, ipb.MarkRespondingRequest),
            }[incident.state]
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

    async def _finish(self, saga: SagaRow, incidents: list[ipb.Incident]) -> gpb.CommitPlanResponse:
        """Store the committed plans, the answer and the event in one transaction."""
        proposal = await self.planner.get(saga.proposal_id)
        optimized = dpb.OptimizePlanResponse.FromString(proposal.optimized)
        first = (
            optimized.plan
            if saga.first_proposal_id == proposal.proposal_id
            else dpb.OptimizePlanResponse.FromString((await self.planner.get(saga.first_proposal_id)).optimized).plan
        )
        confirmed = [h for h in held_list(saga) if h.state == CONFIRMED]
        committed = {i.name for i in incidents}
        sent = outcome(first, optimized.plan, [Sent(h.incident, h.units) for h in confirmed], committed, final_proposal=f"proposals/{proposal.proposal_id}")
        response = gpb.CommitPlanResponse(
            committed=await self.planner.message(proposal.proposal_id),
            reservations=[h.reservation for h in confirmed],
            replans=saga.replans,
            incidents=incidents,
            outcome=gpb.CommitPlanResponse.OUTCOME_COMMITTED,
            commit_request_id=saga.request_id,
            dispatched_units=sent.units,
            dispatched_shipments=sent.shipments,
            not_dispatched=sent.not_dispatched,
        )
        commits = [
            CommitRow(
                request_id=saga.request_id,
                generation=saga.generation,
                exercise_id=saga.exercise_id,
                incident=item.incident,
                reservation=item.reservation,
                proposal_id=proposal.proposal_id,
                plan=plan_json(sent.plans.get(item.incident, dpb.Plan())),
            )
            for item in confirmed
            if item.incident in committed
        ]
        reservations = list(response.reservations)
        payload = {"request_id": saga.request_id, "incidents": sorted(committed), "reservations": reservations, "replans": saga.replans}
        await run_in_thread(store_sagas.finished, self.wiring.engine, saga, commits, response.SerializeToString(), reservations, payload)
        self.wiring.on_commit()
        return response
