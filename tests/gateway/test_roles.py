"""Every gateway method against every kind of caller, through the real servers: zero mismatches with the rule."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import grpc
from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from services.common.auth import Role
from tests.conftest import auth
from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, DIRECTOR, OPERATOR, TANK_FIRE, demand, eventually, incident, officer, report, rid
from tests.gateway.scenarios import two_incident_scenario

Metadata = tuple[tuple[str, str], ...]
OK = grpc.StatusCode.OK
DENIED = grpc.StatusCode.PERMISSION_DENIED
NO_AUTH = grpc.StatusCode.UNAUTHENTICATED

CALLERS: dict[str, Metadata] = {
    "operator": OPERATOR,
    "drill_director": DIRECTOR,
    "officer_own_park": officer("xiagang"),
    "officer_other_park": officer("shengang"),
    "viewer": auth(Role.VIEWER),
    "no_token": (),
    "expired_token": auth(Role.OPERATOR, now=time.time() - 7200, ttl_s=60),
    "wrong_signature": auth(Role.OPERATOR, secret="an-attackers-secret-of-enough-length"),
}
# Expected outcome per method for: operator, drill director, own-park officer, other-park officer, viewer.
RULES: dict[str, tuple[grpc.StatusCode, ...]] = {
    "ReportIncident": (OK, DENIED, OK, DENIED, DENIED),
    "ReportIncident(exercise)": (OK, OK, DENIED, DENIED, DENIED),
    "SetDemands": (OK, DENIED, DENIED, DENIED, DENIED),
    "ProposePlan": (OK, DENIED, DENIED, DENIED, DENIED),
    "CommitPlan": (OK, DENIED, DENIED, DENIED, DENIED),
    "AutoDispatch": (OK, DENIED, DENIED, DENIED, DENIED),
    "GetSituation": (OK, OK, OK, OK, OK),
    "WatchEvents": (OK, OK, OK, OK, OK),
    "ImportParkInventory": (OK, DENIED, OK, DENIED, DENIED),
    "StartDrill": (DENIED, OK, DENIED, DENIED, DENIED),
    "GetDrill": (OK, OK, OK, OK, OK),
    "GetDrillReport": (OK, OK, OK, OK, OK),
    "ListIncidents": (OK, OK, OK, OK, OK),
    "GetIncident": (OK, OK, OK, OK, OK),
    "ListIncidentTimeline": (OK, OK, OK, OK, OK),
    "VerifyIncident": (OK, DENIED, DENIED, DENIED, DENIED),
    "ChangeSeverity": (OK, DENIED, DENIED, DENIED, DENIED),
    "CancelIncident": (OK, DENIED, DENIED, DENIED, DENIED),
    "UpdateUnitStatus": (OK, DENIED, DENIED, DENIED, DENIED),
    "UpdateUnitStatus(out-of-service)": (OK, DENIED, OK, DENIED, DENIED),
    "ContainIncident": (OK, DENIED, DENIED, DENIED, DENIED),
    "CloseIncident": (OK, DENIED, DENIED, DENIED, DENIED),
    "ListScenarios": (OK, OK, OK, OK, OK),
    "ListDrills": (OK, OK, OK, OK, OK),
    "GetParkInventory": (OK, OK, OK, OK, OK),
    "AdjustStock": (OK, DENIED, OK, DENIED, DENIED),
}
VARIANTS = {"ReportIncident(exercise)", "UpdateUnitStatus(out-of-service)"}


def expected(method: str, caller: str) -> grpc.StatusCode:
    """The rule for one cell: bad or missing tokens are always UNAUTHENTICATED."""
    if caller in ("no_token", "expired_token", "wrong_signature"):
        return NO_AUTH
    return RULES[method][list(CALLERS).index(caller)]


class Calls:
    """Builds a fresh, valid request per method (prerequisites made by an operator or director), and calls it."""

    def __init__(self, suite: Suite, stub: gpb_grpc.CommandCenterServiceStub, scenario: str, finished_drill: str) -> None:
        self.suite = suite
        self.stub = stub
        self.scenario = scenario
        self.finished_drill = finished_drill
        self.imports = 0
        self.prepared: dict[str, ipb.Incident] = {}

    async def _incident(self) -> gpb.ReportIncidentResponse:
        return await report(self.stub, CHLORINE, accept=False, demands=[demand("COMMAND_VEHICLE", 1)])

    async def _responding(self, method: str, *, contained: bool = False) -> ipb.Incident:
        """One incident per method, dispatched (and contained) by an operator; refusals come before any state check."""
        if method not in self.prepared:
            created = (await report(self.stub, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 1)])).incident
            await self.stub.AutoDispatch(gpb.AutoDispatchRequest(request_id=rid(), incidents=[created.name]), metadata=OPERATOR)
            if contained:
                await self.stub.ContainIncident(gpb.ContainIncidentRequest(request_id=rid(), incident=created.name), metadata=OPERATOR)
            self.prepared[method] = created
        return self.prepared[method]

    async def _own_park(self) -> gpb.GetParkInventoryResponse:
        inventory: gpb.GetParkInventoryResponse = await self.stub.GetParkInventory(gpb.GetParkInventoryRequest(park="parks/xiagang"), metadata=OPERATOR)
        return inventory

    async def _lifecycle(self, method: str, metadata: Metadata) -> None:
        """The incident lifecycle, unit, inventory and library methods."""
        stub = self.stub
        if method in ("VerifyIncident", "ChangeSeverity", "CancelIncident"):
            name = (await self._incident()).incident.name
            if method == "VerifyIncident":
                await stub.VerifyIncident(gpb.VerifyIncidentRequest(request_id=rid(), incident=name), metadata=metadata)
            elif method == "ChangeSeverity":
                await stub.ChangeSeverity(
                    gpb.ChangeSeverityRequest(request_id=rid(), incident=name, severity=common_pb2.SEVERITY_I, reason="cloud spreading"), metadata=metadata
                )
            else:
                await stub.CancelIncident(gpb.CancelIncidentRequest(request_id=rid(), incident=name, reason="duplicate report"), metadata=metadata)
        elif method in ("ListIncidents", "GetIncident", "ListIncidentTimeline"):
            name = (await self._responding("reads")).name
            if method == "ListIncidents":
                await stub.ListIncidents(gpb.ListIncidentsRequest(), metadata=metadata)
            elif method == "GetIncident":
                await stub.GetIncident(gpb.GetIncidentRequest(name=name), metadata=metadata)
            else:
                await stub.ListIncidentTimeline(gpb.ListIncidentTimelineRequest(incident=name), metadata=metadata)
        elif method == "UpdateUnitStatus":
            name = (await self._responding(method)).name
            await stub.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), incident=name, state=rpb.Unit.STATE_ON_SCENE), metadata=metadata)
        elif method == "UpdateUnitStatus(out-of-service)":
            unit = next(u.name for u in (await self._own_park()).units if u.state == rpb.Unit.STATE_AVAILABLE)
            await stub.UpdateUnitStatus(
                gpb.UpdateUnitStatusRequest(request_id=rid(), units=[unit], state=rpb.Unit.STATE_OUT_OF_SERVICE, reason="pump failure"), metadata=metadata
            )
            await stub.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), units=[unit], state=rpb.Unit.STATE_AVAILABLE), metadata=OPERATOR)
        elif method == "ContainIncident":
            name = (await self._responding(method)).name
            await stub.ContainIncident(gpb.ContainIncidentRequest(request_id=rid(), incident=name), metadata=metadata)
        elif method == "CloseIncident":
            name = (await self._responding(method, contained=True)).name
            await stub.CloseIncident(
                gpb.CloseIncidentRequest(request_id=rid(), incident=name, outcome_summary="Leak stopped.", units_available=True), metadata=metadata
            )
        elif method == "ListScenarios":
            await stub.ListScenarios(gpb.ListScenariosRequest(), metadata=metadata)
        elif method == "ListDrills":
            await stub.ListDrills(gpb.ListDrillsRequest(), metadata=metadata)
        elif method == "GetParkInventory":
            await stub.GetParkInventory(gpb.GetParkInventoryRequest(park="parks/xiagang"), metadata=metadata)
        elif method == "AdjustStock":
            stock = (await self._own_park()).stocks[0].name
            await stub.AdjustStock(
                gpb.AdjustStockRequest(request_id=rid(), stock=stock, kind=rpb.StockLedgerEntry.KIND_RECEIPT, delta=1, reason="delivery note 42"),
                metadata=metadata,
            )
        else:
            raise AssertionError(method)

    async def run(self, method: str, metadata: Metadata) -> None:
        """Make one call as the caller; raise the call's error if it fails."""
        stub = self.stub
        if method == "ReportIncident":
            await stub.ReportIncident(gpb.ReportIncidentRequest(request_id=rid(), incident=incident(CHLORINE)), metadata=metadata)
        elif method == "ReportIncident(exercise)":
            await stub.ReportIncident(gpb.ReportIncidentRequest(request_id=rid(), incident=incident(CHLORINE, exercise_id="roles-exercise")), metadata=metadata)
        elif method == "SetDemands":
            created = (await self._incident()).incident
            await stub.SetDemands(
                gpb.SetDemandsRequest(request_id=rid(), incident=created.name, version=created.version, demands=[demand("AMBULANCE", 1)]), metadata=metadata
            )
        elif method == "ProposePlan":
            created = (await self._incident()).incident
            await stub.ProposePlan(gpb.ProposePlanRequest(incidents=[created.name]), metadata=metadata)
        elif method == "CommitPlan":
            created = (await self._incident()).incident
            proposal = (await stub.ProposePlan(gpb.ProposePlanRequest(incidents=[created.name]), metadata=OPERATOR)).proposal
            await stub.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=metadata)
        elif method == "AutoDispatch":
            created = (await self._incident()).incident
            await stub.AutoDispatch(gpb.AutoDispatchRequest(request_id=rid(), incidents=[created.name]), metadata=metadata)
        elif method == "GetSituation":
            await stub.GetSituation(gpb.GetSituationRequest(), metadata=metadata)
        elif method == "WatchEvents":
            async for _ in stub.WatchEvents(gpb.WatchEventsRequest(from_start=True), metadata=metadata):
                break
        elif method == "ImportParkInventory":
            self.imports += 1
            depot = rpb.Depot(
                name=f"parks/xiagang/depots/roles-{self.imports}",
                display_name="Roles test depot",
                kind=rpb.Depot.KIND_SUPPLY_WAREHOUSE,
                location=CHLORINE_POINT,
            )
            inventory = rpb.ImportInventoryRequest(request_id=rid(), parent="parks/xiagang", rows=[rpb.InventoryRow(depot=depot)])
            await stub.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=inventory), metadata=metadata)
        elif method == "StartDrill":
            await stub.StartDrill(gpb.StartDrillRequest(request_id=rid(), scenario=self.scenario, clock_speed=1), metadata=metadata)
        elif method == "GetDrill":
            await stub.GetDrill(gpb.GetDrillRequest(name=self.finished_drill), metadata=metadata)
        elif method == "GetDrillReport":
            await stub.GetDrillReport(gpb.GetDrillReportRequest(name=self.finished_drill), metadata=metadata)
        else:
            await self._lifecycle(method, metadata)


