"""Bad bytes and values no store can hold get INVALID_ARGUMENT (never UNKNOWN or INTERNAL), and errors stay small."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import cast

import grpc
import pytest
from emergency.incident.v1 import incident_service_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from services.common.auth import Role, mint_token
from services.common.settings import DEVELOPMENT_JWT_SECRET
from tests.grpc_assertions import error_info, expect_error, field_violations
from tests.incident.conftest import IncidentHarness
from tests.incident.factories import create_request
from tests.incident.helpers import OPERATOR

CREATE = "/emergency.incident.v1.IncidentService/CreateIncident"


async def count_incidents(harness: IncidentHarness) -> int:
    """How many incidents the service holds."""
    reply = await harness.stub.ListIncidents(pb.ListIncidentsRequest(page_size=500), metadata=OPERATOR)
    return len(reply.incidents)


@pytest.mark.parametrize("payload", [b"\xff\xff\xff\xff", b"\x0a\xff\x01", b"\x12\x05abc"])
async def test_undecodable_bytes_are_invalid_argument_without_an_error_log(incident: IncidentHarness, payload: bytes, caplog: pytest.LogCaptureFixture) -> None:
    call = incident.channel.unary_unary(CREATE, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    with caplog.at_level(logging.INFO):
        error = await expect_error(call(payload, metadata=OPERATOR, timeout=10), grpc.StatusCode.INVALID_ARGUMENT)
    assert error_info(error).reason == "UNDECODABLE_REQUEST"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_out_of_range_timestamp_is_invalid_argument(incident: IncidentHarness) -> None:
    request = pb.ListIncidentsRequest(create_time_from=Timestamp(seconds=4611686018427387904))
    error = await expect_error(incident.stub.ListIncidents(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["create_time_from"]


@pytest.mark.parametrize("field", ["description", "title", "reporter"])
async def test_nul_bytes_are_invalid_argument_and_nothing_is_written(incident: IncidentHarness, field: str) -> None:
    request = create_request(**{field: "bad\x00value"})
    error = await expect_error(incident.stub.CreateIncident(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == [f"incident.{field}"]
    bad_id = create_request()
    bad_id.request_id = "id\x00"
    await expect_error(incident.stub.CreateIncident(bad_id, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    await expect_error(incident.stub.ListIncidents(pb.ListIncidentsRequest(park_id="lig\x00ang"), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert await count_incidents(incident) == 0


async def test_long_values_are_refused_with_a_small_error(incident: IncidentHarness) -> None:
    request = pb.GetIncidentRequest(name="incidents/" + "x" * 100_000)
    error = await expect_error(incident.stub.GetIncident(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["name"]
    trailer = dict(cast(grpc.aio.Metadata, error.trailing_metadata()) or ())  # the stubs give aio errors the sync trailer type
    assert len(trailer["grpc-status-details-bin"]) < 4000 and len(error.details() or "") < 2000
    long_id = create_request()
    long_id.request_id = "r" * 101
    error = await expect_error(incident.stub.CreateIncident(long_id, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["request_id"]
    assert await count_incidents(incident) == 0


@pytest.mark.parametrize(("subject", "ttl_s", "reason"), [("s" * 5000, 3600, "TOKEN_INVALID"), ("officer", 10 * 365 * 24 * 3600, "TOKEN_LIFETIME_TOO_LONG")])
async def test_long_subjects_and_far_expiries_are_refused(incident: IncidentHarness, subject: str, ttl_s: int, reason: str) -> None:
    token = mint_token(DEVELOPMENT_JWT_SECRET, subject=subject, role=Role.OPERATOR, ttl_s=ttl_s)
    error = await expect_error(
        incident.stub.CreateIncident(create_request(), metadata=(("authorization", f"Bearer {token}"),)), grpc.StatusCode.UNAUTHENTICATED
    )
    assert error_info(error).reason == reason
    assert await count_incidents(incident) == 0


async def test_a_call_cut_off_by_its_deadline_is_logged_as_such(tmp_path: Path, incident: IncidentHarness, caplog: pytest.LogCaptureFixture) -> None:
    if not incident.database_url.startswith("sqlite"):
        pytest.skip("holds the SQLite write lock to keep the handler busy past the deadline")
    blocker = sqlite3.connect(incident.database_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    with caplog.at_level(logging.INFO, logger="emergency.rpc"):
        await expect_error(incident.stub.CreateIncident(create_request(), metadata=OPERATOR, timeout=0.5), grpc.StatusCode.DEADLINE_EXCEEDED)
        blocker.execute("ROLLBACK")
        blocker.close()
        await count_incidents(incident)  # a later call: the cut-off one has been logged by then
    codes = [getattr(r, "rpc_code", "") for r in caplog.records if getattr(r, "rpc_method", "") == CREATE]
    assert codes == ["DEADLINE_EXCEEDED"]
