"""Outbox relay health: lag reported on every health check, and NOT_SERVING for the relay once it is stuck."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from grpc_health.v1 import health_pb2
from grpc_health.v1._async import HealthServicer

from services.common.db import run_in_thread
from services.common.outbox import OutboxRelay, relay_lag

log = logging.getLogger(__name__)

OUTBOX_COMPONENT = "outbox"
PENDING_KEY = "outbox-pending"
OLDEST_AGE_KEY = "outbox-oldest-age-s"


class LagReportingHealth(HealthServicer):  # type: ignore[misc]  # grpc-stubs type grpc_health.v1 but not its _async module
    """The standard health servicer; every Check answer also carries the relay lag as initial metadata."""

    def __init__(self) -> None:
        super().__init__()
        self.lag: tuple[int, float] | None = None

    async def Check(self, request: health_pb2.HealthCheckRequest, context: Any) -> Any:
        """Answer as the standard servicer does, with the last measured lag attached."""
        if self.lag is not None:
            pending, oldest_age_s = self.lag
            await context.send_initial_metadata(((PENDING_KEY, str(pending)), (OLDEST_AGE_KEY, f"{oldest_age_s:.3f}")))
        return await super().Check(request, context)


class RelayMonitor:
    """Measures the relay's lag periodically; the outbox component is NOT_SERVING while the oldest unsent row is older than the threshold or the loop is dead."""

    def __init__(self, relay: OutboxRelay, health: LagReportingHealth, *, stuck_after_s: float, interval_s: float) -> None:
        self._relay = relay
        self._health = health
        self._stuck_after_s = stuck_after_s
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None
        self._serving: bool | None = None

    async def check_once(self) -> bool:
        """Measure the lag, publish it and the component's status; return True when healthy."""
        try:
            pending, oldest_age_s = await run_in_thread(relay_lag, self._relay.engine)
        except Exception as exc:
            log.warning("outbox lag could not be measured: %s", exc)
            healthy = False
        else:
            self._health.lag = (pending, oldest_age_s)
            healthy = self._relay.running and oldest_age_s <= self._stuck_after_s
        if healthy != self._serving:
            if not healthy:
                lag = self._health.lag or (0, 0.0)
                log.error(
                    "outbox relay stuck: %d rows unsent, oldest %.1f s old (%s)",
                    lag[0],
                    lag[1],
                    self._relay.last_error or ("loop not running" if not self._relay.running else "no error recorded"),
                )
            status = health_pb2.HealthCheckResponse.SERVING if healthy else health_pb2.HealthCheckResponse.NOT_SERVING
            await self._health.set(OUTBOX_COMPONENT, status)
            self._serving = healthy
        return healthy

    async def _run(self) -> None:
        """Check until cancelled."""
        while True:
            await self.check_once()
            await asyncio.sleep(self._interval_s)

    async def start(self) -> None:
        """Publish a first status, then keep checking in the background."""
        await self.check_once()
        self._task = asyncio.create_task(self._run(), name="outbox-monitor")

    async def stop(self) -> None:
        """Stop checking."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
