"""Background expiry of reservations whose time to live ran out (each one released with an event)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from services.common.db import run_in_thread
from services.resources.store import ResourceStore

log = logging.getLogger(__name__)


class ExpirySweeper:
    """Calls the store's sweep every interval until stopped."""

    def __init__(self, store: ResourceStore, *, interval_s: float = 1.0, on_expired: Callable[[], None] = lambda: None) -> None:
        self._store = store
        self._interval_s = interval_s
        self._on_expired = on_expired
        self._task: asyncio.Task[None] | None = None

    async def sweep_once(self) -> int:
        """Expire what is due now; return how many reservations expired."""
        expired = await run_in_thread(self._store.sweep_expired)
        if expired:
            log.info("expired reservations", extra={"count": len(expired)})
            self._on_expired()
        return len(expired)

    async def run(self) -> None:
        """Sweep until cancelled; a failed sweep is logged and retried at the next tick."""
        while True:
            try:
                await self.sweep_once()
            except Exception:
                log.exception("reservation expiry sweep failed")
            await asyncio.sleep(self._interval_s)

    def start(self) -> None:
        """Run in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="reservation-expiry")

    async def stop(self) -> None:
        """Stop after the current sweep."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
