"""Factories for incident requests."""

from __future__ import annotations

import uuid

from emergency.common.v1 import common_pb2
from emergency.incident.v1 import incident_service_pb2 as pb


def new_request_id() -> str:
    """A fresh request id."""
    return uuid.uuid4().hex


def incident_message(**overrides: object) -> pb.Incident:
    """A valid chlorine-leak incident in the Ligang park."""
    message = pb.Incident(
        title="Chlorine leak at tank T-12",
        park_id="ligang",
        location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=31.955, longitude=120.09), description="tank farm B"),
        kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
        substance=common_pb2.Substance(name="chlorine", un_number="1017", hazard_class="2.3"),
        severity=common_pb2.SEVERITY_II,
        reporter="duty officer Wang",
        description="氯气储罐阀门泄漏，下风向有人员",
        demands=[common_pb2.ResourceDemand(resource_type="HAZMAT_TEAM", quantity=2, needed_within_minutes=15)],
    )
    for key, value in overrides.items():
        if isinstance(value, (pb.Incident, common_pb2.Location, common_pb2.Substance, common_pb2.GeoPoint)):
            getattr(message, key).CopyFrom(value)
        else:
            setattr(message, key, value)
    return message


def create_request(**overrides: object) -> pb.CreateIncidentRequest:
    """A valid create request with a fresh request id."""
    return pb.CreateIncidentRequest(request_id=new_request_id(), incident=incident_message(**overrides))
