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
        page = await gateway.ListIncidents(gpb.ListIncidentsRequest(park_id="xiagang", severities=[common_pb2.SEVERITY_III, common_pb2.SEVERITY_IV], page_size=1, page_token=token), metadata=VIEWER)
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
    started = [(await suite.gateway.StartDrill(gpb.StartDrillRequest(request_id=rid(), scenario=scenario, clock_speed=1), metadata=DIRECTOR)).drill for _ in range(2)]
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
