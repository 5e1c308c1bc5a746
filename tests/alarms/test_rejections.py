"""Bad messages are recorded as rejected with their reasons and create nothing; the broker's ACLs keep parks in their own prefix;
an alarm near a RESPONDING incident is added to it."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from datetime import timedelta

import pytest
from emergency.alarms.v1 import alarms_service_pb2 as apb
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb

from services.alarms.simulate import connect, payload, publish, topic_of
from services.common.outbox import utcnow

from .conftest import OPERATOR, VIEWER, AlarmHarness, all_alarms, settled


async def incident_names(harness: AlarmHarness) -> set[str]:
    """Every live incident."""
    reply = await harness.suite.incident.ListIncidents(ipb.ListIncidentsRequest(page_size=500), metadata=VIEWER)
    return {i.name for i in reply.incidents}


def bad_messages() -> list[tuple[str, bytes]]:
    """Fifty messages that must all be refused, each on a topic of its own."""
    now = utcnow()

    def good(i: int, **changes: object) -> bytes:
        body = json.loads(payload(f"parks/xiagang/detectors/bad-{i}", "alarm", 2.0, "ppm", now, f"bad-{i}"))
        body.update(changes)
        for key in [k for k, v in changes.items() if v is None]:
            del body[key]
        return json.dumps(body).encode()

    bodies: list[bytes] = [b"", b"{", b"not json", b"\xff\xfe", b"[]", b"42", b"null", b'"alarm"', b"{'single': 'quotes'}", b"{}"]
    bodies += [
        good(10, level="panic"),
        good(11, reading="high"),
        good(12, unit="bananas"),
        good(13, time="yesterday"),
        good(14, time="2026-01-05T08:00:00"),
        good(15, detector="ligang/cl2"),
        good(16, message_id="has spaces"),
        good(17, extra="field"),
        good(18, level=None),
        good(19, message="x" * 501),
    ]
    bodies += [good(i) for i in range(20, 30)]  # unknown detectors
    bodies += [good(i, detector=f"parks/shengang/detectors/bad-{i}") for i in range(30, 40)]  # another park's detector under this park's topic
    bodies += [good(i, time=(now + timedelta(hours=2)).isoformat()) for i in range(40, 45)]  # from the future
    messages = [(f"parks/xiagang/detectors/bad-{i}/alarms", body) for i, body in enumerate(bodies)]
    for k in range(5):  # a known detector, in the wrong unit
        detector = f"parks/xiagang/detectors/xg-cl2-{k + 1:02d}"
        messages.append((topic_of(detector), payload(detector, "alarm", 30.0, "%LEL", now, f"unit-{k}")))
    return messages


async def test_fifty_bad_messages_are_all_rejected_with_reasons_and_create_nothing(harness: AlarmHarness) -> None:
    before = await incident_names(harness)
    messages = bad_messages()
    assert len(messages) == 50
    await asyncio.to_thread(publish, harness.park_url("xiagang"), messages)
    topics = {topic for topic, _ in messages}
    deadline = time.monotonic() + 60
    while True:
        found = [a for a in await all_alarms(harness.alarms) if a.topic in topics]
        if (len(found) == 50 and all(a.state != apb.Alarm.STATE_PENDING for a in found)) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert len(found) == 50
    assert {a.state for a in found} == {apb.Alarm.STATE_REJECTED}
    assert all(a.reject_reason and a.reject_detail for a in found)
    reasons = Counter(a.reject_reason for a in found)
    assert reasons == {"BAD_PAYLOAD": 5, "SCHEMA_VIOLATION": 15, "UNKNOWN_DETECTOR": 10, "PARK_MISMATCH": 10, "TIME_IN_FUTURE": 5, "UNIT_MISMATCH": 5}, reasons
    rejected = await all_alarms(harness.alarms, state=apb.Alarm.STATE_REJECTED)
    assert len([a for a in rejected if a.topic in topics]) == 50
    await asyncio.sleep(0.5)
    assert await incident_names(harness) == before


async def test_the_broker_keeps_each_park_in_its_own_prefix(harness: AlarmHarness) -> None:
    now = utcnow()
    detector = "parks/xiagang/detectors/xg-cl2-03"
    forged = (topic_of(detector), payload(detector, "alarm", 9.0, "ppm", now, "forged-by-shengang"))
    await asyncio.to_thread(publish, harness.park_url("shengang"), [forged])
    marker = (topic_of("parks/xiagang/detectors/nope-marker"), payload("parks/xiagang/detectors/nope-marker", "alarm", 1.0, "ppm", now, "acl-marker"))
    await asyncio.to_thread(publish, harness.park_url("xiagang"), [marker])
    await settled(harness.alarms, {"acl-marker"})
    assert "forged-by-shengang" not in {a.message_id for a in await all_alarms(harness.alarms)}
    with pytest.raises(ConnectionError):
        connect(f"mqtt://127.0.0.1:{harness.broker.port}")
    with pytest.raises(ConnectionError):
        connect(f"mqtt://park-xiagang:wrong-password@127.0.0.1:{harness.broker.port}")


async def test_alarm_near_a_responding_incident_is_added_to_it(harness: AlarmHarness) -> None:
    reported = await harness.suite.gateway.ReportIncident(
        gpb.ReportIncidentRequest(
            request_id="fire-converter-shop",
            incident=ipb.Incident(
                title="Fire in the converter shop",
                park_id="chengxi",
                location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=31.9041, longitude=120.2151), description="converter shop"),
                kind=common_pb2.INCIDENT_KIND_FIRE,
                severity=common_pb2.SEVERITY_III,
                reporter="shift supervisor",
            ),
        ),
        metadata=OPERATOR,
    )
    incident = reported.incident
    for step, method in (("verify", "VerifyIncident"), ("begin", "BeginDispatch"), ("respond", "MarkResponding")):
        request_type = getattr(ipb, f"{method}Request")
        incident = (
            await getattr(harness.suite.incident, method)(
                request_type(request_id=f"fire-{step}", name=incident.name, version=incident.version), metadata=OPERATOR
            )
        ).incident
    assert incident.state == ipb.Incident.STATE_RESPONDING
    before = await incident_names(harness)
    detector = "parks/chengxi/detectors/cx-temp-01"
    start = utcnow() - timedelta(hours=2)  # long after any correlation window: a responding incident still takes it
    messages = [(topic_of(detector), payload(detector, "alarm", 150.0 + k, "degC", start + timedelta(seconds=k), f"heat-{k}")) for k in range(3)]
    await asyncio.to_thread(publish, harness.park_url("chengxi"), messages)
    alarms = await settled(harness.alarms, {f"heat-{k}" for k in range(3)})
    assert {a.incident for a in alarms} == {incident.name}
    assert await incident_names(harness) == before
    record = (await harness.alarms.GetAlarmIncident(apb.GetAlarmIncidentRequest(incident=incident.name), metadata=VIEWER)).incident
    assert not record.opened_by_alarms and record.status == "RESPONDING" and record.alarm_count == 3
    for _ in range(100):
        entries = (await harness.suite.incident.ListTimelineEntries(ipb.ListTimelineEntriesRequest(parent=incident.name), metadata=VIEWER)).timeline_entries
        notes = [e for e in entries if e.action == "ALARMS_RECORDED"]
        if sum(len(e.after["alarms"]) for e in notes) >= 3:
            break  # alarms that arrive between two note rounds are written as two notes
        await asyncio.sleep(0.1)
    assert notes and sum(len(e.after["alarms"]) for e in notes) == 3
    current = (await harness.suite.incident.GetIncident(ipb.GetIncidentRequest(name=incident.name), metadata=VIEWER)).incident
    assert current.severity == common_pb2.SEVERITY_III and current.state == ipb.Incident.STATE_RESPONDING
