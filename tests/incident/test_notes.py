"""AddTimelineNote: new information on an open incident's timeline, from whoever may add it, with its details."""

from __future__ import annotations

import grpc
from emergency.incident.v1 import incident_service_pb2 as pb
from google.protobuf import struct_pb2

from services.common.auth import Role
from tests.conftest import auth
from tests.grpc_assertions import expect_error, field_violations
from tests.incident.conftest import IncidentHarness
from tests.incident.helpers import OPERATOR, create, rid

INTAKE = auth(Role.ALARM_INTAKE, subject="alarm-intake")


def details(count: int) -> struct_pb2.Struct:
    """Alarm details as the intake sends them."""
    body = struct_pb2.Struct()
    body.update({"alarms": [{"detector": f"parks/ligang/detectors/d-{i}", "level": "alarm"} for i in range(count)], "alarm_count": count})
    return body


async def test_intake_adds_alarms_to_an_open_incident_and_replays_are_idempotent(incident: IncidentHarness) -> None:
    created = await create(incident.stub)
    request = pb.AddTimelineNoteRequest(request_id=rid(), name=created.name, note="3 detector alarms", action="ALARMS_RECORDED", details=details(3))
    noted = (await incident.stub.AddTimelineNote(request, metadata=INTAKE)).incident
    assert noted.version == created.version + 1
    assert (await incident.stub.AddTimelineNote(request, metadata=INTAKE)).incident.version == noted.version  # replay
    entries = (await incident.stub.ListTimelineEntries(pb.ListTimelineEntriesRequest(parent=created.name), metadata=OPERATOR)).timeline_entries
    assert [e.action for e in entries] == ["CREATED", "ALARMS_RECORDED"]
    assert entries[1].actor == "alarm-intake" and entries[1].after["alarm_count"] == 3 and len(entries[1].after["alarms"]) == 3


async def test_notes_are_checked_and_refused_where_they_do_not_belong(incident: IncidentHarness) -> None:
    created = await create(incident.stub)
    bad = pb.AddTimelineNoteRequest(request_id=rid(), name=created.name, note="", action="lower case")
    error = await expect_error(incident.stub.AddTimelineNote(bad, metadata=INTAKE), grpc.StatusCode.INVALID_ARGUMENT)
    assert set(field_violations(error)) == {"note", "action"}
    viewer = pb.AddTimelineNoteRequest(request_id=rid(), name=created.name, note="hello")
    await expect_error(incident.stub.AddTimelineNote(viewer, metadata=auth(Role.VIEWER, subject="v")), grpc.StatusCode.PERMISSION_DENIED)
    other_park = auth(Role.PARK_OFFICER, park_id="shengang", subject="officer")
    await expect_error(
        incident.stub.AddTimelineNote(pb.AddTimelineNoteRequest(request_id=rid(), name=created.name, note="x"), metadata=other_park),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    cancelled = await incident.stub.CancelIncident(
        pb.CancelIncidentRequest(request_id=rid(), name=created.name, version=created.version, reason="false alarm"), metadata=OPERATOR
    )
    late = pb.AddTimelineNoteRequest(request_id=rid(), name=created.name, note="too late")
    await expect_error(incident.stub.AddTimelineNote(late, metadata=INTAKE), grpc.StatusCode.FAILED_PRECONDITION)
    current = (await incident.stub.GetIncident(pb.GetIncidentRequest(name=created.name), metadata=OPERATOR)).incident
    assert current.version == cancelled.incident.version
