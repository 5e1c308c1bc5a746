"""Every mutating method x every kind of caller: the status each one gets, and that a refusal changes nothing."""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as pb
from emergency.resources.v1 import resources_service_pb2_grpc as pb_grpc
from google.protobuf.field_mask_pb2 import FieldMask
from sqlalchemy import func, select
from sqlmodel import Session

from services.common.auth import Role
from services.common.db import make_engine
from services.common.outbox import OutboxEvent
from tests.conftest import auth

from .conftest import ResourcesHarness
from .grpc_harness import OPERATOR, point, rid, seed_park

OK, DENIED, UNAUTH = grpc.StatusCode.OK, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED
CALLERS: dict[str, tuple[tuple[str, str], ...]] = {
    "own park officer": auth(Role.PARK_OFFICER, park_id="ligang", subject="officer-ligang"),
    "other park officer": auth(Role.PARK_OFFICER, park_id="shengang", subject="officer-shengang"),
    "operator": auth(Role.OPERATOR, subject="operator-2"),
    "drill director": auth(Role.DRILL_DIRECTOR, subject="director-2"),
    "viewer": auth(Role.VIEWER, subject="viewer-2"),
    "no token": (),
    "expired token": auth(Role.OPERATOR, subject="operator-old", ttl_s=60, now=time.time() - 3600),
    "wrong signature": auth(Role.OPERATOR, subject="forger", secret="a-different-secret-of-enough-length"),
}

Stub = pb_grpc.ResourceServiceStub
Call = Callable[[tuple[tuple[str, str], ...]], Awaitable[object]]
Prepare = Callable[[Stub, int], Awaitable[Call]]


@dataclass(frozen=True)
class Case:
    """One mutating method: how to prepare a fresh target, and who may call it."""

    method: str
    prepare: Prepare
    allowed: frozenset[str]


REGISTRARS = frozenset({"own park officer", "operator"})
RESERVERS = frozenset({"operator"})
DRILL = frozenset({"operator", "drill director"})


async def _unit(stub: Stub, n: int) -> pb.Unit:
    """A fresh AVAILABLE pumper in ligang."""
    created: pb.CreateUnitResponse = await stub.CreateUnit(
        pb.CreateUnitRequest(
            request_id=rid(), parent="parks/ligang", unit_id=f"m{n}", unit=pb.Unit(resource_type="PUMPER_ENGINE", call_sign=f"M{n}", home_depot_id="fs1")
        ),
        metadata=OPERATOR,
    )
    return created.unit


async def _reservation(stub: Stub, n: int, exercise_id: str = "") -> str:
    """A fresh ACTIVE reservation of a fresh unit."""
    unit = await _unit(stub, n)
    held: pb.ReserveResourcesResponse = await stub.ReserveResources(
        pb.ReserveResourcesRequest(
            request_id=rid(), incident=f"incidents/m{n}", exercise_id=exercise_id, units=[pb.UnitHold(unit=unit.name, version=unit.version)]
        ),
        metadata=OPERATOR,
    )
    return held.reservation.name


async def _depot(stub: Stub, n: int) -> str:
    """A fresh empty depot in ligang."""
    created: pb.CreateDepotResponse = await stub.CreateDepot(
        pb.CreateDepotRequest(
            request_id=rid(),
            parent="parks/ligang",
            depot_id=f"d{n}",
            depot=pb.Depot(display_name=f"D{n}", kind=pb.Depot.KIND_SUPPLY_WAREHOUSE, location=point(31.94, 120.1)),
        ),
        metadata=OPERATOR,
    )
    return created.depot.name


async def _agreement(stub: Stub, n: int) -> str:
    """A fresh agreement from ligang to a fresh borrower park."""
    await _park(stub, f"b{n}")
    created: pb.CreateMutualAidAgreementResponse = await stub.CreateMutualAidAgreement(
        pb.CreateMutualAidAgreementRequest(
            request_id=rid(), agreement=pb.MutualAidAgreement(lender_park_id="ligang", borrower_park_id=f"b{n}", max_travel_minutes=30)
        ),
        metadata=OPERATOR,
    )
    return created.agreement.name


async def _park(stub: Stub, park_id: str) -> None:
    """A fresh park."""
    await stub.CreatePark(
        pb.CreateParkRequest(
            request_id=rid(), park_id=park_id, park=pb.Park(display_name=park_id, kind=common_pb2.PARK_KIND_LOGISTICS, location=point(31.9, 120.2))
        ),
        metadata=OPERATOR,
    )


