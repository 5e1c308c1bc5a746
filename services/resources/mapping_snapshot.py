"""The availability snapshot as a planner reads it: units with their home positions, stock with its depot, on pages."""

from __future__ import annotations

from collections.abc import Sequence

from emergency.resources.v1 import resources_service_pb2 as pb

from services.common.catalogue import load_catalogue
from services.resources.domain import Depot, Detector, Snapshot, Stock, Unit
from services.resources.mapping import agreement_to_pb, park_to_pb, point, policy_to_pb, stock_to_pb, unit_to_pb
from services.resources.mapping_detectors import detector_to_pb


def available_unit_to_pb(unit: Unit, depots: dict[tuple[str, str], Depot]) -> pb.AvailableUnit:
    """A unit as a planner sees it, with its home position and vehicle class."""
    depot = depots.get((unit.park_id, unit.home_depot))
    entry = load_catalogue().get(unit.type)
    return pb.AvailableUnit(unit=unit_to_pb(unit), home_location=point(depot.location if depot else None), vehicle_class=entry.vehicle_class if entry else "")


def available_stock_to_pb(stock: Stock, depots: dict[tuple[str, str], Depot]) -> pb.AvailableStock:
    """Stock as a planner sees it, with the depot's position and whether the depot is shared."""
    depot = depots.get((stock.park_id, stock.depot_id))
    return pb.AvailableStock(
        stock=stock_to_pb(stock, depot.location if depot else None), available=stock.available, park_id=stock.park_id, shared=bool(depot and depot.shared)
    )


def snapshot_to_pb(snap: Snapshot, detectors: Sequence[Detector]) -> pb.GetAvailabilitySnapshotResponse:
    """One page of a snapshot; depots come as the positions of units and stocks, detectors with the first page."""
    depots = {(d.park_id, d.depot_id): d for d in snap.depots}
    return pb.GetAvailabilitySnapshotResponse(
        snapshot_version=snap.version,
        units=[available_unit_to_pb(u, depots) for u in snap.units],
        committed_units=[available_unit_to_pb(u, depots) for u in snap.committed_units],
        stocks=[available_stock_to_pb(s, depots) for s in snap.stocks],
        reserve_policies=[policy_to_pb(p) for p in snap.reserve_policies],
        agreements=[agreement_to_pb(a) for a in snap.mutual_aid],
        parks=[park_to_pb(p) for p in snap.parks],
        next_page_token=snap.next_page_token,
        detectors=[detector_to_pb(d) for d in detectors],
    )
