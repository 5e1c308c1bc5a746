"""Wiring a service's database and outbox relay from settings, shared by every service's server.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from sqlalchemy import Engine
from sqlmodel import SQLModel

from services.common.db import make_engine
from services.common.instrument import instrument_engine, instrument_redis, observe_outbox
from services.common.metrics import service_metrics, stop_all
from services.common.migrations import migrate
from services.common.outbox import OutboxRelay
from services.common.settings import Settings


@dataclass
class ServiceStorage:
    """A service's engine, its Redis client and its running outbox relay."""

    engine: Engine
    redis: aioredis.Redis
    relay: OutboxRelay
    unobserve: list[Callable[[], None]] = field(default_factory=list)

    async def close(self) -> None:
        """Stop the relay, close Redis and dispose of the engine."""
        stop_all(self.unobserve)()
        await self.relay.stop()
        await self.relay.relay_once_safely()
        await self.redis.aclose()
        self.engine.dispose()


REDIS_MAX_CONNECTIONS = 2048


def open_storage(settings: Settings, service: str, tables: Sequence[type[SQLModel]]) -> ServiceStorage:
    """Migrate the schema to head, connect Redis, start relaying the outbox, and trace and measure all three."""
    metrics = service_metrics(service)
    engine = make_engine(settings.database_url_for(service))
    instrument_engine(engine, metrics)
    migrate(engine, service, tables)
    # Each open WatchEvents stream holds a connection in XREAD BLOCK: the client library's default of 100 capped
    # the gateway at 100 watching consoles.
    client = aioredis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5, max_connections=REDIS_MAX_CONNECTIONS)
    instrument_redis(client, metrics)
    relay = OutboxRelay(engine, client)
    relay.start()
    return ServiceStorage(engine, client, relay, observe_outbox(engine, metrics))