async def _exercise(stub: Stub, n: int) -> str:
    """A fresh active exercise."""
    await stub.CreateExercise(pb.CreateExerciseRequest(request_id=rid(), exercise_id=f"x{n}", title="matrix"), metadata=OPERATOR)
    return f"x{n}"


def _case(method: str, allowed: frozenset[str]) -> Callable[[Prepare], Case]:
    """Register a case builder."""

    def register(prepare: Prepare) -> Case:
        CASES.append(Case(method, prepare, allowed))
        return CASES[-1]

    return register


CASES: list[Case] = []


@_case("CreatePark", RESERVERS)
async def _create_park(stub: Stub, n: int) -> Call:
    request = pb.CreateParkRequest(
        request_id=rid(), park_id=f"p{n}", park=pb.Park(display_name="P", kind=common_pb2.PARK_KIND_STEEL, location=point(31.9, 120.2))
    )
    return lambda md: stub.CreatePark(request, metadata=md)


@_case("UpdatePark", REGISTRARS)
async def _update_park(stub: Stub, n: int) -> Call:
    request = pb.UpdateParkRequest(request_id=rid(), park=pb.Park(name="parks/ligang", duty_contact=f"duty {n}"), update_mask=FieldMask(paths=["duty_contact"]))
    return lambda md: stub.UpdatePark(request, metadata=md)


@_case("CreateDepot", REGISTRARS)
async def _create_depot(stub: Stub, n: int) -> Call:
    request = pb.CreateDepotRequest(
        request_id=rid(),
        parent="parks/ligang",
        depot_id=f"n{n}",
        depot=pb.Depot(display_name="N", kind=pb.Depot.KIND_FIRE_STATION, location=point(31.94, 120.1)),
    )
    return lambda md: stub.CreateDepot(request, metadata=md)


@_case("UpdateDepot", REGISTRARS)
async def _update_depot(stub: Stub, n: int) -> Call:
    name = await _depot(stub, n)
    request = pb.UpdateDepotRequest(request_id=rid(), depot=pb.Depot(name=name, display_name="renamed"), update_mask=FieldMask(paths=["display_name"]))
    return lambda md: stub.UpdateDepot(request, metadata=md)


@_case("DeleteDepot", REGISTRARS)
async def _delete_depot(stub: Stub, n: int) -> Call:
    request = pb.DeleteDepotRequest(request_id=rid(), name=await _depot(stub, n))
    return lambda md: stub.DeleteDepot(request, metadata=md)


@_case("CreateUnit", REGISTRARS)
async def _create_unit(stub: Stub, n: int) -> Call:
    request = pb.CreateUnitRequest(
        request_id=rid(), parent="parks/ligang", unit_id=f"c{n}", unit=pb.Unit(resource_type="AMBULANCE", call_sign="A", home_depot_id="fs1")
    )
    return lambda md: stub.CreateUnit(request, metadata=md)


@_case("UpdateUnit", REGISTRARS)
async def _update_unit(stub: Stub, n: int) -> Call:
    unit = await _unit(stub, n)
    request = pb.UpdateUnitRequest(
        request_id=rid(), unit=pb.Unit(name=unit.name, crew_size=7), update_mask=FieldMask(paths=["crew_size"]), version=unit.version
    )
    return lambda md: stub.UpdateUnit(request, metadata=md)


@_case("RetireUnit", REGISTRARS)
async def _retire_unit(stub: Stub, n: int) -> Call:
    unit = await _unit(stub, n)
    request = pb.RetireUnitRequest(request_id=rid(), name=unit.name, version=unit.version, reason="sold")
    return lambda md: stub.RetireUnit(request, metadata=md)


@_case("ReportUnitStatus", REGISTRARS)
async def _report_status(stub: Stub, n: int) -> Call:
    unit = await _unit(stub, n)
    request = pb.ReportUnitStatusRequest(request_id=rid(), name=unit.name, state=pb.Unit.STATE_OUT_OF_SERVICE, reason="service")
    return lambda md: stub.ReportUnitStatus(request, metadata=md)


@_case("ReportUnitStatus in an exercise", DRILL)
async def _report_status_in_drill(stub: Stub, n: int) -> Call:
    unit = await _unit(stub, n)
    request = pb.ReportUnitStatusRequest(request_id=rid(), name=unit.name, state=pb.Unit.STATE_OUT_OF_SERVICE, exercise_id=await _exercise(stub, n))
    return lambda md: stub.ReportUnitStatus(request, metadata=md)


