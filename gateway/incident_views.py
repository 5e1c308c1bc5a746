"""Incidents as a console reads them: the list, one incident with what was sent, and the merged timeline."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence

from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.activity import Activity
from gateway.backends import Backends, all_pages, call
from gateway.mapping import activity_entry, commit_entry, reservation_entries
from gateway.situation import incident_situations
from services.common.clock import from_timestamp, to_timestamp, utcnow
from services.common.pagination import open_page

ENDED = (ipb.Incident.STATE_CLOSED, ipb.Incident.STATE_CANCELLED)
HOLDING = (rpb.Reservation.STATE_ACTIVE, rpb.Reservation.STATE_CONFIRMED)


def elapsed_s(incident: ipb.Incident) -> int:
    """Seconds since the report, stopped at the close or cancellation."""
    end = from_timestamp(incident.update_time) if incident.state in ENDED else utcnow()
    return max(int((end - from_timestamp(incident.create_time)).total_seconds()), 0)


class IncidentViews:
    """ListIncidents, GetIncident and ListIncidentTimeline over the incident and resources services and the gateway's records."""

    def __init__(self, backends: Backends, activity: Activity) -> None:
        self._backends = backends
        self._activity = activity

    async def incident(self, name: str) -> ipb.Incident:
        """One incident."""
        reply: ipb.GetIncidentResponse = await call(self._backends.incident.GetIncident, ipb.GetIncidentRequest(name=name))
        return reply.incident

    async def reservations(self, exercise_id: str, incident: str = "", states: Sequence[int] = ()) -> list[rpb.Reservation]:
        """Every reservation of the namespace (of one incident, in the given states), all pages."""
        request = rpb.ListReservationsRequest(exercise_id=exercise_id, incident=incident, states=list(states), page_size=1000)  # type: ignore[arg-type]
        return await all_pages(self._backends.resources.ListReservations, request, "reservations")

    async def page(self, request: gpb.ListIncidentsRequest) -> gpb.ListIncidentsResponse:
        """A page of incidents, each with its committed units and unmet lines."""
        page, holds = await asyncio.gather(
            call(
                self._backends.incident.ListIncidents,
                ipb.ListIncidentsRequest(
                    page_size=request.page_size,
                    page_token=request.page_token,
                    states=list(request.states),
                    park_id=request.park_id,
                    severities=list(request.severities),
                    exercise_id=request.exercise_id,
                ),
            ),
            self.reservations(request.exercise_id, states=HOLDING),
        )
        commits = await self._activity.commits(request.exercise_id, [i.name for i in page.incidents])
        units: dict[str, list[str]] = defaultdict(list)
        for reservation in holds:
            units[reservation.incident].extend(h.unit for h in reservation.units)
        rows = [
            gpb.IncidentSummary(incident=s.incident, elapsed_s=elapsed_s(s.incident), committed_units=sorted(units.get(s.incident.name, [])), unmet=s.unmet)
            for s in incident_situations(list(page.incidents), commits)
        ]
        return gpb.ListIncidentsResponse(incidents=rows, next_page_token=page.next_page_token)

    async def get(self, name: str) -> gpb.GetIncidentResponse:
        """The incident with its units (and their states), supplies, reservations and unmet lines."""
        incident = await self.incident(name)
        reservations, commits = await asyncio.gather(self.reservations(incident.exercise_id, name), self._activity.commits(incident.exercise_id, [name]))
        (situation,) = incident_situations([incident], commits)
        etas = {a.unit_id: a.eta_s for a in situation.assignments}
        held = [(h.unit, r.name) for r in reservations if r.state in HOLDING for h in r.units]
        got = await asyncio.gather(*(call(self._backends.resources.GetUnit, rpb.GetUnitRequest(name=u, exercise_id=incident.exercise_id)) for u, _ in held))
        units = [gpb.CommittedUnit(unit=g.unit, eta_s=etas.get(u, 0.0), reservation=r) for (u, r), g in zip(held, got, strict=True)]
        return gpb.GetIncidentResponse(
            incident=incident, units=units, shipments=situation.shipments, reservations=reservations, unmet=situation.unmet, elapsed_s=elapsed_s(incident)
        )

    async def entries(self, incident: ipb.Incident) -> list[gpb.IncidentTimelineEntry]:
        """Every step of the incident and of what was sent to it, oldest first."""
        request = ipb.ListTimelineEntriesRequest(parent=incident.name, page_size=1000)
        own: list[ipb.TimelineEntry] = await all_pages(self._backends.incident.ListTimelineEntries, request, "timeline_entries")
        reservations, commits, activity = await asyncio.gather(
            self.reservations(incident.exercise_id, incident.name),
            self._activity.commits(incident.exercise_id, [incident.name]),
            self._activity.of(incident.name),
        )
        found = [gpb.IncidentTimelineEntry(time=e.time, actor=e.actor, action=e.action, subject=incident.name, note=e.note, version=e.version) for e in own]
        found += [entry for r in reservations for entry in reservation_entries(r)]
        found += [commit_entry(c, await self._activity.saga_subject(c.request_id), incident.name) for c in commits]
        found += [activity_entry(a) for a in activity]
        released_here = {a.subject for a in activity if a.action == "RELEASED"}
        for when, name, actor in await self._activity.saga_releases([r.name for r in reservations if r.state == rpb.Reservation.STATE_RELEASED]):
            if name not in released_here:
                found.append(gpb.IncidentTimelineEntry(time=to_timestamp(when), actor=actor, action="RELEASED", subject=name, note="the commit was undone"))
        return sorted(found, key=lambda e: (e.time.seconds, e.time.nanos))

    async def timeline(self, request: gpb.ListIncidentTimelineRequest) -> gpb.ListIncidentTimelineResponse:
        """A page of the merged timeline."""
        page = open_page(request.page_token, request.page_size, {"incident": request.incident}, default=200, maximum=1000, keys=("offset",))
        start = int(page.after["offset"]) if page.after else 0
        entries = await self.entries(await self.incident(request.incident))
        rows, token = page.cut(entries[start : start + page.limit], lambda _: {"offset": start + page.size})
        return gpb.ListIncidentTimelineResponse(entries=rows, next_page_token=token)
