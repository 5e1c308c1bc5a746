"""A scenario inject can be a burst of detector alarms: it reaches the intake inside the drill's exercise and opens an exercise incident only."""

from __future__ import annotations

import asyncio
import time

from emergency.alarms.v1 import alarms_service_pb2 as apb
from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb

from services.common.auth import Role
from tests.conftest import auth

from .conftest import VIEWER, AlarmHarness, all_alarms

DIRECTOR = auth(Role.DRILL_DIRECTOR, subject="alarm-drill-director")


def alarm_scenario() -> cpb.Scenario:
    """One inject: chlorine detectors of the Xiagang cell house see a release drifting east."""
    leak = cpb.Inject(
        id="nh3-leak",
        offset_s=0,
        kind=cpb.Inject.KIND_NEW_INCIDENT,
        incident=cpb.IncidentSpec(
            title="Ammonia leak at the synthesis unit",
            park_id="shengang",
            location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=31.928, longitude=120.179), description="synthesis unit"),
            kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
            substance=common_pb2.Substance(name="ammonia", un_number="1005", hazard_class="2.3"),
            severity=common_pb2.SEVERITY_IV,
            description="reported by phone",
        ),
        targets=[cpb.Target(metric="PLAN_ISSUED_S", threshold=600, comparator=cpb.Target.COMPARATOR_AT_MOST)],
    )
    burst = cpb.Inject(
        id="cl2-cloud", offset_s=10, kind=cpb.Inject.KIND_DETECTOR_ALARMS, detectors="parks/xiagang/detectors/xg-cl2", wind_to_deg=90, wind_mps=2, readings=2
    )
    return cpb.Scenario(
        title="Alarm test: chlorine detectors in alarm",
        objectives=["Handle an alarm-opened incident"],
        mode=cpb.Scenario.MODE_SCRIPTED,
        park_ids=["xiagang", "shengang"],
        injects=[leak, burst],
        rubric=[cpb.RubricItem(criterion="time_to_plan", weight=1.0, description="plans issued quickly")],
    )


async def test_detector_alarm_inject_opens_an_incident_inside_the_exercise_only(harness: AlarmHarness) -> None:
    suite = harness.suite
    live = await suite.incident.ListIncidents(ipb.ListIncidentsRequest(page_size=500), metadata=VIEWER)
    live_alarms = len(await all_alarms(harness.alarms))
    scenario = (
        await suite.casebase.CreateScenario(
            cpb.CreateScenarioRequest(request_id="alarm-scenario", scenario_id="alarm-burst", scenario=alarm_scenario()), metadata=DIRECTOR
        )
    ).scenario
    assert scenario.injects[1].detectors == "parks/xiagang/detectors/xg-cl2" and scenario.injects[1].readings == 2
    drill = (await suite.gateway.StartDrill(gpb.StartDrillRequest(request_id="alarm-drill", scenario=scenario.name, clock_speed=3600), metadata=DIRECTOR)).drill
    deadline = time.monotonic() + 60
    while True:
        alarms = await all_alarms(harness.alarms, exercise_id=drill.exercise_id)
        if (alarms and all(a.state != apb.Alarm.STATE_PENDING for a in alarms) and len(alarms) >= 4) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert alarms and {a.state for a in alarms} == {apb.Alarm.STATE_ACCEPTED}
    (incident,) = {a.incident for a in alarms}
    drilled = await suite.incident.ListIncidents(ipb.ListIncidentsRequest(exercise_id=drill.exercise_id, page_size=50), metadata=VIEWER)
    opened = [i for i in drilled.incidents if i.reporter.startswith("alarm intake")]
    assert [i.name for i in opened] == [incident] and opened[0].substance.name == "chlorine" and opened[0].exercise_id == drill.exercise_id
    assert (await suite.incident.ListIncidents(ipb.ListIncidentsRequest(page_size=500), metadata=VIEWER)).incidents == live.incidents
    assert len(await all_alarms(harness.alarms)) == live_alarms
    for _ in range(100):
        got = (await suite.gateway.GetDrill(gpb.GetDrillRequest(name=drill.name), metadata=DIRECTOR)).drill
        if "cl2-cloud" in got.released_injects:
            break
        await asyncio.sleep(0.1)
    assert "cl2-cloud" in got.released_injects
