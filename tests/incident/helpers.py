"""Helpers for incident integration tests."""

from __future__ import annotations

import grpc
import pytest
from emergency.incident.v1 import incident_service_pb2 as pb
from emergency.incident.v1 import incident_service_pb2_grpc as pb_grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.common.auth import Role
from tests.conftest import auth
from tests.incident.factories import create_request, new_request_id

OPERATOR = auth(Role.OPERATOR, subject="operator-li")


async def create(stub: pb_grpc.IncidentServiceStub, **overrides: object) -> pb.Incident:
    """Report a valid incident as an operator."""
    response = await stub.CreateIncident(create_request(**overrides), metadata=OPERATOR)
    return response.incident


async def expect_error(call: object, code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    """Await a call that must fail with `code`."""
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call  # type: ignore[misc]
    assert info.value.code() == code, info.value.details()
    return info.value


def field_violations(error: grpc.aio.AioRpcError) -> list[str]:
    """The BadRequest field names in an error's rich status."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "no google.rpc.Status in the trailers"
    fields: list[str] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields += [v.field for v in bad.field_violations]
    return fields


def error_info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    """The ErrorInfo in an error's rich status."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    raise AssertionError("no ErrorInfo in the status")


def rid() -> str:
    """A fresh request id."""
    return new_request_id()
