"""ResourceService through a real in-process gRPC server: mapping, rich errors, idempotency, namespaces, events."""

from __future__ import annotations

import asyncio
import json
from typing import cast

import grpc
import redis
from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as pb
from google.protobuf.field_mask_pb2 import FieldMask

from fixtures.resources.demo import build_demo
from services.resources import mapping
from services.resources.domain import EVENT_STREAM
from tests.grpc_assertions import error_info, expect_error, field_violations

from .conftest import ResourcesHarness
from .grpc_harness import DIRECTOR, LIGANG_OFFICER, OPERATOR, VIEWER, point, rid, seed_park

FOAM = "parks/ligang/depots/fs1/stocks/FOAM_AFFF"


async def test_catalogue_and_registration_round_trip(resources: ResourcesHarness) -> None:
    stub = resources.stub
    catalogue = await stub.ListResourceTypes(pb.ListResourceTypesRequest(kind=common_pb2.RESOURCE_KIND_CONSUMABLE), metadata=VIEWER)
    assert len(catalogue.resource_types) == 13 and {t.unit_of_measure for t in catalogue.resource_types} == {"L", "kg", "sets", "pieces"}
    units = await seed_park(stub)
    assert [u.name for u in units] == ["parks/ligang/units/u0", "parks/ligang/units/u1", "parks/ligang/units/u2"]
    assert units[0].state == pb.Unit.STATE_AVAILABLE and units[0].version == 1 and list(units[0].capabilities) == ["water"]
    assert (units[0].position.latitude, units[0].park_id) == (31.95, "ligang")
    park = (await stub.GetPark(pb.GetParkRequest(name="parks/ligang"), metadata=VIEWER)).park
    assert park.kind == common_pb2.PARK_KIND_CHEMICAL_PARK and park.version == 1
    page = await stub.ListUnits(pb.ListUnitsRequest(parent="parks/-", page_size=2), metadata=VIEWER)
    assert len(page.units) == 2 and page.next_page_token
    stocks = await stub.ListStocks(pb.ListStocksRequest(parent="parks/ligang/depots/-"), metadata=VIEWER)
    assert [(s.name, s.on_hand, s.unit_of_measure, s.location.latitude) for s in stocks.stocks] == [(FOAM, 100, "L", 31.95)]
    ledger = await stub.ListStockLedgerEntries(pb.ListStockLedgerEntriesRequest(parent=FOAM), metadata=VIEWER)
    assert [(e.sequence, e.kind, e.delta, e.balance, e.reference) for e in ledger.entries] == [(1, pb.StockLedgerEntry.KIND_RECEIPT, 100, 100, "opening")]


