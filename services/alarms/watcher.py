"""Follows the incident service's event stream: an incident's state decides whether it takes alarms, a cancellation suppresses its detectors."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import Engine

from services.alarms import store
from services.alarms.engine import Correlator
from services.common.db import run_in_thread

log = logging.getLogger(__name__)
INCIDENT_STREAM = "emergency.incident.events"


def _text(value: Any) -> str:
    """Redis hands back bytes."""
    return value.decode() if isinstance(value, bytes) else str(value)


class IncidentWatcher:
    """Reads emergency.incident.events from where it stopped, at least once; applying an event twice changes nothing."""

    def __init__(self, engine: Engine, redis: aioredis.Redis, correlator: Correlator, *, block_ms: int = 1000) -> None:
        self._engine = engine
        self._redis = redis
        self._correlator = correlator
        self._block_ms = block_ms
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background."""
        self._task = asyncio.create_task(self.run(), name="incident-watcher")

    async def stop(self) -> None:
        """Stop reading."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def run(self) -> None:
        """Read, apply, remember the position; on a Redis failure wait and go on."""
        position = await run_in_thread(store.stream_position, self._engine, INCIDENT_STREAM) or "0-0"
        while True:
            try:
                reply: Any = await self._redis.xread({INCIDENT_STREAM: position}, count=500, block=self._block_ms)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("incident events unavailable: %s", exc)
                await asyncio.sleep(1.0)
                continue
            for _stream, entries in reply or []:
                for entry_id, fields in entries:
                    await self.apply({_text(k): _text(v) for k, v in fields.items()})
                    position = _text(entry_id)
                await run_in_thread(store.save_stream_position, self._engine, INCIDENT_STREAM, position)

    async def apply(self, fields: dict[str, str]) -> None:
        """Follow one incident event."""
        try:
            state = str(json.loads(fields.get("payload") or "{}").get("state", ""))
        except ValueError:
            return
        incident = fields.get("subject", "")
        group = self._correlator.on_incident(incident, state)
        if group is None:
            return
        await run_in_thread(store.set_status, self._engine, incident, group.status)
        if fields.get("type") == "incident.cancelled" and group.opened_by_alarms:
            until = self._correlator.suppress_until()
            await run_in_thread(store.suppress, self._engine, group.exercise_id, list(group.members), until, incident)
            log.info("false alarm %s: %d detectors suppressed until %s", incident, len(group.members), until.isoformat())
