"""Parks and drills: a park's inventory, stock adjustments and imports; scenarios, drills and their reports."""

from __future__ import annotations

from emergency.gateway.v1 import gateway_service_pb2 as gpb

from gateway.access import Method, authorize
from gateway.servicer_base import ServicerBase
from gateway.validation import drill_list_violations, import_violations, page_violations, park_inventory_violations, start_drill_violations, stock_violations
from services.common import names
from services.common.auth import Role
from services.common.errors import raise_if
from services.common.interceptors import Context


class ParkRpcs(ServicerBase):
    """GetParkInventory, AdjustStock, ImportParkInventory, ListScenarios, StartDrill, ListDrills, GetDrill and GetDrillReport."""

    async def GetParkInventory(self, request: gpb.GetParkInventoryRequest, context: Context) -> gpb.GetParkInventoryResponse:
        """A park's depots, units and stock."""
        await self._admit()
        raise_if(park_inventory_violations(request))
        park = names.PARK.parse_one(request.park, "park")
        authorize(Method.GET_PARK_INVENTORY, exercise_id=request.exercise_id, park_id=park)
        return await self.inventory.park(park, request.exercise_id)

    async def AdjustStock(self, request: gpb.AdjustStockRequest, context: Context) -> gpb.AdjustStockResponse:
        """Book a stock receipt, correction or loss."""
        await self._admit()
        raise_if(stock_violations(request))
        authorize(Method.ADJUST_STOCK, park_id=names.park_of(request.stock))
        return await self.activity.once("AdjustStock", request, request.request_id, gpb.AdjustStockResponse, lambda: self.inventory.adjust(request))

    async def ImportParkInventory(self, request: gpb.ImportParkInventoryRequest, context: Context) -> gpb.ImportParkInventoryResponse:
        """Pass a park's inventory import to the resources service, for the caller's own park."""
        await self._admit()
        raise_if(import_violations(request))
        authorize(Method.IMPORT_PARK_INVENTORY, park_id=names.PARK.parse_one(request.inventory.parent, "inventory.parent"))
        return gpb.ImportParkInventoryResponse(result=await self.inventory.import_park(request.inventory))

    async def ListScenarios(self, request: gpb.ListScenariosRequest, context: Context) -> gpb.ListScenariosResponse:
        """A page of drill scenarios."""
        await self._admit()
        raise_if(page_violations(request.page_size))
        principal = authorize(Method.LIST_SCENARIOS)
        return await self.inventory.scenarios(request, show_script=principal.role is Role.DRILL_DIRECTOR)

    async def StartDrill(self, request: gpb.StartDrillRequest, context: Context) -> gpb.StartDrillResponse:
        """Start a drill in a new exercise namespace."""
        principal = await self._admit()
        authorize(Method.START_DRILL)
        raise_if(start_drill_violations(request))
        return gpb.StartDrillResponse(drill=await self.drills.start(request, principal))

    async def ListDrills(self, request: gpb.ListDrillsRequest, context: Context) -> gpb.ListDrillsResponse:
        """A page of drills."""
        await self._admit()
        raise_if(drill_list_violations(request))
        principal = authorize(Method.LIST_DRILLS)
        return await self.inventory.drills(request, show_script=principal.role is Role.DRILL_DIRECTOR)

    async def GetDrill(self, request: gpb.GetDrillRequest, context: Context) -> gpb.GetDrillResponse:
        """A drill's progress (only released injects; an unannounced drill's script stays hidden from operators)."""
        principal = await self._admit()
        drill_id = names.DRILL.parse_one(request.name)
        authorize(Method.GET_DRILL)
        return gpb.GetDrillResponse(drill=await self.drills.get(drill_id, show_script=principal.role is Role.DRILL_DIRECTOR))

    async def GetDrillReport(self, request: gpb.GetDrillReportRequest, context: Context) -> gpb.GetDrillReportResponse:
        """A finished drill's after-action report and the hindsight plan."""
        await self._admit()
        drill_id = names.DRILL.parse_one(request.name)
        authorize(Method.GET_DRILL_REPORT)
        return await self.drills.report(drill_id)
