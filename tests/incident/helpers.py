"""Helpers for incident integration tests."""

from __future__ import annotations

from emergency.incident.v1 import incident_service_pb2 as pb
from emergency.incident.v1 import incident_service_pb2_grpc as pb_grpc

from services.common.auth import Role
from tests.conftest import auth
from tests.incident.factories import create_request, new_request_id

OPERATOR = auth(Role.OPERATOR, subject="operator-li")


async def create(stub: pb_grpc.IncidentServiceStub, **overrides: object) -> pb.Incident:
    """Report a valid incident as an operator."""
    response: pb.CreateIncidentResponse = await stub.CreateIncident(create_request(**overrides), metadata=OPERATOR)
    return response.incident


def rid() -> str:
    """A fresh request id."""
    return new_request_id()
