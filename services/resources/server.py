"""Resources service process: build_server(settings) -> (server, port) and main()."""

from __future__ import annotations

from emergency.resources.v1 import resources_service_pb2, resources_service_pb2_grpc

from services.common.runtime import open_storage
from services.common.server import RunningServer, ServiceSpec, serve, service_main, service_name
from services.common.settings import Settings
from services.resources import monitoring
from services.resources.servicer import ResourceServicer
from services.resources.store import ResourceStore
from services.resources.sweeper import ExpirySweeper
from services.resources.tables import TABLES

SERVICE = "resources"
SPEC = ServiceSpec(
    SERVICE, service_name(resources_service_pb2, "ResourceService"), resources_service_pb2_grpc.add_ResourceServiceServicer_to_server, bulk=["ImportInventory"]
)


async def build_server(settings: Settings, port: int | None = None, *, sweep_interval_s: float = 1.0) -> tuple[RunningServer, int]:
    """Open the database, start the outbox relay and the expiry sweeper, and serve ResourceService."""
    storage = open_storage(settings, SERVICE, TABLES)
    storage.unobserve.append(monitoring.observe(storage.engine))
    servicer = ResourceServicer(storage.engine, on_commit=storage.relay.notify)
    sweeper = ExpirySweeper(ResourceStore(storage.engine), interval_s=sweep_interval_s, on_expired=storage.relay.notify)
    sweeper.start()
    return await serve(settings, SPEC, port, servicer, cleanups=[storage.close, sweeper.stop], relay=storage.relay)


def main() -> None:
    """Run the resources service until SIGTERM or SIGINT."""
    service_main(SERVICE, build_server)


if __name__ == "__main__":
    main()
