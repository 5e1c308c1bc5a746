"""The situation read model of one gateway replica: fed by the event streams and by this replica's own writes, saved, and read when fresh.

Rule for reads: GetSituation and ProposePlan (live operations only) read the picture when it is built, the consumer
was at the end of the streams within GATEWAY_READMODEL_MAX_STALENESS_S, and every refresh this replica started for
its own writes before the read has finished (waiting up to GATEWAY_READMODEL_WAIT_S for them); otherwise they take
the live path through the services. So a caller always reads its own writes on the replica that made them, and
sees other changes once their events are applied. ReserveResources stays the authority: a plan on a stale picture
is refused there and re-planned on a live snapshot.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import statistics
import time
from collections import OrderedDict, deque
from collections.abc import Collection, Sequence
from typing import Any

import redis.asyncio as aioredis
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2
from grpc_health.v1._async import HealthServicer
from sqlalchemy import Engine

from gateway import monitoring, store_readmodel
from gateway.backends import Backends
from gateway.config import GatewayConfig, replica_name
from gateway.planning import World
from gateway.readmodel_consumer import StreamGroup
from gateway.readmodel_events import STREAMS, Refresh
from gateway.readmodel_fetch import Fetcher
from gateway.readmodel_loop import HOLDS_REMEMBERED, StreamLoop
from gateway.readmodel_state import Picture, depot_of
from gateway.readmodel_writes import written
from services.common.auth import Principal
from services.common.db import run_in_thread
from services.common.settings import Settings

log = logging.getLogger(__name__)

COMPONENT = "readmodel"
LAG_WINDOW = 2048
# This replica's reservation calls and the step (event) each makes.
OWN_STEPS = {"ReserveResources": "reservation.created", "ConfirmReservation": "reservation.confirmed", "ReleaseReservation": "reservation.released"}


class ReadModel(StreamLoop):
    """Keeps the live picture current from the streams, answers reads when it is fresh, and saves itself with its positions."""

    def __init__(self, *, backends: Backends, engine: Engine, redis: aioredis.Redis, config: GatewayConfig, settings: Settings) -> None:
        self._engine = engine
        self._redis = redis
        self._config = config
        self._settings = settings
        self._fetcher = Fetcher(backends, snapshot_page_size=config.snapshot_page_size, concurrency=config.readmodel_fetch_concurrency)
        self.replica = config.readmodel_replica
        self.picture: Picture | None = None
        self.positions: dict[str, str] = {}
        self.epoch = 0
        self.commits_generation = 0
        self.applied = 0
        self.rebuilds: list[str] = []
        self.last_error = ""
        self.lags: deque[float] = deque(maxlen=LAG_WINDOW)
        self._group: StreamGroup | None = None
        self._rebuild_reason = ""
        self._rebuilding = False
        self._touched_meanwhile = Refresh()
        self._full_save = False
        self._behind = True
        self._reading_since: float | None = None
        self._caught_up_at: float | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._holds: OrderedDict[str, Refresh] = OrderedDict()
        self._read_back: OrderedDict[tuple[str, str], Refresh] = OrderedDict()
        self._principal: tuple[float, Principal] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._health: HealthServicer | None = None
        self._serving: bool | None = None
        self._stopping = False

    # ---- lifecycle -----------------------------------------------------------------------------------------------

    def start(self, port: int, health: HealthServicer | None = None) -> None:
        """Open the picture (the saved one, or a rebuilt one) and keep it current in the background."""
        self.replica = self.replica or replica_name(self._config, port)
        self._group = StreamGroup(self._redis, STREAMS, replica=self.replica, batch=self._config.readmodel_batch, block_ms=self._config.readmodel_block_ms)
        self._health = health
        loop = asyncio.get_running_loop()
        for work, name in ((self._consume, "readmodel-consumer"), (self._keep, "readmodel-checkpoints")):
            self._tasks.append(loop.create_task(work(), name=name, context=contextvars.Context()))

    async def stop(self) -> None:
        """Stop consuming and save what changed since the last checkpoint."""
        self._stopping = True
        tasks = [*self._tasks, *self._pending]
        while tasks:  # a cancel can be lost inside a client library (turned into a timeout): ask again until they end
            for task in tasks:
                task.cancel()
            _, waiting = await asyncio.wait(tasks, timeout=0.25)
            tasks = list(waiting)
        self._tasks.clear()
        try:
            await self._save()
        except Exception as exc:
            log.warning("read model not saved at stop: %s", exc)

    # ---- reads ---------------------------------------------------------------------------------------------------

    def stale_for(self) -> float | None:
        """Seconds since the consumer was last known to be at the end of every stream (None: never, or not built)."""
        if self.picture is None or self._rebuilding or self._rebuild_reason or self._caught_up_at is None:
            return None
        now = time.monotonic()
        if self._reading_since is not None and not self._behind and now - self._reading_since <= self._config.readmodel_block_ms / 1000 + 1.0:
            return 0.0
        return now - self._caught_up_at

    async def fresh(self) -> Picture | None:
        """The picture when reads may use it (after this replica's own writes reached it), else None: take the live path."""
        stale = self.stale_for()
        if stale is None or stale > self._config.readmodel_max_staleness_s:
            monitoring.readmodel_read(False)
            return None
        pending = [task for task in self._pending if not task.done()]
        if pending:
            _, waiting = await asyncio.wait(pending, timeout=self._config.readmodel_wait_s)
            if waiting or self.stale_for() is None:
                monitoring.readmodel_read(False)
                return None
        monitoring.readmodel_read(True)
        return self.picture

    async def world(self, resource_types: Collection[str]) -> World | None:
        """Live availability of these types from the picture, or None when it is not fresh."""
        picture = await self.fresh()
        return picture.world(resource_types) if picture is not None else None

    async def fresh_copy(self) -> Picture:
        """A picture read afresh from the services and not kept: what the projection must equal once it has caught up."""

        async def read() -> Picture:
            self._act()
            return await self._fetcher.rebuild()

        return await asyncio.get_running_loop().create_task(read(), context=contextvars.Context())

    def stamp(self) -> tuple[int, int, int]:
        """Changes whenever what GetSituation shows may have changed."""
        return self.epoch, self.picture.generation if self.picture is not None else -1, self.commits_generation

    def figures(self) -> dict[str, Any]:
        """State, positions and lag of the read model (what health and metrics report)."""
        lags = sorted(self.lags)
        stale = self.stale_for()
        return {
            "replica": self.replica,
            "ready": stale is not None and stale <= self._config.readmodel_max_staleness_s,
            "positions": dict(self.positions),
            "applied": self.applied,
            "rebuilds": len(self.rebuilds),
            "lag_p50_s": statistics.median(lags) if lags else 0.0,
            "lag_p95_s": lags[min(len(lags) - 1, int(0.95 * len(lags)))] if lags else 0.0,
            "lag_max_s": lags[-1] if lags else 0.0,
            "last_error": self.last_error,
        }

    # ---- this replica's own writes -------------------------------------------------------------------------------

    def commits_changed(self) -> None:
        """This replica stored something (a commit among others): committed plans are read again on the next view."""
        self.commits_generation += 1

    def wrote(self, service: str, method: str, request: Message, response: Message) -> None:
        """A write this replica made succeeded: put what it changed in the picture now, and read again what it names."""
        if self.picture is None:
            return
        change = written(service, method, request, response)
        refresh = change.refresh
        steps = []
        for reservation in change.reservations:
            known = reservation.name in self._holds
            if method == "ReleaseReservation":
                refresh.merge(self._holds.get(reservation.name, Refresh()))
            held = Refresh(units={u.unit for u in reservation.units}, depots={depot_of(s.stock) for s in reservation.stocks})
            self._remember(reservation.name, held)
            step = OWN_STEPS.get(method, "")
            if step and (known or method != "ReleaseReservation"):
                steps.append((reservation.name, step))
        version = getattr(response, "snapshot_version", 0)
        if isinstance(version, int) and version:
            self.picture.note_snapshot_version(version)
        if refresh.rebuild:
            self._rebuild_reason = self._rebuild_reason or refresh.rebuild
            return
        changed = sum(self.picture.put_unit(u) for u in change.units) + sum(self.picture.put_stock(s) for s in change.stocks)
        changed += sum(self.picture.put_incident(i) for i in change.incidents)
        if change.units and not self._rebuilding:  # the answer carried them whole: their step's event needs no reads of them
            self._note_read_back(steps, Refresh(units={u.name for u in change.units}))
        if self._rebuilding:  # the rebuilt picture replaces this one: read these again once it is in place
            self._touched_meanwhile.merge(refresh)
            self._touched_meanwhile.units |= {u.name for u in change.units}
            self._touched_meanwhile.depots |= {depot_of(s.name) for s in change.stocks}
            self._touched_meanwhile.incidents |= {i.name for i in change.incidents}
        elif refresh.reads:
            task = asyncio.get_running_loop().create_task(self._refresh_own(refresh, steps), context=contextvars.Context())
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _refresh_own(self, refresh: Refresh, steps: Sequence[tuple[str, str]]) -> None:
        """Read again what an own write names, and note its reservation steps as read back (their events need no reads)."""
        self._act()
        picture = self.picture
        try:
            if picture is not None:
                await self._fetcher.refresh(picture, refresh)
                self._note_read_back(steps, refresh)
        except Exception as exc:
            log.warning("read model could not read back this replica's write: %s", exc)
            self._rebuild_reason = self._rebuild_reason or f"reading back a write failed: {exc}"[:200]

    def _note_read_back(self, steps: Sequence[tuple[str, str]], refresh: Refresh) -> None:
        """Note what of these reservation steps the picture holds as this replica made them (their events need no reads of it)."""
        for step in steps:
            self._read_back.setdefault(step, Refresh()).merge(refresh)
        while len(self._read_back) > HOLDS_REMEMBERED:
            self._read_back.popitem(last=False)

    # ---- checkpoints and health ----------------------------------------------------------------------------------

    async def _save(self) -> None:
        """Save what changed since the last checkpoint (everything after a rebuild) with the positions."""
        picture = self.picture
        if picture is None or self._rebuilding:
            return
        full, self._full_save = self._full_save, False
        keys = picture.all_keys() if full else sorted(picture.changed)
        picture.changed = set()
        items = []
        for kind, key in keys:
            stored = picture.item(kind, key)
            items.append(store_readmodel.Item(kind, key, stored[0] if stored else 0, stored[1] if stored else None))
        positions = dict(self.positions)
        try:
            await run_in_thread(store_readmodel.save, self._engine, self.replica, items, positions, replace=full)
        except BaseException:
            picture.changed |= set(keys)
            self._full_save = self._full_save or full
            raise

    async def _report_health(self) -> None:
        """Publish the read model as the health component `readmodel`: SERVING while reads may use it."""
        serving = bool(self.figures()["ready"])
        if self._health is not None and serving != self._serving:
            status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
            await self._health.set(COMPONENT, status)
            self._serving = serving

    async def _keep(self) -> None:
        """Report health and save checkpoints every GATEWAY_READMODEL_CHECKPOINT_S until stopped (health first, at once)."""
        while not self._stopping:
            try:
                await self._report_health()
                await self._save()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("read model checkpoint failed: %s", exc)
            await asyncio.sleep(self._config.readmodel_checkpoint_s)
