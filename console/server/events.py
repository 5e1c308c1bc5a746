"""GET /api/v1/events: Server-Sent Events over the gateway's WatchEvents, resumable by Last-Event-ID, with heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import grpc
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from google.protobuf import json_format

from console.server import positions as pos
from console.server.config import ConsoleSettings
from console.server.errors import from_rpc_error

FIRST_ANSWER_S = 0.5  # how long to wait for a refusal (bad token, bad namespace) so it can be an HTTP error instead of an SSE frame


def frame(data: Any, *, event: str = "", event_id: str = "") -> str:
    """One SSE frame."""
    lines = []
    if event_id:
        lines.append(f"id: {event_id}")
    if event:
        lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


class EventSession:
    """One browser's stream: where it stands in every event stream, and the gateway call feeding it."""

    def __init__(
        self, channel: grpc.aio.Channel, metadata: tuple[tuple[str, str], ...], exercise_id: str, last_event_id: str, settings: ConsoleSettings
    ) -> None:
        self._stub = gpb_grpc.CommandCenterServiceStub(channel)
        self._metadata = metadata
        self._exercise_id = exercise_id
        self._settings = settings
        resumed = pos.decode(last_event_id) if last_event_id else None
        self.resync = bool(last_event_id) and resumed is None
        self.positions = resumed if resumed is not None else pos.initial(int(time.time() * 1000))
        # Streams whose entry id is not known start from a moment: skip their events from before it.
        self._skip_before = {s: m for s, p in self.positions.items() if (m := pos.moment_ms(p)) is not None}
        self._queue: asyncio.Queue[gpb.Event | grpc.aio.AioRpcError] = asyncio.Queue()
        self._call: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._answered = asyncio.Event()

    def start(self) -> None:
        """Open the gateway stream from the current positions."""
        request = gpb.WatchEventsRequest(exercise_id=self._exercise_id, after_ids=pos.after_ids(self.positions))
        self._call = self._stub.WatchEvents(request, metadata=self._metadata)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for item in self._call:
                await self._queue.put(item.event)
                self._answered.set()
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED:
                await self._queue.put(error)
        finally:
            self._answered.set()

    async def first_refusal(self) -> tuple[int, dict[str, Any]] | None:
        """If the gateway refuses the stream at once, the HTTP answer for it."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._answered.wait(), FIRST_ANSWER_S)
        if self._queue.qsize() == 1:
            head = self._queue.get_nowait()
            if isinstance(head, grpc.aio.AioRpcError):
                return from_rpc_error(head)
            self._queue.put_nowait(head)
        return None

    async def frames(self) -> AsyncIterator[str]:
        """SSE frames until the client leaves: a ready or resync frame, then events, heartbeats between them."""
        yield f"retry: 1000\n\n{frame({'positions': self.positions}, event='resync' if self.resync else 'ready', event_id=pos.encode(self.positions))}"
        while True:
            try:
                item = await asyncio.wait_for(self._queue.get(), self._settings.heartbeat_s)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            if isinstance(item, grpc.aio.AioRpcError):
                _code, body = from_rpc_error(item)
                yield frame(body, event="error")
                return
            time_ms = item.time.ToMilliseconds()
            self.positions[item.stream] = item.id
            if time_ms < self._skip_before.get(item.stream, 0):
                continue
            self._skip_before.pop(item.stream, None)
            yield frame(json_format.MessageToDict(item), event="domain", event_id=pos.encode(self.positions))

    async def close(self) -> None:
        """Cancel the gateway stream."""
        if self._call is not None:
            self._call.cancel()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
