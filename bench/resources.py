"""Resources benchmark through gRPC: a 5,000-unit availability snapshot, and reserve+confirm throughput.

Run from the repository root: `.venv/bin/python -m bench.resources [--database-url URL] [--seconds N]`.
Starts a private redis-server and the resources service as a child process (SQLite under a temporary folder
unless a PostgreSQL URL is given), loads 5,000 units of the scaled Jiangyin demo fleet through ImportInventory,
then measures; last, ImportInventory of 50,000 rows (good, 10 % bad, dry-run upsert; bench/importing.py).
Writes bench/results/resources.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
from emergency.resources.v1 import resources_service_pb2 as pb
from emergency.resources.v1 import resources_service_pb2_grpc as pb_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from rich.console import Console
from rich.table import Table

from bench import importing
from fixtures.resources.demo import DemoDataset, build_demo
from services.common.auth import Role, mint_token
from services.common.client import bearer
from services.common.local import free_port
from services.common.names import PARK
from services.common.settings import DEVELOPMENT_JWT_SECRET, load_settings
from services.resources import mapping

RESULTS = Path(__file__).resolve().parent / "results" / "resources.json"
FLEET = 5000
CLIENTS = 8
SNAPSHOT_RUNS = 15
OPTIONS = [("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.max_send_message_length", 64 * 1024 * 1024)]


def fleet_of(size: int) -> DemoDataset:
    """The demo data set scaled up, then cut to exactly `size` units (the cut falls on the last parks' lists)."""
    data = build_demo(fleet_scale=size // len(build_demo().units()) + 1)
    keep = size
    inventories = []
    for inventory in data.inventories:
        units = inventory.units[: max(keep, 0)]
        keep -= len(units)
        inventories.append(replace(inventory, units=units))
    cut = replace(data, inventories=tuple(inventories))
    assert len(cut.units()) == size
    return cut


class Stack:
    """A private redis-server and a resources service process, stopped on exit."""

    def __init__(self, database_url: str) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-resources-"))
        self.port = free_port()
        redis_port = free_port()
        self.redis = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        env = {
            **os.environ,
            "DATA_DIR": str(self.workdir),
            "DATABASE_URL": database_url or f"sqlite:///{self.workdir / 'resources.db'}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "RESOURCES_PORT": str(self.port),
            "METRICS_PORT": "0",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "text",
        }
        self.service = subprocess.Popen(
            [sys.executable, "-m", "services.resources.server"], env=env, stdout=subprocess.DEVNULL, stderr=(self.workdir / "service.log").open("w")
        )

    @property
    def address(self) -> str:
        """Where the service listens."""
        return f"127.0.0.1:{self.port}"

    async def wait_serving(self, timeout_s: float = 60.0) -> None:
        """Wait for the service's health check to report SERVING."""
        deadline = time.monotonic() + timeout_s
        async with grpc.aio.insecure_channel(self.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                try:
                    reply = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1.0)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.aio.AioRpcError:
                    pass
                if self.service.poll() is not None:
                    raise RuntimeError(f"the resources service exited; see {self.workdir / 'service.log'}")
                await asyncio.sleep(0.2)
        raise TimeoutError("the resources service did not become healthy")

    def stop(self) -> None:
        """SIGTERM the service (graceful), then stop Redis and remove the folder."""
        self.service.send_signal(signal.SIGTERM)
        try:
            self.service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.service.kill()
        self.redis.terminate()
        self.redis.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


async def load(stub: pb_grpc.ResourceServiceStub, metadata: Any, data: DemoDataset) -> float:
    """Register the parks and import every inventory; return the seconds it took."""
    started = time.perf_counter()
    for park in data.parks:
        await stub.CreatePark(
            pb.CreateParkRequest(request_id=f"bench-park-{park.park_id}", park_id=park.park_id, park=mapping.park_for_create(park)), metadata=metadata
        )
    for inventory in data.inventories:
        rows = mapping.inventory_rows(inventory)
        await stub.ImportInventory(
            pb.ImportInventoryRequest(request_id=f"bench-import-{inventory.park_id}", parent=PARK.format(inventory.park_id), rows=rows), metadata=metadata
        )
    return time.perf_counter() - started


async def snapshot_times(stub: pb_grpc.ResourceServiceStub, metadata: Any, runs: int) -> tuple[list[float], int]:
    """Seconds to fetch the whole live snapshot (one 5,000-unit page), per run, and the units seen."""
    times, units = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        token, units = "", 0
        while True:
            page = await stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(page_size=FLEET, page_token=token), metadata=metadata)
            units += len(page.units)
            token = page.next_page_token
            if not token:
                break
        times.append(time.perf_counter() - started)
    return times, units


async def client(address: str, metadata: Any, units: list[pb.AvailableUnit], stock: str, stop_at: float, number: int) -> tuple[int, int]:
    """One client: reserve a unit and 1 unit of its depot's stock, confirm, repeat until time is up; (pairs, refusals)."""
    done = refused = 0
    async with grpc.aio.insecure_channel(address, options=OPTIONS) as channel:
        stub = pb_grpc.ResourceServiceStub(channel)
        for index, available in enumerate(units):
            if time.perf_counter() >= stop_at:
                break
            unit = available.unit
            try:
                held = await stub.ReserveResources(
                    pb.ReserveResourcesRequest(
                        request_id=f"bench-r-{number}-{index}",
                        incident=f"incidents/bench-{number}",
                        units=[pb.UnitHold(unit=unit.name, version=unit.version)],
                        stocks=[pb.StockHold(stock=stock, amount=1)],
                        ttl_seconds=120,
                    ),
                    metadata=metadata,
                )
                await stub.ConfirmReservation(
                    pb.ConfirmReservationRequest(request_id=f"bench-c-{number}-{index}", name=held.reservation.name), metadata=metadata
                )
                done += 1
            except grpc.aio.AioRpcError as error:
                if error.code() not in (grpc.StatusCode.ABORTED, grpc.StatusCode.FAILED_PRECONDITION):
                    raise
                refused += 1
    return done, refused


async def throughput(stub: pb_grpc.ResourceServiceStub, address: str, metadata: Any, seconds: float) -> dict[str, Any]:
    """8 concurrent clients, each on its own channel, over disjoint units and their own stock rows."""
    snap = await stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(page_size=FLEET), metadata=metadata)
    stocks = [s.stock.name for s in snap.stocks if s.available >= 1000]
    lanes: list[list[pb.AvailableUnit]] = [[] for _ in range(CLIENTS)]
    for index, unit in enumerate(snap.units):
        lanes[index % CLIENTS].append(unit)
    started = time.perf_counter()
    results = await asyncio.gather(*(client(address, metadata, lanes[i], stocks[i % len(stocks)], started + seconds, i) for i in range(CLIENTS)))
    elapsed = time.perf_counter() - started
    pairs = sum(r[0] for r in results)
    return {"pairs": pairs, "refused": sum(r[1] for r in results), "elapsed_s": elapsed, "per_s": pairs / elapsed}


