"""CommandCenterService: request checks, who may call what, rate limits, and proto mapping; the work lives in its modules."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway import monitoring
from gateway.access import Method, authorize
from gateway.backends import Backends, call
from gateway.config import GatewayConfig
from gateway.drills import DrillRunner
from gateway.events import EventWatcher
from gateway.lifecycle_api import LifecycleApi
from gateway.names import ID_PATTERN, derive_id, derive_request_id, parse
from gateway.overrides import request_violations
from gateway.proposals import Planner
from gateway.ratelimit import RateLimiter
from gateway.reporting import Reporter
from gateway.saga import CommitSaga
from gateway.situation import Situation
from services.common.auth import Principal, Role, require_authenticated
from services.common.errors import FieldViolation, invalid_argument
from services.common.idempotency import request_fingerprint, request_id_violations

MAX_REPLANS = 10
# The most incidents one plan may name: a command centre's busiest day, and one batched read of the incident service.
MAX_PLAN_INCIDENTS = 200


def _raise_if(violations: list[FieldViolation]) -> None:
    """INVALID_ARGUMENT if anything is wrong."""
    if violations:
        raise invalid_argument(violations)


def _exercise_violations(exercise_id: str, field: str = "exercise_id") -> list[FieldViolation]:
    """An exercise id, when given, is a namespace id."""
    if exercise_id and not ID_PATTERN.match(exercise_id):
        return [FieldViolation(field, "must be an exercise id: lowercase letters, digits and hyphens, 3 to 63 characters")]
    return []


def _incident_violations(names: list[str], field: str = "incidents") -> list[FieldViolation]:
    """At most MAX_PLAN_INCIDENTS names, each incidents/{incident}, none twice."""
    if len(names) > MAX_PLAN_INCIDENTS:
        return [FieldViolation(field, f"at most {MAX_PLAN_INCIDENTS} incidents in one plan (got {len(names)}); leave it empty for every open incident")]
    found = []
    for index, name in enumerate(names):
        prefix, _, ident = name.partition("/")
        if prefix != "incidents" or not ID_PATTERN.match(ident):
            found.append(FieldViolation(f"{field}[{index}]", "must be incidents/{incident}"))
        elif names.index(name) != index:
            found.append(FieldViolation(f"{field}[{index}]", f"{name} is named twice"))
    return found


def _replan_violations(value: int, field: str = "max_replans") -> list[FieldViolation]:
    """0 for the default, else 1 to 10."""
    if value < 0 or value > MAX_REPLANS:
        return [FieldViolation(field, f"must be between 0 (for the default) and {MAX_REPLANS}")]
    return []


class CommandCenterServicer(gpb_grpc.CommandCenterServiceServicer):
    """The public API of the suite: consoles call only this."""

    def __init__(
        self,
        *,
        backends: Backends,
        reporter: Reporter,
        planner: Planner,
        saga: CommitSaga,
        situation: Situation,
        watcher: EventWatcher,
        drills: DrillRunner,
        limiter: RateLimiter,
        config: GatewayConfig,
        lifecycle: LifecycleApi,
    ) -> None:
        self._backends = backends
        self._reporter = reporter
        self._planner = planner
        self._saga = saga
        self._situation = situation
        self._watcher = watcher
        self._drills = drills
        self._limiter = limiter
        self._config = config
        self._lifecycle = lifecycle

    async def _admit(self) -> Principal:
        """An authenticated caller within its rate limit."""
        principal = require_authenticated()
        await self._limiter.check(principal)
        return principal

    async def ReportIncident(self, request: gpb.ReportIncidentRequest, context: grpc.aio.ServicerContext) -> gpb.ReportIncidentResponse:
        """Create the incident with similar cases and recommended demands."""
        await self._admit()
        violations = request_id_violations(request.request_id)
        if not request.HasField("incident"):
            violations.append(FieldViolation("incident", "required"))
        _raise_if(violations + _exercise_violations(request.incident.exercise_id, "incident.exercise_id"))
        authorize(Method.REPORT_INCIDENT, exercise_id=request.incident.exercise_id, park_id=request.incident.park_id)
        return await self._reporter.report(request)

    async def SetDemands(self, request: gpb.SetDemandsRequest, context: grpc.aio.ServicerContext) -> gpb.SetDemandsResponse:
        """Accept or edit an incident's demands."""
        await self._admit()
        violations = request_id_violations(request.request_id)
        prefix, _, ident = request.incident.partition("/")
        if prefix != "incidents" or not ID_PATTERN.match(ident):
            violations.append(FieldViolation("incident", "must be incidents/{incident}"))
        if request.version <= 0:
            violations.append(FieldViolation("version", "required: the version the change was based on (>= 1)"))
        _raise_if(violations)
        incident = await self._reporter.get(request.incident)
        authorize(Method.SET_DEMANDS, exercise_id=incident.exercise_id, park_id=incident.park_id)
        return await self._reporter.set_demands(request)

    async def ProposePlan(self, request: gpb.ProposePlanRequest, context: grpc.aio.ServicerContext) -> gpb.ProposePlanResponse:
        """Plan for the incidents (or every one awaiting dispatch) beside the greedy plan's score."""
        principal = await self._admit()
        violations = _incident_violations(list(request.incidents)) + _exercise_violations(request.exercise_id)
        _raise_if(violations + request_violations(request.overrides, list(request.incidents)))
        authorize(Method.PROPOSE_PLAN, exercise_id=request.exercise_id)
        row = await self._planner.propose(
            incident_names=list(request.incidents),
            exercise_id=request.exercise_id,
            options=request.options if request.HasField("options") else None,
            created_by=principal.subject,
            overrides=request.overrides if request.HasField("overrides") else None,
        )
        return gpb.ProposePlanResponse(proposal=await self._planner.message(row.proposal_id))

    async def CommitPlan(self, request: gpb.CommitPlanRequest, context: grpc.aio.ServicerContext) -> gpb.CommitPlanResponse:
        """Reserve, re-plan if stale, confirm and move the incidents to RESPONDING; a retry returns the first answer."""
        principal = await self._admit()
        violations = request_id_violations(request.request_id) + _replan_violations(request.max_replans)
        prefix, _, ident = request.proposal.partition("/")
        if prefix != "proposals" or not ident:
            violations.append(FieldViolation("proposal", "must be proposals/{proposal}"))
        _raise_if(violations)
        proposal = await self._planner.get(ident)
        authorize(Method.COMMIT_PLAN, exercise_id=proposal.exercise_id)
        return await self._saga.commit(
            request_id=request.request_id,
            method="CommitPlan",
            fingerprint=request_fingerprint("CommitPlan", request),
            proposal_id=ident,
            max_replans=request.max_replans or self._config.default_max_replans,
            subject=principal.subject,
        )

    async def AutoDispatch(self, request: gpb.AutoDispatchRequest, context: grpc.aio.ServicerContext) -> gpb.AutoDispatchResponse:
        """Propose and commit in one call."""
        principal = await self._admit()
        violations = request_id_violations(request.request_id) + _replan_violations(request.max_replans)
        _raise_if(violations + _incident_violations(list(request.incidents)) + _exercise_violations(request.exercise_id))
        authorize(Method.AUTO_DISPATCH, exercise_id=request.exercise_id)
        fingerprint = request_fingerprint("AutoDispatch", request)
        existing = await self._saga.existing(request_id=request.request_id, method="AutoDispatch", fingerprint=fingerprint)
        if existing is not None:
            proposal_id = existing.first_proposal_id
        else:
            row = await self._planner.propose(
                incident_names=list(request.incidents),
                exercise_id=request.exercise_id,
                options=request.options if request.HasField("options") else None,
                created_by=principal.subject,
                origin="AUTO",
                proposal_id=derive_id("auto", request.request_id),
            )
            proposal_id = row.proposal_id
        commit = await self._saga.commit(
            request_id=request.request_id,
            method="AutoDispatch",
            fingerprint=fingerprint,
            proposal_id=proposal_id,
            max_replans=request.max_replans or self._config.default_max_replans,
            subject=principal.subject,
        )
        return gpb.AutoDispatchResponse(commit=commit)

    async def GetSituation(self, request: gpb.GetSituationRequest, context: grpc.aio.ServicerContext) -> gpb.GetSituationResponse:
        """Everything a console's screen shows."""
        await self._admit()
        _raise_if(_exercise_violations(request.exercise_id))
        authorize(Method.GET_SITUATION, exercise_id=request.exercise_id)
        return await self._situation.assemble(request.exercise_id)

    async def WatchEvents(self, request: gpb.WatchEventsRequest, context: grpc.aio.ServicerContext) -> AsyncIterator[gpb.WatchEventsResponse]:
        """Stream events in the caller's scope until the caller goes away."""
        principal = await self._admit()
        _raise_if(_exercise_violations(request.exercise_id))
        authorize(Method.WATCH_EVENTS, exercise_id=request.exercise_id)
        async for event in monitoring.measured_stream(self._watcher.watch(request, principal)):
            yield gpb.WatchEventsResponse(event=event)

    async def ImportParkInventory(self, request: gpb.ImportParkInventoryRequest, context: grpc.aio.ServicerContext) -> gpb.ImportParkInventoryResponse:
        """Pass a park's inventory import to the resources service, for the caller's own park."""
        await self._admit()
        inventory = request.inventory
        violations = request_id_violations(inventory.request_id, "inventory.request_id")
        park = parse(inventory.parent, "parks", "inventory.parent") if inventory.parent.startswith("parks/") else ""
        if not park:
            violations.append(FieldViolation("inventory.parent", "must be parks/{park}"))
        _raise_if(violations)
        authorize(Method.IMPORT_PARK_INVENTORY, park_id=park)
        forwarded = rpb.ImportInventoryRequest()
        forwarded.CopyFrom(inventory)
        forwarded.request_id = derive_request_id(inventory.request_id, "import")
        result = await call(self._backends.resources.ImportInventory, forwarded)
        return gpb.ImportParkInventoryResponse(result=result)

    async def StartDrill(self, request: gpb.StartDrillRequest, context: grpc.aio.ServicerContext) -> gpb.StartDrillResponse:
        """Start a drill in a new exercise namespace."""
        principal = await self._admit()
        authorize(Method.START_DRILL)
        return gpb.StartDrillResponse(drill=await self._drills.start(request, principal))

    async def GetDrill(self, request: gpb.GetDrillRequest, context: grpc.aio.ServicerContext) -> gpb.GetDrillResponse:
        """A drill's progress (only released injects; an unannounced drill's script stays hidden from operators)."""
        principal = await self._admit()
        drill_id = parse(request.name, "drills", "name")
        authorize(Method.GET_DRILL)
        return gpb.GetDrillResponse(drill=await self._drills.get(drill_id, show_script=principal.role is Role.DRILL_DIRECTOR))

    async def GetDrillReport(self, request: gpb.GetDrillReportRequest, context: grpc.aio.ServicerContext) -> gpb.GetDrillReportResponse:
        """A finished drill's after-action report and the hindsight plan."""
        await self._admit()
        drill_id = parse(request.name, "drills", "name")
        authorize(Method.GET_DRILL_REPORT)
        return await self._drills.report(drill_id)

    async def ListIncidents(self, request: gpb.ListIncidentsRequest, context: grpc.aio.ServicerContext) -> gpb.ListIncidentsResponse:
        """A page of incidents with their committed units and unmet lines."""
        await self._admit()
        return await self._lifecycle.list_incidents(request)

    async def GetIncident(self, request: gpb.GetIncidentRequest, context: grpc.aio.ServicerContext) -> gpb.GetIncidentResponse:
        """One incident with its units, supplies, reservations and unmet lines."""
        await self._admit()
        return await self._lifecycle.get_incident(request)

    async def ListIncidentTimeline(self, request: gpb.ListIncidentTimelineRequest, context: grpc.aio.ServicerContext) -> gpb.ListIncidentTimelineResponse:
        """An incident's timeline merged with what happened to its units and holds."""
        await self._admit()
        return await self._lifecycle.timeline(request)

    async def VerifyIncident(self, request: gpb.VerifyIncidentRequest, context: grpc.aio.ServicerContext) -> gpb.VerifyIncidentResponse:
        """Confirm a reported incident."""
        await self._admit()
        return await self._lifecycle.verify(request)

    async def ChangeSeverity(self, request: gpb.ChangeSeverityRequest, context: grpc.aio.ServicerContext) -> gpb.ChangeSeverityResponse:
        """Change an incident's response level with a reason."""
        await self._admit()
        return await self._lifecycle.change_severity(request)

    async def CancelIncident(self, request: gpb.CancelIncidentRequest, context: grpc.aio.ServicerContext) -> gpb.CancelIncidentResponse:
        """Cancel an incident: holds released, units turned back, the reason recorded."""
        await self._admit()
        return await self._lifecycle.cancel(request)

    async def UpdateUnitStatus(self, request: gpb.UpdateUnitStatusRequest, context: grpc.aio.ServicerContext) -> gpb.UpdateUnitStatusResponse:
        """Move units (named, or every unit of an incident) to their next state."""
        await self._admit()
        return await self._lifecycle.update_units(request)

    async def ContainIncident(self, request: gpb.ContainIncidentRequest, context: grpc.aio.ServicerContext) -> gpb.ContainIncidentResponse:
        """Mark an incident's hazard under control."""
        await self._admit()
        return await self._lifecycle.contain(request)

    async def CloseIncident(self, request: gpb.CloseIncidentRequest, context: grpc.aio.ServicerContext) -> gpb.CloseIncidentResponse:
        """Close a contained incident: units home, holds released, after-action report stored."""
        await self._admit()
        return await self._lifecycle.close(request)

    async def ListScenarios(self, request: gpb.ListScenariosRequest, context: grpc.aio.ServicerContext) -> gpb.ListScenariosResponse:
        """A page of drill scenarios."""
        await self._admit()
        return await self._lifecycle.scenarios(request)

    async def ListDrills(self, request: gpb.ListDrillsRequest, context: grpc.aio.ServicerContext) -> gpb.ListDrillsResponse:
        """A page of drills."""
        await self._admit()
        return await self._lifecycle.drills(request)

    async def GetParkInventory(self, request: gpb.GetParkInventoryRequest, context: grpc.aio.ServicerContext) -> gpb.GetParkInventoryResponse:
        """A park's depots, units and stock."""
        await self._admit()
        return await self._lifecycle.park_inventory(request)

    async def AdjustStock(self, request: gpb.AdjustStockRequest, context: grpc.aio.ServicerContext) -> gpb.AdjustStockResponse:
        """Book a stock receipt, correction or loss."""
        await self._admit()
        return await self._lifecycle.adjust_stock(request)
