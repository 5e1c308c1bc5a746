"""A console's screen in one call: open incidents with their plans, units away from home, reserves, low stock."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Sequence

from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from sqlalchemy import Engine

from gateway import store
from gateway.backends import Backends, all_pages
from gateway.mapping import committed_plan
from gateway.planning import World
from gateway.proposals import Planner
from gateway.readmodel import ReadModel
from gateway.readmodel_state import AWAY_STATES, OPEN_STATES, Picture
from gateway.tables import CommitRow
from services.common.db import run_in_thread


def reserve_levels(world: World) -> list[gpb.ReserveLevel]:
    """Per park and type with a reserve policy: what is available at home against the minimum."""
    units: Counter[tuple[str, str]] = Counter((u.unit.park_id, u.unit.resource_type) for u in world.units)
    stock: defaultdict[tuple[str, str], float] = defaultdict(float)
    for s in world.stocks:
        stock[(s.park_id, s.stock.resource_type)] += s.available
    levels = []
    for policy in sorted(world.policies, key=lambda p: (p.park_id, p.resource_type)):
        key = (policy.park_id, policy.resource_type)
        available = float(units[key]) if key in units or key not in stock else stock[key]
        levels.append(gpb.ReserveLevel(park_id=policy.park_id, resource_type=policy.resource_type, available=available, minimum=policy.minimum))
    return levels


def below_reserve(levels: Sequence[gpb.ReserveLevel]) -> list[gpb.ReserveLevel]:
    """The levels under their minimum."""
    return [level for level in levels if level.available < level.minimum]


def incident_situations(incidents: Sequence[ipb.Incident], commits: Sequence[CommitRow]) -> list[gpb.IncidentSituation]:
    """Each incident with every unit and supply committed to it and what its latest plan left unmet."""
    by_incident: dict[str, list[dpb.Plan]] = defaultdict(list)
    for row in commits:
        by_incident[row.incident].append(committed_plan(row))
    result = []
    for incident in incidents:
        plans = by_incident.get(incident.name, [])
        seen: set[str] = set()
        situation = gpb.IncidentSituation(incident=incident)
        for plan in plans:
            for assignment in plan.assignments:
                if assignment.unit_id not in seen:
                    seen.add(assignment.unit_id)
                    situation.assignments.append(assignment)
            situation.shipments.extend(plan.shipments)
        if plans:
            situation.unmet.extend(plans[-1].unmet)
        result.append(situation)
    return result


def situation_response(
    incidents: Sequence[ipb.Incident], commits: Sequence[CommitRow], away: Sequence[rpb.Unit], world: World, low: Sequence[rpb.Stock]
) -> gpb.GetSituationResponse:
    """The screen from its parts (the time is set by the caller)."""
    return gpb.GetSituationResponse(
        incidents=incident_situations(incidents, commits), units=away, reserve_levels=reserve_levels(world), low_stocks=low, available_units=len(world.units)
    )


class Situation:
    """Assembles GetSituation from the read model when it is fresh, else from the services; committed plans from the gateway's store."""

    def __init__(self, backends: Backends, engine: Engine, planner: Planner, readmodel: ReadModel | None = None) -> None:
        self._backends = backends
        self._engine = engine
        self._planner = planner
        self._readmodel = readmodel
        self._lock = asyncio.Lock()
        self._cached: tuple[tuple[int, int, int], gpb.GetSituationResponse] | None = None

    async def _from_picture(self, readmodel: ReadModel, picture: Picture) -> gpb.GetSituationResponse:
        """The screen from the read model, assembled once per change and copied for each caller."""
        stamp = readmodel.stamp()
        if self._cached is None or self._cached[0] != stamp:
            async with self._lock:
                if self._cached is None or self._cached[0] != stamp:
                    incidents = picture.open_incidents()
                    commits = await run_in_thread(store.committed_plans, self._engine, "", [i.name for i in incidents])
                    self._cached = (stamp, situation_response(incidents, commits, picture.units_away(), picture.world(), picture.low_stocks()))
        response = gpb.GetSituationResponse()
        response.CopyFrom(self._cached[1])
        response.time.GetCurrentTime()
        return response

    async def _units_away(self, exercise_id: str) -> list[rpb.Unit]:
        """Every unit not available at home, all pages."""
        request = rpb.ListUnitsRequest(parent="parks/-", exercise_id=exercise_id, states=list(AWAY_STATES), page_size=1000)
        return await all_pages(self._backends.resources.ListUnits, request, "units")

    async def _low_stocks(self, exercise_id: str) -> list[rpb.Stock]:
        """Stock at or below its minimum, all pages."""
        request = rpb.ListStocksRequest(parent="parks/-/depots/-", exercise_id=exercise_id, below_minimum_only=True, page_size=1000)
        return await all_pages(self._backends.resources.ListStocks, request, "stocks")

    async def assemble(self, exercise_id: str) -> gpb.GetSituationResponse:
        """Everything the screen shows: live operations from the read model when it is fresh, else fetched concurrently."""
        if not exercise_id and self._readmodel is not None:
            picture = await self._readmodel.fresh()
            if picture is not None:
                return await self._from_picture(self._readmodel, picture)
        incidents, world, away, low = await asyncio.gather(
            self._planner.open_incidents(exercise_id, OPEN_STATES),
            self._planner.fetch_world(exercise_id),
            self._units_away(exercise_id),
            self._low_stocks(exercise_id),
        )
        commits = await run_in_thread(store.committed_plans, self._engine, exercise_id, [i.name for i in incidents])
        response = situation_response(incidents, commits, away, world, low)
        response.time.GetCurrentTime()
        return response
