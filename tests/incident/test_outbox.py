"""Every change reaches the Redis stream exactly once, also across a relay stopped and restarted midway."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import cast

import pytest
import redis
import redis.asyncio as aioredis
from emergency.incident.v1 import incident_service_pb2 as pb

from services.common.db import create_schema, make_engine, session_scope
from services.common.outbox import OutboxEvent, OutboxRelay, add_event
from services.incident.server import build_server
from services.incident.store import EVENT_STREAM
from tests.conftest import service_settings
from tests.incident.conftest import IncidentHarness
from tests.incident.helpers import OPERATOR, create, rid


def stream_event_ids(redis_url: str, stream: str) -> list[str]:
    """Event ids in a stream, in stream order."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    entries = cast("list[tuple[str, dict[str, str]]]", client.xrange(stream))  # decode_responses: str ids and fields
    return [fields["event_id"] for _, fields in entries]


async def test_relay_crash_between_publish_and_mark_duplicates_nothing(database_url: str, clean_redis: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(database_url)
    create_schema(engine, [OutboxEvent])
    with session_scope(engine) as session:
        written = [add_event(session, stream="test.events", event_type="thing.changed", subject=f"things/{i}").event_id for i in range(25)]
    client = aioredis.Redis.from_url(clean_redis)
    first = OutboxRelay(engine, client, batch_size=10)
    assert await first.relay_once() == 10

    def crash(ids: list[int]) -> None:
        raise RuntimeError("process killed after publishing, before marking")

    monkeypatch.setattr(first, "_mark_relayed", crash)
    with pytest.raises(RuntimeError):
        await first.relay_once()
    assert len(stream_event_ids(clean_redis, "test.events")) == 20

    restarted = OutboxRelay(engine, client, batch_size=10)
    while await restarted.relay_once():
        pass
    ids = stream_event_ids(clean_redis, "test.events")
    assert sorted(ids) == sorted(written)
    assert max(Counter(ids).values()) == 1
    await client.aclose()
    engine.dispose()


async def test_service_changes_reach_the_stream_once_across_a_restart(tmp_path: Path, database_url: str, clean_redis: str) -> None:
    import grpc
    from emergency.incident.v1 import incident_service_pb2_grpc

    settings = service_settings(tmp_path, database_url, clean_redis)
    names: list[str] = []
    for _round in range(2):
        running, port = await build_server(settings, port=0)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = incident_service_pb2_grpc.IncidentServiceStub(channel)
            harness = IncidentHarness(running, "", stub, channel, database_url)
            for _ in range(3):
                inc = await create(harness.stub)
                await stub.VerifyIncident(pb.VerifyIncidentRequest(request_id=rid(), name=inc.name, version=1), metadata=OPERATOR)
                names.append(inc.name)
        await running.stop(1.0)
    client = redis.Redis.from_url(clean_redis, decode_responses=True)
    entries = cast("list[tuple[str, dict[str, str]]]", client.xrange(EVENT_STREAM))  # decode_responses: str ids and fields
    ids = [fields["event_id"] for _, fields in entries]
    assert len(ids) == 12 and len(set(ids)) == 12
    created = [fields["subject"] for _, fields in entries if fields["type"] == "incident.created"]
    assert created == names
    first = entries[0][1]
    assert first["version"] == "1" and first["exercise_id"] == "" and first["subject"].startswith("incidents/")
