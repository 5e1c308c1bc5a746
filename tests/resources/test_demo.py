"""The Jiangyin demo data set: content, placement, determinism, and a clean import."""

from __future__ import annotations

from collections import Counter

from fixtures.resources.demo import build_demo, distance_km, is_south_of_river, load_demo
from services.common.catalogue import ParkKind, load_catalogue
from services.resources import store_snapshot
from services.resources.domain import DepotKind
from services.resources.store import ResourceStore

EXPECTED_PARKS = {
    "ligang": (31.955, 120.090, ParkKind.CHEMICAL_PARK),
    "shengang": (31.925, 120.175, ParkKind.CHEMICAL_PARK),
    "xiagang": (31.935, 120.225, ParkKind.CHEMICAL_PARK),
    "bridge-port": (31.94, 120.27, ParkKind.PORT_AND_JETTIES),
    "hitech-east": (31.90, 120.33, ParkKind.HIGH_TECH),
}


def test_parks_are_where_the_brief_puts_them() -> None:
    data = build_demo()
    parks = {p.park_id: p for p in data.parks}
    for park_id, (lat, lon, kind) in EXPECTED_PARKS.items():
        assert abs(parks[park_id].location.latitude - lat) < 0.002
        assert abs(parks[park_id].location.longitude - lon) < 0.002
        assert parks[park_id].kind is kind
        assert len(parks[park_id].boundary) >= 3


def test_sizes_and_types() -> None:
    data = build_demo()
    catalogue = load_catalogue()
    assert len(data.parks) >= 5
    assert len(data.depots()) >= 15
    assert len(data.units()) >= 300
    assert len({s.type for s in data.stocks()}) >= 10
    assert {d.kind for d in data.depots()} == set(DepotKind)
    assert all(catalogue.is_unit(u.type) for u in data.units())
    assert all(catalogue.is_consumable(s.type) for s in data.stocks())
    assert len({(u.park_id, u.unit_id) for u in data.units()}) == len(data.units())
    types = Counter(u.type for u in data.units())
    assert set(types) == set(catalogue.unit_codes()), "every unit type occurs"


def test_shared_rescue_base_and_plausible_placement() -> None:
    data = build_demo()
    shared = [d for d in data.depots() if d.shared]
    assert [(d.depot_id, d.kind) for d in shared] == [("riverside-base", DepotKind.RESCUE_BASE)]
    centres = {p.park_id: p.location for p in data.parks}
    depots = {(d.park_id, d.depot_id): d for d in data.depots()}
    for depot in data.depots():
        assert is_south_of_river(depot.location), depot.depot_id
        assert distance_km(depot.location, centres[depot.park_id]) < 4.0, depot.depot_id
    for unit in data.units():
        assert unit.position is not None and is_south_of_river(unit.position)
        assert distance_km(unit.position, depots[(unit.park_id, unit.home_depot)].location) < 0.1
    vessels = [u for u in data.units() if u.type in ("FIREBOAT", "OIL_SPILL_VESSEL")]
    assert vessels and all(u.park_id in ("ligang", "bridge-port") for u in vessels)


def test_policies_and_mutual_aid_between_neighbours() -> None:
    data = build_demo()
    pairs = {(a.lender_park, a.borrower_park) for inv in data.inventories for a in inv.mutual_aid}
    assert ("ligang", "shengang") in pairs and ("shengang", "ligang") in pairs
    assert ("xiagang", "bridge-port") in pairs and ("bridge-port", "xiagang") in pairs
    assert ("ligang", "hitech-east") not in pairs, "only neighbours lend to each other"
    for inv in data.inventories:
        assert inv.reserve_policies, inv.park_id
        assert all(a.lender_park == inv.park_id and 0 < a.max_travel_minutes <= 90 for a in inv.mutual_aid)


def test_seeded_and_deterministic() -> None:
    assert build_demo(7) == build_demo(7)
    assert build_demo(7) != build_demo(8)
    assert len(build_demo(fleet_scale=3).units()) > 3 * 250


def test_imports_cleanly(store: ResourceStore) -> None:
    data = build_demo()
    summaries = load_demo(store, data)
    assert sum(s.units for s in summaries) == len(data.units())
    snap = store.read(store_snapshot.availability, size=10_000)
    assert snap.total_units == len(data.units()) == len(snap.units)
    assert len(snap.depots) == len(data.depots()) and len(snap.parks) == len(data.parks)
    assert sum(s.available for s in snap.stocks) == sum(s.on_hand for s in data.stocks())
    assert len(snap.mutual_aid) == sum(len(inv.mutual_aid) for inv in data.inventories)
