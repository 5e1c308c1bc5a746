"""A park's inventory as a console shows it, stock adjustments, and the drill library (scenarios and drills)."""

from __future__ import annotations

import asyncio

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.resources.v1 import resources_service_pb2 as rpb
from sqlalchemy import Engine

from gateway import store_drills
from gateway.backends import Backends, all_pages, call
from gateway.mapping import DRILL_STATES, drill_message
from gateway.names import derive_request_id
from services.common.db import run_in_thread
from services.common.names import PARK
from services.common.pagination import open_page


class Inventory:
    """GetParkInventory, AdjustStock, ImportParkInventory, ListScenarios and ListDrills."""

    def __init__(self, backends: Backends, engine: Engine) -> None:
        self._backends = backends
        self._engine = engine

    async def park(self, park_id: str, exercise_id: str) -> gpb.GetParkInventoryResponse:
        """The park, its depots, units (with states), stock (with minimums) and reserve policies."""
        parent = PARK.format(park_id)
        resources = self._backends.resources
        park = (await call(resources.GetPark, rpb.GetParkRequest(name=parent))).park
        depots, units, stocks, policies = await asyncio.gather(
            all_pages(resources.ListDepots, rpb.ListDepotsRequest(parent=parent, page_size=1000), "depots"),
            all_pages(resources.ListUnits, rpb.ListUnitsRequest(parent=parent, page_size=1000, exercise_id=exercise_id), "units"),
            all_pages(resources.ListStocks, rpb.ListStocksRequest(parent=f"{parent}/depots/-", page_size=1000, exercise_id=exercise_id), "stocks"),
            call(resources.ListReservePolicies, rpb.ListReservePoliciesRequest(park_id=park_id)),
        )
        return gpb.GetParkInventoryResponse(park=park, depots=depots, units=units, stocks=stocks, reserve_policies=policies.policies)

    async def adjust(self, request: gpb.AdjustStockRequest) -> gpb.AdjustStockResponse:
        """Book the change to the stock's ledger with its reason."""
        reply = await call(
            self._backends.resources.AdjustStock,
            rpb.AdjustStockRequest(
                request_id=derive_request_id(request.request_id, "adjust-stock"),
                stock=request.stock,
                kind=request.kind,
                delta=request.delta,
                reference=request.reason,
            ),
        )
        return gpb.AdjustStockResponse(stock=reply.stock, entry=reply.entry)

    async def import_park(self, inventory: rpb.ImportInventoryRequest) -> rpb.ImportInventoryResponse:
        """Pass a park's inventory import on to the resources service, which checks every row again."""
        forwarded = rpb.ImportInventoryRequest()
        forwarded.CopyFrom(inventory)
        forwarded.request_id = derive_request_id(inventory.request_id, "import")
        return await call(self._backends.resources.ImportInventory, forwarded)

    async def scenarios(self, request: gpb.ListScenariosRequest, *, show_script: bool) -> gpb.ListScenariosResponse:
        """A page of scenarios; an unannounced one's injects only for drill directors."""
        page = await call(self._backends.casebase.ListScenarios, cpb.ListScenariosRequest(page_size=request.page_size, page_token=request.page_token))
        scenarios = list(page.scenarios)
        if not show_script:
            for scenario in scenarios:
                if scenario.mode == cpb.Scenario.MODE_UNANNOUNCED:
                    del scenario.injects[:]
        return gpb.ListScenariosResponse(scenarios=scenarios, next_page_token=page.next_page_token)

    async def drills(self, request: gpb.ListDrillsRequest, *, show_script: bool) -> gpb.ListDrillsResponse:
        """A page of drills, newest first."""
        states = sorted(DRILL_STATES[s] for s in request.states)
        page = open_page(request.page_token, request.page_size, {"states": states}, default=50, maximum=500, keys=("offset",))
        start = int(page.after["offset"]) if page.after else 0
        rows, token = page.cut(await run_in_thread(store_drills.page, self._engine, states, start, page.limit), lambda _: {"offset": start + page.size})
        drills = [drill_message(row, injects, show_script=show_script) for row, injects in rows]
        return gpb.ListDrillsResponse(drills=drills, next_page_token=token)
