"""Dispatch service process: build_server(settings) -> (server, port) and main().

Dispatch is stateless: no database, no outbox; every request carries the world it plans for.
"""

from __future__ import annotations

from emergency.dispatch.v1 import dispatch_service_pb2, dispatch_service_pb2_grpc

from services.common.server import RunningServer, run_until_signalled, start_server
from services.common.settings import Settings, load_settings
from services.dispatch.servicer import DispatchServicer
from services.dispatch.validation import Limits

SERVICE = "dispatch"
SERVICE_NAME = dispatch_service_pb2.DESCRIPTOR.services_by_name["DispatchService"].full_name

# Request size limits (RESOURCE_EXHAUSTED names the one exceeded): 200 incidents, 20,000 units,
# 5,000 stock lines, 50 demand lines per incident, 200 road restrictions, 50,000 plan entries.
REQUEST_LIMITS = Limits()


async def build_server(settings: Settings, port: int | None = None) -> tuple[RunningServer, int]:
    """Serve DispatchService with health and reflection."""
    servicer = DispatchServicer(REQUEST_LIMITS)
    running = await start_server(
        settings=settings,
        service_label=SERVICE,
        service_names=[SERVICE_NAME],
        register=lambda server: dispatch_service_pb2_grpc.add_DispatchServiceServicer_to_server(servicer, server),
        port=settings.port_for(SERVICE) if port is None else port,
        bulk_methods=[f"/{SERVICE_NAME}/*"],
    )
    return running, running.port


def main() -> None:
    """Run the dispatch service until SIGTERM or SIGINT."""
    run_until_signalled(SERVICE, load_settings(), build_server)


if __name__ == "__main__":
    main()
