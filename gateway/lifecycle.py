"""An incident's state changes after the commit: verify, level, contain, cancel (holds released, units back) and close."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf.message import Message

from gateway.activity import Activity, Step
from gateway.after_action import build_report
from gateway.backends import Backends, call
from gateway.incident_views import IncidentViews
from gateway.names import derive_request_id
from gateway.situation import incident_situations
from gateway.unit_status import UnitMover
from services.common.errors import ServiceError, failed_precondition

log = logging.getLogger(__name__)

State = ipb.Incident.State
CLOSABLE = ipb.Incident.STATE_CONTAINED
ENDED = (ipb.Incident.STATE_CLOSED, ipb.Incident.STATE_CANCELLED)
# The requests of the incident changes: each names the incident and carries a request id and the version the caller saw.
Change = gpb.VerifyIncidentRequest | gpb.ChangeSeverityRequest | gpb.CancelIncidentRequest | gpb.ContainIncidentRequest | gpb.CloseIncidentRequest


class Changed(Protocol):
    """The answer to every incident change: the incident as it now is."""

    incident: ipb.Incident


def state_name(state: int) -> str:
    """CONTAINED for STATE_CONTAINED."""
    return ipb.Incident.State.Name(state).removeprefix("STATE_")


class Lifecycle:
    """Verify, change severity, contain, cancel and close, each through the incident service with the gateway's own steps around it."""

    def __init__(self, backends: Backends, views: IncidentViews, mover: UnitMover, activity: Activity) -> None:
        self._backends = backends
        self._views = views
        self._mover = mover
        self._activity = activity

    async def _forward(
        self, send: Callable[..., Awaitable[Changed]], message: Callable[..., Message], step: str, request: Change, incident: ipb.Incident, **fields: Any
    ) -> ipb.Incident:
        """Make the change in the incident service at the version the caller saw (0: the incident's current one)."""
        change = message(request_id=derive_request_id(request.request_id, step), name=incident.name, version=request.version or incident.version, **fields)
        return (await call(send, change)).incident

    async def verify(self, request: gpb.VerifyIncidentRequest, incident: ipb.Incident) -> gpb.VerifyIncidentResponse:
        """REPORTED -> VERIFIED."""
        verified = await self._forward(self._backends.incident.VerifyIncident, ipb.VerifyIncidentRequest, "verify", request, incident, note=request.note)
        return gpb.VerifyIncidentResponse(incident=verified)

    async def change_severity(self, request: gpb.ChangeSeverityRequest, incident: ipb.Incident) -> gpb.ChangeSeverityResponse:
        """A new response level, with the reason on the timeline."""
        changed = await self._forward(
            self._backends.incident.ChangeSeverity, ipb.ChangeSeverityRequest, "severity", request, incident, severity=request.severity, reason=request.reason
        )
        return gpb.ChangeSeverityResponse(incident=changed)

    async def contain(self, request: gpb.ContainIncidentRequest, incident: ipb.Incident) -> gpb.ContainIncidentResponse:
        """RESPONDING -> CONTAINED."""
        contained = await self._forward(self._backends.incident.MarkContained, ipb.MarkContainedRequest, "contain", request, incident, note=request.note)
        return gpb.ContainIncidentResponse(incident=contained)

    async def _release_unconfirmed(self, incident: ipb.Incident, request_id: str, reason: str, actor: str) -> list[str]:
        """Release every reservation of the incident not yet confirmed; the names released."""
        active = await self._views.reservations(incident.exercise_id, incident.name, [rpb.Reservation.STATE_ACTIVE])
        released = []
        for reservation in active:
            try:
                await call(
                    self._backends.resources.ReleaseReservation,
                    rpb.ReleaseReservationRequest(
                        request_id=derive_request_id(request_id, "release", reservation.name), name=reservation.name, reason=reason[:500]
                    ),
                )
            except ServiceError as error:  # confirmed or expired meanwhile: it no longer holds anything to release
                log.info("reservation %s not released: %s", reservation.name, error)
                continue
            released.append(reservation.name)
        await self._activity.record([Step(incident.name, "RELEASED", name, reason, incident.exercise_id) for name in released], actor)
        return released

    async def _committed_units(self, incident: ipb.Incident) -> list[str]:
        """Units confirmed reservations of the incident still hold."""
        confirmed = await self._views.reservations(incident.exercise_id, incident.name, [rpb.Reservation.STATE_CONFIRMED])
        return sorted({hold.unit for reservation in confirmed for hold in reservation.units})

    def _require_open(self, incident: ipb.Incident, action: str) -> None:
        """FAILED_PRECONDITION for an incident already closed or cancelled."""
        if incident.state in ENDED:
            raise failed_precondition(
                "INCIDENT_ENDED",
                f"cannot {action} {incident.name}: it is {state_name(incident.state)}",
                {"incident": incident.name, "current_state": state_name(incident.state)},
            )

    async def cancel(self, request: gpb.CancelIncidentRequest, incident: ipb.Incident, actor: str) -> gpb.CancelIncidentResponse:
        """Release every hold, turn every unit on its way back, then cancel with the reason."""
        self._require_open(incident, "cancel")
        reason = f"incident cancelled: {request.reason}"
        released = await self._release_unconfirmed(incident, request.request_id, reason, actor)
        units = await self._committed_units(incident)
        moves = await self._mover.move(
            units, rpb.Unit.STATE_RETURNING, request_id=request.request_id, exercise_id=incident.exercise_id, reason=reason, actor=actor, incident=incident.name
        )
        cancelled = await self._forward(self._backends.incident.CancelIncident, ipb.CancelIncidentRequest, "cancel", request, incident, reason=request.reason)
        return gpb.CancelIncidentResponse(incident=cancelled, released_reservations=released, units=moves)

    async def close(self, request: gpb.CloseIncidentRequest, incident: ipb.Incident, actor: str) -> gpb.CloseIncidentResponse:
        """Bring the units back, release what was never confirmed, close, and store the after-action report; a retry resumes where a try stopped."""
        response = await self._closed_by(request, incident, actor)
        closed = response.incident
        if closed.exercise_id:
            return response  # a drill's incidents are reported on by the drill
        if not response.report.name:
            response.report.CopyFrom(await self._store_report(closed, request.request_id, actor))
            await self._activity.checkpoint("CloseIncident", "reported", request, request.request_id, response)
        if request.create_case:
            created = await call(
                self._backends.casebase.CreateCaseFromReport,
                cpb.CreateCaseFromReportRequest(request_id=derive_request_id(request.request_id, "case"), report=response.report.name),
            )
            response.accident_case.CopyFrom(created.accident_case)
            await self._activity.record([Step(closed.name, "CASE_CREATED", created.accident_case.name, f"from {response.report.name}")], actor)
        return response

    async def _closed_by(self, request: gpb.CloseIncidentRequest, incident: ipb.Incident, actor: str) -> gpb.CloseIncidentResponse:
        """The incident closed by this request with its units and holds, as far as an earlier try with the request id got (the report too, if stored)."""
        for stage in ("reported", "closed"):
            earlier = await self._activity.resumed("CloseIncident", stage, request, request.request_id, gpb.CloseIncidentResponse)
            if earlier is not None:
                return earlier
        # Units and holds are kept before the incident service is asked, so a close it did is always found here again.
        moved = await self._activity.resumed("CloseIncident", "moved", request, request.request_id, gpb.CloseIncidentResponse)
        if moved is None:
            if incident.state != CLOSABLE:
                raise failed_precondition(
                    "INCIDENT_NOT_CONTAINED",
                    f"cannot close {incident.name}: it is {state_name(incident.state)}; contain it first (ContainIncident)",
                    {"incident": incident.name, "current_state": state_name(incident.state)},
                )
            reason = f"incident closed: {request.outcome_summary}"
            released = await self._release_unconfirmed(incident, request.request_id, reason, actor)
            target = rpb.Unit.STATE_AVAILABLE if request.units_available else rpb.Unit.STATE_RETURNING
            units = await self._committed_units(incident)
            moves = await self._mover.move(
                units, target, request_id=request.request_id, exercise_id=incident.exercise_id, reason=reason, actor=actor, incident=incident.name
            )
            moved = gpb.CloseIncidentResponse(incident=incident, units=moves, released_reservations=released)
            await self._activity.checkpoint("CloseIncident", "moved", request, request.request_id, moved)
        # Until the close is done the version read now is the one to send; after it, the first try's: the incident service then answers as it did.
        base = incident.version if incident.state == CLOSABLE else moved.incident.version
        closed = (
            await call(
                self._backends.incident.CloseIncident,
                ipb.CloseIncidentRequest(
                    request_id=derive_request_id(request.request_id, "close"),
                    name=incident.name,
                    version=request.version or base,
                    outcome_summary=request.outcome_summary,
                ),
            )
        ).incident
        moved.incident.CopyFrom(closed)
        await self._activity.checkpoint("CloseIncident", "closed", request, request.request_id, moved)
        return moved

    async def _store_report(self, incident: ipb.Incident, request_id: str, actor: str) -> cpb.AfterActionReport:
        """Write the after-action report of the closed incident and store it in the casebase."""
        entries = await self._views.entries(incident)
        commits = await self._activity.commits(incident.exercise_id, [incident.name])
        activity = await self._activity.of(incident.name)
        (situation,) = incident_situations([incident], commits)
        report = build_report(incident, entries, commits, activity, list(situation.unmet))
        stored: cpb.AfterActionReport = (
            await call(
                self._backends.casebase.CreateAfterActionReport,
                cpb.CreateAfterActionReportRequest(request_id=derive_request_id(request_id, "after-action"), report=report),
            )
        ).report
        await self._activity.record([Step(incident.name, "AFTER_ACTION_REPORT", stored.name, f"score {stored.score:g}")], actor)
        return stored
