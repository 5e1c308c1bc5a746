"""ImportInventory at its documented maximum: 50,000 rows good, 50,000 rows with 10 % bad, and a dry-run upsert.

Used by `bench.resources` (its figures land under "import_50000_rows" in bench/results/resources.json). While each
import runs, a second client reads availability snapshots; their worst latency shows whether the import blocks reads.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import replace
from typing import Any

import grpc
from emergency.resources.v1 import resources_service_pb2 as pb
from emergency.resources.v1 import resources_service_pb2_grpc as pb_grpc

from fixtures.resources.demo import build_demo
from services.resources import mapping
from services.resources.domain import Inventory

ROWS = 50_000
BAD_SHARE = 10  # one row in ten is bad


def big_inventory(park_id: str, rows: int = ROWS) -> Inventory:
    """A park with the demo Ligang depots and stocks, and enough units (copies of its own) to make `rows` rows."""
    demo = build_demo().inventory("ligang")
    depots = tuple(replace(d, park_id=park_id) for d in demo.depots)
    stocks = tuple(replace(s, park_id=park_id) for s in demo.stocks)
    count = rows - len(depots) - len(stocks)
    units = tuple(replace(demo.units[i % len(demo.units)], park_id=park_id, unit_id=f"bulk-{i:05d}", call_sign=f"B{i:05d}") for i in range(count))
    return Inventory(park_id=park_id, depots=depots, units=units, stocks=stocks)


def rows_with_bad(inventory: Inventory) -> list[pb.InventoryRow]:
    """The inventory's rows with every tenth row made bad (an unknown type for units, a negative amount for stocks)."""
    rows = mapping.inventory_rows(inventory)
    for index in range(0, len(rows), BAD_SHARE):
        row = rows[index]
        which = row.WhichOneof("item")
        if which == "unit":
            row.unit.resource_type = "TELEPORTER"
        elif which == "stock":
            row.stock.on_hand = -1
        elif which == "depot":
            row.depot.location.latitude = 123.0
    return rows


async def _reader(stub: pb_grpc.ResourceServiceStub, metadata: Any, stop: asyncio.Event) -> list[float]:
    """Read one snapshot page after another until stopped; return each read's seconds."""
    times: list[float] = []
    while not stop.is_set():
        started = time.perf_counter()
        await stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(page_size=100), metadata=metadata, timeout=600)
        times.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)
    return times


async def _timed(stub: pb_grpc.ResourceServiceStub, metadata: Any, request: pb.ImportInventoryRequest) -> dict[str, Any]:
    """One import with a concurrent reader: its seconds, outcome and the reader's latencies."""
    stop = asyncio.Event()
    reader = asyncio.create_task(_reader(stub, metadata, stop))
    started = time.perf_counter()
    outcome: dict[str, Any]
    try:
        reply = await stub.ImportInventory(request, metadata=metadata, timeout=1800)
        outcome = {"code": "OK", "created": reply.units_created + reply.depots_created + reply.stocks_received, "updated": reply.updated}
        outcome["unchanged"] = reply.unchanged
    except grpc.aio.AioRpcError as error:
        outcome = {"code": error.code().name}
    elapsed = time.perf_counter() - started
    stop.set()
    reads = await reader
    return {
        "seconds": round(elapsed, 2),
        **outcome,
        "concurrent_reads": len(reads),
        "read_median_s": round(statistics.median(reads), 4) if reads else None,
        "read_max_s": round(max(reads), 4) if reads else None,
    }


async def measure(stub: pb_grpc.ResourceServiceStub, metadata: Any, request_size_limit: int) -> dict[str, Any]:
    """Create two parks and time the three imports."""
    template = build_demo().parks[0]
    for park_id in ("bulk-good", "bulk-bad"):
        park = replace(template, park_id=park_id, display_name=f"{park_id} (bench)")
        await stub.CreatePark(pb.CreateParkRequest(request_id=f"bench-park-{park_id}", park_id=park_id, park=mapping.park_for_create(park)), metadata=metadata)
    good_rows = mapping.inventory_rows(big_inventory("bulk-good"))
    good = pb.ImportInventoryRequest(request_id="bench-import-50k-good", parent="parks/bulk-good", rows=good_rows)
    bad = pb.ImportInventoryRequest(request_id="bench-import-50k-bad", parent="parks/bulk-bad", rows=rows_with_bad(big_inventory("bulk-bad")))
    dry = pb.ImportInventoryRequest(request_id="bench-import-50k-dry", parent="parks/bulk-good", rows=good_rows, upsert=True, validate_only=True)
    figures = {
        "rows": ROWS,
        "request_bytes": good.ByteSize(),
        "request_limit_bytes": request_size_limit,
        "good": await _timed(stub, metadata, good),
        "ten_percent_bad": await _timed(stub, metadata, bad),
        "dry_run_upsert_unchanged": await _timed(stub, metadata, dry),
    }
    return figures
