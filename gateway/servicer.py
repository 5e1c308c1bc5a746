"""CommandCenterService: transport only. Each method admits the caller, checks the request, authorises, calls the domain.

The methods are grouped by what they concern (`servicer_plans`, `servicer_incidents`, `servicer_parks`); this module
assembles them into the one servicer.
"""

from __future__ import annotations

from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc

from gateway.servicer_incidents import IncidentRpcs
from gateway.servicer_parks import ParkRpcs
from gateway.servicer_plans import PlanRpcs


class CommandCenterServicer(PlanRpcs, IncidentRpcs, ParkRpcs, gpb_grpc.CommandCenterServiceServicer):
    """The public API of the suite: consoles call only this."""
