"""Loads the Jiangyin demo data set through the resources API: parks, one inventory import per park, mutual aid."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as rpb
from emergency.resources.v1 import resources_service_pb2_grpc as rpb_grpc

from services.common.auth import Role, mint_token
from services.common.client import bearer, open_channel
from services.common.settings import Settings
from services.resources.demo import DemoDataset, build_demo
from services.resources.domain import Depot, Inventory, MutualAid, Park, ReservePolicy, Stock, Unit


def _point(point: object) -> common_pb2.GeoPoint:
    """A proto point from a domain point."""
    return common_pb2.GeoPoint(latitude=point.latitude, longitude=point.longitude)  # type: ignore[attr-defined]


def park_message(park: Park) -> rpb.Park:
    """A park as CreatePark takes it."""
    contact = ", ".join(part for part in (park.duty_contact.name, park.duty_contact.phone) if part)
    return rpb.Park(
        display_name=park.display_name,
        kind=f"PARK_KIND_{park.kind.value}",
        location=_point(park.location),
        boundary=[_point(p) for p in park.boundary],
        duty_contact=contact,
    )


def depot_row(depot: Depot) -> rpb.InventoryRow:
    """One depot row of an import."""
    return rpb.InventoryRow(
        depot=rpb.Depot(
            name=f"parks/{depot.park_id}/depots/{depot.depot_id}",
            display_name=depot.display_name,
            kind=f"KIND_{depot.kind.value}",
            location=_point(depot.location),
            shared=depot.shared,
        )
    )


def unit_row(unit: Unit) -> rpb.InventoryRow:
    """One unit row of an import (it starts available at its home depot)."""
    return rpb.InventoryRow(
        unit=rpb.Unit(
            name=f"parks/{unit.park_id}/units/{unit.unit_id}",
            resource_type=unit.type,
            call_sign=unit.call_sign,
            home_depot_id=unit.home_depot,
            crew_size=unit.crew_size,
            capabilities=list(unit.capabilities),
        )
    )


def stock_row(stock: Stock) -> rpb.InventoryRow:
    """One stock row of an import: its on-hand amount becomes a receipt."""
    return rpb.InventoryRow(
        stock=rpb.Stock(
            name=f"parks/{stock.park_id}/depots/{stock.depot_id}/stocks/{stock.type}",
            resource_type=stock.type,
            on_hand=float(stock.on_hand),
            minimum_level=float(stock.minimum_level),
        )
    )


def policy_row(policy: ReservePolicy) -> rpb.InventoryRow:
    """One reserve-policy row of an import."""
    return rpb.InventoryRow(reserve_policy=rpb.ReservePolicy(park_id=policy.park_id, resource_type=policy.type, minimum=float(policy.min_available)))


def inventory_request(inventory: Inventory, request_id: str) -> rpb.ImportInventoryRequest:
    """A park's whole inventory as one all-or-nothing import."""
    rows = [*map(depot_row, inventory.depots), *map(unit_row, inventory.units), *map(stock_row, inventory.stocks), *map(policy_row, inventory.reserve_policies)]
    return rpb.ImportInventoryRequest(request_id=request_id, parent=f"parks/{inventory.park_id}", rows=rows)


def agreement_message(aid: MutualAid) -> rpb.MutualAidAgreement:
    """A mutual-aid agreement as CreateMutualAidAgreement takes it."""
    return rpb.MutualAidAgreement(
        lender_park_id=aid.lender_park, borrower_park_id=aid.borrower_park, resource_types=list(aid.resource_types), max_travel_minutes=aid.max_travel_minutes
    )


async def seed_dataset(settings: Settings, dataset: DemoDataset, *, parks: Sequence[str] = ()) -> str:
    """Create the (selected) parks that do not exist yet, import their inventories as their officers, add their agreements."""
    wanted = [p for p in dataset.parks if not parks or p.park_id in parks]
    chosen = {p.park_id for p in wanted}
    secret = settings.jwt_secret.get_secret_value()

    def as_role(role: Role, park_id: str = "") -> tuple[tuple[str, str], ...]:
        return bearer(mint_token(secret, subject=f"demo-seed-{park_id or role.value}", role=role, park_id=park_id, issuer=settings.jwt_issuer, ttl_s=600))

    channel = open_channel(settings.address_of("resources"), default_timeout_s=max(settings.default_call_timeout_s, 60.0))
    try:
        stub = rpb_grpc.ResourceServiceStub(channel)
        operator = as_role(Role.OPERATOR)
        existing = {p.name.partition("/")[2] for p in (await stub.ListParks(rpb.ListParksRequest(page_size=1000), metadata=operator)).parks}
        created = imported = units = agreements = 0
        for park in wanted:
            if park.park_id not in existing:
                await stub.CreatePark(rpb.CreateParkRequest(request_id=f"demo-seed-park-{park.park_id}", park_id=park.park_id, park=park_message(park)), metadata=operator)
                created += 1
        for park in wanted:
            listed = await stub.ListUnits(rpb.ListUnitsRequest(parent=f"parks/{park.park_id}", page_size=1), metadata=operator)
            if listed.units:
                continue  # an import is all or nothing: a park with units has been imported
            officer = as_role(Role.PARK_OFFICER, park.park_id)
            reply = await stub.ImportInventory(inventory_request(dataset.inventory(park.park_id), f"demo-seed-inventory-{park.park_id}-{dataset.seed}"), metadata=officer)
            imported += 1
            units += reply.units_created
        if not created and not imported:
            return f"demo data: already seeded ({len(wanted)} parks)"
        for inventory in dataset.inventories:
            for aid in inventory.mutual_aid:
                if aid.lender_park in chosen and aid.borrower_park in chosen:
                    request = rpb.CreateMutualAidAgreementRequest(request_id=f"demo-seed-aid-{aid.lender_park}-{aid.borrower_park}", agreement=agreement_message(aid))
                    try:
                        await stub.CreateMutualAidAgreement(request, metadata=as_role(Role.PARK_OFFICER, aid.lender_park))
                        agreements += 1
                    except grpc.aio.AioRpcError as exc:
                        if exc.code() is not grpc.StatusCode.ALREADY_EXISTS:
                            raise
        return f"demo data: seeded {created} parks, {imported} inventories ({units} units), {agreements} mutual-aid agreements"
    finally:
        await channel.close(None)


async def seed_demo(settings: Settings) -> str:
    """Seed the whole Jiangyin demo data set through the resources API; does nothing if its parks exist."""
    return await seed_dataset(settings, build_demo())
