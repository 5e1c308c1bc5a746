"""Every allowed transition through the API, and every refused one with its code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest
from emergency.incident.v1 import incident_service_pb2 as pb
from emergency.incident.v1 import incident_service_pb2_grpc as pb_grpc

from tests.grpc_assertions import error_info, expect_error
from tests.incident.conftest import IncidentHarness
from tests.incident.helpers import OPERATOR, create, rid

S = pb.Incident

Step = Callable[[pb_grpc.IncidentServiceStub, pb.Incident], Awaitable[Any]]


def verify(stub: pb_grpc.IncidentServiceStub, inc: pb.Incident) -> Awaitable[pb.VerifyIncidentResponse]:
    call: Awaitable[pb.VerifyIncidentResponse] = stub.VerifyIncident(
        pb.VerifyIncidentRequest(request_id=rid(), name=inc.name, version=inc.version, note="confirmed by CCTV"), metadata=OPERATOR
    )
    return call


def begin(stub: pb_grpc.IncidentServiceStub, inc: pb.Incident) -> Awaitable[pb.BeginDispatchResponse]:
    call: Awaitable[pb.BeginDispatchResponse] = stub.BeginDispatch(
        pb.BeginDispatchRequest(request_id=rid(), name=inc.name, version=inc.version), metadata=OPERATOR
    )
    return call


def responding(stub: pb_grpc.IncidentServiceStub, inc: pb.Incident) -> Awaitable[pb.MarkRespondingResponse]:
    call: Awaitable[pb.MarkRespondingResponse] = stub.MarkResponding(
        pb.MarkRespondingRequest(request_id=rid(), name=inc.name, version=inc.version), metadata=OPERATOR
    )
    return call


def contained(stub: pb_grpc.IncidentServiceStub, inc: pb.Incident) -> Awaitable[pb.MarkContainedResponse]:
    call: Awaitable[pb.MarkContainedResponse] = stub.MarkContained(
        pb.MarkContainedRequest(request_id=rid(), name=inc.name, version=inc.version), metadata=OPERATOR
    )
    return call


def close(stub: pb_grpc.IncidentServiceStub, inc: pb.Incident) -> Awaitable[pb.CloseIncidentResponse]:
    call: Awaitable[pb.CloseIncidentResponse] = stub.CloseIncident(
        pb.CloseIncidentRequest(request_id=rid(), name=inc.name, version=inc.version, outcome_summary="leak plugged, no casualties"), metadata=OPERATOR
    )
    return call


def cancel(stub: pb_grpc.IncidentServiceStub, inc: pb.Incident) -> Awaitable[pb.CancelIncidentResponse]:
    call: Awaitable[pb.CancelIncidentResponse] = stub.CancelIncident(
        pb.CancelIncidentRequest(request_id=rid(), name=inc.name, version=inc.version, reason="duplicate report"), metadata=OPERATOR
    )
    return call


FORWARD: list[tuple[Step, int]] = [
    (verify, S.STATE_VERIFIED),
    (begin, S.STATE_DISPATCHING),
    (responding, S.STATE_RESPONDING),
    (contained, S.STATE_CONTAINED),
    (close, S.STATE_CLOSED),
]
ALL_STEPS: dict[str, tuple[Step, int]] = {
    "verify": (verify, S.STATE_VERIFIED),
    "begin": (begin, S.STATE_DISPATCHING),
    "responding": (responding, S.STATE_RESPONDING),
    "contained": (contained, S.STATE_CONTAINED),
    "close": (close, S.STATE_CLOSED),
    "cancel": (cancel, S.STATE_CANCELLED),
}
ALLOWED_FROM = {
    "verify": {S.STATE_REPORTED},
    "begin": {S.STATE_VERIFIED},
    "responding": {S.STATE_DISPATCHING},
    "contained": {S.STATE_RESPONDING},
    "close": {S.STATE_CONTAINED},
    "cancel": {S.STATE_REPORTED, S.STATE_VERIFIED, S.STATE_DISPATCHING, S.STATE_RESPONDING, S.STATE_CONTAINED},
}


async def incident_in(stub: pb_grpc.IncidentServiceStub, state: int) -> pb.Incident:
    """A fresh incident walked forward (or cancelled) into `state`."""
    inc = await create(stub)
    if state == S.STATE_CANCELLED:
        return (await cancel(stub, inc)).incident
    for step, reached in FORWARD:
        if inc.state == state:
            break
        inc = (await step(stub, inc)).incident
        assert inc.state == reached
    assert inc.state == state
    return inc


async def test_full_lifecycle_and_timeline(incident: IncidentHarness) -> None:
    inc = await incident_in(incident.stub, S.STATE_CLOSED)
    assert inc.version == 6
    assert inc.outcome_summary == "leak plugged, no casualties"
    timeline = await incident.stub.ListTimelineEntries(pb.ListTimelineEntriesRequest(parent=inc.name), metadata=OPERATOR)
    actions = [e.action for e in timeline.timeline_entries]
    assert actions == ["CREATED", "VERIFY", "BEGIN_DISPATCH", "MARK_RESPONDING", "MARK_CONTAINED", "CLOSE"]
    assert [e.sequence for e in timeline.timeline_entries] == [1, 2, 3, 4, 5, 6]
    verify_entry = timeline.timeline_entries[1]
    assert verify_entry.before["state"] == "REPORTED" and verify_entry.after["state"] == "VERIFIED"
    assert verify_entry.actor == "operator-li" and verify_entry.note == "confirmed by CCTV"


@pytest.mark.parametrize(
    "state", [S.STATE_REPORTED, S.STATE_VERIFIED, S.STATE_DISPATCHING, S.STATE_RESPONDING, S.STATE_CONTAINED, S.STATE_CLOSED, S.STATE_CANCELLED]
)
async def test_each_transition_from_each_state(incident: IncidentHarness, state: int) -> None:
    for name, (step, target) in ALL_STEPS.items():
        inc = await incident_in(incident.stub, state)
        if state in ALLOWED_FROM[name]:
            after = (await step(incident.stub, inc)).incident
            assert after.state == target and after.version == inc.version + 1
        else:
            error = await expect_error(step(incident.stub, inc), grpc.StatusCode.FAILED_PRECONDITION)
            assert S.State.Name(state).removeprefix("STATE_") in (error.details() or "")
            assert error_info(error).metadata["current_state"] == S.State.Name(state).removeprefix("STATE_")
            unchanged = (await incident.stub.GetIncident(pb.GetIncidentRequest(name=inc.name), metadata=OPERATOR)).incident
            assert unchanged.version == inc.version and unchanged.state == state
