"""Helpers for the gateway's end-to-end tests: callers, incident reports, polling."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from emergency.resources.v1 import resources_service_pb2_grpc as rpb_grpc

from services.common.auth import Role
from tests.conftest import auth

T = TypeVar("T")

OPERATOR = auth(Role.OPERATOR, subject="operator-li")
DIRECTOR = auth(Role.DRILL_DIRECTOR, subject="director-chen")
VIEWER = auth(Role.VIEWER, subject="viewer-wu")


def officer(park_id: str) -> tuple[tuple[str, str], ...]:
    """A park officer of the park."""
    return auth(Role.PARK_OFFICER, park_id=park_id, subject=f"officer-{park_id}")


def rid() -> str:
    """A fresh request id."""
    return uuid.uuid4().hex


CHLORINE = {
    "title": "Chlorine leak at the loading bay",
    "park_id": "xiagang",
    "lat": 31.9352,
    "lon": 120.2268,
    "kind": common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
    "substance": common_pb2.Substance(name="chlorine", un_number="1017", hazard_class="2.3"),
    "severity": common_pb2.SEVERITY_II,
    "description": "Flange failure on a tanker loading arm; toxic cloud drifting south-east",
}
TANK_FIRE = {
    "title": "Naphtha tank fire",
    "park_id": "shengang",
    "lat": 31.9262,
    "lon": 120.1771,
    "kind": common_pb2.INCIDENT_KIND_FIRE,
    "substance": common_pb2.Substance(name="naphtha", un_number="1268", hazard_class="3"),
    "severity": common_pb2.SEVERITY_II,
    "description": "Rim-seal fire spreading on a floating-roof tank",
}


def incident(spec: dict[str, object], *, exercise_id: str = "", demands: list[common_pb2.ResourceDemand] | None = None, **overrides: object) -> ipb.Incident:
    """An incident report from a spec."""
    values = {**spec, **overrides}
    return ipb.Incident(
        title=str(values["title"]),
        park_id=str(values["park_id"]),
        location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=float(values["lat"]), longitude=float(values["lon"])), description="test site"),  # type: ignore[arg-type]
        kind=values["kind"],  # type: ignore[arg-type]
        substance=values["substance"],  # type: ignore[arg-type]
        severity=values["severity"],  # type: ignore[arg-type]
        reporter="test console",
        description=str(values["description"]),
        exercise_id=exercise_id,
        demands=demands or [],
    )


def demand(resource_type: str, quantity: float, within: int = 0) -> common_pb2.ResourceDemand:
    """One demand line."""
    return common_pb2.ResourceDemand(resource_type=resource_type, quantity=quantity, needed_within_minutes=within)


async def report(
    stub: gpb_grpc.CommandCenterServiceStub, spec: dict[str, object], *, metadata: tuple[tuple[str, str], ...] = OPERATOR, accept: bool = True, **kwargs: object
) -> gpb.ReportIncidentResponse:
    """Report an incident through the gateway."""
    request = gpb.ReportIncidentRequest(request_id=rid(), incident=incident(spec, **kwargs), accept_recommendation=accept)  # type: ignore[arg-type]
    reply: gpb.ReportIncidentResponse = await stub.ReportIncident(request, metadata=metadata)
    return reply


async def eventually(check: Callable[[], Awaitable[T | None]], what: str, limit_s: float = 60.0, every_s: float = 0.1) -> T:
    """Poll until the check returns a value (the limit only stops a broken run; no speed is assumed)."""
    deadline = time.monotonic() + limit_s
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every_s)


async def units_in(resources: rpb_grpc.ResourceServiceStub, states: list[int], exercise_id: str = "") -> list[rpb.Unit]:
    """Every unit in the given states, all pages."""
    found: list[rpb.Unit] = []
    token = ""
    while True:
        page = await resources.ListUnits(
            rpb.ListUnitsRequest(parent="parks/-", states=states, exercise_id=exercise_id, page_size=1000, page_token=token),  # type: ignore[arg-type]
            metadata=OPERATOR,
        )
        found.extend(page.units)
        token = page.next_page_token
        if not token:
            return found


async def live_availability(resources: rpb_grpc.ResourceServiceStub) -> dict[str, int]:
    """Every available live unit with its version, and available stock, as one comparable map."""
    view: dict[str, int] = {}
    token = ""
    while True:
        page = await resources.GetAvailabilitySnapshot(rpb.GetAvailabilitySnapshotRequest(page_size=1000, page_token=token), metadata=OPERATOR)
        view.update({u.unit.name: u.unit.version for u in page.units})
        view.update({s.stock.name: int(s.available) for s in page.stocks})
        token = page.next_page_token
        if not token:
            return view
