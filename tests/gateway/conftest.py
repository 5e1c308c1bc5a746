"""The whole suite in process: incident, resources, casebase and dispatch servers on free ports, and the gateway before them."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
import redis
from emergency.casebase.v1 import casebase_service_pb2_grpc
from emergency.dispatch.v1 import dispatch_service_pb2_grpc
from emergency.gateway.v1 import gateway_service_pb2_grpc
from emergency.incident.v1 import incident_service_pb2_grpc
from emergency.resources.v1 import resources_service_pb2_grpc

from gateway.config import GatewayConfig, load_gateway_config
from gateway.server import build_server as build_gateway
from services.common.server import RunningServer
from services.common.settings import Settings
from services.resources.seed import seed_demo
from tests.conftest import _create_postgres_database, _drop_postgres_database, service_settings

BACKENDS = ("resources", "incident", "casebase", "dispatch")
# A slice of the demo data set: three neighbouring parks with mutual aid between them.
TEST_PARKS = ("shengang", "xiagang", "chengxi")


def missing_backends() -> list[str]:
    """Backends whose server module is not built yet."""
    return [name for name in BACKENDS if importlib.util.find_spec(f"services.{name}.server") is None]


def require_backends() -> None:
    """Skip (naming what is missing) unless every backend server exists."""
    missing = missing_backends()
    if missing:
        pytest.skip(f"backend servers not built yet: {', '.join(missing)}")


def gateway_config(**overrides: Any) -> GatewayConfig:
    """Gateway settings for tests: short solver limits, no rate limit, fast drill polling, no recovery pass."""
    values: dict[str, Any] = {
        "plan_time_limit_s": 1.0,
        "plan_workers": 2,
        "reservation_ttl_s": 60,
        "rate_limit_per_s": 0.0,
        "watch_block_ms": 100,
        "drill_poll_s": 0.1,
        "drill_tail_s": 600.0,
        "recover_on_start": False,
    }
    values.update(overrides)
    return load_gateway_config(**values)


@dataclass
class Suite:
    """Running servers, their addresses and stubs; the gateway's settings."""

    root: Path
    redis_url: str
    servers: dict[str, RunningServer]
    addresses: dict[str, str]
    channels: list[grpc.aio.Channel] = field(default_factory=list)
    gateway_settings: Settings | None = None
    database_urls: dict[str, str] = field(default_factory=dict)

    def backend_settings(self, service: str = "gateway") -> Settings:
        """Settings pointing at the running backends (what the gateway process is given), with the service's database."""
        addresses = {f"{n}_addr": self.addresses[n] for n in BACKENDS if n in self.addresses}
        return service_settings(self.root, self.database_urls.get(service, ""), self.redis_url, **addresses)

    def _channel(self, name: str) -> grpc.aio.Channel:
        channel = grpc.aio.insecure_channel(self.addresses[name])
        self.channels.append(channel)
        return channel

    @property
    def gateway(self) -> gateway_service_pb2_grpc.CommandCenterServiceStub:
        """A stub to the in-process gateway."""
        return gateway_service_pb2_grpc.CommandCenterServiceStub(self._channel("gateway"))

    @property
    def incident(self) -> incident_service_pb2_grpc.IncidentServiceStub:
        """A direct stub to the incident service (for checks)."""
        return incident_service_pb2_grpc.IncidentServiceStub(self._channel("incident"))

    @property
    def resources(self) -> resources_service_pb2_grpc.ResourceServiceStub:
        """A direct stub to the resources service (for checks)."""
        return resources_service_pb2_grpc.ResourceServiceStub(self._channel("resources"))

    @property
    def casebase(self) -> casebase_service_pb2_grpc.CaseBaseServiceStub:
        """A direct stub to the casebase service (for checks)."""
        return casebase_service_pb2_grpc.CaseBaseServiceStub(self._channel("casebase"))

    @property
    def dispatch(self) -> dispatch_service_pb2_grpc.DispatchServiceStub:
        """A direct stub to the dispatch service (for checks)."""
        return dispatch_service_pb2_grpc.DispatchServiceStub(self._channel("dispatch"))

    async def start_gateway(self, config: GatewayConfig) -> None:
        """Start (or restart) the in-process gateway with the given settings."""
        if "gateway" in self.servers:
            await self.servers.pop("gateway").stop(1.0)
        settings = self.backend_settings()
        running, port = await build_gateway(settings, port=0, config=config)
        self.servers["gateway"] = running
        self.addresses["gateway"] = f"127.0.0.1:{port}"
        self.gateway_settings = settings

    async def stop(self) -> None:
        """Close the channels and stop every server, the gateway first."""
        for channel in self.channels:
            await channel.close(None)
        for name in ("gateway", *BACKENDS):
            if name in self.servers:
                await self.servers.pop(name).stop(1.0)


async def start_suite(
    root: Path,
    redis_url: str,
    *,
    config: GatewayConfig | None = None,
    parks: tuple[str, ...] = TEST_PARKS,
    gateway: bool = True,
    database_urls: dict[str, str] | None = None,
) -> Suite:
    """Start the four backends (each with its own database: a SQLite file unless a URL is given), seed the park slice, and start the gateway."""
    require_backends()
    redis.Redis.from_url(redis_url).flushall()
    suite = Suite(root=root, redis_url=redis_url, servers={}, addresses={}, database_urls=dict(database_urls or {}))
    try:
        for name in BACKENDS:
            module = importlib.import_module(f"services.{name}.server")
            running, port = await module.build_server(suite.backend_settings(name), port=0)
            suite.servers[name] = running
            suite.addresses[name] = f"127.0.0.1:{port}"
        await seed_demo(suite.backend_settings(), parks=parks)
        if gateway:
            await suite.start_gateway(config or gateway_config())
    except BaseException:
        await suite.stop()
        raise
    return suite


@pytest_asyncio.fixture(scope="module")
async def suite(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> AsyncIterator[Suite]:
    """The whole suite for one test module (tests share the seeded parks; each reports its own incidents)."""
    running = await start_suite(tmp_path_factory.mktemp("suite"), redis_url)
    yield running
    await running.stop()


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def database_suite(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> AsyncIterator[Suite]:
    """The whole suite, each service on its own database of the given kind."""
    databases: dict[str, tuple[str, str]] = {}
    if request.param == "postgresql":
        databases = {service: _create_postgres_database() for service in (*BACKENDS, "gateway")}
    running = await start_suite(tmp_path, redis_url, database_urls={service: url for service, (_, url) in databases.items()})
    try:
        yield running
    finally:
        await running.stop()
        for name, _ in databases.values():
            _drop_postgres_database(name)
