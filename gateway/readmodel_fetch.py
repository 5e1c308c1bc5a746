"""Reading the situation read model from the services: the whole picture from their snapshots and lists, or the changed parts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.backends import Backends, all_pages, call, is_code, pages
from gateway.readmodel_events import Refresh
from gateway.readmodel_state import INCIDENT, OPEN_STATES, STOCK, UNIT, Picture, depot_of
from services.common.errors import ServiceError

T = TypeVar("T")
LIST_BATCH = 500
PAGE = 1000
# Units outside an availability snapshot (which holds the available and the committed ones).
OTHER_STATES = (rpb.Unit.STATE_RETURNING, rpb.Unit.STATE_OUT_OF_SERVICE)


class Fetcher:
    """Reads live units, stock, depots, rules and open incidents from the resources and incident services."""

    def __init__(self, backends: Backends, *, snapshot_page_size: int, concurrency: int) -> None:
        self._backends = backends
        self._page_size = snapshot_page_size
        self._slots = asyncio.Semaphore(concurrency)

    async def _limited(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run one backend read within the concurrency limit."""
        async with self._slots:
            return await work()

    async def _snapshot(self) -> list[rpb.GetAvailabilitySnapshotResponse]:
        """Every page of one live availability snapshot."""
        request = rpb.GetAvailabilitySnapshotRequest(page_size=self._page_size)
        return [page async for page in pages(self._backends.resources.GetAvailabilitySnapshot, request)]

    async def rebuild(self) -> Picture:
        """The whole live picture, read afresh."""
        resources, incident = self._backends.resources, self._backends.incident
        snapshot, depots, others, incidents = await asyncio.gather(
            self._snapshot(),
            all_pages(resources.ListDepots, rpb.ListDepotsRequest(parent="parks/-", page_size=PAGE), "depots"),
            all_pages(resources.ListUnits, rpb.ListUnitsRequest(parent="parks/-", states=list(OTHER_STATES), page_size=PAGE), "units"),
            all_pages(incident.ListIncidents, ipb.ListIncidentsRequest(states=list(OPEN_STATES), page_size=LIST_BATCH), "incidents"),
        )
        picture = Picture()
        picture.set_depots(depots)
        picture.set_rules(snapshot[0])
        for page in snapshot:
            picture.units.update((u.unit.name, u) for u in [*page.units, *page.committed_units])
            picture.stocks.update((s.stock.name, s) for s in page.stocks)
        for unit in others:
            picture.put_unit(unit)
        for item in incidents:
            picture.put_incident(item)
        picture.changed = set(picture.all_keys())
        return picture

    async def _unit(self, name: str) -> rpb.Unit | None:
        """One live unit, or None when it no longer exists."""
        try:
            reply: rpb.GetUnitResponse = await self._limited(lambda: call(self._backends.resources.GetUnit, rpb.GetUnitRequest(name=name)))
            return reply.unit
        except ServiceError as error:
            if is_code(error, grpc.StatusCode.NOT_FOUND):
                return None
            raise

    async def _stocks(self, depot: str) -> list[rpb.Stock]:
        """Every live stock of one depot (none when the depot is gone)."""
        request = rpb.ListStocksRequest(parent=depot, page_size=PAGE)
        try:
            return await self._limited(lambda: all_pages(self._backends.resources.ListStocks, request, "stocks"))
        except ServiceError as error:
            if is_code(error, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                return []
            raise

    async def _incidents(self, names: list[str]) -> list[ipb.Incident]:
        """The named live incidents that exist, in calls of up to LIST_BATCH names."""
        found: list[ipb.Incident] = []
        for start in range(0, len(names), LIST_BATCH):
            request = ipb.ListIncidentsRequest(names=names[start : start + LIST_BATCH], page_size=LIST_BATCH)
            found += await all_pages(self._backends.incident.ListIncidents, request, "incidents")
        return found

    async def refresh(self, picture: Picture, refresh: Refresh) -> int:
        """Read again what the refresh names and put it in the picture; how many entries changed."""
        units = sorted(refresh.units)
        depots = sorted(refresh.depots)
        incidents = sorted(refresh.incidents)
        read_units, read_stocks, read_incidents = await asyncio.gather(
            asyncio.gather(*(self._unit(name) for name in units)),
            asyncio.gather(*(self._stocks(depot) for depot in depots)),
            self._incidents(incidents) if incidents else asyncio.sleep(0, result=[]),
        )
        changed = 0
        for name, unit in zip(units, read_units, strict=True):
            changed += picture.put_unit(unit) if unit is not None else picture.drop(UNIT, name)
        for depot, stocks in zip(depots, read_stocks, strict=True):
            listed = {s.name for s in stocks}
            changed += sum(picture.put_stock(s) for s in stocks)
            changed += sum(picture.drop(STOCK, name) for name in [n for n in picture.stocks if depot_of(n) == depot and n not in listed])
        listed = {i.name for i in read_incidents}
        changed += sum(picture.put_incident(i) for i in read_incidents)
        changed += sum(picture.drop(INCIDENT, name) for name in incidents if name not in listed)
        changed += sum(picture.drop(INCIDENT, name, version) for name, version in refresh.dropped.items())
        return changed
