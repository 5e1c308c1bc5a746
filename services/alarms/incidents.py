"""The intake's calls out: report an incident through the gateway, add alarms to its timeline, raise its severity."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.incident.v1 import incident_service_pb2_grpc as ipb_grpc
from emergency.resources.v1 import resources_service_pb2 as rpb
from emergency.resources.v1 import resources_service_pb2_grpc as rpb_grpc
from google.protobuf import struct_pb2

from services.alarms.correlation import Group, Sensor, centre
from services.alarms.mapping import SEVERITIES
from services.common.auth import Role, mint_token
from services.common.client import bearer, open_channel
from services.common.errors import ServiceError
from services.common.settings import Settings
from services.common.status import error_from_rpc

R = TypeVar("R")
SUBJECT = "alarm-intake"
KINDS = {
    "TOXIC_GAS": common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
    "FLAMMABLE_GAS": common_pb2.INCIDENT_KIND_FLAMMABLE_GAS_LEAK,
    "FLAME": common_pb2.INCIDENT_KIND_FIRE,
    "SMOKE": common_pb2.INCIDENT_KIND_FIRE,
    "TEMPERATURE": common_pb2.INCIDENT_KIND_FIRE,
}


def request_id(*parts: object) -> str:
    """A request id fixed by its parts, so a retry after a crash is the same request."""
    return "alarms-" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class Nearby:
    """An incident reported by people, with what correlation compares."""

    name: str
    latitude: float
    longitude: float
    substance: common_pb2.Substance
    kind: int


class Outbound:
    """Stubs to the gateway, incident and resources services, called with the intake's own token."""

    def __init__(self, settings: Settings, *, gateway_addr: str = "") -> None:
        timeout = settings.default_call_timeout_s
        self._secret = settings.jwt_secret.get_secret_value()
        self._issuer = settings.jwt_issuer
        self._channels = [
            open_channel(gateway_addr or settings.address_of("gateway"), default_timeout_s=timeout),
            open_channel(settings.address_of("incident"), default_timeout_s=timeout),
            open_channel(settings.address_of("resources"), default_timeout_s=timeout),
        ]
        self.gateway = gpb_grpc.CommandCenterServiceStub(self._channels[0])
        self.incident = ipb_grpc.IncidentServiceStub(self._channels[1])
        self.resources = rpb_grpc.ResourceServiceStub(self._channels[2])
        self._token = ""

    def _metadata(self) -> tuple[tuple[str, str], ...]:
        """A fresh token now and then; the intake is a service principal of its own."""
        if not self._token:
            self._token = mint_token(self._secret, subject=SUBJECT, role=Role.ALARM_INTAKE, issuer=self._issuer, ttl_s=3600)
        return bearer(self._token)

    async def call(self, method: Callable[..., Awaitable[R]], request: Any) -> R:
        """One call; a failure is re-raised as the ServiceError it carried (an expired token is renewed once)."""
        for attempt in range(2):
            try:
                return await method(request, metadata=self._metadata())
            except grpc.aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.UNAUTHENTICATED and attempt == 0:
                    self._token = ""
                    continue
                try:
                    raise error_from_rpc(exc) from exc
                except ValueError:
                    raise ServiceError(exc.code(), exc.code().name, exc.details() or "") from exc
        raise AssertionError("unreachable")

    async def detectors(self) -> list[rpb.Detector]:
        """Every registered detector."""
        found: list[rpb.Detector] = []
        token = ""
        while True:
            page = await self.call(self.resources.ListDetectors, rpb.ListDetectorsRequest(parent="parks/-", page_size=1000, page_token=token))
            found += page.detectors
            token = page.next_page_token
            if not token:
                return found

    async def report(self, group: Group, sensor: Sensor, opening: str, text: str) -> str:
        """Report the group's incident through the gateway (recommendation accepted); return its name."""
        lat, lon = centre(group)
        substance = common_pb2.Substance(name=group.substance_name, un_number=group.un_number, hazard_class=group.hazard_class)
        what = group.substance_name or sensor.kind.lower().replace("_", " ")
        incident = ipb.Incident(
            title=f"Detector alarm: {what} at {sensor.area or sensor.display_name or sensor.name}"[:200],
            park_id=group.park_id,
            location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=lat, longitude=lon), description=(sensor.area or sensor.name)[:200]),
            kind=KINDS.get(sensor.kind, common_pb2.INCIDENT_KIND_OTHER),
            substance=substance,
            severity=SEVERITIES[group.severity],
            reporter=f"alarm intake ({sensor.name})"[:100],
            description=text[:2000],
            exercise_id=group.exercise_id,
        )
        reply = await self.call(
            self.gateway.ReportIncident, gpb.ReportIncidentRequest(request_id=request_id("report", opening), incident=incident, accept_recommendation=True)
        )
        return str(reply.incident.name)

    async def note(self, incident: str, seqs: Sequence[int], note: str, details: dict[str, Any]) -> None:
        """Add alarms to an incident's timeline."""
        body = struct_pb2.Struct()
        body.update(details)
        request = ipb.AddTimelineNoteRequest(
            request_id=request_id("note", incident, *seqs), name=incident, note=note[:2000], action="ALARMS_RECORDED", details=body
        )
        await self.call(self.incident.AddTimelineNote, request)

    async def raise_severity(self, incident: str, level: str, reason: str) -> None:
        """Raise an incident's level to what the alarms call for, unless it is already there or higher."""
        order = {"IV": 0, "III": 1, "II": 2, "I": 3}
        for _ in range(5):
            current = (await self.call(self.incident.GetIncident, ipb.GetIncidentRequest(name=incident))).incident
            have = next((k for k, v in SEVERITIES.items() if v == current.severity), "IV")
            if order[have] >= order[level] or current.state in (ipb.Incident.STATE_CLOSED, ipb.Incident.STATE_CANCELLED):
                return
            request = ipb.ChangeSeverityRequest(
                request_id=request_id("severity", incident, level, current.version),
                name=incident,
                version=current.version,
                severity=SEVERITIES[level],
                reason=reason,
            )
            try:
                await self.call(self.incident.ChangeSeverity, request)
                return
            except ServiceError as error:
                if error.code != grpc.StatusCode.ABORTED:
                    raise

    async def responding_nearby(self, exercise_id: str) -> list[Nearby]:
        """Incidents of the namespace that are RESPONDING."""
        reply = await self.call(
            self.incident.ListIncidents, ipb.ListIncidentsRequest(states=[ipb.Incident.STATE_RESPONDING], exercise_id=exercise_id, page_size=200)
        )
        return [Nearby(i.name, i.location.point.latitude, i.location.point.longitude, i.substance, i.kind) for i in reply.incidents]

    async def connect(self, timeout_s: float) -> None:
        """Open the connections now (those that answer in time)."""
        await asyncio.gather(*(asyncio.wait_for(c.channel_ready(), timeout_s) for c in self._channels), return_exceptions=True)

    async def close(self) -> None:
        """Close the channels."""
        for channel in self._channels:
            await channel.close(None)
