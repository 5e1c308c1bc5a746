"""The outbox relay survives any failure, never loses events of a recreated database, and reports its lag in health."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import cast

import grpc
import redis
import redis.asyncio as aioredis
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlmodel import SQLModel

from services.common.db import create_schema, make_engine, session_scope
from services.common.local import free_port
from services.common.outbox import OutboxEvent, OutboxRelay, add_event, relay_lag
from services.common.relayhealth import OLDEST_AGE_KEY, OUTBOX_COMPONENT, PENDING_KEY
from services.incident.server import build_server
from tests.conftest import service_settings
from tests.incident.helpers import create

STREAM = "test.events"


def stream_event_ids(redis_url: str, stream: str = STREAM) -> list[str]:
    """Event ids in a stream, in stream order."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    entries = cast("list[tuple[str, dict[str, str]]]", client.xrange(stream))  # decode_responses: str ids and fields
    return [fields["event_id"] for _, fields in entries]


def write_events(engine: object, count: int) -> list[str]:
    """Commit `count` events; return their ids."""
    with session_scope(engine) as session:  # type: ignore[arg-type]
        return [add_event(session, stream=STREAM, event_type="thing.changed", subject=f"things/{i}").event_id for i in range(count)]


async def eventually(check: object, timeout_s: float = 30.0) -> bool:
    """Poll an async or plain predicate until it holds or the time is up."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = check()  # type: ignore[operator]
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_relay_keeps_running_after_a_database_error(database_url: str, clean_redis: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, [OutboxEvent])
    client = aioredis.Redis.from_url(clean_redis)
    relay = OutboxRelay(engine, client, poll_interval_s=0.05)
    relay.start()
    try:
        SQLModel.metadata.drop_all(engine, tables=[OutboxEvent.__table__])  # type: ignore[attr-defined]
        relay.notify()
        assert await eventually(lambda: relay.last_error != "")
        assert relay.running
        create_schema(engine, [OutboxEvent])
        written = write_events(engine, 3)
        relay.notify()
        assert await eventually(lambda: sorted(stream_event_ids(clean_redis)) == sorted(written))
        assert await eventually(lambda: relay_lag(engine) == (0, 0.0) and relay.last_error == "")
        assert relay.running
    finally:
        await relay.stop()
        await client.aclose()
        engine.dispose()


async def test_events_of_a_recreated_database_reach_the_stream(database_url: str, clean_redis: str) -> None:
    client = aioredis.Redis.from_url(clean_redis)
    written: list[str] = []
    for _life in range(2):
        engine = make_engine(database_url)
        SQLModel.metadata.drop_all(engine, tables=[OutboxEvent.__table__])  # type: ignore[attr-defined]
        create_schema(engine, [OutboxEvent])
        written += write_events(engine, 5)
        relay = OutboxRelay(engine, client)
        while await relay.relay_once():
            pass
        assert relay_lag(engine)[0] == 0
        engine.dispose()
    ids = stream_event_ids(clean_redis)
    assert sorted(ids) == sorted(written)
    assert max(Counter(ids).values()) == 1
    await client.aclose()


async def test_a_stuck_relay_turns_the_outbox_component_not_serving(tmp_path: Path, database_url: str) -> None:
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    settings = service_settings(tmp_path, database_url, unreachable, outbox_stuck_after_s=0.3, outbox_check_interval_s=0.05)
    running, port = await build_server(settings, port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)

            async def outbox_status() -> tuple[int, dict[str, str]]:
                call = health.Check(health_pb2.HealthCheckRequest(service=OUTBOX_COMPONENT), timeout=5)
                reply = await call
                return reply.status, {k: v for k, v in (await call.initial_metadata() or ())}

            status, lag = await outbox_status()
            assert status == health_pb2.HealthCheckResponse.SERVING and lag[PENDING_KEY] == "0"
            from emergency.incident.v1 import incident_service_pb2_grpc

            await create(incident_service_pb2_grpc.IncidentServiceStub(channel))

            async def stuck() -> bool:
                blocked: bool = (await outbox_status())[0] == health_pb2.HealthCheckResponse.NOT_SERVING
                return blocked

            assert await eventually(stuck)
            _, lag = await outbox_status()
            assert int(lag[PENDING_KEY]) >= 1 and float(lag[OLDEST_AGE_KEY]) >= 0.3  # shown to the millisecond: 0.3004 reads "0.300"
            whole = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
            assert whole.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        await running.stop(1.0)
