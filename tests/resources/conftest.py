"""Fixtures and factories for the resources service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from emergency.resources.v1 import resources_service_pb2_grpc as pb_grpc

from services.common.catalogue import ParkKind
from services.common.server import RunningServer
from services.resources import registry, stock
from services.resources.domain import Depot, DepotKind, GeoPoint, Park, Stock, Unit
from services.resources.server import build_server
from services.resources.store import ResourceStore
from tests.conftest import service_settings

ACTOR = "test-suite"


@pytest.fixture()
def store(database_url: str) -> Iterator[ResourceStore]:
    """A store on a fresh database (SQLite and PostgreSQL), with the schema created."""
    resource_store = ResourceStore.open(database_url)
    yield resource_store
    resource_store.dispose()


def make_park(park_id: str = "ligang", **overrides: object) -> Park:
    """A valid park."""
    values: dict[str, object] = {"park_id": park_id, "display_name": f"Park {park_id}", "kind": ParkKind.CHEMICAL_PARK, "location": GeoPoint(31.955, 120.09)}
    values.update(overrides)
    return Park(**values)  # type: ignore[arg-type]


def make_depot(park_id: str = "ligang", depot_id: str = "fs1", **overrides: object) -> Depot:
    """A valid depot."""
    values: dict[str, object] = {
        "park_id": park_id,
        "depot_id": depot_id,
        "display_name": f"Depot {depot_id}",
        "kind": DepotKind.FIRE_STATION,
        "location": GeoPoint(31.95, 120.09),
    }
    values.update(overrides)
    return Depot(**values)  # type: ignore[arg-type]


def make_unit(unit_id: str, park_id: str = "ligang", depot_id: str = "fs1", type_code: str = "PUMPER_ENGINE", **overrides: object) -> Unit:
    """A valid unit."""
    values: dict[str, object] = {
        "park_id": park_id,
        "unit_id": unit_id,
        "type": type_code,
        "call_sign": unit_id.upper(),
        "home_depot": depot_id,
        "crew_size": 5,
    }
    values.update(overrides)
    return Unit(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Fleet:
    """What seed_fleet created."""

    park_id: str
    depot_id: str
    unit_ids: tuple[str, ...]
    stock_type: str


def seed_fleet(store: ResourceStore, *, units: int = 3, on_hand: int = 100, minimum: int = 0, park_id: str = "ligang") -> Fleet:
    """One park, one depot, some pumpers and one foam stock."""
    store.write(registry.create_park, park=make_park(park_id), actor=ACTOR)
    store.write(registry.create_depot, depot=make_depot(park_id), actor=ACTOR)
    ids = tuple(f"u{i}" for i in range(units))
    for unit_id in ids:
        store.write(registry.create_unit, unit=make_unit(unit_id, park_id), actor=ACTOR)
    store.write(stock.create_stock, stock=Stock(park_id, "fs1", "FOAM_AFFF", on_hand=on_hand, minimum_level=minimum), actor=ACTOR)
    return Fleet(park_id, "fs1", ids, "FOAM_AFFF")


@dataclass
class ResourcesHarness:
    """A running resources server, a stub to it and its database URL."""

    running: RunningServer
    stub: pb_grpc.ResourceServiceStub
    channel: grpc.aio.Channel
    database_url: str


@pytest_asyncio.fixture()
async def resources(tmp_path: Path, database_url: str, clean_redis: str) -> AsyncIterator[ResourcesHarness]:
    """A resources server on SQLite or PostgreSQL with a private Redis, bound to port 0."""
    settings = service_settings(tmp_path, database_url, clean_redis)
    running, port = await build_server(settings, port=0)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield ResourcesHarness(running, pb_grpc.ResourceServiceStub(channel), channel, database_url)
    finally:
        await channel.close(None)
        await running.stop(1.0)
