"""Importing over an existing inventory: upsert by code, a dry run that changes nothing, every bad row, the deadline."""

from __future__ import annotations

import grpc
from emergency.resources.v1 import resources_service_pb2 as pb

from fixtures.resources.demo import build_demo
from services.resources import mapping
from tests.grpc_assertions import error_info, expect_error, field_violations

from .conftest import ResourcesHarness
from .grpc_harness import OPERATOR, VIEWER, rid

PARK = "xiagang"


async def _imported(resources: ResourcesHarness) -> list[pb.InventoryRow]:
    """Create the demo parks, import one park's inventory, and return its rows."""
    stub = resources.stub
    data = build_demo()
    for park in data.parks:
        await stub.CreatePark(pb.CreateParkRequest(request_id=rid(), park_id=park.park_id, park=mapping.park_for_create(park)), metadata=OPERATOR)
    rows = mapping.inventory_rows(data.inventory(PARK))
    await stub.ImportInventory(pb.ImportInventoryRequest(request_id=rid(), parent=f"parks/{PARK}", rows=rows), metadata=OPERATOR)
    return rows


async def _units(resources: ResourcesHarness) -> dict[str, pb.Unit]:
    reply = await resources.stub.ListUnits(pb.ListUnitsRequest(parent=f"parks/{PARK}", page_size=1000), metadata=VIEWER)
    return {u.name: u for u in reply.units}


