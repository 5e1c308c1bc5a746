"""A real in-process resources server on a free port, and helpers to talk to it."""

from __future__ import annotations

import uuid

from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as pb
from emergency.resources.v1 import resources_service_pb2_grpc as pb_grpc

from services.common.auth import Role
from tests.conftest import auth

OPERATOR = auth(Role.OPERATOR, subject="operator-1")
LIGANG_OFFICER = auth(Role.PARK_OFFICER, park_id="ligang", subject="officer-ligang")
SHENGANG_OFFICER = auth(Role.PARK_OFFICER, park_id="shengang", subject="officer-shengang")
DIRECTOR = auth(Role.DRILL_DIRECTOR, subject="director-1")
VIEWER = auth(Role.VIEWER, subject="viewer-1")


def rid() -> str:
    """A fresh request id."""
    return uuid.uuid4().hex


def point(lat: float, lon: float) -> common_pb2.GeoPoint:
    """A proto point."""
    return common_pb2.GeoPoint(latitude=lat, longitude=lon)


async def seed_park(stub: pb_grpc.ResourceServiceStub, park_id: str = "ligang", *, units: int = 3, foam: int = 100) -> list[pb.Unit]:
    """A park with one fire station, some pumpers and a foam stock, registered through the API as an operator."""
    await stub.CreatePark(
        pb.CreateParkRequest(
            request_id=rid(),
            park_id=park_id,
            park=pb.Park(display_name=f"{park_id} park", kind=common_pb2.PARK_KIND_CHEMICAL_PARK, location=point(31.955, 120.09)),
        ),
        metadata=OPERATOR,
    )
    await stub.CreateDepot(
        pb.CreateDepotRequest(
            request_id=rid(),
            parent=f"parks/{park_id}",
            depot_id="fs1",
            depot=pb.Depot(display_name="Station 1", kind=pb.Depot.KIND_FIRE_STATION, location=point(31.95, 120.09)),
        ),
        metadata=OPERATOR,
    )
    created = []
    for i in range(units):
        response = await stub.CreateUnit(
            pb.CreateUnitRequest(
                request_id=rid(),
                parent=f"parks/{park_id}",
                unit_id=f"u{i}",
                unit=pb.Unit(resource_type="PUMPER_ENGINE", call_sign=f"P{i}", home_depot_id="fs1", crew_size=5),
            ),
            metadata=OPERATOR,
        )
        created.append(response.unit)
    if foam:
        await stub.AdjustStock(
            pb.AdjustStockRequest(
                request_id=rid(), stock=f"parks/{park_id}/depots/fs1/stocks/FOAM_AFFF", kind=pb.StockLedgerEntry.KIND_RECEIPT, delta=foam, reference="opening"
            ),
            metadata=OPERATOR,
        )
    return created
