"""Demands checked against the shared catalogue, the names filter, and decisions recorded on the timeline."""

from __future__ import annotations

import asyncio

import grpc
from emergency.common.v1 import common_pb2
from emergency.incident.v1 import incident_service_pb2 as pb
from google.protobuf import struct_pb2

from services.common.auth import Role
from tests.conftest import auth
from tests.grpc_assertions import expect_error, field_violations
from tests.incident.conftest import IncidentHarness
from tests.incident.factories import create_request
from tests.incident.helpers import OPERATOR, create, rid


async def _count(harness: IncidentHarness) -> int:
    return len((await harness.stub.ListIncidents(pb.ListIncidentsRequest(page_size=500), metadata=OPERATOR)).incidents)


async def test_unknown_resource_type_is_refused_on_create_and_set_demands(incident: IncidentHarness) -> None:
    bad = [common_pb2.ResourceDemand(resource_type="AMBULANSE", quantity=2)]
    request = create_request()
    request.incident.demands.extend(bad)
    error = await expect_error(incident.stub.CreateIncident(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["incident.demands[1].resource_type"]
    assert "AMBULANCE" in (error.details() or "")  # the nearest catalogue code is suggested
    assert await _count(incident) == 0

    created = await create(incident.stub)
    change = pb.SetDemandsRequest(
        request_id=rid(), name=created.name, version=created.version, demands=[common_pb2.ResourceDemand(resource_type="HAZMAT_TEAM", quantity=1), *bad]
    )
    error = await expect_error(incident.stub.SetDemands(change, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["demands[1].resource_type"]
    after = (await incident.stub.GetIncident(pb.GetIncidentRequest(name=created.name), metadata=OPERATOR)).incident
    assert after.version == created.version and list(after.demands) == list(created.demands)


async def test_list_by_names_reads_many_in_one_call(incident: IncidentHarness) -> None:
    made = [await create(incident.stub) for _ in range(3)]
    names = [made[0].name, made[2].name, "incidents/inc-none-such"]
    page = await incident.stub.ListIncidents(pb.ListIncidentsRequest(names=names), metadata=OPERATOR)
    assert sorted(i.name for i in page.incidents) == sorted(names[:2])
    error = await expect_error(incident.stub.ListIncidents(pb.ListIncidentsRequest(names=["nope"]), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["names[0]"]
    too_many = [f"incidents/inc-{i:04d}" for i in range(501)]
    error = await expect_error(incident.stub.ListIncidents(pb.ListIncidentsRequest(names=too_many), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["names"]


async def test_annotation_is_on_the_timeline_with_who_and_why(incident: IncidentHarness) -> None:
    created = await create(incident.stub)
    details = struct_pb2.Struct()
    details.update({"override": "pin", "unit": "parks/xiagang/units/u-1"})
    request = pb.AnnotateIncidentRequest(request_id=rid(), name=created.name, action="PLAN_OVERRIDE", note="pinned: the crew knows the plant", details=details)
    entry = (await incident.stub.AnnotateIncident(request, metadata=OPERATOR)).entry
    assert (entry.sequence, entry.actor, entry.action, entry.version) == (2, "operator-li", "PLAN_OVERRIDE", created.version)
    again = (await incident.stub.AnnotateIncident(request, metadata=OPERATOR)).entry
    assert again == entry  # a retry returns the first answer
    after = (await incident.stub.GetIncident(pb.GetIncidentRequest(name=created.name), metadata=OPERATOR)).incident
    assert after.version == created.version  # the incident itself did not change

    verified = (
        await incident.stub.VerifyIncident(pb.VerifyIncidentRequest(request_id=rid(), name=created.name, version=after.version), metadata=OPERATOR)
    ).incident
    timeline = (await incident.stub.ListTimelineEntries(pb.ListTimelineEntriesRequest(parent=created.name), metadata=OPERATOR)).timeline_entries
    assert [(e.sequence, e.action, e.version) for e in timeline] == [(1, "CREATED", 1), (2, "PLAN_OVERRIDE", 1), (3, "VERIFY", verified.version)]
    assert timeline[1].note == "pinned: the crew knows the plant" and timeline[1].after["unit"] == "parks/xiagang/units/u-1"


async def test_annotation_bad_input_and_roles(incident: IncidentHarness) -> None:
    created = await create(incident.stub)
    bad = pb.AnnotateIncidentRequest(request_id=rid(), name=created.name, action="verify", note="")
    error = await expect_error(incident.stub.AnnotateIncident(bad, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert sorted(field_violations(error)) == ["action", "note"]
    reserved = pb.AnnotateIncidentRequest(request_id=rid(), name=created.name, action="VERIFY", note="x")
    error = await expect_error(incident.stub.AnnotateIncident(reserved, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["action"]
    request = pb.AnnotateIncidentRequest(request_id=rid(), name=created.name, action="PLAN_OVERRIDE", note="why")
    for role in (Role.VIEWER, Role.PARK_OFFICER):
        await expect_error(incident.stub.AnnotateIncident(request, metadata=auth(role, park_id="ligang")), grpc.StatusCode.PERMISSION_DENIED)
    timeline = (await incident.stub.ListTimelineEntries(pb.ListTimelineEntriesRequest(parent=created.name), metadata=OPERATOR)).timeline_entries
    assert [e.action for e in timeline] == ["CREATED"]


async def test_concurrent_annotations_and_changes_keep_the_timeline_consecutive(incident: IncidentHarness) -> None:
    created = await create(incident.stub)
    notes = [
        incident.stub.AnnotateIncident(
            pb.AnnotateIncidentRequest(request_id=rid(), name=created.name, action="PLAN_OVERRIDE", note=f"decision {n}"), metadata=OPERATOR
        )
        for n in range(6)
    ]
    verify = incident.stub.VerifyIncident(pb.VerifyIncidentRequest(request_id=rid(), name=created.name, version=created.version), metadata=OPERATOR)
    await asyncio.gather(*notes, verify)
    timeline = (await incident.stub.ListTimelineEntries(pb.ListTimelineEntriesRequest(parent=created.name), metadata=OPERATOR)).timeline_entries
    assert [e.sequence for e in timeline] == list(range(1, 9))
    assert sorted(e.action for e in timeline) == ["CREATED", *["PLAN_OVERRIDE"] * 6, "VERIFY"]
