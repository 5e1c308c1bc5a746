"""Idempotent replay by request_id, refusal of a reused id, and optimistic concurrency."""

from __future__ import annotations

import grpc
from emergency.common.v1 import common_pb2
from emergency.incident.v1 import incident_service_pb2 as pb

from tests.grpc_assertions import error_info, expect_error, field_violations
from tests.incident.conftest import IncidentHarness
from tests.incident.factories import create_request
from tests.incident.helpers import OPERATOR, create, rid


async def test_create_replay_returns_first_answer_and_writes_nothing(incident: IncidentHarness) -> None:
    request = create_request()
    first = await incident.stub.CreateIncident(request, metadata=OPERATOR)
    second = await incident.stub.CreateIncident(request, metadata=OPERATOR)
    assert first == second
    listed = await incident.stub.ListIncidents(pb.ListIncidentsRequest(), metadata=OPERATOR)
    assert [i.name for i in listed.incidents] == [first.incident.name]


async def test_transition_replay_changes_nothing(incident: IncidentHarness) -> None:
    inc = await create(incident.stub)
    request = pb.VerifyIncidentRequest(request_id=rid(), name=inc.name, version=inc.version, note="seen")
    first = await incident.stub.VerifyIncident(request, metadata=OPERATOR)
    again = await incident.stub.VerifyIncident(request, metadata=OPERATOR)
    assert again == first and again.incident.version == 2
    timeline = await incident.stub.ListTimelineEntries(pb.ListTimelineEntriesRequest(parent=inc.name), metadata=OPERATOR)
    assert len(timeline.timeline_entries) == 2


async def test_same_request_id_with_other_content_is_refused(incident: IncidentHarness) -> None:
    request = create_request()
    await incident.stub.CreateIncident(request, metadata=OPERATOR)
    changed = pb.CreateIncidentRequest()
    changed.CopyFrom(request)
    changed.incident.title = "A different incident"
    error = await expect_error(incident.stub.CreateIncident(changed, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert error_info(error).reason == "REQUEST_ID_REUSED"
    assert field_violations(error) == ["request_id"]
    listed = await incident.stub.ListIncidents(pb.ListIncidentsRequest(), metadata=OPERATOR)
    assert len(listed.incidents) == 1


async def test_stale_version_is_aborted_with_current_version(incident: IncidentHarness) -> None:
    inc = await create(incident.stub)
    await incident.stub.ChangeSeverity(
        pb.ChangeSeverityRequest(request_id=rid(), name=inc.name, version=1, severity=common_pb2.SEVERITY_I, reason="spreading"), metadata=OPERATOR
    )
    error = await expect_error(
        incident.stub.VerifyIncident(pb.VerifyIncidentRequest(request_id=rid(), name=inc.name, version=1), metadata=OPERATOR), grpc.StatusCode.ABORTED
    )
    info = error_info(error)
    assert info.reason == "VERSION_MISMATCH" and info.metadata["current_version"] == "2"
    current = (await incident.stub.GetIncident(pb.GetIncidentRequest(name=inc.name), metadata=OPERATOR)).incident
    assert current.state == pb.Incident.STATE_REPORTED and current.severity == common_pb2.SEVERITY_I and current.severity_weight == 8


async def test_update_mask_changes_only_named_fields(incident: IncidentHarness) -> None:
    inc = await create(incident.stub)
    patch = pb.Incident(name=inc.name, title="Chlorine leak at T-12, valve flange", description="ignored")
    request = pb.UpdateIncidentRequest(request_id=rid(), incident=patch, version=1)
    request.update_mask.paths.append("title")
    updated = (await incident.stub.UpdateIncident(request, metadata=OPERATOR)).incident
    assert updated.title == "Chlorine leak at T-12, valve flange"
    assert updated.description == inc.description and updated.version == 2


async def test_list_filters_and_pagination(incident: IncidentHarness) -> None:
    for index in range(7):
        await create(incident.stub, park_id="shengang" if index % 2 else "ligang")
    seen: list[str] = []
    token = ""
    while True:
        page = await incident.stub.ListIncidents(pb.ListIncidentsRequest(page_size=3, page_token=token, park_id="ligang"), metadata=OPERATOR)
        seen += [i.name for i in page.incidents]
        assert all(i.park_id == "ligang" and not i.exercise_id for i in page.incidents)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 4 and len(set(seen)) == 4
    drill = await incident.stub.ListIncidents(pb.ListIncidentsRequest(exercise_id="drill-one"), metadata=OPERATOR)
    assert not drill.incidents  # incidents inside exercises: tests/incident/test_exercise_scope.py
    other_filter = await expect_error(
        incident.stub.ListIncidents(
            pb.ListIncidentsRequest(
                page_size=3,
                page_token=(await incident.stub.ListIncidents(pb.ListIncidentsRequest(page_size=1), metadata=OPERATOR)).next_page_token,
                park_id="ligang",
            ),
            metadata=OPERATOR,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(other_filter) == ["page_token"]


async def test_reads_need_a_token_and_viewers_cannot_write(incident: IncidentHarness) -> None:
    from services.common.auth import Role
    from tests.conftest import auth

    await expect_error(incident.stub.ListIncidents(pb.ListIncidentsRequest()), grpc.StatusCode.UNAUTHENTICATED)
    await expect_error(incident.stub.CreateIncident(create_request(), metadata=auth(Role.VIEWER)), grpc.StatusCode.PERMISSION_DENIED)
    await expect_error(
        incident.stub.CreateIncident(create_request(park_id="shengang"), metadata=auth(Role.PARK_OFFICER, park_id="ligang")), grpc.StatusCode.PERMISSION_DENIED
    )
    own = await incident.stub.CreateIncident(create_request(park_id="ligang"), metadata=auth(Role.PARK_OFFICER, park_id="ligang"))
    assert own.incident.park_id == "ligang"
    await expect_error(
        incident.stub.ListIncidents(pb.ListIncidentsRequest(), metadata=auth(Role.OPERATOR, ttl_s=10, now=1_000_000)), grpc.StatusCode.UNAUTHENTICATED
    )
