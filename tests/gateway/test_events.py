"""The event stream: scope, resumption from the last ids, de-duplication, against a real Redis."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from emergency.gateway.v1 import gateway_service_pb2 as gpb

from gateway.events import STREAMS, EventWatcher, event_parks, parse_after_ids
from services.common.auth import Principal, Role
from services.common.errors import ServiceError

OPERATOR = Principal("op", Role.OPERATOR)
OFFICER = Principal("po", Role.PARK_OFFICER, park_id="ligang")


@pytest_asyncio.fixture()
async def client(clean_redis: str) -> AsyncIterator[aioredis.Redis]:
    redis_client = aioredis.Redis.from_url(clean_redis)
    yield redis_client
    await redis_client.aclose()


async def _publish(
    client: aioredis.Redis, stream: str, event_type: str, subject: str, *, exercise_id: str = "", payload: dict[str, object] | None = None, event_id: str = ""
) -> str:
    fields = {
        "event_id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "subject": subject,
        "version": "1",
        "exercise_id": exercise_id,
        "occurred_at": "2024-06-18T08:00:00+00:00",
        "payload": json.dumps(payload or {}),
    }
    entry = await client.xadd(stream, fields)  # type: ignore[arg-type]
    return entry.decode() if isinstance(entry, bytes) else str(entry)


async def _collect(watcher: EventWatcher, request: gpb.WatchEventsRequest, principal: Principal, count: int) -> list[gpb.Event]:
    events: list[gpb.Event] = []

    async def run() -> None:
        async for event in watcher.watch(request, principal):
            events.append(event)
            if len(events) >= count:
                return

    await asyncio.wait_for(run(), timeout=20)
    return events


async def test_only_the_callers_namespace_and_types(client: aioredis.Redis) -> None:
    watcher = EventWatcher(client, block_ms=50)
    await _publish(client, STREAMS[0], "incident.created", "incidents/a", exercise_id="drill-1")
    await _publish(client, STREAMS[0], "incident.created", "incidents/b")
    await _publish(client, STREAMS[1], "reservation.created", "reservations/r1", exercise_id="drill-1")
    await _publish(client, STREAMS[3], "plan.committed", "proposals/p1", exercise_id="drill-1")
    events = await _collect(watcher, gpb.WatchEventsRequest(exercise_id="drill-1", from_start=True, types=["incident.created", "plan.committed"]), OPERATOR, 2)
    assert sorted(e.subject for e in events) == ["incidents/a", "proposals/p1"]
    assert all(e.exercise_id == "drill-1" for e in events)
    assert events[0].time.seconds > 0 and events[0].id


async def test_resume_after_the_last_ids_and_dedupe_by_event_id(client: aioredis.Redis) -> None:
    watcher = EventWatcher(client, block_ms=50)
    first = await _publish(client, STREAMS[0], "incident.created", "incidents/one")
    await _publish(client, STREAMS[0], "incident.verified", "incidents/one", event_id="same-event")
    await _publish(client, STREAMS[0], "incident.verified", "incidents/one", event_id="same-event")  # a relay retry
    await _publish(client, STREAMS[0], "incident.closed", "incidents/one")
    events = await _collect(watcher, gpb.WatchEventsRequest(after_ids=[f"{STREAMS[0]}={first}"]), OPERATOR, 2)
    assert [e.type for e in events] == ["incident.verified", "incident.closed"]


async def test_from_now_sees_only_new_events(client: aioredis.Redis) -> None:
    watcher = EventWatcher(client, block_ms=50)
    await _publish(client, STREAMS[1], "unit.created", "parks/ligang/units/old")
    collected = asyncio.create_task(_collect(watcher, gpb.WatchEventsRequest(), OPERATOR, 1))
    await asyncio.sleep(0.3)
    await _publish(client, STREAMS[1], "unit.created", "parks/ligang/units/new")
    (event,) = await collected
    assert event.subject == "parks/ligang/units/new"


async def test_park_officers_see_their_park_and_events_naming_no_park(client: aioredis.Redis) -> None:
    watcher = EventWatcher(client, block_ms=50)
    await _publish(client, STREAMS[0], "incident.created", "incidents/x", payload={"park_id": "shengang"})
    await _publish(client, STREAMS[1], "unit.state_changed", "parks/shengang/units/u1")
    await _publish(client, STREAMS[1], "reservation.created", "reservations/r", payload={"units": ["parks/shengang/units/u2", "parks/ligang/units/u3"]})
    await _publish(client, STREAMS[0], "incident.created", "incidents/y", payload={"park_id": "ligang"})
    await _publish(client, STREAMS[2], "case.created", "cases/c1")
    events = await _collect(watcher, gpb.WatchEventsRequest(from_start=True), OFFICER, 3)
    assert sorted(e.subject for e in events) == ["cases/c1", "incidents/y", "reservations/r"]
    assert event_parks(events[0]) <= {"ligang", "shengang"}


def test_after_ids_are_checked() -> None:
    assert parse_after_ids([f"{STREAMS[1]}=17-0"]) == {STREAMS[1]: "17-0"}
    for bad in (["nope=1-0"], [f"{STREAMS[0]}=abc"], [f"{STREAMS[0]}"], [f"{STREAMS[0]}=1-0", f"{STREAMS[0]}=2-0"]):
        with pytest.raises(ServiceError) as info:
            parse_after_ids(bad)
        assert info.value.code is grpc.StatusCode.INVALID_ARGUMENT
        assert info.value.violations[0].field.startswith("after_ids[")
