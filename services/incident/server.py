"""Incident service process: build_server(settings) -> (server, port) and main()."""

from __future__ import annotations

from emergency.incident.v1 import incident_service_pb2, incident_service_pb2_grpc

from services.common.runtime import open_storage
from services.common.server import RunningServer, ServiceSpec, serve, service_main, service_name
from services.common.settings import Settings
from services.common.transactions import Transactions
from services.incident import monitoring
from services.incident.exercises import ExerciseDirectory
from services.incident.servicer import IncidentServicer
from services.incident.tables import TABLES

SERVICE = "incident"
SPEC = ServiceSpec(SERVICE, service_name(incident_service_pb2, "IncidentService"), incident_service_pb2_grpc.add_IncidentServiceServicer_to_server)


async def build_server(settings: Settings, port: int | None = None) -> tuple[RunningServer, int]:
    """Open the database, start the outbox relay and serve IncidentService."""
    storage = open_storage(settings, SERVICE, TABLES)
    storage.unobserve.append(monitoring.observe(storage.engine))
    exercises = ExerciseDirectory(settings.address_of("resources"))
    servicer = IncidentServicer(Transactions(storage.engine, storage.relay.notify), exercises)
    return await serve(settings, SPEC, port, servicer, cleanups=[storage.close, exercises.close], relay=storage.relay)


def main() -> None:
    """Run the incident service until SIGTERM or SIGINT."""
    service_main(SERVICE, build_server)


if __name__ == "__main__":
    main()