CHLORINE_POINT = incident(CHLORINE).location.point


async def _outcome(call: Callable[[], Awaitable[None]]) -> grpc.StatusCode:
    try:
        await call()
    except grpc.aio.AioRpcError as error:
        return error.code()
    return OK


async def test_role_matrix_of_every_method(suite: Suite) -> None:
    stub = suite.gateway
    scenario = (
        await suite.casebase.CreateScenario(
            cpb.CreateScenarioRequest(request_id=rid(), scenario_id="gw-roles", scenario=two_incident_scenario(late_offset_s=60)), metadata=DIRECTOR
        )
    ).scenario.name
    drill = (await stub.StartDrill(gpb.StartDrillRequest(request_id=rid(), scenario=scenario, clock_speed=3600, auto_dispatch=True), metadata=DIRECTOR)).drill
    calls = Calls(suite, stub, scenario, drill.name)
    # Incidents go into exercises that exist (the incident service checks with the resources service).
    await suite.resources.CreateExercise(rpb.CreateExerciseRequest(request_id=rid(), exercise_id="roles-exercise", title="role matrix"), metadata=DIRECTOR)

    async def finished() -> bool:
        current: gpb.Drill = (await stub.GetDrill(gpb.GetDrillRequest(name=drill.name), metadata=DIRECTOR)).drill
        return current.state == gpb.Drill.STATE_FINISHED

    await eventually(finished, "the drill the read calls look at", limit_s=120)
    assert set(RULES) - VARIANTS == {m.name for m in gpb.DESCRIPTOR.services_by_name["CommandCenterService"].methods}

    mismatches = []
    cells = 0
    for method in RULES:
        for caller, metadata in CALLERS.items():
            want = expected(method, caller)
            got = await _outcome(lambda method=method, metadata=metadata: calls.run(method, metadata))  # type: ignore[misc]
            cells += 1
            if got != want:
                mismatches.append(f"{method} as {caller}: expected {want.name}, got {got.name}")
    print(f"role matrix: {cells} cells, {len(mismatches)} mismatches")
    assert not mismatches, "\n".join(mismatches)