async def test_upsert_updates_by_code_and_a_dry_run_changes_nothing(resources: ResourcesHarness) -> None:
    stub = resources.stub
    rows = await _imported(resources)
    unit_row = next(i for i, r in enumerate(rows) if r.WhichOneof("item") == "unit")
    stock_row = next(i for i, r in enumerate(rows) if r.WhichOneof("item") == "stock")
    rows[unit_row].unit.call_sign = "Renamed 1"
    old_on_hand = rows[stock_row].stock.on_hand
    rows[stock_row].stock.on_hand = old_on_hand + 40
    new_unit = pb.InventoryRow()
    new_unit.CopyFrom(rows[unit_row])
    new_unit.unit.name = f"parks/{PARK}/units/brand-new"
    rows.append(new_unit)
    before = await _units(resources)

    plain = pb.ImportInventoryRequest(request_id=rid(), parent=f"parks/{PARK}", rows=rows)
    error = await expect_error(stub.ImportInventory(plain, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert f"rows[{unit_row}].unit.name" in field_violations(error)

    dry = pb.ImportInventoryRequest(request_id=rid(), parent=f"parks/{PARK}", rows=rows, upsert=True, validate_only=True)
    preview = await stub.ImportInventory(dry, metadata=OPERATOR)
    assert preview.validate_only and preview.units_created == 1 and preview.updated == 2
    assert preview.unchanged == len(rows) - 3
    by_row = {c.row: c for c in preview.changes}
    assert by_row[unit_row].action == "update" and by_row[unit_row].fields[0].startswith("call_sign:")
    assert by_row[stock_row].fields == [f"on_hand: {int(old_on_hand)} -> {int(old_on_hand) + 40}"]
    assert by_row[len(rows) - 1].action == "create" and by_row[len(rows) - 1].target == f"parks/{PARK}/units/brand-new"
    assert await _units(resources) == before

    real = pb.ImportInventoryRequest(request_id=rid(), parent=f"parks/{PARK}", rows=rows, upsert=True)
    done = await stub.ImportInventory(real, metadata=OPERATOR)
    assert (done.validate_only, done.units_created, done.updated) == (False, 1, 2)
    assert sorted(c.row for c in done.changes) == sorted([unit_row, stock_row])  # creates are counted, updates listed
    after = await _units(resources)
    renamed = after[rows[unit_row].unit.name]
    assert renamed.call_sign == "Renamed 1" and renamed.version == before[rows[unit_row].unit.name].version + 1
    assert f"parks/{PARK}/units/brand-new" in after
    ledger = await stub.ListStockLedgerEntries(pb.ListStockLedgerEntriesRequest(parent=rows[stock_row].stock.name), metadata=VIEWER)
    assert [(e.kind, e.delta) for e in ledger.entries][-1] == (pb.StockLedgerEntry.KIND_CORRECTION, 40)
    again = await stub.ImportInventory(real, metadata=OPERATOR)
    assert again == done


async def test_a_dry_run_lists_every_bad_row_and_a_real_run_names_the_total(resources: ResourcesHarness) -> None:
    stub = resources.stub
    data = build_demo()
    for park in data.parks:
        await stub.CreatePark(pb.CreateParkRequest(request_id=rid(), park_id=park.park_id, park=mapping.park_for_create(park)), metadata=OPERATOR)
    rows = mapping.inventory_rows(data.inventory(PARK))
    units = [i for i, r in enumerate(rows) if r.WhichOneof("item") == "unit"]
    bad = units[: min(len(units), 60)]
    for i in bad:
        rows[i].unit.resource_type = "TELEPORTER"
    dry = pb.ImportInventoryRequest(request_id=rid(), parent=f"parks/{PARK}", rows=rows, validate_only=True)
    preview = await stub.ImportInventory(dry, metadata=OPERATOR)
    assert [p.field for p in preview.problems] == [f"rows[{i}].unit.resource_type" for i in bad]
    assert not preview.changes
    error = await expect_error(
        stub.ImportInventory(pb.ImportInventoryRequest(request_id=rid(), parent=f"parks/{PARK}", rows=rows), metadata=OPERATOR),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert len(field_violations(error)) == min(len(bad), 50)
    if len(bad) > 50:
        assert error_info(error).metadata["field_violations_total"] == str(len(bad))
    assert not await _units(resources)


async def test_an_upsert_may_not_change_a_unit_on_a_response_or_stock_below_its_holds(resources: ResourcesHarness) -> None:
    stub = resources.stub
    rows = await _imported(resources)
    unit_row = next(i for i, r in enumerate(rows) if r.WhichOneof("item") == "unit")
    stock_row = next(i for i, r in enumerate(rows) if r.WhichOneof("item") == "stock")
    unit = rows[unit_row].unit
    stock = rows[stock_row].stock
    version = (await _units(resources))[unit.name].version
    held = await stub.ReserveResources(
        pb.ReserveResourcesRequest(
            request_id=rid(),
            incident="incidents/inc-1",
            units=[pb.UnitHold(unit=unit.name, version=version)],
            stocks=[pb.StockHold(stock=stock.name, amount=stock.on_hand)],
            ttl_seconds=600,
        ),
        metadata=OPERATOR,
    )
    assert held.reservation.name
    rows[unit_row].unit.crew_size = unit.crew_size + 1
    rows[stock_row].stock.on_hand = 0
    request = pb.ImportInventoryRequest(request_id=rid(), parent=f"parks/{PARK}", rows=rows, upsert=True)
    error = await expect_error(stub.ImportInventory(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert sorted(field_violations(error)) == sorted([f"rows[{unit_row}].unit.name", f"rows[{stock_row}].stock.on_hand"])


async def test_an_import_past_its_deadline_changes_nothing(resources: ResourcesHarness) -> None:
    stub = resources.stub
    data = build_demo()
    for park in data.parks:
        await stub.CreatePark(pb.CreateParkRequest(request_id=rid(), park_id=park.park_id, park=mapping.park_for_create(park)), metadata=OPERATOR)
    rows = mapping.inventory_rows(data.inventory(PARK))
    request = pb.ImportInventoryRequest(request_id=rid(), parent=f"parks/{PARK}", rows=rows)
    await expect_error(stub.ImportInventory(request, metadata=OPERATOR, timeout=0.001), grpc.StatusCode.DEADLINE_EXCEEDED)
    assert not await _units(resources)
