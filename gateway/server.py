"""Gateway process: build_server(settings) -> (server, port) and main()."""

from __future__ import annotations

import asyncio
import contextvars
import logging

from emergency.gateway.v1 import gateway_service_pb2, gateway_service_pb2_grpc

from gateway import monitoring
from gateway.activity import Activity
from gateway.backends import open_backends
from gateway.config import GatewayConfig, load_gateway_config, replica_name
from gateway.drills import DrillRunner
from gateway.events import EventWatcher
from gateway.identity import act_as, system_principal
from gateway.incident_views import IncidentViews
from gateway.inventory import Inventory
from gateway.lifecycle import Lifecycle
from gateway.proposals import Planner
from gateway.ratelimit import RateLimiter
from gateway.readmodel import ReadModel
from gateway.readmodel_writes import observe_writes
from gateway.reporting import Reporter
from gateway.saga import CommitSaga
from gateway.servicer import CommandCenterServicer
from gateway.situation import Situation
from gateway.tables import TABLES
from gateway.unit_status import UnitMover
from gateway.wiring import Wiring
from services.common.auth import Role
from services.common.errors import ServiceError
from services.common.runtime import open_storage
from services.common.server import RunningServer, ServiceSpec, serve, service_main, service_name
from services.common.settings import Settings

SERVICE = "gateway"
SPEC = ServiceSpec(
    SERVICE,
    service_name(gateway_service_pb2, "CommandCenterService"),
    gateway_service_pb2_grpc.add_CommandCenterServiceServicer_to_server,
    bulk=["ImportParkInventory"],
)
RECOVERY_ATTEMPTS = 30
RECOVERY_BACKOFF_S = 2.0

log = logging.getLogger(__name__)


async def recover(saga: CommitSaga, drills: DrillRunner, settings: Settings, config: GatewayConfig) -> None:
    """Finish or compensate commits left running (retrying while backends start), resume drills, then take over dead replicas' commits."""
    act_as(system_principal(settings, subject="gateway-recovery", role=Role.OPERATOR))
    if config.recover_on_start:
        for _ in range(RECOVERY_ATTEMPTS):
            outcomes = await _recover_once(saga, at_start=True)
            if not any("pending" in o for o in outcomes):
                break
            await asyncio.sleep(RECOVERY_BACKOFF_S)
        resumed = await drills.resume()
        if resumed:
            log.info("drills resumed", extra={"drills": resumed})
    while config.saga_sweep_s > 0:
        await asyncio.sleep(config.saga_sweep_s)
        await _recover_once(saga, at_start=False)


async def _recover_once(saga: CommitSaga, *, at_start: bool) -> list[str]:
    """One recovery pass, logged; a failure of the pass itself counts as pending."""
    try:
        outcomes = await saga.recover(at_start=at_start)
    except ServiceError as error:
        outcomes = [f"pending ({error.reason})"]
    except Exception as exc:  # a database outage must not end the sweep: the next pass tries again
        log.warning("saga recovery pass failed: %s", exc)
        outcomes = [f"pending ({type(exc).__name__})"]
    if outcomes:
        log.info("saga recovery", extra={"replica": saga.lease.owner, "outcomes": outcomes})
    return outcomes


async def build_server(settings: Settings, port: int | None = None, *, config: GatewayConfig | None = None) -> tuple[RunningServer, int]:
    """Open the gateway's database, connect the backends, serve CommandCenterService and recover unfinished work."""
    config = config or load_gateway_config()
    storage = open_storage(settings, SERVICE, TABLES)
    storage.unobserve.append(monitoring.observe(storage.engine))
    backends = open_backends(settings)
    readmodel = ReadModel(backends=backends, engine=storage.engine, redis=storage.redis, config=config, settings=settings) if config.readmodel_enabled else None

    def notify() -> None:
        storage.relay.notify()
        if readmodel is not None:
            readmodel.commits_changed()

    if readmodel is not None:
        observe_writes(backends, readmodel.wrote)
    wiring = Wiring(backends=backends, engine=storage.engine, config=config, on_commit=notify)
    planner = Planner(wiring, read_availability=readmodel.world if readmodel is not None else None)
    saga = CommitSaga(wiring=wiring, planner=planner)
    reporter = Reporter(backends)
    drills = DrillRunner(wiring=wiring, planner=planner, reporter=reporter, saga=saga, settings=settings)
    activity = Activity(storage.engine, notify)
    views = IncidentViews(backends, activity)
    mover = UnitMover(backends, activity)
    servicer = CommandCenterServicer(
        reporter=reporter,
        planner=planner,
        saga=saga,
        situation=Situation(backends, storage.engine, planner, readmodel),
        watcher=EventWatcher(storage.redis, block_ms=config.watch_block_ms, remember=config.recent_event_ids),
        drills=drills,
        limiter=RateLimiter(storage.redis, rate_per_s=config.rate_limit_per_s, burst=config.rate_limit_burst),
        config=config,
        views=views,
        lifecycle=Lifecycle(backends, views, mover, activity),
        mover=mover,
        inventory=Inventory(backends, storage.engine),
        activity=activity,
    )
    background: list[asyncio.Task[None]] = []

    async def stop_background() -> None:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)

    running, bound = await serve(
        settings,
        SPEC,
        port,
        servicer,
        cleanups=[storage.close, backends.close, drills.close, stop_background, *([readmodel.stop] if readmodel is not None else [])],
        relay=storage.relay,
    )
    if readmodel is not None:
        readmodel.start(running.port, running.health)
        storage.unobserve.append(monitoring.observe_readmodel(readmodel.figures))
    saga.name_replica(replica_name(config, running.port))
    if config.recover_on_start or config.saga_sweep_s > 0:
        loop = asyncio.get_running_loop()
        background.append(loop.create_task(recover(saga, drills, settings, config), name="gateway-recovery", context=contextvars.Context()))
    return running, bound


def main() -> None:
    """Run the gateway until SIGTERM or SIGINT."""
    service_main(SERVICE, build_server)


if __name__ == "__main__":
    main()
