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
import socket
import statistics
import time
from collections import OrderedDict, deque
from collections.abc import Collection, Sequence
from typing import Any

import redis.asyncio as aioredis
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2
from grpc_health.v1._async import HealthServicer
from sqlalchemy import Engine

from gateway import monitoring, store_readmodel
from gateway.backends import Backends
from gateway.config import GatewayConfig
from gateway.events import event_from_entry
from gateway.identity import act_as, system_principal
from gateway.planning import World
from gateway.readmodel_consumer import Entry, StreamGroup, missing_group
from gateway.readmodel_events import STREAMS, Refresh, refresh_for, reservation_refresh
from gateway.readmodel_fetch import Fetcher
from gateway.readmodel_state import Picture, depot_of
from gateway.readmodel_writes import written
from services.common.auth import Principal, Role
from services.common.db import run_in_thread
from services.common.settings import Settings

log = logging.getLogger(__name__)

COMPONENT = "readmodel"
LAG_WINDOW = 2048
HOLDS_REMEMBERED = 10_000
PRINCIPAL_RENEW_S = 3600.0
MAX_BACKOFF_S = 5.0
RETRIES_BEFORE_REBUILD = 3
# This replica's reservation calls and the step (event) each makes.
OWN_STEPS = {"ReserveResources": "reservation.created", "ConfirmReservation": "reservation.confirmed", "ReleaseReservation": "reservation.released"}


