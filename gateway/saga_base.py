"""What every step of the commit saga works with: the backends, the planner, and the saga's record in the gateway database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine

from gateway import store_sagas
from gateway.backends import Backends
from gateway.config import GatewayConfig
from gateway.names import derive_request_id
from gateway.proposals import Planner
from gateway.replanning import JointReplanner
from gateway.saga_records import exit_hard
from gateway.store_sagas import Lease
from gateway.tables import SagaRow
from services.common.db import run_in_thread

log = logging.getLogger(__name__)


class SagaBase:
    """The saga's collaborators and state, and the record-keeping its steps share."""

    def __init__(
        self,
        backends: Backends,
        engine: Engine,
        planner: Planner,
        config: GatewayConfig,
        on_commit: Callable[[], None] = lambda: None,
        crash: Callable[[str], None] = exit_hard,
    ) -> None:
        self._backends = backends
        self._engine = engine
        self._planner = planner
        self._config = config
        self._on_commit = on_commit
        self._crash = crash
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._replanner = JointReplanner(planner, engine, config.replan_batch_window_s)
        self._reserved_at: dict[tuple[str, str], int] = {}
        self.lease = Lease(config.replica, config.saga_lease_s)

    def name_replica(self, name: str) -> None:
        """The replica name this process claims sagas under (known once the port is bound)."""
        self.lease = Lease(name, self._config.saga_lease_s)

    async def _record(self, saga: SagaRow, entry: str, status: str, detail: dict[str, Any] | None = None, **changes: Any) -> SagaRow:
        """Persist a step entry and any saga changes (such as the step reached) in one transaction; return the saga as stored."""
        return await run_in_thread(store_sagas.record, self._engine, saga, entry, status, detail, changes)

    async def _reload(self, saga: SagaRow) -> SagaRow:
        """The saga as stored now."""
        return await run_in_thread(store_sagas.reload, self._engine, saga)

    def _rid(self, saga: SagaRow, step: str, *parts: object) -> str:
        """The backend request id of one step of this saga's generation."""
        return derive_request_id(saga.request_id, step, saga.generation, *parts)

    def _fault(self, step: str) -> None:
        """Crash here if the fault-injection setting names this step."""
        if self._config.fault_after_step == step:
            self._crash(step)

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
                    if not await run_in_thread(store_sagas.renew, self._engine, request_id, self.lease):
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
