"""The launcher's demo seeding through the API, and the background expiry sweeper."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from emergency.resources.v1 import resources_service_pb2 as pb

from fixtures.resources.demo import build_demo
from fixtures.resources.demo_detectors import demo_detectors
from services.common.outbox import utcnow
from services.resources import reservations, store_registry, store_reservations
from services.resources.domain import ReservationState, UnitRequest, UnitState
from services.resources.seed import seed_demo
from services.resources.store import ResourceStore
from services.resources.sweeper import ExpirySweeper
from tests.conftest import service_settings

from .conftest import ACTOR, ResourcesHarness, seed_fleet
from .grpc_harness import VIEWER


async def test_seed_demo_loads_everything_once(resources: ResourcesHarness, tmp_path: Path, clean_redis: str) -> None:
    data = build_demo()
    settings = service_settings(tmp_path, resources.database_url, clean_redis, resources_port=resources.running.port)
    summary = await seed_demo(settings)
    assert summary.endswith(
        f"{len(data.parks)} parks, {len(data.depots())} depots, {len(data.units())} units, {len(data.stocks())} stocks, {len(demo_detectors())} detectors, 14 mutual-aid agreements"
    )
    assert await seed_demo(settings) == "demo data: already present"
    snap = await resources.stub.GetAvailabilitySnapshot(pb.GetAvailabilitySnapshotRequest(page_size=10_000), metadata=VIEWER)
    assert len(snap.units) == len(data.units()) and len(snap.parks) == len(data.parks) and len(snap.agreements) == 14
    assert [s.park_id for s in snap.stocks if s.shared] == ["ligang"] * 13
    assert len(snap.detectors) == len(demo_detectors())


async def test_sweeper_expires_what_is_due(store: ResourceStore) -> None:
    seed_fleet(store, units=2)
    past = utcnow() - timedelta(minutes=10)
    due = store.write(reservations.reserve, incident="i/1", units=[UnitRequest("ligang", "u0", 1)], actor=ACTOR, ttl_seconds=60, now=past)
    fresh = store.write(reservations.reserve, incident="i/2", units=[UnitRequest("ligang", "u1", 1)], actor=ACTOR, ttl_seconds=600)
    woken: list[int] = []
    sweeper = ExpirySweeper(store, on_expired=lambda: woken.append(1))
    assert await sweeper.sweep_once() == 1
    assert await sweeper.sweep_once() == 0
    assert woken == [1]
    assert store.read(store_reservations.get_reservation, reservation_id=due.reservation_id).state is ReservationState.EXPIRED
    assert store.read(store_reservations.get_reservation, reservation_id=fresh.reservation_id).state is ReservationState.ACTIVE
    assert store.read(store_registry.get_unit, park_id="ligang", unit_id="u0").state is UnitState.AVAILABLE
