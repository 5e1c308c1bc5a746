"""What every step of the commit saga works with: the backends, the planner, and the saga's record in the gateway database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from gateway import store_sagas
from gateway.names import derive_request_id
from gateway.proposals import Planner
from gateway.replanning import JointReplanner
from gateway.saga_records import exit_hard
from gateway.store_sagas import Lease
from gateway.tables import SagaRow
from gateway.wiring import Wiring
from services.common.db import run_in_thread

log = logging.getLogger(__name__)


@dataclass(kw_only=True, eq=False)
class SagaBase:
    """The saga's collaborators (given by keyword) and state, and the record-keeping its steps share."""

    wiring: Wiring
    planner: Planner
    crash: Callable[[str], None] = exit_hard
    lease: Lease = field(init=False)
    _replanner: JointReplanner = field(init=False)
    _locks: dict[str, tuple[asyncio.Lock, int]] = field(init=False, default_factory=dict)
    _reserved_at: dict[tuple[str, str], int] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.lease = Lease(self.wiring.config.replica, self.wiring.config.saga_lease_s)
        self._replanner = JointReplanner(self.planner, self.wiring.engine, self.wiring.config.replan_batch_window_s)

    def name_replica(self, name: str) -> None:
        """The replica name this process claims sagas under (known once the port is bound)."""
        self.lease = Lease(name, self.wiring.config.saga_lease_s)

    async def _record(self, saga: SagaRow, entry: str, status: str, detail: dict[str, Any] | None = None, **changes: Any) -> SagaRow:
        """Persist a step entry and any saga changes (such as the step reached) in one transaction; return the saga as stored."""
        return await run_in_thread(store_sagas.record, self.wiring.engine, saga, entry, status, detail, changes)

    async def _reload(self, saga: SagaRow) -> SagaRow:
        """The saga as stored now."""
        return await run_in_thread(store_sagas.reload, self.wiring.engine, saga)

    def _rid(self, saga: SagaRow, step: str, *parts: object) -> str:
        """The backend request id of one step of this saga's generation."""
        return derive_request_id(saga.request_id, step, saga.generation, *parts)

    def _fault(self, step: str) -> None:
        """Crash here if the fault-injection setting names this step."""
        if self.wiring.config.fault_after_step == step:
            self.crash(step)

    @asynccontextmanager
    async def _turn(self, request_id: str) -> AsyncIterator[None]:
        """One try of a request id at a time in this process (the lock is dropped when nobody waits for it)."""
        lock, users = self._locks.get(request_id, (asyncio.Lock(), 0))
        self._locks[request_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[request_id]
            if users <= 1:
                del self._locks[request_id]
            else:
                self._locks[request_id] = (lock, users - 1)

    @asynccontextmanager
    async def _renewing(self, request_id: str) -> AsyncIterator[None]:
        """Keep this replica's lease on the saga alive while the block runs (so no other replica takes it over)."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(self.lease.seconds / 3)
                try:
                    if not await run_in_thread(store_sagas.renew, self.wiring.engine, request_id, self.lease):
                        log.warning("lease on saga %s not renewed: this replica does not hold it", request_id)
                except Exception as exc:  # a database blip: the next renewal tries again before the lease ends
                    log.warning("lease on saga %s not renewed: %s", request_id, exc)

        task = asyncio.get_running_loop().create_task(renew(), name=f"saga-lease-{request_id}")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