@_case("AdjustStock", REGISTRARS)
async def _adjust_stock(stub: Stub, n: int) -> Call:
    request = pb.AdjustStockRequest(
        request_id=rid(), stock="parks/ligang/depots/fs1/stocks/SANDBAG", kind=pb.StockLedgerEntry.KIND_RECEIPT, delta=10 + n, reference="delivery"
    )
    return lambda md: stub.AdjustStock(request, metadata=md)


@_case("UpdateStock", REGISTRARS)
async def _update_stock(stub: Stub, n: int) -> Call:
    request = pb.UpdateStockRequest(
        request_id=rid(), stock=pb.Stock(name="parks/ligang/depots/fs1/stocks/FOAM_AFFF", minimum_level=n), update_mask=FieldMask(paths=["minimum_level"])
    )
    return lambda md: stub.UpdateStock(request, metadata=md)


@_case("SetReservePolicy", REGISTRARS)
async def _set_policy(stub: Stub, n: int) -> Call:
    request = pb.SetReservePolicyRequest(request_id=rid(), policy=pb.ReservePolicy(park_id="ligang", resource_type="PUMPER_ENGINE", minimum=n % 5))
    return lambda md: stub.SetReservePolicy(request, metadata=md)


@_case("CreateMutualAidAgreement", REGISTRARS)
async def _create_agreement(stub: Stub, n: int) -> Call:
    await _park(stub, f"k{n}")
    request = pb.CreateMutualAidAgreementRequest(
        request_id=rid(),
        agreement=pb.MutualAidAgreement(lender_park_id="ligang", borrower_park_id=f"k{n}", resource_types=["FOAM_TENDER"], max_travel_minutes=25),
    )
    return lambda md: stub.CreateMutualAidAgreement(request, metadata=md)


@_case("DeleteMutualAidAgreement", REGISTRARS)
async def _delete_agreement(stub: Stub, n: int) -> Call:
    request = pb.DeleteMutualAidAgreementRequest(request_id=rid(), name=await _agreement(stub, n))
    return lambda md: stub.DeleteMutualAidAgreement(request, metadata=md)


@_case("ImportInventory", REGISTRARS)
async def _import(stub: Stub, n: int) -> Call:
    rows = [
        pb.InventoryRow(depot=pb.Depot(name=f"parks/ligang/depots/i{n}", display_name="I", kind=pb.Depot.KIND_RESCUE_BASE, location=point(31.945, 120.11))),
        pb.InventoryRow(unit=pb.Unit(name=f"parks/ligang/units/i{n}-hz", resource_type="HAZMAT_TEAM", call_sign="HZ", home_depot_id=f"i{n}")),
        pb.InventoryRow(stock=pb.Stock(name=f"parks/ligang/depots/i{n}/stocks/PLUGGING_KIT", on_hand=4)),
    ]
    request = pb.ImportInventoryRequest(request_id=rid(), parent="parks/ligang", rows=rows)
    return lambda md: stub.ImportInventory(request, metadata=md)


@_case("ReserveResources", RESERVERS)
async def _reserve(stub: Stub, n: int) -> Call:
    unit = await _unit(stub, n)
    request = pb.ReserveResourcesRequest(request_id=rid(), incident="incidents/m", units=[pb.UnitHold(unit=unit.name, version=unit.version)])
    return lambda md: stub.ReserveResources(request, metadata=md)


@_case("ReserveResources in an exercise", DRILL)
async def _reserve_in_drill(stub: Stub, n: int) -> Call:
    unit = await _unit(stub, n)
    request = pb.ReserveResourcesRequest(
        request_id=rid(), incident="incidents/m", exercise_id=await _exercise(stub, n), units=[pb.UnitHold(unit=unit.name, version=unit.version)]
    )
    return lambda md: stub.ReserveResources(request, metadata=md)


@_case("ConfirmReservation", RESERVERS)
async def _confirm(stub: Stub, n: int) -> Call:
    request = pb.ConfirmReservationRequest(request_id=rid(), name=await _reservation(stub, n))
    return lambda md: stub.ConfirmReservation(request, metadata=md)


@_case("ConfirmReservation in an exercise", DRILL)
async def _confirm_in_drill(stub: Stub, n: int) -> Call:
    request = pb.ConfirmReservationRequest(request_id=rid(), name=await _reservation(stub, n, await _exercise(stub, n)))
    return lambda md: stub.ConfirmReservation(request, metadata=md)


