"""The commit saga's foundation: its record in the gateway database, and compensation (releasing what it holds)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import grpc
from emergency.resources.v1 import resources_service_pb2 as rpb
from sqlalchemy import Engine
from sqlmodel import Session

from gateway import store
from gateway.backends import Backends, call
from gateway.config import GatewayConfig
from gateway.names import derive_request_id
from gateway.planning import IncidentHolds
from gateway.proposals import Planner
from gateway.replanning import JointReplanner
from gateway.saga_records import COMPENSATED, HELD, RELEASED, RESERVED_MEMORY, TRANSIENT, Held, decode, dump_held, exit_hard, held_list
from services.common.db import run_in_thread, session_scope
from services.common.errors import ServiceError
from services.common.outbox import utcnow

log = logging.getLogger(__name__)


class SagaBase:
    """State and record-keeping shared by the saga's steps, and compensation."""

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
        self._replanner = JointReplanner(planner, config.replan_batch_window_s)
        self._reserved_at: dict[tuple[str, str], int] = {}

    # ---- saga record ----------------------------------------------------------------------------------------------

    async def _record(self, saga: store.SagaRow, entry: str, status: str, detail: dict[str, Any] | None = None, **changes: Any) -> store.SagaRow:
        """Persist a step entry and any saga changes (such as the step reached) in one transaction; return the saga as stored."""

        def write() -> store.SagaRow:
            with session_scope(self._engine) as session:
                row = store.get_saga(session=session, request_id=saga.request_id)
                assert row is not None
                for key, value in changes.items():
                    setattr(row, key, value)
                row.updated_at = utcnow()
                session.add(row)
                store.add_step(session=session, saga=row, step=entry, status=status, detail=detail)
                return row

        return await run_in_thread(write)

    async def _reload(self, saga: store.SagaRow) -> store.SagaRow:
        """The saga as stored now."""

        def read() -> store.SagaRow:
            with Session(self._engine) as session:
                row = store.get_saga(session=session, request_id=saga.request_id)
            assert row is not None
            return row

        return await run_in_thread(read)

    def _rid(self, saga: store.SagaRow, step: str, *parts: object) -> str:
        """The backend request id of one step of this saga's generation."""
        return derive_request_id(saga.request_id, step, saga.generation, *parts)

    def _fault(self, step: str) -> None:
        """Crash here if the fault-injection setting names this step."""
        if self._config.fault_after_step == step:
            self._crash(step)

    def _held_since(self, exercise_id: str, holds: list[IncidentHolds]) -> list[str]:
        """Planned units this process has reserved in the namespace at (or after) the version the plan saw."""
        return [h.unit for hold in holds for h in hold.units if self._reserved_at.get((exercise_id, h.unit), -1) >= h.version]

    def _note_held(self, exercise_id: str, holds: list[IncidentHolds]) -> None:
        """Remember the versions at which this process reserved units (versions count per namespace; oldest forgotten first)."""
        for hold in holds:
            for h in hold.units:
                self._reserved_at.pop((exercise_id, h.unit), None)
                self._reserved_at[(exercise_id, h.unit)] = h.version
        while len(self._reserved_at) > RESERVED_MEMORY:
            self._reserved_at.pop(next(iter(self._reserved_at)))

    async def _committed_since(self, saga: store.SagaRow, proposal: store.ProposalRow) -> bool:
        """Whether another commit sent units or supplies to the proposal's incidents after it was made (it would send them twice)."""

        def read() -> bool:
            with Session(self._engine) as session:
                return bool(
                    store.commits_since(session=session, incidents=json.loads(proposal.incidents), since=proposal.created_at, request_id=saga.request_id)
                )

        return await run_in_thread(read)

    # ---- compensation ---------------------------------------------------------------------------------------------

    async def _release(self, saga: store.SagaRow, held: list[Held], reason: str) -> store.SagaRow:
        """Release every still-held reservation in the list (idempotently) and record it."""
        for item in held:
            if item.state != HELD:
                continue
            request = rpb.ReleaseReservationRequest(request_id=self._rid(saga, "release", item.reservation), name=item.reservation, reason=reason[:500])
            await self._record(saga, "RELEASE", "begin", {"reservation": item.reservation})
            try:
                await call(self._backends.resources.ReleaseReservation, request)
            except ServiceError as error:
                if error.code is not grpc.StatusCode.FAILED_PRECONDITION and error.code is not grpc.StatusCode.NOT_FOUND:
                    raise  # still held; a retry or recovery releases it, or it expires by its time to live
            item.state = RELEASED
            saga = await self._record(saga, "RELEASE", "done", {"reservation": item.reservation}, reservations=dump_held(held))
        return saga

    async def _compensate(self, saga: store.SagaRow, reason: str) -> store.SagaRow:
        """Release everything the saga holds and mark it compensated (a retry starts a new generation)."""
        saga = await self._reload(saga)
        held = held_list(saga) + await self._replay_unrecorded(saga)
        saga = await self._release(saga, held, reason)

        def write() -> store.SagaRow:
            with session_scope(self._engine) as session:
                row = store.get_saga(session=session, request_id=saga.request_id)
                assert row is not None
                row.state, row.error, row.reservations, row.updated_at = COMPENSATED, reason, dump_held(held), utcnow()
                session.add(row)
                store.add_step(session=session, saga=row, step="COMPENSATED", status="done", detail={"reason": reason})
                store.emit(
                    session,
                    "commit.compensated",
                    f"proposals/{row.proposal_id}",
                    exercise_id=row.exercise_id,
                    payload={"request_id": row.request_id, "reason": reason, "released": [h.reservation for h in held]},
                )
                return row

        saga = await run_in_thread(write)
        self._on_commit()
        return saga

    async def _replay_unrecorded(self, saga: store.SagaRow) -> list[Held]:
        """Reserve calls begun but never recorded (the process died in between), replayed under their request ids.

        The resources service answers a replay with the reservation the first call made, if it made one; if the first
        call never arrived, the replay makes it now. Either way the caller releases what comes back, so a hold this
        saga does not know of is never left to be counted as committed.
        """

        def read() -> list[store.SagaStepRow]:
            with Session(self._engine) as session:
                return [s for s in store.steps_of(session=session, request_id=saga.request_id) if s.generation == saga.generation and s.step == "RESERVE"]

        begun: dict[tuple[int, str], dict[str, Any]] = {}
        for step in await run_in_thread(read):
            detail = json.loads(step.detail)
            if step.status == "begin" and "request" in detail:
                begun[(step.attempt, detail["incident"])] = detail
            else:  # done or failed: the call's outcome was recorded
                begun.pop((step.attempt, detail.get("incident", "")), None)
        found: list[Held] = []
        for detail in begun.values():
            request_id = detail["request_id"]
            request = rpb.ReserveResourcesRequest.FromString(decode(detail["request"]))
            await self._record(saga, "REPLAY", "begin", {"request_id": request_id, "incident": detail["incident"]})
            try:
                reply = await call(self._backends.resources.ReserveResources, request)
            except ServiceError as error:
                if error.code in TRANSIENT:
                    raise
                await self._record(saga, "REPLAY", "done", {"request_id": request_id, "held": False, "code": error.code.name})
                continue  # refused (the units moved on meanwhile): nothing is held under this request
            item = Held(detail["incident"], reply.reservation.name, HELD, [u.unit for u in reply.reservation.units])
            if reply.reservation.state != rpb.Reservation.STATE_ACTIVE:
                item.state = RELEASED
            found.append(item)
            await self._record(saga, "REPLAY", "done", {"request_id": request_id, "reservation": item.reservation, "state": item.state})
        return found

    async def _recall(self, saga: store.SagaRow, item: Held, reason: str) -> None:
        """Turn back the confirmed units of an incident that was closed or cancelled meanwhile."""
        await self._record(saga, "RECALL", "begin", {"incident": item.incident, "reason": reason})
        for unit_name in item.units:
            unit = (await call(self._backends.resources.GetUnit, rpb.GetUnitRequest(name=unit_name, exercise_id=saga.exercise_id))).unit
            if unit.incident != item.incident:
                continue
            for target in (rpb.Unit.STATE_RETURNING, rpb.Unit.STATE_AVAILABLE):
                request = rpb.ReportUnitStatusRequest(
                    request_id=self._rid(saga, "recall", unit_name, target),
                    name=unit_name,
                    version=unit.version,
                    state=target,
                    exercise_id=saga.exercise_id,
                    reason=reason[:500],
                )
                try:
                    unit = (await call(self._backends.resources.ReportUnitStatus, request)).unit
                except ServiceError as error:
                    log.warning("could not recall %s: %s", unit_name, error)
                    break
        item.state = RELEASED
        await self._record(saga, "RECALL", "done", {"incident": item.incident})
