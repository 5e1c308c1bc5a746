"""Detector alarms over a real Mosquitto become incidents through the real gateway: one release is one incident, however many alarms."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import cast

from emergency.alarms.v1 import alarms_service_pb2 as apb
from emergency.common.v1 import common_pb2
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf.struct_pb2 import ListValue, Struct

from services.alarms.simulate import payload, publish, release, topic_of
from services.common.auth import Role
from services.common.outbox import utcnow
from tests.conftest import auth

from .conftest import OPERATOR, VIEWER, AlarmHarness, all_alarms, demo_sites, grid, register, settled


async def incidents_of(harness: AlarmHarness, park_id: str = "", exercise_id: str = "") -> list[ipb.Incident]:
    """Incidents reported by the intake."""
    reply = await harness.suite.incident.ListIncidents(ipb.ListIncidentsRequest(park_id=park_id, exercise_id=exercise_id, page_size=500), metadata=VIEWER)
    return [i for i in reply.incidents if i.reporter.startswith("alarm intake")]


async def timeline(harness: AlarmHarness, incident: str) -> list[ipb.TimelineEntry]:
    """Every timeline entry of an incident."""
    reply = await harness.suite.incident.ListTimelineEntries(ipb.ListTimelineEntriesRequest(parent=incident, page_size=1000), metadata=VIEWER)
    return list(reply.timeline_entries)


async def noted(harness: AlarmHarness, incident: str, expected: int, timeout_s: float = 30.0) -> list[ipb.TimelineEntry]:
    """Wait until the incident's timeline carries `expected` alarms."""
    for _ in range(int(timeout_s / 0.1)):
        entries = await timeline(harness, incident)
        if sum(len(cast(ListValue, e.after["alarms"])) for e in entries if e.action == "ALARMS_RECORDED") >= expected:
            return entries
        await asyncio.sleep(0.1)
    raise AssertionError(f"{incident} does not show {expected} alarms on its timeline")


async def test_forty_detector_release_is_one_incident_with_rising_severity(harness: AlarmHarness) -> None:
    sites = await register(harness.suite, "xiagang", grid("xiagang", "cl2-grid", (31.9385, 120.2300), 40, spacing_m=35))
    burst = release(sites, source=(sites[0].latitude, sites[0].longitude), wind_to_deg=45, wind_mps=3, start=utcnow(), readings=3, spread_deg=360)
    assert len({m.topic for m in burst}) == 40
    await asyncio.to_thread(publish, harness.park_url("xiagang"), burst)
    alarms = await settled(harness.alarms, {m.message_id for m in burst})
    assert {a.state for a in alarms} == {apb.Alarm.STATE_ACCEPTED}
    assert len({a.incident for a in alarms}) == 1
    incident_name = alarms[0].incident
    opened = [i for i in await incidents_of(harness, "xiagang") if i.substance.name == "chlorine"]
    assert [i.name for i in opened] == [incident_name]
    incident = opened[0]
    assert incident.park_id == "xiagang" and incident.substance.un_number == "1017" and incident.kind == 3  # toxic gas leak
    await noted(harness, incident_name, len(burst))
    # Notes and severity changes travel separately: wait until the 40 detectors' level has been applied.
    for _ in range(300):
        current = (await harness.suite.incident.GetIncident(ipb.GetIncidentRequest(name=incident_name), metadata=VIEWER)).incident
        if current.severity == common_pb2.SEVERITY_I:
            break
        await asyncio.sleep(0.1)
    entries = await timeline(harness, incident_name)
    levels = [cast(str, e.after["severity"]) for e in entries if e.action == "SEVERITY_CHANGED"]
    ranks = [{"IV": 0, "III": 1, "II": 2, "I": 3}[level] for level in levels]
    assert len(ranks) >= 2 and ranks == sorted(ranks) and ranks[-1] == 3
    record = (await harness.alarms.GetAlarmIncident(apb.GetAlarmIncidentRequest(incident=incident_name), metadata=VIEWER)).incident
    assert record.alarm_count == len(burst) and record.detector_count == 40 and record.opened_by_alarms
    assert record.first_alarm_time.ToDatetime() <= record.last_alarm_time.ToDatetime()
    recorded = [cast(Struct, a) for e in entries if e.action == "ALARMS_RECORDED" for a in cast(ListValue, e.after["alarms"])]
    assert sorted(cast(str, a["message_id"]) for a in recorded) == sorted(m.message_id for m in burst)
    assert entries[0].actor == "alarm-intake"


async def test_two_releases_in_two_parks_are_two_incidents(harness: AlarmHarness) -> None:
    ammonia = await demo_sites(harness.suite, "shengang", "sg-nh3")
    carbon_monoxide = await demo_sites(harness.suite, "chengxi", "cx-co")
    now = utcnow()
    first = release(ammonia, source=(31.9280, 120.1790), wind_to_deg=90, start=now, readings=2, spread_deg=360)
    second = release(carbon_monoxide, source=(31.9070, 120.2100), wind_to_deg=270, start=now, readings=2, spread_deg=360)
    await asyncio.gather(asyncio.to_thread(publish, harness.park_url("shengang"), first), asyncio.to_thread(publish, harness.park_url("chengxi"), second))
    alarms = await settled(harness.alarms, {m.message_id for m in [*first, *second]})
    by_park = {park: {a.incident for a in alarms if a.detector.startswith(f"parks/{park}/")} for park in ("shengang", "chengxi")}
    assert all(len(names) == 1 for names in by_park.values()) and by_park["shengang"] != by_park["chengxi"]
    shengang = [i for i in await incidents_of(harness, "shengang") if i.name in by_park["shengang"]]
    chengxi = [i for i in await incidents_of(harness, "chengxi") if i.name in by_park["chengxi"]]
    assert shengang[0].substance.name == "ammonia" and chengxi[0].substance.name == "carbon monoxide"


