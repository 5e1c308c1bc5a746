"""The read calls a console needs instead of the internal services: incident list pages, scenarios, drills, a park's inventory."""

from __future__ import annotations

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, DIRECTOR, OPERATOR, TANK_FIRE, VIEWER, demand, officer, report, rid, units_in


async def test_incident_list_filters_and_pages(suite: Suite) -> None:
    gateway = suite.gateway
    made = [(await report(gateway, spec, accept=False, demands=[demand("AMBULANCE", 1)], severity=level)).incident
            for spec, level in ((CHLORINE, common_pb2.SEVERITY_III), (TANK_FIRE, common_pb2.SEVERITY_IV), (CHLORINE, common_pb2.SEVERITY_IV))]  # fmt: skip
    seen: list[str] = []
    token = ""
    while True:
        page = await gateway.ListIncidents(
            gpb.ListIncidentsRequest(park_id="xiagang", severities=[common_pb2.SEVERITY_III, common_pb2.SEVERITY_IV], page_size=1, page_token=token),
            metadata=VIEWER,
        )
        assert len(page.incidents) <= 1
        seen.extend(row.incident.name for row in page.incidents)
        token = page.next_page_token
        if not token:
            break
    assert {made[0].name, made[2].name} <= set(seen) and made[1].name not in seen
    assert len(seen) == len(set(seen))
    reported = (await gateway.ListIncidents(gpb.ListIncidentsRequest(states=[ipb.Incident.STATE_REPORTED], page_size=500), metadata=VIEWER)).incidents
    row = next(r for r in reported if r.incident.name == made[0].name)
    assert row.incident.version == made[0].version and row.elapsed_s >= 0 and not row.committed_units


async def test_scenarios_hide_an_unannounced_script_from_operators(suite: Suite) -> None:
    as_operator = (await suite.gateway.ListScenarios(gpb.ListScenariosRequest(page_size=500), metadata=OPERATOR)).scenarios
    as_director = {s.name: s for s in (await suite.gateway.ListScenarios(gpb.ListScenariosRequest(page_size=500), metadata=DIRECTOR)).scenarios}
    unannounced = [s for s in as_operator if s.mode == cpb.Scenario.MODE_UNANNOUNCED]
    assert unannounced and all(not s.injects and as_director[s.name].injects for s in unannounced)
    assert all(s.injects for s in as_operator if s.mode == cpb.Scenario.MODE_SCRIPTED)


async def test_drills_are_listed_newest_first(suite: Suite) -> None:
    scenario = (await suite.gateway.ListScenarios(gpb.ListScenariosRequest(page_size=1), metadata=DIRECTOR)).scenarios[0].name
    started = [
        (await suite.gateway.StartDrill(gpb.StartDrillRequest(request_id=rid(), scenario=scenario, clock_speed=1), metadata=DIRECTOR)).drill for _ in range(2)
    ]
    listed = (await suite.gateway.ListDrills(gpb.ListDrillsRequest(states=[gpb.Drill.STATE_RUNNING]), metadata=VIEWER)).drills
    names = [d.name for d in listed]
    assert names.index(started[1].name) < names.index(started[0].name)
    assert all(d.state == gpb.Drill.STATE_RUNNING for d in listed)


async def test_a_park_inventory_is_the_resources_services_view(suite: Suite) -> None:
    inventory = await suite.gateway.GetParkInventory(gpb.GetParkInventoryRequest(park="parks/chengxi"), metadata=officer("xiagang"))
    assert inventory.park.name == "parks/chengxi" and inventory.depots and inventory.stocks and inventory.reserve_policies
    everyone = await units_in(suite.resources, [])
    assert {u.name for u in inventory.units} == {u.name for u in everyone if u.park_id == "chengxi"}
    assert all(s.name.startswith("parks/chengxi/depots/") for s in inventory.stocks)
    assert {u.state for u in inventory.units} <= set(rpb.Unit.State.values())


async def test_a_hold_released_by_a_replan_is_on_the_timeline(suite: Suite) -> None:
    gateway = suite.gateway
    fire = (await report(gateway, TANK_FIRE, accept=False, demands=[demand("FOAM_TENDER", 2)])).incident
    leak = (await report(gateway, CHLORINE, accept=False, demands=[demand("GAS_DETECTION_TEAM", 1)])).incident
    proposal = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[fire.name, leak.name]), metadata=OPERATOR)).proposal
    first, last = sorted([fire.name, leak.name])  # the saga reserves incident by incident in name order
    stolen = next(a.unit_id for a in proposal.optimized.plan.assignments if a.incident_id == last)
    unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name=stolen), metadata=OPERATOR)).unit
    await suite.resources.ReserveResources(
        rpb.ReserveResourcesRequest(request_id=rid(), incident="incidents/someone-else", units=[rpb.UnitHold(unit=stolen, version=unit.version)]),
        metadata=OPERATOR,
    )
    committed = await gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    assert committed.replans == 1
    entries = (await gateway.ListIncidentTimeline(gpb.ListIncidentTimelineRequest(incident=first), metadata=OPERATOR)).entries
    actions = [e.action for e in entries]
    assert actions.count("RESERVED") == 2 and actions.count("RELEASED") == 1 and "CONFIRMED" in actions, actions
    released = next(e for e in entries if e.action == "RELEASED")
    assert released.actor == "operator-li" and released.subject.startswith("reservations/")
