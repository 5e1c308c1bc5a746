"""Server bootstrap shared by every service: health, reflection, interceptors, outbox relay, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.instrumentation.grpc import aio_server_interceptor

from services.common.auth import TokenVerifier
from services.common.interceptors import ServiceInterceptor, StreamCloser
from services.common.metrics import service_metrics
from services.common.outbox import OutboxRelay
from services.common.relayhealth import LagReportingHealth, RelayMonitor
from services.common.settings import Settings, load_settings
from services.common.telemetry import setup_logging, setup_tracing

log = logging.getLogger(__name__)

Cleanup = Callable[[], Awaitable[None]]
Build = Callable[[Settings], Awaitable[tuple["RunningServer", int]]]


@dataclass
class RunningServer:
    """A started gRPC server with its health servicer and what must be closed after it."""

    server: grpc.aio.Server
    port: int
    health: LagReportingHealth
    service_names: Sequence[str]
    grace_s: float
    cleanups: list[Cleanup] = field(default_factory=list)
    metrics_port: int = 0
    _stopped: bool = False

    async def stop(self, grace_s: float | None = None) -> None:
        """Report NOT_SERVING, refuse new calls, let calls in flight finish, then close resources."""
        if self._stopped:
            return
        self._stopped = True
        await self.health.enter_graceful_shutdown()
        await self.server.stop(self.grace_s if grace_s is None else grace_s)
        for cleanup in reversed(self.cleanups):
            try:
                await cleanup()
            except Exception:
                log.exception("cleanup failed during shutdown")

    async def wait(self) -> None:
        """Wait until the server terminates."""
        await self.server.wait_for_termination()


def token_verifier(settings: Settings) -> TokenVerifier:
    """The verifier for the configured current and previous signing secrets."""
    secrets = [settings.jwt_secret.get_secret_value(), *(s.get_secret_value() for s in settings.jwt_previous_secrets)]
    return TokenVerifier(secrets, issuer=settings.jwt_issuer, max_lifetime_s=max(settings.token_max_lifetime_s, settings.token_ttl_s))


async def start_server(
    *,
    settings: Settings,
    service_label: str,
    service_names: Sequence[str],
    register: Callable[[grpc.aio.Server], None],
    port: int,
    cleanups: Sequence[Cleanup] = (),
    relay: OutboxRelay | None = None,
    bulk_methods: Sequence[str] = (),
) -> RunningServer:
    """Build, bind and start a server with its Prometheus endpoint; port 0 (and METRICS_PORT 0) picks a free one.

    With a relay, its health is the `outbox` component. Requests are limited to settings.max_request_bytes, except
    `bulk_methods` (full method names, or '/pkg.Service/*') which may reach settings.max_bulk_request_bytes.
    """
    setup_tracing(service_label)
    metrics = service_metrics(service_label)
    bulk_limits = dict.fromkeys(bulk_methods, settings.max_bulk_request_bytes)
    receive_limit = max([settings.max_request_bytes, *bulk_limits.values()])
    interceptor = ServiceInterceptor(
        token_verifier(settings), on_call=metrics.record_server_call, max_request_bytes=settings.max_request_bytes, bulk_limits=bulk_limits
    )
    server = grpc.aio.server(
        interceptors=[StreamCloser(), aio_server_interceptor(), interceptor],
        maximum_concurrent_rpcs=settings.max_concurrent_rpcs,
        options=[("grpc.max_receive_message_length", receive_limit), ("grpc.max_send_message_length", 64 * 1024 * 1024)],
    )
    register(server)
    health = LagReportingHealth()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    reflection.enable_server_reflection([*service_names, reflection.SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name], server)
    bound = server.add_insecure_port(f"{settings.host}:{port}")
    if bound == 0:
        raise OSError(f"could not bind {settings.host}:{port}")
    metrics_port = metrics.serve(settings.host, settings.metrics_port_for(service_label))
    await server.start()
    for name in ("", *service_names):
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("serving", extra={"service": service_label, "port": bound, "metrics_port": metrics_port})

    async def close_metrics() -> None:
        metrics.close_endpoint(metrics_port)

    all_cleanups: list[Cleanup] = [close_metrics, *cleanups]
    if relay is not None:
        monitor = RelayMonitor(relay, health, stuck_after_s=settings.outbox_stuck_after_s, interval_s=settings.outbox_check_interval_s)
        await monitor.start()
        all_cleanups.append(monitor.stop)
    return RunningServer(server, bound, health, list(service_names), settings.shutdown_grace_s, all_cleanups, metrics_port)


def service_name(pb2: ModuleType, service: str) -> str:
    """The full name of a service declared in a generated `*_pb2` module (`emergency.dispatch.v1.DispatchService`)."""
    return str(pb2.DESCRIPTOR.services_by_name[service].full_name)


@dataclass(frozen=True)
class ServiceSpec:
    """What a process serves: its label (settings, logs, metrics), full name, generated `add_*Servicer_to_server`, bulk-sized methods ('*': all)."""

    label: str
    name: str
    add_servicer: Callable[[Any, grpc.aio.Server], None]
    bulk: Sequence[str] = ()


async def serve(
    settings: Settings, spec: ServiceSpec, port: int | None, servicer: object, *, cleanups: Sequence[Cleanup] = (), relay: OutboxRelay | None = None
) -> tuple[RunningServer, int]:
    """Start one service's server on its configured port (or `port`; 0 picks a free one) and return it with its port.

    When the server cannot start, the cleanups run before the error is raised.
    """
    try:
        running = await start_server(
            settings=settings,
            service_label=spec.label,
            service_names=[spec.name],
            register=lambda server: spec.add_servicer(servicer, server),
            port=settings.port_for(spec.label) if port is None else port,
            cleanups=cleanups,
            relay=relay,
            bulk_methods=[f"/{spec.name}/{method}" for method in spec.bulk],
        )
    except BaseException:
        for cleanup in reversed(cleanups):
            await cleanup()
        raise
    return running, running.port


def service_main(label: str, build: Build) -> None:
    """A service process: load the settings from the environment and serve until SIGTERM or SIGINT."""
    run_until_signalled(label, load_settings(), build)


def run_until_signalled(service_label: str, settings: Settings, build: Build) -> None:
    """Run a service process until SIGTERM or SIGINT, then shut down gracefully."""
    setup_logging(service_label, settings.log_level, settings.log_format)

    async def main() -> None:
        running, port = await build(settings)
        print(f"{service_label} serving on {settings.host}:{port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("shutting down", extra={"grace_s": settings.shutdown_grace_s})
        await running.stop()

    asyncio.run(main())
