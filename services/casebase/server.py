"""Case-base service process: build_server(settings) -> (server, port) and main()."""

from __future__ import annotations

import logging

from emergency.casebase.v1 import casebase_service_pb2, casebase_service_pb2_grpc

from services.casebase import monitoring
from services.casebase.config import CasebaseOptions
from services.casebase.incidents import IncidentCheck
from services.casebase.searcher import CaseSearcher
from services.casebase.seed import load_shipped_library
from services.casebase.servicer import CaseBaseServicer
from services.casebase.tables import TABLES
from services.common.db import run_in_thread
from services.common.runtime import open_storage
from services.common.server import RunningServer, run_until_signalled, start_server
from services.common.settings import Settings, load_settings

SERVICE = "casebase"
SERVICE_NAME = casebase_service_pb2.DESCRIPTOR.services_by_name["CaseBaseService"].full_name

log = logging.getLogger(__name__)


async def build_server(settings: Settings, port: int | None = None, *, options: CasebaseOptions | None = None) -> tuple[RunningServer, int]:
    """Open the database, load the shipped library once, build the search index and serve CaseBaseService."""
    options = options or CasebaseOptions()
    storage = open_storage(settings, SERVICE, TABLES)
    storage.unobserve.append(monitoring.observe(storage.engine))
    try:
        summary = await run_in_thread(load_shipped_library, storage.engine, options.validation_context())
        log.info("shipped library", extra={"cases_loaded": summary.cases, "scenarios_loaded": summary.scenarios, "skipped": len(summary.skipped)})
        searcher = CaseSearcher(storage.engine)
        await run_in_thread(searcher.snapshot)
        incidents = IncidentCheck(settings)
        servicer = CaseBaseServicer(storage.engine, searcher, options, incidents, on_commit=storage.relay.notify)
        running = await start_server(
            settings=settings,
            service_label=SERVICE,
            service_names=[SERVICE_NAME],
            register=lambda server: casebase_service_pb2_grpc.add_CaseBaseServiceServicer_to_server(servicer, server),
            port=settings.port_for(SERVICE) if port is None else port,
            cleanups=[storage.close, incidents.close],
            relay=storage.relay,
        )
    except BaseException:
        await storage.close()
        raise
    return running, running.port


def main() -> None:
    """Run the case-base service until SIGTERM or SIGINT."""
    run_until_signalled(SERVICE, load_settings(), build_server)


if __name__ == "__main__":
    main()
