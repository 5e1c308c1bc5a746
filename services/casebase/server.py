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
from services.common.server import RunningServer, ServiceSpec, serve, service_main, service_name
from services.common.settings import Settings
from services.common.transactions import Transactions

SERVICE = "casebase"
SPEC = ServiceSpec(SERVICE, service_name(casebase_service_pb2, "CaseBaseService"), casebase_service_pb2_grpc.add_CaseBaseServiceServicer_to_server)

log = logging.getLogger(__name__)


async def build_server(settings: Settings, port: int | None = None, *, options: CasebaseOptions | None = None) -> tuple[RunningServer, int]:
    """Open the database, load the shipped library once, build the search index and serve CaseBaseService."""
    options = options or CasebaseOptions()
    storage = open_storage(settings, SERVICE, TABLES)
    storage.unobserve.append(monitoring.observe(storage.engine))
    tx = Transactions(storage.engine, storage.relay.notify)
    try:
        summary = await run_in_thread(load_shipped_library, tx, options.validation_context())
        log.info("shipped library", extra={"cases_loaded": summary.cases, "scenarios_loaded": summary.scenarios, "skipped": len(summary.skipped)})
        searcher = CaseSearcher(tx)
        await run_in_thread(searcher.snapshot)
        incidents = IncidentCheck(settings)
    except BaseException:
        await storage.close()
        raise
    return await serve(settings, SPEC, port, CaseBaseServicer(tx, searcher, options, incidents), cleanups=[storage.close, incidents.close], relay=storage.relay)


def main() -> None:
    """Run the case-base service until SIGTERM or SIGINT."""
    service_main(SERVICE, build_server)


if __name__ == "__main__":
    main()
