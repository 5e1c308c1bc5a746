"""An incident's methods after its report: the list and views, its lifecycle, and its units; each replayed by request id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb

from gateway.access import Method, authorize
from gateway.lifecycle import Change
from gateway.servicer_base import ServicerBase
from gateway.unit_status import state_label
from gateway.validation import (
    cancel_violations,
    close_violations,
    name_violations,
    note_violations,
    page_violations,
    severity_violations,
    unit_request_violations,
)
from services.common.auth import Principal
from services.common.errors import FieldViolation, raise_if
from services.common.idempotency import M
from services.common.interceptors import Context
from services.common.names import park_of
from services.common.pagination import page_size_violations


class IncidentRpcs(ServicerBase):
    """ListIncidents, GetIncident, ListIncidentTimeline, the lifecycle changes, and UpdateUnitStatus."""

    async def _incident_for(self, method: Method, name: str) -> tuple[ipb.Incident, Principal]:
        """The incident, once the caller may act on it."""
        incident = await self.views.incident(name)
        principal = authorize(method, exercise_id=incident.exercise_id, park_id=incident.park_id)
        return incident, principal

    async def ListIncidents(self, request: gpb.ListIncidentsRequest, context: Context) -> gpb.ListIncidentsResponse:
        """A page of incidents with their committed units and unmet lines."""
        await self._admit()
        raise_if(page_violations(request.page_size, request.exercise_id))
        authorize(Method.LIST_INCIDENTS, exercise_id=request.exercise_id)
        return await self.views.page(request)

    async def GetIncident(self, request: gpb.GetIncidentRequest, context: Context) -> gpb.GetIncidentResponse:
        """One incident with its units, supplies, reservations and unmet lines."""
        await self._admit()
        raise_if(name_violations(request.name, "name"))
        authorize(Method.GET_INCIDENT)
        return await self.views.get(request.name)

    async def ListIncidentTimeline(self, request: gpb.ListIncidentTimelineRequest, context: Context) -> gpb.ListIncidentTimelineResponse:
        """An incident's timeline merged with what happened to its units and holds."""
        await self._admit()
        raise_if(name_violations(request.incident) + page_size_violations(request.page_size))
        authorize(Method.LIST_INCIDENT_TIMELINE)
        return await self.views.timeline(request)

    async def _change(
        self, method: Method, request: Change, violations: list[FieldViolation], response_type: type[M], work: Callable[[ipb.Incident, Principal], Awaitable[M]]
    ) -> M:
        """Admit, check, authorise on the incident itself, and make the change once per request id."""
        await self._admit()
        raise_if(violations)
        incident, principal = await self._incident_for(method, request.incident)
        return await self.activity.once(method.value, request, request.request_id, response_type, lambda: work(incident, principal))

    async def VerifyIncident(self, request: gpb.VerifyIncidentRequest, context: Context) -> gpb.VerifyIncidentResponse:
        """Confirm a reported incident."""
        return await self._change(
            Method.VERIFY_INCIDENT, request, note_violations(request), gpb.VerifyIncidentResponse, lambda incident, _: self.lifecycle.verify(request, incident)
        )

    async def ChangeSeverity(self, request: gpb.ChangeSeverityRequest, context: Context) -> gpb.ChangeSeverityResponse:
        """Change an incident's response level with a reason."""
        return await self._change(
            Method.CHANGE_SEVERITY,
            request,
            severity_violations(request),
            gpb.ChangeSeverityResponse,
            lambda incident, _: self.lifecycle.change_severity(request, incident),
        )

    async def CancelIncident(self, request: gpb.CancelIncidentRequest, context: Context) -> gpb.CancelIncidentResponse:
        """Cancel an incident: holds released, units turned back, the reason recorded."""
        return await self._change(
            Method.CANCEL_INCIDENT,
            request,
            cancel_violations(request),
            gpb.CancelIncidentResponse,
            lambda incident, caller: self.lifecycle.cancel(request, incident, caller.subject),
        )

    async def ContainIncident(self, request: gpb.ContainIncidentRequest, context: Context) -> gpb.ContainIncidentResponse:
        """Mark an incident's hazard under control."""
        return await self._change(
            Method.CONTAIN_INCIDENT,
            request,
            note_violations(request),
            gpb.ContainIncidentResponse,
            lambda incident, _: self.lifecycle.contain(request, incident),
        )

    async def CloseIncident(self, request: gpb.CloseIncidentRequest, context: Context) -> gpb.CloseIncidentResponse:
        """Close a contained incident: units home, holds released, after-action report stored."""
        return await self._change(
            Method.CLOSE_INCIDENT,
            request,
            close_violations(request),
            gpb.CloseIncidentResponse,
            lambda incident, caller: self.lifecycle.close(request, incident, caller.subject),
        )

    async def UpdateUnitStatus(self, request: gpb.UpdateUnitStatusRequest, context: Context) -> gpb.UpdateUnitStatusResponse:
        """Move units (named, or every unit of an incident) to their next state."""
        await self._admit()
        raise_if(unit_request_violations(request))
        target = state_label(request.state)
        exercise_id, units = await self.mover.scope(request.incident, request.exercise_id, request.units)
        principal = authorize(Method.UPDATE_UNIT_STATUS, exercise_id=exercise_id, park_id="", unit_state=target) if not units else None
        for park in sorted({park_of(u) for u in units}):
            principal = authorize(Method.UPDATE_UNIT_STATUS, exercise_id=exercise_id, park_id=park, unit_state=target)
        assert principal is not None
        actor = principal.subject

        async def work() -> gpb.UpdateUnitStatusResponse:
            moves = await self.mover.move(
                units, request.state, request_id=request.request_id, exercise_id=exercise_id, reason=request.reason, actor=actor, incident=request.incident
            )
            return gpb.UpdateUnitStatusResponse(moves=moves, moved=sum(1 for m in moves if m.moved))

        return await self.activity.once("UpdateUnitStatus", request, request.request_id, gpb.UpdateUnitStatusResponse, work)