async def test_flapping_detector_opens_nothing_new_and_a_false_alarm_suppresses_it(harness: AlarmHarness) -> None:
    detector = "parks/xiagang/detectors/xg-vcm-01"
    start = utcnow() - timedelta(seconds=400)
    messages = []
    for k in range(20):
        at = start + timedelta(seconds=20 * k)
        messages.append((topic_of(detector), payload(detector, "alarm", 45.0, "%LEL", at, f"flap-{k}-a")))
        messages.append((topic_of(detector), payload(detector, "normal", 3.0, "%LEL", at + timedelta(seconds=10), f"flap-{k}-n")))
    before = {i.name for i in await incidents_of(harness, "xiagang")}
    await asyncio.to_thread(publish, harness.park_url("xiagang"), messages)
    alarms = await settled(harness.alarms, {f"flap-{k}-{s}" for k in range(20) for s in "an"})
    accepted = [a for a in alarms if a.state == apb.Alarm.STATE_ACCEPTED]
    assert len(accepted) == 20 and sum(1 for a in alarms if a.state == apb.Alarm.STATE_CLEARED) == 20
    assert len({a.incident for a in accepted}) == 1
    new = [i for i in await incidents_of(harness, "xiagang") if i.name not in before]
    assert [i.name for i in new] == [accepted[0].incident] and new[0].substance.name == "vinyl chloride"

    incident = new[0]
    await noted(harness, incident.name, 20)  # every alarm is on the timeline: the version read next is the last one
    await harness.suite.incident.CancelIncident(
        ipb.CancelIncidentRequest(
            request_id="cancel-flap",
            name=incident.name,
            version=(await harness.suite.incident.GetIncident(ipb.GetIncidentRequest(name=incident.name), metadata=VIEWER)).incident.version,
            reason="false alarm: detector fault",
        ),
        metadata=OPERATOR,
    )
    for _ in range(100):
        record = (await harness.alarms.GetAlarmIncident(apb.GetAlarmIncidentRequest(incident=incident.name), metadata=VIEWER)).incident
        if record.status == "CANCELLED":
            break
        await asyncio.sleep(0.1)
    assert record.status == "CANCELLED"
    later = utcnow()
    again = [(topic_of(detector), payload(detector, "alarm", 50.0, "%LEL", later + timedelta(seconds=k), f"after-cancel-{k}")) for k in range(3)]
    await asyncio.to_thread(publish, harness.park_url("xiagang"), again)
    after = await settled(harness.alarms, {f"after-cancel-{k}" for k in range(3)})
    assert {a.state for a in after} == {apb.Alarm.STATE_SUPPRESSED} and all(a.reject_reason == "DETECTOR_SUPPRESSED" for a in after)
    assert {i.name for i in await incidents_of(harness, "xiagang")} == before | {incident.name}


async def test_drill_alarms_stay_in_their_exercise(harness: AlarmHarness) -> None:
    live_before = {i.name for i in await incidents_of(harness, "xiagang")}
    live_alarms_before = len(await all_alarms(harness.alarms))
    # Incidents go only into exercises that exist (the incident service checks with the resources service).
    exercise = rpb.CreateExerciseRequest(request_id="alarm-drill-exercise", exercise_id="ex-alarm-drill", title="detector alarm drill")
    await harness.suite.resources.CreateExercise(exercise, metadata=auth(Role.DRILL_DIRECTOR))
    sites = await demo_sites(harness.suite, "xiagang", "xg-cl2")
    burst = release(sites, source=(31.9370, 120.2280), wind_to_deg=180, start=utcnow(), readings=2, spread_deg=360, exercise_id="ex-alarm-drill")
    assert all(m.topic.startswith("drills/ex-alarm-drill/parks/xiagang/") for m in burst)
    await asyncio.to_thread(publish, harness.broker.url("drill-injector"), burst)
    alarms = await settled(harness.alarms, {m.message_id for m in burst}, exercise_id="ex-alarm-drill")
    assert {a.state for a in alarms} == {apb.Alarm.STATE_ACCEPTED} and {a.exercise_id for a in alarms} == {"ex-alarm-drill"}
    (drill_incident,) = {a.incident for a in alarms}
    drilled = await incidents_of(harness, exercise_id="ex-alarm-drill")
    assert [i.name for i in drilled] == [drill_incident] and drilled[0].exercise_id == "ex-alarm-drill"
    assert {i.name for i in await incidents_of(harness, "xiagang")} == live_before and drill_incident not in live_before
    assert len(await all_alarms(harness.alarms)) == live_alarms_before  # the live view holds no drill alarm
    forged = [(m.topic.replace("drills/ex-alarm-drill/", ""), m.payload) for m in burst[:1]]
    await asyncio.to_thread(publish, harness.broker.url("drill-injector"), forged)  # the drill injector may not publish live alarms
    marker = [
        (
            topic_of("parks/xiagang/detectors/nope-drill-marker"),
            payload("parks/xiagang/detectors/nope-drill-marker", "alarm", 1.0, "ppm", utcnow(), "drill-marker"),
        )
    ]
    await asyncio.to_thread(publish, harness.park_url("xiagang"), marker)
    await settled(harness.alarms, {"drill-marker"})
    assert len(await all_alarms(harness.alarms)) == live_alarms_before + 1
