"""Domain events from the services' Redis streams, filtered to the caller's scope, resumable and de-duplicated."""

from __future__ import annotations

import contextlib
import json
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from google.protobuf import json_format, struct_pb2

from gateway.names import EVENT_STREAM
from services.common.auth import Principal, Role
from services.common.clock import to_timestamp
from services.common.errors import FieldViolation, raise_if
from services.common.names import park_of

STREAMS = ("emergency.incident.events", "emergency.resources.events", "emergency.casebase.events", EVENT_STREAM)
ENTRY_ID = re.compile(r"^\d+(-\d+)?$")
BATCH = 200


def parse_after_ids(after_ids: Sequence[str]) -> dict[str, str]:
    """Positions from "stream=id" pairs; unknown streams and malformed ids are INVALID_ARGUMENT."""
    positions: dict[str, str] = {}
    violations = []
    for index, item in enumerate(after_ids):
        stream, sep, entry = item.partition("=")
        if not sep or stream not in STREAMS:
            violations.append(FieldViolation(f"after_ids[{index}]", f"must be stream=id with stream one of {', '.join(STREAMS)}"))
        elif not ENTRY_ID.match(entry):
            violations.append(FieldViolation(f"after_ids[{index}]", f"{entry!r} is not a stream entry id such as 1700000000000-0"))
        elif stream in positions:
            violations.append(FieldViolation(f"after_ids[{index}]", f"{stream} is named twice"))
        else:
            positions[stream] = entry
    raise_if(violations)
    return positions


def _text(value: Any) -> str:
    """A stream field as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def event_from_entry(stream: str, entry_id: str, fields: Mapping[Any, Any]) -> gpb.Event:
    """The proto view of one stream entry written by the outbox relay."""
    data = {_text(k): _text(v) for k, v in fields.items()}
    payload = struct_pb2.Struct()
    try:
        decoded = json.loads(data.get("payload", "{}") or "{}")
    except json.JSONDecodeError:
        decoded = {"raw": data.get("payload", "")}
    payload.update(decoded if isinstance(decoded, dict) else {"value": decoded})
    event = gpb.Event(
        id=entry_id,
        stream=stream,
        event_id=data.get("event_id", ""),
        type=data.get("type", ""),
        subject=data.get("subject", ""),
        version=int(data.get("version", "0") or 0),
        exercise_id=data.get("exercise_id", ""),
        payload=payload,
    )
    occurred = data.get("occurred_at", "")
    if occurred:
        with contextlib.suppress(ValueError):
            event.time.CopyFrom(to_timestamp(datetime.fromisoformat(occurred)))
    return event


def _parks_in(value: Any) -> Iterable[str]:
    """Park ids a payload value names: park fields and "parks/{park}/..." resource names, nested."""
    if isinstance(value, str):
        park = park_of(value)
        if park:
            yield park
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("park_id", "park", "lender_park_id", "borrower_park_id") and isinstance(item, str) and item:
                yield item
            else:
                yield from _parks_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _parks_in(item)


def event_parks(event: gpb.Event) -> set[str]:
    """Every park an event concerns, from its subject and payload; empty when it names none."""
    parks = set(_parks_in(json_format.MessageToDict(event.payload)))
    if park_of(event.subject):
        parks.add(park_of(event.subject))
    return parks


def visible(event: gpb.Event, principal: Principal, exercise_id: str, types: frozenset[str]) -> bool:
    """In the caller's namespace, of a wanted type, and for park officers about their park when the event names parks."""
    if event.exercise_id != exercise_id:
        return False
    if types and event.type not in types:
        return False
    if principal.role is Role.PARK_OFFICER:
        parks = event_parks(event)
        return not parks or principal.park_id in parks
    return True


class RecentIds:
    """A bounded memory of event ids already delivered."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is seen (ids without a value always pass)."""
        if not event_id:
            return True
        if event_id in self._ids:
            self._ids.move_to_end(event_id)
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True


class EventWatcher:
    """Reads the streams with XREAD BLOCK and yields what the caller may see."""

    def __init__(self, redis_client: aioredis.Redis, *, block_ms: int = 1000, remember: int = 10000) -> None:
        self._redis = redis_client
        self._block_ms = block_ms
        self._remember = remember

    async def _start_positions(self, after: dict[str, str], from_start: bool) -> dict[str, str]:
        """Where to read each stream from: the caller's id, the beginning, or the current end."""
        positions = {}
        for stream in STREAMS:
            if stream in after:
                positions[stream] = after[stream]
            elif from_start:
                positions[stream] = "0-0"
            else:
                last = await self._redis.xrevrange(stream, count=1)
                positions[stream] = _text(last[0][0]) if last else "0-0"
        return positions

    async def watch(self, request: gpb.WatchEventsRequest, principal: Principal) -> AsyncIterator[gpb.Event]:
        """Yield events in scope until the caller goes away."""
        positions = await self._start_positions(parse_after_ids(request.after_ids), request.from_start)
        types = frozenset(request.types)
        recent = RecentIds(self._remember)
        while True:
            reply: Any = await self._redis.xread(positions, count=BATCH, block=self._block_ms)  # type: ignore[arg-type]
            for stream_key, entries in reply or []:
                stream = _text(stream_key)
                for entry_id, fields in entries:
                    positions[stream] = _text(entry_id)
                    event = event_from_entry(stream, positions[stream], fields)
                    if visible(event, principal, request.exercise_id, types) and recent.first_time(event.event_id):
                        yield event
