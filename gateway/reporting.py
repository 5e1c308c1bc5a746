"""Reporting an incident with what the case library recommends, and setting its demands."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.backends import Backends, call
from gateway.names import derive_request_id
from gateway.parks import park_shapes, resolve
from gateway.validation import demand_type_violations, text_size_violations
from services.common.errors import ServiceError, raise_if
from services.common.names import PARK

log = logging.getLogger(__name__)

SIMILAR_CASES = 5
CASES_FOR_DEMANDS = 3


def profile_of(incident: ipb.Incident, park_kind: int = common_pb2.PARK_KIND_UNSPECIFIED) -> cpb.IncidentProfile:
    """What the case library compares an incident by."""
    substance = incident.substance
    text = ". ".join(part for part in (incident.title, incident.location.description, incident.description) if part)
    profile = cpb.IncidentProfile(kind=incident.kind, severity=incident.severity, park_kind=park_kind, text=text)  # type: ignore[arg-type]
    if substance.name or substance.hazard_class or substance.un_number:
        profile.substances.append(substance)
    if incident.HasField("weather"):
        profile.weather.CopyFrom(incident.weather)
    return profile


def merge_demands(given: Iterable[common_pb2.ResourceDemand], recommended: Iterable[common_pb2.ResourceDemand]) -> list[common_pb2.ResourceDemand]:
    """Given demands with recommended ones added: per type the larger quantity and the tighter time limit."""
    merged: dict[str, common_pb2.ResourceDemand] = {}
    for demand in [*given, *recommended]:
        current = merged.get(demand.resource_type)
        if current is None:
            merged[demand.resource_type] = common_pb2.ResourceDemand()
            merged[demand.resource_type].CopyFrom(demand)
            continue
        current.quantity = max(current.quantity, demand.quantity)
        limits = [m for m in (current.needed_within_minutes, demand.needed_within_minutes) if m > 0]
        current.needed_within_minutes = min(limits) if limits else 0
        capabilities = sorted(set(current.required_capabilities) | set(demand.required_capabilities))
        del current.required_capabilities[:]
        current.required_capabilities.extend(capabilities)
    return list(merged.values())


class Reporter:
    """ReportIncident and SetDemands over the incident, resources and casebase services."""

    def __init__(self, backends: Backends) -> None:
        self._backends = backends

    async def _park_kind(self, park_id: str) -> int:
        """The kind of the incident's park, if the resources service knows it."""
        if not park_id:
            return common_pb2.PARK_KIND_UNSPECIFIED
        try:
            reply = await call(self._backends.resources.GetPark, rpb.GetParkRequest(name=PARK.format(park_id)))
        except ServiceError as error:
            log.info("park kind of %s unknown: %s", park_id, error)
            return common_pb2.PARK_KIND_UNSPECIFIED
        return int(reply.park.kind)

    async def recommend(self, incident: ipb.Incident) -> tuple[list[cpb.SimilarCase], list[cpb.RecommendedDemand]]:
        """Similar cases and recommended demands; an unavailable case library never blocks a report."""
        profile = profile_of(incident, await self._park_kind(incident.park_id))
        similar: object
        recommended: object
        similar, recommended = await asyncio.gather(
            call(self._backends.casebase.SearchSimilarCases, cpb.SearchSimilarCasesRequest(profile=profile, limit=SIMILAR_CASES)),
            call(self._backends.casebase.RecommendDemands, cpb.RecommendDemandsRequest(profile=profile, case_count=CASES_FOR_DEMANDS)),
            return_exceptions=True,
        )
        cases: list[cpb.SimilarCase] = []
        lines: list[cpb.RecommendedDemand] = []
        if isinstance(similar, cpb.SearchSimilarCasesResponse):
            cases = list(similar.results)
        else:
            log.warning("similar-case search failed: %s", similar)
        if isinstance(recommended, cpb.RecommendDemandsResponse):
            lines = list(recommended.demands)
        else:
            log.warning("demand recommendation failed: %s", recommended)
        for outcome in (similar, recommended):
            if isinstance(outcome, BaseException) and not isinstance(outcome, ServiceError):
                raise outcome
        return cases, lines

    async def locate(self, incident: ipb.Incident) -> str:
        """The incident's park from its coordinates: the named park if they lie in or near it, else the park containing them."""
        if not incident.location.HasField("point"):
            return incident.park_id  # the incident service names the missing point
        point = incident.location.point
        return resolve(await park_shapes(self._backends), incident.park_id, point.latitude, point.longitude)

    async def report(self, request: gpb.ReportIncidentRequest, *, incident_id: str = "") -> gpb.ReportIncidentResponse:
        """Check sizes, demands and park, recommend from the case library, then create the incident (with the recommendation if accepted)."""
        # Refused here, before the texts travel to the casebase and the incident service.
        raise_if(text_size_violations(request.incident, "incident"))
        raise_if(demand_type_violations("incident.demands", request.incident.demands))
        incident = ipb.Incident()
        incident.CopyFrom(request.incident)
        incident.park_id = await self.locate(incident)
        cases, lines = await self.recommend(incident)
        if request.accept_recommendation and lines:
            merged = merge_demands(incident.demands, [line.demand for line in lines])
            del incident.demands[:]
            incident.demands.extend(merged)
        created = await call(
            self._backends.incident.CreateIncident,
            ipb.CreateIncidentRequest(request_id=derive_request_id(request.request_id, "create"), incident=incident, incident_id=incident_id),
        )
        return gpb.ReportIncidentResponse(incident=created.incident, similar_cases=cases, recommended_demands=lines)

    async def get(self, name: str) -> ipb.Incident:
        """One incident."""
        reply: ipb.GetIncidentResponse = await call(self._backends.incident.GetIncident, ipb.GetIncidentRequest(name=name))
        return reply.incident

    async def set_demands(self, request: gpb.SetDemandsRequest) -> gpb.SetDemandsResponse:
        """Replace an incident's demands at the version the caller saw."""
        raise_if(demand_type_violations("demands", request.demands))
        reply = await call(
            self._backends.incident.SetDemands,
            ipb.SetDemandsRequest(
                request_id=derive_request_id(request.request_id, "set-demands"),
                name=request.incident,
                version=request.version,
                demands=list(request.demands),
                note=request.note,
            ),
        )
        return gpb.SetDemandsResponse(incident=reply.incident)
