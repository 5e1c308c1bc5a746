"""Dispatch service process: build_server(settings) -> (server, port) and main().

Dispatch is stateless: no database, no outbox; every request carries the world it plans for.
"""

from __future__ import annotations

from emergency.dispatch.v1 import dispatch_service_pb2, dispatch_service_pb2_grpc

from services.common.server import RunningServer, ServiceSpec, serve, service_main, service_name
from services.common.settings import Settings
from services.dispatch.servicer import DispatchServicer
from services.dispatch.validation import Limits

SERVICE = "dispatch"
SPEC = ServiceSpec(SERVICE, service_name(dispatch_service_pb2, "DispatchService"), dispatch_service_pb2_grpc.add_DispatchServiceServicer_to_server, bulk=["*"])

# Request size limits (RESOURCE_EXHAUSTED names the one exceeded): 200 incidents, 20,000 units,
# 5,000 stock lines, 50 demand lines per incident, 200 road restrictions, 50,000 plan entries.
REQUEST_LIMITS = Limits()


async def build_server(settings: Settings, port: int | None = None) -> tuple[RunningServer, int]:
    """Serve DispatchService with health and reflection; every call may carry a bulk-sized world."""
    servicer = DispatchServicer(REQUEST_LIMITS)
    return await serve(settings, SPEC, port, servicer)


def main() -> None:
    """Run the dispatch service until SIGTERM or SIGINT."""
    service_main(SERVICE, build_server)


if __name__ == "__main__":
    main()
