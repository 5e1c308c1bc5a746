"""The pipeline's methods: report an incident, set its demands, propose, commit, dispatch at once, the situation and events."""

from __future__ import annotations

from collections.abc import AsyncIterator

from emergency.gateway.v1 import gateway_service_pb2 as gpb

from gateway import monitoring
from gateway.access import Method, authorize
from gateway.names import PROPOSAL
from gateway.servicer_base import ServicerBase
from gateway.validation import auto_dispatch_violations, commit_violations, exercise_violations, propose_violations, report_violations, set_demands_violations
from services.common.errors import raise_if
from services.common.idempotency import request_fingerprint
from services.common.interceptors import Context


class PlanRpcs(ServicerBase):
    """ReportIncident, SetDemands, ProposePlan, CommitPlan, AutoDispatch, GetSituation and WatchEvents."""

    async def ReportIncident(self, request: gpb.ReportIncidentRequest, context: Context) -> gpb.ReportIncidentResponse:
        """Create the incident with similar cases and recommended demands."""
        await self._admit()
        raise_if(report_violations(request))
        authorize(Method.REPORT_INCIDENT, exercise_id=request.incident.exercise_id, park_id=request.incident.park_id)
        return await self.reporter.report(request)

    async def SetDemands(self, request: gpb.SetDemandsRequest, context: Context) -> gpb.SetDemandsResponse:
        """Accept or edit an incident's demands."""
        await self._admit()
        raise_if(set_demands_violations(request))
        incident = await self.reporter.get(request.incident)
        authorize(Method.SET_DEMANDS, exercise_id=incident.exercise_id, park_id=incident.park_id)
        return await self.reporter.set_demands(request)

    async def ProposePlan(self, request: gpb.ProposePlanRequest, context: Context) -> gpb.ProposePlanResponse:
        """Plan for the incidents (or every one awaiting dispatch) beside the greedy plan's score."""
        principal = await self._admit()
        raise_if(propose_violations(request))
        authorize(Method.PROPOSE_PLAN, exercise_id=request.exercise_id)
        row = await self.planner.propose(
            incident_names=list(request.incidents),
            exercise_id=request.exercise_id,
            options=request.options if request.HasField("options") else None,
            created_by=principal.subject,
            overrides=request.overrides if request.HasField("overrides") else None,
        )
        return gpb.ProposePlanResponse(proposal=await self.planner.message(row.proposal_id))

    async def CommitPlan(self, request: gpb.CommitPlanRequest, context: Context) -> gpb.CommitPlanResponse:
        """Reserve, re-plan if stale, confirm and move the incidents to RESPONDING; a retry returns the first answer."""
        principal = await self._admit()
        raise_if(commit_violations(request))
        proposal_id = PROPOSAL.parse_one(request.proposal, "proposal")
        proposal = await self.planner.get(proposal_id)
        authorize(Method.COMMIT_PLAN, exercise_id=proposal.exercise_id)
        return await self.saga.commit(
            request_id=request.request_id,
            method="CommitPlan",
            fingerprint=request_fingerprint("CommitPlan", request),
            proposal_id=proposal_id,
            max_replans=request.max_replans or self.config.default_max_replans,
            subject=principal.subject,
        )

    async def AutoDispatch(self, request: gpb.AutoDispatchRequest, context: Context) -> gpb.AutoDispatchResponse:
        """Propose and commit in one call."""
        principal = await self._admit()
        raise_if(auto_dispatch_violations(request))
        authorize(Method.AUTO_DISPATCH, exercise_id=request.exercise_id)
        commit = await self.saga.dispatch(
            request_id=request.request_id,
            fingerprint=request_fingerprint("AutoDispatch", request),
            incident_names=list(request.incidents),
            exercise_id=request.exercise_id,
            options=request.options if request.HasField("options") else None,
            max_replans=request.max_replans or self.config.default_max_replans,
            subject=principal.subject,
        )
        return gpb.AutoDispatchResponse(commit=commit)

    async def GetSituation(self, request: gpb.GetSituationRequest, context: Context) -> gpb.GetSituationResponse:
        """Everything a console's screen shows."""
        await self._admit()
        raise_if(exercise_violations(request.exercise_id))
        authorize(Method.GET_SITUATION, exercise_id=request.exercise_id)
        return await self.situation.assemble(request.exercise_id)

    async def WatchEvents(self, request: gpb.WatchEventsRequest, context: Context) -> AsyncIterator[gpb.WatchEventsResponse]:
        """Stream events in the caller's scope until the caller goes away."""
        principal = await self._admit()
        raise_if(exercise_violations(request.exercise_id))
        authorize(Method.WATCH_EVENTS, exercise_id=request.exercise_id)
        async for event in monitoring.measured_stream(self.watcher.watch(request, principal)):
            yield gpb.WatchEventsResponse(event=event)
