"""Compensation: releasing what a commit holds, finding holds it never recorded, and turning back units of ended incidents."""

from __future__ import annotations

import json
import logging
from typing import Any

import grpc
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway import store_sagas
from gateway.backends import call
from gateway.saga_base import SagaBase
from gateway.saga_records import HELD, RELEASED, TRANSIENT, Held, decode, dump_held, held_list
from gateway.tables import SagaRow
from services.common.db import run_in_thread
from services.common.errors import ServiceError

log = logging.getLogger(__name__)


class Compensation(SagaBase):
    """Undoes what a saga holds until its first confirm, and recalls units sent to incidents that ended meanwhile."""

    async def _release(self, saga: SagaRow, held: list[Held], reason: str) -> SagaRow:
        """Release every still-held reservation in the list (idempotently) and record it."""
        for item in held:
            if item.state != HELD:
                continue
            request = rpb.ReleaseReservationRequest(request_id=self._rid(saga, "release", item.reservation), name=item.reservation, reason=reason[:500])
            await self._record(saga, "RELEASE", "begin", {"reservation": item.reservation})
            try:
                await call(self.wiring.backends.resources.ReleaseReservation, request)
            except ServiceError as error:
                if error.code is not grpc.StatusCode.FAILED_PRECONDITION and error.code is not grpc.StatusCode.NOT_FOUND:
                    raise  # still held; a retry or recovery releases it, or it expires by its time to live
            item.state = RELEASED
            saga = await self._record(saga, "RELEASE", "done", {"reservation": item.reservation}, reservations=dump_held(held))
        return saga

    async def _compensate(self, saga: SagaRow, reason: str) -> SagaRow:
        """Release everything the saga holds and mark it compensated (a retry starts a new generation)."""
        saga = await self._reload(saga)
        held = held_list(saga) + await self._replay_unrecorded(saga)
        saga = await self._release(saga, held, reason)
        saga = await run_in_thread(store_sagas.compensated, self.wiring.engine, saga, reason, dump_held(held), [h.reservation for h in held])
        self.wiring.on_commit()
        return saga

    async def _replay_unrecorded(self, saga: SagaRow) -> list[Held]:
        """Reserve calls begun but never recorded (the process died in between), replayed under their request ids.

        The resources service answers a replay with the reservation the first call made, if it made one; if the first
        call never arrived, the replay makes it now. Either way the caller releases what comes back, so a hold this
        saga does not know of is never left to be counted as committed.
        """
        begun: dict[tuple[int, str], dict[str, Any]] = {}
        for step in await run_in_thread(store_sagas.reserve_steps, self.wiring.engine, saga):
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
                reply = await call(self.wiring.backends.resources.ReserveResources, request)
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

    async def _recall(self, saga: SagaRow, item: Held, reason: str) -> None:
        """Turn back the confirmed units of an incident that was closed or cancelled meanwhile."""
        await self._record(saga, "RECALL", "begin", {"incident": item.incident, "reason": reason})
        for unit_name in item.units:
            unit = (await call(self.wiring.backends.resources.GetUnit, rpb.GetUnitRequest(name=unit_name, exercise_id=saga.exercise_id))).unit
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
                    unit = (await call(self.wiring.backends.resources.ReportUnitStatus, request)).unit
                except ServiceError as error:
                    log.warning("could not recall %s: %s", unit_name, error)
                    break
        item.state = RELEASED
        await self._record(saga, "RECALL", "done", {"incident": item.incident})