@_case("ReleaseReservation", RESERVERS)
async def _release(stub: Stub, n: int) -> Call:
    request = pb.ReleaseReservationRequest(request_id=rid(), name=await _reservation(stub, n), reason="stood down")
    return lambda md: stub.ReleaseReservation(request, metadata=md)


@_case("CreateExercise", DRILL)
async def _create_exercise(stub: Stub, n: int) -> Call:
    request = pb.CreateExerciseRequest(request_id=rid(), exercise_id=f"e{n}", title="drill")
    return lambda md: stub.CreateExercise(request, metadata=md)


@_case("EndExercise", DRILL)
async def _end_exercise(stub: Stub, n: int) -> Call:
    request = pb.EndExerciseRequest(request_id=rid(), name=f"exercises/{await _exercise(stub, n)}")
    return lambda md: stub.EndExercise(request, metadata=md)


def _detector(n: int) -> pb.Detector:
    """A valid ammonia detector."""
    return pb.Detector(
        display_name=f"NH3 {n}",
        kind=pb.Detector.KIND_TOXIC_GAS,
        substance=common_pb2.Substance(name="ammonia", un_number="1005", hazard_class="2.3"),
        position=point(31.95, 120.1),
        pre_alarm_threshold=25,
        alarm_threshold=35,
        unit="ppm",
    )


@_case("CreateDetector", REGISTRARS)
async def _create_detector(stub: Stub, n: int) -> Call:
    request = pb.CreateDetectorRequest(request_id=rid(), parent="parks/ligang", detector_id=f"det{n}", detector=_detector(n))
    return lambda md: stub.CreateDetector(request, metadata=md)


@_case("UpdateDetector", REGISTRARS)
async def _update_detector(stub: Stub, n: int) -> Call:
    created = await stub.CreateDetector(
        pb.CreateDetectorRequest(request_id=rid(), parent="parks/ligang", detector_id=f"ud{n}", detector=_detector(n)), metadata=OPERATOR
    )
    request = pb.UpdateDetectorRequest(request_id=rid(), detector=pb.Detector(name=created.detector.name, area="moved"), update_mask=FieldMask(paths=["area"]))
    return lambda md: stub.UpdateDetector(request, metadata=md)


@_case("ImportDetectors", REGISTRARS)
async def _import_detectors(stub: Stub, n: int) -> Call:
    item = _detector(n)
    item.name = f"parks/ligang/detectors/imp{n}"
    request = pb.ImportDetectorsRequest(request_id=rid(), parent="parks/ligang", detectors=[item])
    return lambda md: stub.ImportDetectors(request, metadata=md)


def expected(case: Case, caller: str) -> grpc.StatusCode:
    """The status a caller must get."""
    if caller in ("no token", "expired token", "wrong signature"):
        return UNAUTH
    return OK if caller in case.allowed else DENIED


def outbox_rows(database_url: str) -> int:
    """How many events the service has written (every change writes at least one)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return int(session.connection().execute(select(func.count()).select_from(OutboxEvent.__table__)).scalar_one())  # type: ignore[attr-defined]
    finally:
        engine.dispose()


async def test_authorization_matrix(resources: ResourcesHarness) -> None:
    stub = resources.stub
    await seed_park(stub, units=0, foam=50)
    await _park(stub, "shengang")
    counter = itertools.count(1)
    mismatches: list[str] = []
    checked = 0
    for case in CASES:
        for caller, metadata in CALLERS.items():
            call = await case.prepare(stub, next(counter))
            before = outbox_rows(resources.database_url)
            try:
                await call(metadata)
                got = OK
            except grpc.aio.AioRpcError as error:
                got = error.code()
            want = expected(case, caller)
            checked += 1
            if got != want:
                mismatches.append(f"{case.method} as {caller}: got {got.name}, expected {want.name}")
            elif got != OK and outbox_rows(resources.database_url) != before:
                mismatches.append(f"{case.method} as {caller}: refused but something changed")
    print(f"\nauthorization matrix: {len(CASES)} methods x {len(CALLERS)} callers = {checked} calls, {len(mismatches)} mismatches")
    assert checked == len(CASES) * len(CALLERS)
    assert mismatches == []


def test_every_mutating_method_is_in_the_matrix() -> None:
    service = pb.DESCRIPTOR.services_by_name["ResourceService"]
    reads = {m.name for m in service.methods if m.name.startswith(("Get", "List"))}
    mutating = {m.name for m in service.methods} - reads
    covered = {case.method.split(" ")[0] for case in CASES}
    assert covered == mutating
