"""ResourceService methods of the catalogue, parks, depots and whole-park inventory imports."""

from __future__ import annotations

from emergency.resources.v1 import resources_service_pb2 as pb
from sqlmodel import Session

from services.common.catalogue import load_catalogue
from services.common.db import run_in_thread
from services.common.errors import FieldViolation, raise_if
from services.common.idempotency import request_id_violations
from services.common.interceptors import Context
from services.common.names import DEPOT, PARK, id_violations
from services.resources import importing, registry, store_registry
from services.resources import mapping as mp
from services.resources import mapping_requests as mq
from services.resources.access import Action
from services.resources.servicer_base import ServicerBase, caller


class ParkRpcs(ServicerBase):
    """ListResourceTypes, parks, depots and ImportInventory."""

    async def ListResourceTypes(self, request: pb.ListResourceTypesRequest, context: Context) -> pb.ListResourceTypesResponse:
        """The catalogue, optionally of one kind."""
        caller(Action.READ)
        kind = mp.resource_kind(request.kind)
        entries = [t for t in load_catalogue().types.values() if kind is None or t.kind is kind]
        return pb.ListResourceTypesResponse(resource_types=[mp.resource_type_to_pb(t) for t in entries])

    async def CreatePark(self, request: pb.CreateParkRequest, context: Context) -> pb.CreateParkResponse:
        """Register a park (operators)."""
        principal = caller(Action.CREATE_PARK)
        violations = id_violations("park_id", request.park_id) + mp.park_output_only_violations(request.park, "park")
        park = mp.park_from_pb(request.park_id, request.park, violations)
        raise_if(violations)

        def work(session: Session) -> pb.CreateParkResponse:
            return pb.CreateParkResponse(park=mp.park_to_pb(registry.create_park(session, park=park, actor=principal.subject)))

        return await self._mutate("CreatePark", request, pb.CreateParkResponse, work)

    async def GetPark(self, request: pb.GetParkRequest, context: Context) -> pb.GetParkResponse:
        """One park."""
        park_id = PARK.parse_one(request.name)
        caller(Action.READ)
        return await self._read(lambda s: pb.GetParkResponse(park=mp.park_to_pb(store_registry.get_park(s, park_id=park_id))))

    async def ListParks(self, request: pb.ListParksRequest, context: Context) -> pb.ListParksResponse:
        """A page of parks."""
        caller(Action.READ)

        def work(session: Session) -> pb.ListParksResponse:
            parks, token = store_registry.list_parks(session, size=request.page_size, token=request.page_token)
            return pb.ListParksResponse(parks=[mp.park_to_pb(p) for p in parks], next_page_token=token)

        return await self._read(work)

    async def UpdatePark(self, request: pb.UpdateParkRequest, context: Context) -> pb.UpdateParkResponse:
        """Change the masked fields of a park (its officer or an operator)."""
        park_id = PARK.parse_one(request.park.name, "park.name")
        principal = caller(Action.REGISTER, park=park_id)
        paths = list(request.update_mask.paths)
        violations: list[FieldViolation] = []
        changes = mp.park_from_pb(park_id, request.park, violations, kind_required="kind" in paths)
        raise_if(violations)

        def work(session: Session) -> pb.UpdateParkResponse:
            park = registry.update_park(session, park_id=park_id, changes=changes, paths=paths, actor=principal.subject)
            return pb.UpdateParkResponse(park=mp.park_to_pb(park))

        return await self._mutate("UpdatePark", request, pb.UpdateParkResponse, work)

    async def CreateDepot(self, request: pb.CreateDepotRequest, context: Context) -> pb.CreateDepotResponse:
        """Register a depot in a park."""
        park_id = PARK.parse_one(request.parent, "parent")
        principal = caller(Action.REGISTER, park=park_id)
        violations: list[FieldViolation] = []
        depot = mp.depot_from_pb(park_id, request.depot_id, request.depot, violations)
        raise_if(violations)

        def work(session: Session) -> pb.CreateDepotResponse:
            return pb.CreateDepotResponse(depot=mp.depot_to_pb(registry.create_depot(session, depot=depot, actor=principal.subject)))

        return await self._mutate("CreateDepot", request, pb.CreateDepotResponse, work)

    async def ListDepots(self, request: pb.ListDepotsRequest, context: Context) -> pb.ListDepotsResponse:
        """A page of depots of one park or of all."""
        park_id = mq.park_parent(request.parent)
        caller(Action.READ)

        def work(session: Session) -> pb.ListDepotsResponse:
            depots, token = store_registry.list_depots(session, park_id=park_id, size=request.page_size, token=request.page_token)
            return pb.ListDepotsResponse(depots=[mp.depot_to_pb(d) for d in depots], next_page_token=token)

        return await self._read(work)

    async def UpdateDepot(self, request: pb.UpdateDepotRequest, context: Context) -> pb.UpdateDepotResponse:
        """Change the masked fields of a depot."""
        park_id, depot_id = DEPOT.parse(request.depot.name, "depot.name")
        principal = caller(Action.REGISTER, park=park_id)
        paths = list(request.update_mask.paths)
        violations: list[FieldViolation] = []
        changes = mp.depot_changes_from_pb(park_id, depot_id, request.depot, paths, violations)
        raise_if(violations)

        def work(session: Session) -> pb.UpdateDepotResponse:
            depot = registry.update_depot(session, park_id=park_id, depot_id=depot_id, changes=changes, paths=paths, actor=principal.subject)
            return pb.UpdateDepotResponse(depot=mp.depot_to_pb(depot))

        return await self._mutate("UpdateDepot", request, pb.UpdateDepotResponse, work)

    async def DeleteDepot(self, request: pb.DeleteDepotRequest, context: Context) -> pb.DeleteDepotResponse:
        """Retire an empty depot."""
        park_id, depot_id = DEPOT.parse(request.name)
        principal = caller(Action.REGISTER, park=park_id)

        def work(session: Session) -> pb.DeleteDepotResponse:
            depot = registry.retire_depot(session, park_id=park_id, depot_id=depot_id, actor=principal.subject)
            return pb.DeleteDepotResponse(depot=mp.depot_to_pb(depot))

        return await self._mutate("DeleteDepot", request, pb.DeleteDepotResponse, work)

    async def ImportInventory(self, request: pb.ImportInventoryRequest, context: Context) -> pb.ImportInventoryResponse:
        """Validate a park's whole inventory outside the write lock, then apply it in one transaction, or nothing."""
        park_id = PARK.parse_one(request.parent, "parent")
        principal = caller(Action.REGISTER, park=park_id)
        raise_if(request_id_violations(request.request_id))
        prepared = await run_in_thread(importing.prepare, self._store, request, park_id)
        if request.validate_only:
            return prepared.preview()

        def work(session: Session) -> pb.ImportInventoryResponse:
            return importing.apply(session, prepared, principal.subject)

        return await self._mutate("ImportInventory", request, pb.ImportInventoryResponse, work)
