"""The read model's consumer loop: open the saved picture or rebuild it, then read the streams and apply each batch."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from typing import Any

from emergency.gateway.v1 import gateway_service_pb2 as gpb
from sqlalchemy import Engine

from gateway import monitoring, store_readmodel
from gateway.config import GatewayConfig
from gateway.events import event_from_entry
from gateway.identity import act_as, system_principal
from gateway.readmodel_consumer import Entry, StreamGroup, missing_group
from gateway.readmodel_events import STREAMS, Refresh, refresh_for, reservation_refresh
from gateway.readmodel_fetch import Fetcher
from gateway.readmodel_state import Picture
from services.common.auth import Principal, Role
from services.common.db import run_in_thread
from services.common.settings import Settings

log = logging.getLogger(__name__)

HOLDS_REMEMBERED = 10_000
PRINCIPAL_RENEW_S = 3600.0
MAX_BACKOFF_S = 5.0
RETRIES_BEFORE_REBUILD = 3


class StreamLoop:
    """The consumer half of the read model: what it holds, and how batches of events, gaps and rebuilds change it."""

    _engine: Engine
    _config: GatewayConfig
    _settings: Settings
    _fetcher: Fetcher
    _group: StreamGroup | None
    replica: str
    picture: Picture | None
    positions: dict[str, str]
    epoch: int
    commits_generation: int
    applied: int
    rebuilds: list[str]
    last_error: str
    lags: deque[float]
    _rebuild_reason: str
    _rebuilding: bool
    _touched_meanwhile: Refresh
    _full_save: bool
    _behind: bool
    _reading_since: float | None
    _caught_up_at: float | None
    _pending: set[asyncio.Task[None]]
    _seen: OrderedDict[str, None]
    _holds: OrderedDict[str, Refresh]
    _read_back: OrderedDict[tuple[str, str], Refresh]
    _principal: tuple[float, Principal] | None
    _stopping: bool

    def _act(self) -> None:
        """Act as the read model's own principal (a viewer), renewing its token well before it expires."""
        now = time.monotonic()
        if self._principal is None or now - self._principal[0] > PRINCIPAL_RENEW_S:
            self._principal = (now, system_principal(self._settings, subject="gateway-readmodel", role=Role.VIEWER))
        act_as(self._principal[1])

    def _remember(self, reservation: str, holds: Refresh) -> None:
        """Remember what a reservation holds, for when it is released (the answer to a release no longer lists it)."""
        self._holds.setdefault(reservation, Refresh()).merge(holds)
        self._holds.move_to_end(reservation)
        while len(self._holds) > HOLDS_REMEMBERED:
            self._holds.popitem(last=False)

    # ---- opening and rebuilding ----------------------------------------------------------------------------------

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

    # ---- batches -------------------------------------------------------------------------------------------------

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

    # ---- the loop ------------------------------------------------------------------------------------------------

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
