"""Wiring a service's database and outbox relay from settings, shared by every service's server.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy import Engine
from sqlmodel import SQLModel

from services.common.db import create_schema, make_engine
from services.common.outbox import OutboxRelay
from services.common.settings import Settings


@dataclass
class ServiceStorage:
    """A service's engine, its Redis client and its running outbox relay."""

    engine: Engine
    redis: aioredis.Redis
    relay: OutboxRelay

    async def close(self) -> None:
        """Stop the relay, close Redis and dispose of the engine."""
        await self.relay.stop()
        await self.relay.relay_once_safely()
        await self.redis.aclose()
        self.engine.dispose()


REDIS_MAX_CONNECTIONS = 2048


def open_storage(settings: Settings, service: str, tables: Sequence[type[SQLModel]]) -> ServiceStorage:
    """Create the schema, connect Redis and start relaying the outbox."""
    engine = make_engine(settings.database_url_for(service))
    create_schema(engine, tables)
    # Each open WatchEvents stream holds a connection in XREAD BLOCK: the client library's default of 100 capped
    # the gateway at 100 watching consoles.
    client = aioredis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5, max_connections=REDIS_MAX_CONNECTIONS)
    relay = OutboxRelay(engine, client)
    relay.start()
    return ServiceStorage(engine, client, relay)
