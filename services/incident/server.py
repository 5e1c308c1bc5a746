"""Incident service process: build_server(settings) -> (server, port) and main()."""

from __future__ import annotations

from emergency.incident.v1 import incident_service_pb2, incident_service_pb2_grpc

from services.common.runtime import open_storage
from services.common.server import RunningServer, run_until_signalled, start_server
from services.common.settings import Settings, load_settings
from services.incident import monitoring
from services.incident.exercises import ExerciseDirectory
from services.incident.servicer import IncidentServicer
from services.incident.tables import TABLES

SERVICE = "incident"
SERVICE_NAME = incident_service_pb2.DESCRIPTOR.services_by_name["IncidentService"].full_name


async def build_server(settings: Settings, port: int | None = None) -> tuple[RunningServer, int]:
    """Open the database, start the outbox relay and serve IncidentService."""
    storage = open_storage(settings, SERVICE, TABLES)
    storage.unobserve.append(monitoring.observe(storage.engine))
    exercises = ExerciseDirectory(settings.address_of("resources"))
    servicer = IncidentServicer(storage.engine, exercises, on_commit=storage.relay.notify)
    running = await start_server(
        settings=settings,
        service_label=SERVICE,
        service_names=[SERVICE_NAME],
        register=lambda server: incident_service_pb2_grpc.add_IncidentServiceServicer_to_server(servicer, server),
        port=settings.port_for(SERVICE) if port is None else port,
        cleanups=[storage.close, exercises.close],
        relay=storage.relay,
    )
    return running, running.port


def main() -> None:
    """Run the incident service until SIGTERM or SIGINT."""
    run_until_signalled(SERVICE, load_settings(), build_server)


if __name__ == "__main__":
    main()
