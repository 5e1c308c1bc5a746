"""The client helper: what is left of the caller's deadline is forwarded, a cap applies otherwise, the principal goes along."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest
from emergency.incident.v1 import incident_service_pb2 as pb
from emergency.incident.v1 import incident_service_pb2_grpc

from services.common.auth import Principal, Role, reset_current_principal, set_current_principal
from services.common.client import IDEMPOTENT_SERVICES, open_channel, retry_service_config
from services.common.deadline import outgoing_timeout, remaining_s, reset_deadline, set_deadline_from_remaining
from services.incident.server import build_server
from tests.conftest import service_settings, token
from tests.grpc_assertions import expect_error


def test_outgoing_timeout_takes_the_smallest_of_asked_left_and_cap() -> None:
    assert outgoing_timeout(None, 10.0) == 10.0
    assert outgoing_timeout(3.0, 10.0) == 3.0
    marker = set_deadline_from_remaining(2.0)
    try:
        left = remaining_s()
        assert left is not None and 0 < left <= 2.0
        assert outgoing_timeout(None, 10.0) <= 2.0
        assert outgoing_timeout(1.0, 10.0) == 1.0
    finally:
        reset_deadline(marker)
    assert remaining_s() is None


def test_retries_only_unavailable_for_the_suite_services() -> None:
    config = json.loads(retry_service_config())
    (method_config,) = config["methodConfig"]
    assert method_config["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert {n["service"] for n in method_config["name"]} == set(IDEMPOTENT_SERVICES)


async def test_an_expired_caller_deadline_is_forwarded_and_the_principal_travels(tmp_path: Path, sqlite_url: str, redis_url: str) -> None:
    running, port = await build_server(service_settings(tmp_path, sqlite_url, redis_url), port=0)
    channel = open_channel(f"127.0.0.1:{port}", default_timeout_s=30.0)
    stub = incident_service_pb2_grpc.IncidentServiceStub(channel)
    principal = set_current_principal(Principal("operator-li", Role.OPERATOR, token=token(Role.OPERATOR)))
    try:
        # As if handling a request whose caller has almost no time left: the outgoing call gets that, not the cap.
        marker = set_deadline_from_remaining(0.0)
        try:
            await expect_error(stub.ListIncidents(pb.ListIncidentsRequest()), grpc.StatusCode.DEADLINE_EXCEEDED)
        finally:
            reset_deadline(marker)
        # No caller deadline: the cap applies and the call succeeds, authenticated by the forwarded bearer token.
        listed = await stub.ListIncidents(pb.ListIncidentsRequest())
        assert list(listed.incidents) == []
    finally:
        reset_current_principal(principal)
        await channel.close(None)
        await running.stop(1.0)


@pytest.mark.parametrize("bad", ["Basic abc", "Bearer", "token-without-scheme"])
async def test_malformed_authorization_is_unauthenticated(tmp_path: Path, sqlite_url: str, redis_url: str, bad: str) -> None:
    running, port = await build_server(service_settings(tmp_path, sqlite_url, redis_url), port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = incident_service_pb2_grpc.IncidentServiceStub(channel)
            await expect_error(stub.ListIncidents(pb.ListIncidentsRequest(), metadata=(("authorization", bad),)), grpc.StatusCode.UNAUTHENTICATED)
    finally:
        await running.stop(1.0)
