"""Moving units through their day (on scene, returning, available, out of service) with the versions read here."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import grpc
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.activity import Activity, Step
from gateway.backends import Backends, all_pages, call
from gateway.names import derive_request_id
from services.common.errors import FieldViolation, ServiceError, invalid_argument

UnitState = rpb.Unit.State
MOVABLE = (rpb.Unit.STATE_ON_SCENE, rpb.Unit.STATE_RETURNING, rpb.Unit.STATE_AVAILABLE, rpb.Unit.STATE_OUT_OF_SERVICE)
# States from which a unit must pass RETURNING before it is AVAILABLE again (the resources state machine).
AWAY = (rpb.Unit.STATE_EN_ROUTE, rpb.Unit.STATE_ON_SCENE)
MAX_PARALLEL = 8


def state_label(state: int) -> str:
    """ON_SCENE for STATE_ON_SCENE."""
    return rpb.Unit.State.Name(state).removeprefix("STATE_")


class UnitMover:
    """Reads each unit's version, moves it, and says for each unit what happened; records every movement for its incident."""

    def __init__(self, backends: Backends, activity: Activity) -> None:
        self._backends = backends
        self._activity = activity

    async def scope(self, incident: str, exercise_id: str, units: Sequence[str]) -> tuple[str, list[str]]:
        """The namespace and the units of a move: with an incident, its namespace and (when no unit is named) every unit it holds."""
        if not incident:
            return exercise_id, list(units)
        found = (await call(self._backends.incident.GetIncident, ipb.GetIncidentRequest(name=incident))).incident
        if exercise_id and exercise_id != found.exercise_id:
            raise invalid_argument([FieldViolation("exercise_id", f"{found.name} is in namespace {found.exercise_id or '(live)'!r}, not {exercise_id!r}")])
        if units:
            return found.exercise_id, list(units)
        return found.exercise_id, sorted({unit for unit, _ in await self.held_by(found.name, found.exercise_id)})

    async def held_by(self, incident: str, exercise_id: str) -> list[tuple[str, str]]:
        """(unit, reservation) for every unit an active or confirmed reservation of the incident still holds."""
        request = rpb.ListReservationsRequest(
            exercise_id=exercise_id, incident=incident, states=[rpb.Reservation.STATE_ACTIVE, rpb.Reservation.STATE_CONFIRMED], page_size=1000
        )
        reservations = await all_pages(self._backends.resources.ListReservations, request, "reservations")
        return [(hold.unit, r.name) for r in reservations for hold in r.units]

    async def move(
        self, units: Sequence[str], target: int, *, request_id: str, exercise_id: str, reason: str, actor: str, incident: str = ""
    ) -> list[gpb.UnitMove]:
        """Move every unit to the target (via RETURNING when AVAILABLE is asked of a unit still away), one answer per unit."""
        gate = asyncio.Semaphore(MAX_PARALLEL)

        async def one(name: str) -> tuple[gpb.UnitMove, list[Step]]:
            async with gate:
                return await self._move_one(name, target, request_id=request_id, exercise_id=exercise_id, reason=reason, incident=incident)

        outcomes = await asyncio.gather(*(one(name) for name in units))
        await self._activity.record([step for _, steps in outcomes for step in steps], actor)
        return [move for move, _ in outcomes]

    async def _move_one(self, name: str, target: int, *, request_id: str, exercise_id: str, reason: str, incident: str) -> tuple[gpb.UnitMove, list[Step]]:
        """One unit: read it, step it to the target, and describe what happened."""
        try:
            unit = (await call(self._backends.resources.GetUnit, rpb.GetUnitRequest(name=name, exercise_id=exercise_id))).unit
        except ServiceError as error:
            return gpb.UnitMove(unit=name, moved=False, reason=error.reason, detail=error.message), []
        start = unit.state
        owner = incident or unit.incident
        if incident and unit.incident and unit.incident != incident:
            detail = f"{name} is committed to {unit.incident}, not {incident}"
            return gpb.UnitMove(unit=name, from_state=start, to_state=start, moved=False, reason="UNIT_OF_ANOTHER_INCIDENT", detail=detail), []
        if start == target:
            return gpb.UnitMove(
                unit=name, from_state=start, to_state=start, moved=False, reason="ALREADY_IN_STATE", detail=f"{name} is already {state_label(start)}"
            ), []
        path = [rpb.Unit.STATE_RETURNING, target] if target == rpb.Unit.STATE_AVAILABLE and start in AWAY else [target]
        steps: list[Step] = []
        for state in path:
            request = rpb.ReportUnitStatusRequest(
                request_id=derive_request_id(request_id, "unit-status", name, state, unit.version),
                name=name,
                version=unit.version,
                state=state,  # type: ignore[arg-type]
                exercise_id=exercise_id,
                reason=reason[:500],
            )
            try:
                moved = (await call(self._backends.resources.ReportUnitStatus, request)).unit
            except ServiceError as error:
                return self._refused(name, start, unit.state, error, steps), steps
            if owner:
                note = f"{state_label(unit.state)} -> {state_label(state)}" + (f": {reason}" if reason else "")
                steps.append(Step(incident=owner, action=f"UNIT_{state_label(state)}", subject=name, note=note, exercise_id=exercise_id))
            unit = moved
        return gpb.UnitMove(unit=name, from_state=start, to_state=unit.state, moved=True), steps

    @staticmethod
    def _refused(name: str, start: Any, now: Any, error: ServiceError, steps: list[Step]) -> gpb.UnitMove:
        """A refusal, said plainly: a unit that moved meanwhile is named as such."""
        if error.code is grpc.StatusCode.ABORTED:
            return gpb.UnitMove(
                unit=name,
                from_state=start,
                to_state=now,
                moved=bool(steps),
                reason="MOVED_MEANWHILE",
                detail=f"{name} changed while it was being moved; read it again ({error.message})",
            )
        return gpb.UnitMove(unit=name, from_state=start, to_state=now, moved=bool(steps), reason=error.reason, detail=error.message)
