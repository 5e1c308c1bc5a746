"""A real in-process resources server on a free port, and helpers to talk to it."""

from __future__ import annotations

import uuid

import grpc
from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as pb
from emergency.resources.v1 import resources_service_pb2_grpc as pb_grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

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


async def expect_error(call: object, code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    """Await a call that must fail with `code`."""
    try:
        await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as error:
        assert error.code() == code, (error.code(), error.details())
        return error
    raise AssertionError(f"expected {code.name}, the call succeeded")


def field_violations(error: grpc.aio.AioRpcError) -> list[str]:
    """The BadRequest field paths of an error's rich status."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "no google.rpc.Status in the trailers"
    fields: list[str] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields += [v.field for v in bad.field_violations]
    return fields


def error_info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    """The ErrorInfo of an error's rich status."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    raise AssertionError("no ErrorInfo in the status")


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
