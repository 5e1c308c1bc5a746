"""Joint re-planning: commits whose plans went stale in one namespace are re-planned together, one batch at a time.

Under contention, re-planning commits one by one makes each wait for every solve before it, and two re-plans made
on the same snapshot collide again. Instead, stale commits queue per namespace; a leader takes everything queued,
runs the optimiser once for all their incidents on one fresh snapshot, gives each commit its slice of that plan,
and lets the next batch plan only after this batch's reservations are made. Slices of one plan never conflict.
Replicas of the gateway take turns through the database (`replan_lock`), so their batches do not collide either.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from sqlalchemy import Engine

from gateway.names import derive_id
from gateway.proposals import Planner
from gateway.replan_lock import namespace_turn
from gateway.tables import ProposalRow
from services.common.deadline import set_deadline_from_remaining


@dataclass
class _Member:
    """One stale commit waiting for its slice of the next joint plan."""

    incidents: list[str]
    proposal_id: str
    parent: str
    created_by: str
    options: dpb.PlanOptions
    overrides: gpb.PlanOverrides | None = None
    slice: asyncio.Future[ProposalRow] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    finished: asyncio.Event = field(default_factory=asyncio.Event)


class JointReplanner:
    """Queues stale commits per namespace and re-plans each queue in one optimiser call."""

    def __init__(self, planner: Planner, engine: Engine, window_s: float = 0.0) -> None:
        self._planner = planner
        self._engine = engine
        self._window_s = window_s
        self._queues: dict[str, list[_Member]] = defaultdict(list)
        self._leaders: dict[str, asyncio.Task[None]] = {}

    @asynccontextmanager
    async def turn(
        self,
        *,
        exercise_id: str,
        incidents: list[str],
        proposal_id: str,
        parent: str,
        created_by: str,
        options: dpb.PlanOptions,
        overrides: gpb.PlanOverrides | None = None,
    ) -> AsyncIterator[ProposalRow]:
        """This commit's slice of the next joint plan (its operator's overrides kept); the next batch waits until the caller leaves the block."""
        member = _Member(incidents, proposal_id, parent, created_by, options, overrides)
        self._queues[exercise_id].append(member)
        if exercise_id not in self._leaders:
            self._leaders[exercise_id] = asyncio.get_running_loop().create_task(self._lead(exercise_id), context=contextvars.copy_context())
        try:
            yield await asyncio.shield(member.slice)
        finally:
            member.finished.set()

    async def _lead(self, exercise_id: str) -> None:
        """Plan batch after batch while commits queue, each batch once its members have reserved."""
        set_deadline_from_remaining(None)  # the batch outlives the call that happened to start it
        try:
            while self._queues[exercise_id]:
                await asyncio.sleep(self._window_s)  # let commits that went stale together join one batch
                async with namespace_turn(self._engine, exercise_id):
                    batch, self._queues[exercise_id] = self._queues[exercise_id], []
                    await self._plan(exercise_id, batch)
                    await asyncio.gather(*(m.finished.wait() for m in batch))
        finally:
            self._leaders.pop(exercise_id, None)
            self._queues.pop(exercise_id, None)

    async def _plan(self, exercise_id: str, batch: list[_Member]) -> None:
        """One optimiser run for every incident of the batch; each member gets its slice as a proposal of its own."""
        incidents = sorted({name for m in batch for name in m.incidents})
        options = dpb.PlanOptions()
        options.CopyFrom(batch[0].options)
        options.time_limit_s = max(m.options.time_limit_s for m in batch)
        alone = len(batch) == 1
        overrides = gpb.PlanOverrides()
        for member in batch:
            if member.overrides is not None:
                overrides.MergeFrom(member.overrides)
        try:
            planned = await self._planner.propose(
                incident_names=incidents,
                exercise_id=exercise_id,
                options=options,
                created_by=batch[0].created_by,
                origin="REPLANNED",
                parent=batch[0].parent if alone else "",
                proposal_id=batch[0].proposal_id if alone else derive_id("joint", *sorted(m.proposal_id for m in batch)),
                overrides=overrides if overrides.ByteSize() else None,
            )
            for member in batch:
                member.slice.set_result(planned if alone else await self._planner.slice_of(planned, member.incidents, member.proposal_id, member.parent))
        except BaseException as error:
            for member in batch:
                if not member.slice.done():
                    member.slice.set_exception(error)
                member.finished.set()
            if not isinstance(error, Exception):
                raise