class ReadModel:
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
        self.replica = self.replica or f"{socket.gethostname()}:{port}"
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

    def _act(self) -> None:
        """Act as the read model's own principal (a viewer), renewing its token well before it expires."""
        now = time.monotonic()
        if self._principal is None or now - self._principal[0] > PRINCIPAL_RENEW_S:
            self._principal = (now, system_principal(self._settings, subject="gateway-readmodel", role=Role.VIEWER))
        act_as(self._principal[1])

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

    def _remember(self, reservation: str, holds: Refresh) -> None:
        """Remember what a reservation holds, for when it is released (the answer to a release no longer lists it)."""
        self._holds.setdefault(reservation, Refresh()).merge(holds)
        self._holds.move_to_end(reservation)
        while len(self._holds) > HOLDS_REMEMBERED:
            self._holds.popitem(last=False)

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
                for step in steps:
                    self._read_back.setdefault(step, Refresh()).merge(refresh)
                while len(self._read_back) > HOLDS_REMEMBERED:
                    self._read_back.popitem(last=False)
        except Exception as exc:
            log.warning("read model could not read back this replica's write: %s", exc)
            self._rebuild_reason = self._rebuild_reason or f"reading back a write failed: {exc}"[:200]

    # ---- the consumer --------------------------------------------------------------------------------------------

    async def _open(self) -> None:
        """Take the saved picture and positions, or rebuild when there are none."""
        assert self._group is not None
        checkpoint = await run_in_thread(store_readmodel.load, self._engine, self.replica)
        if checkpoint is None:
            self._rebuild_reason = "no saved picture"
            return
        self.picture = Picture.from_items(checkpoint.items)
        self.positions = {stream: checkpoint.positions.get(stream, "0-0") for stream in STREAMS}
        self.epoch += 1
        await self._group.place(self.positions)
        gap = await self._group.gap(self.positions)
        if gap:
            self._rebuild_reason = gap
        log.info("read model resumed", extra={"replica": self.replica, "positions": self.positions, "gap": gap})

    async def _rebuild(self) -> None:
        """Read the whole picture again from where the streams end now, and continue from there."""
        assert self._group is not None
        reason, self._rebuilding = self._rebuild_reason, True
        try:
            tails = await self._group.tails()
            picture = await self._fetcher.rebuild()
            await self._group.place(tails)
            while self._touched_meanwhile.reads:  # no await between the last check and the swap: no write slips past
                touched, self._touched_meanwhile = self._touched_meanwhile, Refresh()
                await self._fetcher.refresh(picture, touched)
        except BaseException:
            self._rebuilding = False
            raise
        self.picture, self.positions, self.epoch = picture, tails, self.epoch + 1
        self._rebuild_reason, self._rebuilding, self._full_save = "", False, True
        self._caught_up_at, self._behind = time.monotonic(), False
        self.rebuilds.append(reason)
        monitoring.readmodel_rebuilt(reason)
        log.info("read model rebuilt", extra={"replica": self.replica, "reason": reason, "units": len(picture.units), "incidents": len(picture.incidents)})

    def _unseen(self, entries: Sequence[Entry]) -> list[Any]:
        """The entries' events, without those already applied (the same event id relayed twice)."""
        events = []
        for entry in entries:
            event = event_from_entry(entry.stream, entry.entry_id, entry.fields)
            if not event.event_id or event.event_id not in self._seen:
                events.append(event)
        return events

    async def _apply(self, entries: Sequence[Entry]) -> None:
        """Apply one batch: read again what its events changed, then advance the positions."""
        pending = [task for task in self._pending if not task.done()]
        if pending:  # this replica's own writes are being read back: their events will need no reads once that is done
            await asyncio.wait(pending, timeout=self._config.readmodel_wait_s)
        picture = self.picture
        assert picture is not None
        events = self._unseen(entries)
        refresh = Refresh()
        for event in events:
            change = refresh_for(event, picture, self._was_read_back)
            for unit in change.moved:  # applied in order, so the next move of the same unit in this batch follows on
                picture.put_unit(unit)
            refresh.merge(change)
            if event.type == "reservation.created" and not event.exercise_id:
                self._learn_created(event)
        if refresh.rebuild:
            self._rebuild_reason = refresh.rebuild
            return
        await self._fetcher.refresh(picture, refresh)
        if refresh.commits:
            self.commits_generation += 1
        now = time.time()
        for event in events:
            self._seen[event.event_id] = None
            if event.HasField("time"):
                lag = max(0.0, now - event.time.ToNanoseconds() / 1e9)
                self.lags.append(lag)
                monitoring.readmodel_applied(event.stream, lag)
        while len(self._seen) > self._config.recent_event_ids:
            self._seen.popitem(last=False)
        for entry in entries:
            self.positions[entry.stream] = entry.entry_id
        self.applied += len(events)

    def _was_read_back(self, reservation: str, step: str, units: set[str], depots: set[str]) -> bool:
        """True when this replica read back these units and depots after making the reservation's step itself."""
        done = self._read_back.get((reservation, step))
        return done is not None and units <= done.units and depots <= done.depots

    def _learn_created(self, event: gpb.Event) -> None:
        """Remember the units and stock a reservation made elsewhere holds."""
        held = reservation_refresh(event)
        if not held.rebuild:
            self._remember(event.subject, held)

    async def _step(self) -> None:
        """One turn of the consumer: rebuild if asked, else read and apply the next entries."""
        assert self._group is not None
        if self._rebuild_reason:
            await self._rebuild()
        self._reading_since = time.monotonic()
        try:
            entries, self._behind = await self._group.read()
        finally:
            self._reading_since = None
        returned = time.monotonic()
        if entries:
            await self._apply(entries)
        if not self._behind and not self._rebuild_reason:
            self._caught_up_at = returned
        elif self._behind:
            gap = await self._group.gap(self.positions)
            self._rebuild_reason = self._rebuild_reason or gap

    async def _consume(self) -> None:
        """Open the picture, then keep it current until stopped; failures are retried with a growing back-off."""
        assert self._group is not None
        self._act()
        backoff, failures = 0.1, 0
        opened = False
        while not self._stopping:
            try:
                self._act()
                if not opened:
                    await self._open()
                    opened = True
                await self._step()
                backoff, failures, self.last_error = 0.1, 0, ""
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                current = asyncio.current_task()
                if self._stopping or (current is not None and current.cancelling()):
                    raise asyncio.CancelledError from exc  # a cancel a client library turned into an error
                failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                log.warning("read model consumer failed (%d in a row), retrying in %.1f s: %s", failures, backoff, self.last_error)
                if opened and self.picture is not None:
                    if missing_group(exc) or failures < RETRIES_BEFORE_REBUILD:
                        await self._replace_group()
                    else:
                        self._rebuild_reason = self._rebuild_reason or f"failed {failures} times: {self.last_error}"[:200]
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def _replace_group(self) -> None:
        """Put the group back at the applied positions (the entries of a failed batch are read again), and look for a gap."""
        assert self._group is not None
        try:
            await self._group.place(self.positions)
            gap = await self._group.gap(self.positions)
        except Exception as exc:
            log.warning("read model could not reposition its consumer group: %s", exc)
            return
        self._rebuild_reason = self._rebuild_reason or gap

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