async def run(database_url: str, seconds: float) -> dict[str, Any]:
    """Start the stack, load the fleet and measure."""
    stack = Stack(database_url)
    try:
        await stack.wait_serving()
        metadata = bearer(mint_token(DEVELOPMENT_JWT_SECRET, subject="bench-operator", role=Role.OPERATOR, ttl_s=3600))
        async with grpc.aio.insecure_channel(stack.address, options=OPTIONS) as channel:
            stub = pb_grpc.ResourceServiceStub(channel)
            load_s = await load(stub, metadata, fleet_of(FLEET))
            await snapshot_times(stub, metadata, 2)  # warm caches and the connection
            times, units = await snapshot_times(stub, metadata, SNAPSHOT_RUNS)
            rate = await throughput(stub, stack.address, metadata, seconds)
            bulk_import = await importing.measure(stub, metadata, load_settings().max_bulk_request_bytes)
    finally:
        stack.stop()
    return {
        "snapshot_5000_units_s": round(statistics.median(times), 4),
        "reserve_confirm_per_s": round(rate["per_s"], 1),
        "snapshot_units": units,
        "snapshot_runs": SNAPSHOT_RUNS,
        "snapshot_min_s": round(min(times), 4),
        "snapshot_max_s": round(max(times), 4),
        "reserve_confirm_clients": CLIENTS,
        "reserve_confirm_pairs": rate["pairs"],
        "reserve_confirm_refused": rate["refused"],
        "reserve_confirm_elapsed_s": round(rate["elapsed_s"], 2),
        "import_5000_units_s": round(load_s, 2),
        "import_50000_rows": bulk_import,
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
    }


def main() -> None:
    """Parse arguments, run, write and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL of an empty database; default: SQLite in a temporary folder")
    parser.add_argument("--seconds", type=float, default=10.0, help="How long the reserve+confirm clients run")
    args = parser.parse_args()
    result = asyncio.run(run(args.database_url, args.seconds))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    table = Table(title="resources service through gRPC")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key, str(value))
    Console().print(table)


if __name__ == "__main__":
    main()
