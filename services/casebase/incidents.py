"""The incident service's word on an incident: a live after-action report or a new case needs one that exists and is closed."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.incident.v1 import incident_service_pb2_grpc as ipb_grpc

from services.common.client import open_channel
from services.common.errors import failed_precondition, unavailable
from services.common.settings import Settings

CLOSED = ipb.Incident.STATE_CLOSED


class IncidentCheck:
    """Asks the incident service (with the caller's token) whether incidents exist and are closed."""

    def __init__(self, settings: Settings) -> None:
        self._channel = open_channel(settings.address_of("incident"), default_timeout_s=settings.default_call_timeout_s)
        self._stub = ipb_grpc.IncidentServiceStub(self._channel)

    async def require_closed(self, names: Sequence[str]) -> None:
        """FAILED_PRECONDITION naming the first incident that does not exist or is not closed."""
        for name in names:
            try:
                incident = (await self._stub.GetIncident(ipb.GetIncidentRequest(name=name))).incident
            except grpc.aio.AioRpcError as error:
                if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                    raise failed_precondition("INCIDENT_NOT_FOUND", f"{name} does not exist in the incident service", {"incident": name}) from error
                raise unavailable("INCIDENT_SERVICE_UNAVAILABLE", f"could not check {name} with the incident service: {error.details()}") from error
            if incident.state != CLOSED:
                state = ipb.Incident.State.Name(incident.state).removeprefix("STATE_")
                raise failed_precondition(
                    "INCIDENT_NOT_CLOSED",
                    f"{name} is {state}; only a closed incident has an after-action report or becomes a case",
                    {"incident": name, "current_state": state},
                )

    async def close(self) -> None:
        """Close the channel."""
        await self._channel.close(None)
