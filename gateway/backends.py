"""Channels and stubs to the four backing services, and one way to call them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from emergency.casebase.v1 import casebase_service_pb2_grpc
from emergency.dispatch.v1 import dispatch_service_pb2_grpc
from emergency.incident.v1 import incident_service_pb2_grpc
from emergency.resources.v1 import resources_service_pb2_grpc

from services.common.client import open_channel
from services.common.errors import ServiceError
from services.common.settings import Settings
from services.common.status import error_from_rpc

R = TypeVar("R")

# A backend's error travels on to the gateway's caller in trailers, which gRPC caps at 16 KiB: keep it well below.
MAX_MESSAGE = 2000
MAX_VIOLATIONS = 40
MAX_METADATA = 40


@dataclass
class Backends:
    """Stubs to incident, resources, casebase and dispatch over traced, deadline-forwarding channels."""

    incident: incident_service_pb2_grpc.IncidentServiceStub
    resources: resources_service_pb2_grpc.ResourceServiceStub
    casebase: casebase_service_pb2_grpc.CaseBaseServiceStub
    dispatch: dispatch_service_pb2_grpc.DispatchServiceStub
    channels: list[grpc.aio.Channel] = field(default_factory=list)

    async def close(self) -> None:
        """Close every channel."""
        for channel in self.channels:
            await channel.close(None)


def open_backends(settings: Settings) -> Backends:
    """Open one channel per backing service at the configured addresses."""
    timeout = settings.default_call_timeout_s
    channels = {
        name: open_channel(settings.address_of(name), default_timeout_s=timeout, service="gateway")
        for name in ("incident", "resources", "casebase", "dispatch")
    }
    return Backends(
        incident=incident_service_pb2_grpc.IncidentServiceStub(channels["incident"]),
        resources=resources_service_pb2_grpc.ResourceServiceStub(channels["resources"]),
        casebase=casebase_service_pb2_grpc.CaseBaseServiceStub(channels["casebase"]),
        dispatch=dispatch_service_pb2_grpc.DispatchServiceStub(channels["dispatch"]),
        channels=list(channels.values()),
    )


async def call(method: Callable[..., Awaitable[R]], request: Any, *, timeout: float | None = None) -> R:
    """Call a backend method; a failed call is re-raised as the ServiceError it carried."""
    try:
        return await method(request, timeout=timeout)
    except grpc.aio.AioRpcError as exc:
        try:
            error = error_from_rpc(exc)
        except ValueError:  # the rich status did not survive the transport (e.g. trailers over the size limit)
            error = ServiceError(exc.code(), exc.code().name, exc.details() or "")
        raise bounded(error) from exc


async def pages(method: Callable[..., Awaitable[Any]], request: Any) -> AsyncIterator[Any]:
    """Every page of a paginated list call, in order."""
    while True:
        page = await call(method, request)
        yield page
        if not page.next_page_token:
            return
        request.page_token = page.next_page_token


async def all_pages(method: Callable[..., Awaitable[Any]], request: Any, field: str) -> list[Any]:
    """Every item of a paginated list call."""
    return [item async for page in pages(method, request) for item in getattr(page, field)]


def bounded(error: ServiceError) -> ServiceError:
    """The error with its message, field violations and metadata cut to a size that fits in trailers."""
    if len(error.message) > MAX_MESSAGE:
        error.message = error.message[: MAX_MESSAGE - 20] + " ... (shortened)"
        error.args = (error.message,)
    if len(error.violations) > MAX_VIOLATIONS:
        error.violations = error.violations[:MAX_VIOLATIONS]
    if len(error.metadata) > MAX_METADATA:
        error.metadata = dict(list(error.metadata.items())[:MAX_METADATA])
    error.metadata = {k: v[:200] for k, v in error.metadata.items()}
    return error


def is_code(error: ServiceError, *codes: grpc.StatusCode) -> bool:
    """Tell whether an error has one of the codes."""
    return error.code in codes