async def test_update_refuses_output_only_fields_by_name(resources: ResourcesHarness) -> None:
    stub = resources.stub
    units = await seed_park(stub, units=1)
    unit = pb.Unit(name=units[0].name, call_sign="LG-PUMP-1", state=pb.Unit.STATE_ON_SCENE, version=9)
    for path in ("state", "version", "park_id", "position"):
        error = await expect_error(
            stub.UpdateUnit(pb.UpdateUnitRequest(request_id=rid(), unit=unit, update_mask=FieldMask(paths=["call_sign", path])), metadata=OPERATOR),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        assert field_violations(error) == [f"unit.{path}"]
    updated = await stub.UpdateUnit(
        pb.UpdateUnitRequest(request_id=rid(), unit=unit, update_mask=FieldMask(paths=["call_sign"]), version=1), metadata=LIGANG_OFFICER
    )
    assert (updated.unit.call_sign, updated.unit.state, updated.unit.version) == ("LG-PUMP-1", pb.Unit.STATE_AVAILABLE, 2)
    error = await expect_error(
        stub.UpdateUnit(
            pb.UpdateUnitRequest(request_id=rid(), unit=pb.Unit(name=units[0].name, resource_type="FOAM_AFFF"), update_mask=FieldMask(paths=["resource_type"])),
            metadata=OPERATOR,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(error) == ["unit.resource_type"]
    error = await expect_error(
        stub.UpdateStock(
            pb.UpdateStockRequest(request_id=rid(), stock=pb.Stock(name=FOAM, reserved=5), update_mask=FieldMask(paths=["reserved"])), metadata=OPERATOR
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(error) == ["stock.reserved"]
    error = await expect_error(
        stub.CreateUnit(
            pb.CreateUnitRequest(
                request_id=rid(),
                parent="parks/ligang",
                unit_id="u9",
                unit=pb.Unit(resource_type="PUMPER_ENGINE", call_sign="X", home_depot_id="fs1", version=3),
            ),
            metadata=OPERATOR,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(error) == ["unit.version"]


async def test_reserve_conflicts_are_aborted_with_every_item(resources: ResourcesHarness) -> None:
    stub = resources.stub
    units = await seed_park(stub, units=3, foam=50)
    held = await stub.ReserveResources(
        pb.ReserveResourcesRequest(
            request_id=rid(),
            incident="incidents/a",
            units=[pb.UnitHold(unit=units[0].name, version=1)],
            stocks=[pb.StockHold(stock=FOAM, amount=40)],
            ttl_seconds=60,
        ),
        metadata=OPERATOR,
    )
    assert held.reservation.state == pb.Reservation.STATE_ACTIVE and held.snapshot_version > 0
    assert [(u.unit, u.version) for u in held.reservation.units] == [(units[0].name, 1)]
    error = await expect_error(
        stub.ReserveResources(
            pb.ReserveResourcesRequest(
                request_id=rid(),
                incident="incidents/b",
                units=[pb.UnitHold(unit=units[1].name, version=1), pb.UnitHold(unit=units[0].name, version=1), pb.UnitHold(unit=units[2].name, version=4)],
                stocks=[pb.StockHold(stock=FOAM, amount=20)],
            ),
            metadata=OPERATOR,
        ),
        grpc.StatusCode.ABORTED,
    )
    assert field_violations(error) == ["units[1]", "units[2]", "stocks[0]"]
    info = error_info(error)
    assert info.reason == "RESERVATION_CONFLICT" and info.metadata["conflicts"] == "3"
    assert info.metadata["units_1"].startswith("UNIT_NOT_AVAILABLE") and info.metadata["stocks_0"].startswith("INSUFFICIENT_STOCK")
    free = (await stub.GetUnit(pb.GetUnitRequest(name=units[1].name), metadata=VIEWER)).unit
    assert free.state == pb.Unit.STATE_AVAILABLE and free.version == 1, "nothing was reserved"
    error = await expect_error(
        stub.ReserveResources(
            pb.ReserveResourcesRequest(request_id=rid(), incident="incidents/c", stocks=[pb.StockHold(stock=FOAM, amount=2.5)]), metadata=OPERATOR
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(error) == ["stocks[0].amount"]


async def test_confirm_move_release_and_retries(resources: ResourcesHarness) -> None:
    stub = resources.stub
    units = await seed_park(stub, units=3, foam=100)
    request = pb.ReserveResourcesRequest(
        request_id=rid(), incident="incidents/a", units=[pb.UnitHold(unit=u.name, version=1) for u in units], stocks=[pb.StockHold(stock=FOAM, amount=30)]
    )
    first = await stub.ReserveResources(request, metadata=OPERATOR)
    again = await stub.ReserveResources(request, metadata=OPERATOR)
    assert again == first, "a retry returns the first answer"
    request.incident = "incidents/other"
    error = await expect_error(stub.ReserveResources(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert error_info(error).reason == "REQUEST_ID_REUSED"
    name = first.reservation.name
    part = await stub.ReleaseReservation(pb.ReleaseReservationRequest(request_id=rid(), name=name, units=[units[2].name]), metadata=OPERATOR)
    assert [u.unit for u in part.reservation.units] == [units[0].name, units[1].name]
    confirmed = await stub.ConfirmReservation(pb.ConfirmReservationRequest(request_id=rid(), name=name), metadata=OPERATOR)
    assert confirmed.reservation.state == pb.Reservation.STATE_CONFIRMED
    ledger = await stub.ListStockLedgerEntries(pb.ListStockLedgerEntriesRequest(parent=FOAM), metadata=VIEWER)
    assert [(e.kind, e.delta, e.reference) for e in ledger.entries][-1] == (pb.StockLedgerEntry.KIND_ISSUE, -30, name)
    error = await expect_error(
        stub.ReportUnitStatus(pb.ReportUnitStatusRequest(request_id=rid(), name=units[0].name, state=pb.Unit.STATE_AVAILABLE), metadata=OPERATOR),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert error_info(error).metadata["current_state"] == "EN_ROUTE" and "EN_ROUTE" in (error.details() or "")
    for unit in units[:2]:
        for state in (pb.Unit.STATE_ON_SCENE, pb.Unit.STATE_RETURNING, pb.Unit.STATE_AVAILABLE):
            moved = await stub.ReportUnitStatus(
                pb.ReportUnitStatusRequest(request_id=rid(), name=unit.name, state=state, position=point(31.96, 120.1)), metadata=LIGANG_OFFICER
            )
            assert moved.unit.state == state
    done = await stub.GetReservation(pb.GetReservationRequest(name=name), metadata=VIEWER)
    assert done.reservation.state == pb.Reservation.STATE_COMPLETED
    error = await expect_error(
        stub.ConfirmReservation(pb.ConfirmReservationRequest(request_id=rid(), name=name), metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert error_info(error).metadata["current_state"] == "COMPLETED"
    listed = await stub.ListReservations(pb.ListReservationsRequest(states=[pb.Reservation.STATE_COMPLETED]), metadata=VIEWER)
    assert [r.name for r in listed.reservations] == [name]


async def test_exercise_is_isolated_from_live(resources: ResourcesHarness) -> None:
    stub = resources.stub
    units = await seed_park(stub, units=2, foam=100)
    live_before = await stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(), metadata=VIEWER)
    await stub.CreateExercise(pb.CreateExerciseRequest(request_id=rid(), exercise_id="drill-7", title="Jetty fire drill"), metadata=DIRECTOR)
    drill = await stub.ReserveResources(
        pb.ReserveResourcesRequest(
            request_id=rid(),
            exercise_id="drill-7",
            incident="incidents/d",
            units=[pb.UnitHold(unit=units[0].name, version=1)],
            stocks=[pb.StockHold(stock=FOAM, amount=90)],
        ),
        metadata=DIRECTOR,
    )
    await stub.ConfirmReservation(pb.ConfirmReservationRequest(request_id=rid(), name=drill.reservation.name), metadata=DIRECTOR)
    assert await stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(), metadata=VIEWER) == live_before
    in_drill = await stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(exercise_id="drill-7"), metadata=VIEWER)
    assert [u.unit.name for u in in_drill.units] == [units[1].name]
    assert [(u.unit.name, u.unit.state) for u in in_drill.committed_units] == [(units[0].name, pb.Unit.STATE_EN_ROUTE)]
    assert [s.available for s in in_drill.stocks] == [10]
    live = await stub.ReserveResources(
        pb.ReserveResourcesRequest(
            request_id=rid(), incident="incidents/real", units=[pb.UnitHold(unit=units[0].name, version=1)], stocks=[pb.StockHold(stock=FOAM, amount=100)]
        ),
        metadata=OPERATOR,
    )
    assert live.reservation.state == pb.Reservation.STATE_ACTIVE
    ended = await stub.EndExercise(pb.EndExerciseRequest(request_id=rid(), name="exercises/drill-7"), metadata=DIRECTOR)
    assert not ended.exercise.active and ended.exercise.title == "Jetty fire drill"
    discarded = await stub.GetReservation(pb.GetReservationRequest(name=drill.reservation.name), metadata=VIEWER)
    assert discarded.reservation.state == pb.Reservation.STATE_DISCARDED
    await expect_error(
        stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(exercise_id="drill-7"), metadata=VIEWER), grpc.StatusCode.FAILED_PRECONDITION
    )


async def test_import_reports_every_bad_row_by_its_request_path(resources: ResourcesHarness) -> None:
    stub = resources.stub
    data = build_demo()
    for park in data.parks:
        await stub.CreatePark(pb.CreateParkRequest(request_id=rid(), park_id=park.park_id, park=mapping.park_for_create(park)), metadata=OPERATOR)
    rows = mapping.inventory_rows(data.inventory("xiagang"))
    first_unit = next(i for i, r in enumerate(rows) if r.WhichOneof("item") == "unit")
    bad = first_unit + 17
    rows[bad].unit.resource_type = "TELEPORTER"
    rows[bad + 2].unit.home_depot_id = "nowhere"
    rows[bad + 4].unit.state = pb.Unit.STATE_ON_SCENE
    stock_row = next(i for i, r in enumerate(rows) if r.WhichOneof("item") == "stock")
    rows[stock_row].stock.on_hand = 12.5
    request = pb.ImportInventoryRequest(request_id=rid(), parent="parks/xiagang", rows=rows)
    error = await expect_error(stub.ImportInventory(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert sorted(field_violations(error)) == sorted(
        [f"rows[{bad}].unit.resource_type", f"rows[{bad + 2}].unit.home_depot_id", f"rows[{bad + 4}].unit.state", f"rows[{stock_row}].stock.on_hand"]
    )
    assert not (await stub.ListUnits(pb.ListUnitsRequest(parent="parks/xiagang"), metadata=VIEWER)).units
    good = pb.ImportInventoryRequest(request_id=rid(), parent="parks/xiagang", rows=mapping.inventory_rows(data.inventory("xiagang")))
    summary = await stub.ImportInventory(good, metadata=OPERATOR)
    assert summary.units_created == len(data.inventory("xiagang").units)


async def test_snapshot_pages_share_a_version(resources: ResourcesHarness) -> None:
    stub = resources.stub
    await seed_park(stub, units=5)
    first = await stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(page_size=2), metadata=VIEWER)
    pages = [first]
    while pages[-1].next_page_token:
        pages.append(await stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(page_size=2, page_token=pages[-1].next_page_token), metadata=VIEWER))
    assert [len(p.units) for p in pages] == [2, 2, 1]
    assert {p.snapshot_version for p in pages} == {first.snapshot_version}
    assert first.stocks and not pages[1].stocks and pages[1].units[0].home_location.latitude == 31.95
    assert pages[0].units[0].vehicle_class == "heavy_engine"


async def test_changes_reach_the_event_stream_with_their_namespace(resources: ResourcesHarness, clean_redis: str) -> None:
    stub = resources.stub
    units = await seed_park(stub, units=1, foam=0)
    await stub.CreateExercise(pb.CreateExerciseRequest(request_id=rid(), exercise_id="drill-9", title="t"), metadata=OPERATOR)
    await stub.ReportUnitStatus(
        pb.ReportUnitStatusRequest(request_id=rid(), name=units[0].name, state=pb.Unit.STATE_OUT_OF_SERVICE, exercise_id="drill-9", reason="pump fault"),
        metadata=DIRECTOR,
    )
    client = redis.Redis.from_url(clean_redis, decode_responses=True)
    entries: list[dict[str, str]] = []
    for _ in range(100):
        entries = [dict(fields) for _, fields in cast("list[tuple[str, dict[str, str]]]", client.xrange(EVENT_STREAM)) or []]
        if any(e["type"] == "unit.state_changed" for e in entries):
            break
        await asyncio.sleep(0.05)
    moved = [e for e in entries if e["type"] == "unit.state_changed"]
    assert [(e["subject"], e["exercise_id"], json.loads(e["payload"])["reason"]) for e in moved] == [(units[0].name, "drill-9", "pump fault")]
    assert {e["type"] for e in entries} >= {"park.created", "depot.created", "unit.created", "exercise.started"}
    assert all(e["exercise_id"] == "" for e in entries if e["type"] in ("park.created", "unit.created"))
    assert len({e["event_id"] for e in entries}) == len(entries)
