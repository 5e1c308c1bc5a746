"""Domain requests written as contract messages, for driving the service with generated worlds."""

from __future__ import annotations

from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as pb

from services.dispatch.model import DispatchRequest, GeoPoint, Options, Strategy


def point(p: GeoPoint) -> common_pb2.GeoPoint:
    """A contract point."""
    return common_pb2.GeoPoint(latitude=p.lat, longitude=p.lon)


def options(o: Options) -> pb.PlanOptions:
    """Contract options with the same meaning."""
    return pb.PlanOptions(
        strategy=pb.PlanOptions.STRATEGY_GREEDY if o.strategy == Strategy.GREEDY else pb.PlanOptions.STRATEGY_OPTIMAL,
        time_limit_s=o.time_limit_s,
        relative_gap=o.relative_gap,
        workers=o.num_workers,
        random_seed=o.random_seed,
        reassignment_penalty_s=o.move_penalty_s if o.allow_move_committed else -1.0,
        allow_reserve_breach=o.allow_reserve_dip,
    )


def request_message(request: DispatchRequest) -> pb.OptimizePlanRequest:
    """The contract form of a domain request (built-in travel model without speed factors)."""
    message = pb.OptimizePlanRequest(
        incidents=[
            pb.PlanIncident(
                id=i.id,
                location=point(i.location),
                severity_weight=i.severity_weight,
                park_id=i.park_id or "",
                report_time_unix_s=round(i.reported_at_s),
                demands=[
                    common_pb2.ResourceDemand(
                        resource_type=d.resource_type,
                        quantity=d.quantity,
                        needed_within_minutes=int(d.needed_within_min or 0),
                        required_capabilities=list(d.required_capabilities),
                    )
                    for d in i.demands
                ],
            )
            for i in request.incidents
        ],
        units=[
            pb.PlanUnit(
                id=u.id,
                resource_type=u.resource_type,
                capabilities=list(u.capabilities),
                position=point(u.position),
                park_id=u.home_park or "",
                depot_id=u.home_depot or "",
                vehicle_class=u.vehicle_class,
                committed_incident_id=u.committed_to or "",
            )
            for u in request.units
        ],
        stocks=[
            pb.PlanStock(depot_id=s.depot_id, resource_type=s.resource_type, amount=s.amount, position=point(s.position), park_id=s.park_id or "")
            for s in request.stocks
        ],
        reserves=[pb.PlanReserve(park_id=r.park_id, resource_type=r.resource_type, minimum=r.minimum) for r in request.policies.reserves],
        mutual_aid=[
            pb.PlanMutualAid(
                lender_park_id=a.lender_park, borrower_park_id=a.borrower_park, resource_types=list(a.resource_types), max_travel_minutes=a.max_travel_min
            )
            for a in request.policies.agreements
        ],
        road_restrictions=[
            pb.RoadRestriction(center=point(c.center), radius_m=c.radius_m, delay_s=c.delay_s, closed=c.closed) for c in request.travel_model.conditions
        ],
        options=options(request.options),
        shared_depot_ids=list(request.shared_depots),
    )
    m = request.travel_matrices
    if m is not None:
        col = {iid: n for n, iid in enumerate(m.incident_ids)}
        unit_row = {uid: n for n, uid in enumerate(m.unit_ids)}
        depot_row = {did: n for n, did in enumerate(m.depot_ids)}
        for u in request.units:
            row = m.unit_seconds[unit_row[u.id]]
            message.travel_matrix.unit_seconds.extend(float(row[col[i.id]]) for i in request.incidents)
        for s in request.stocks:
            row = m.depot_seconds[depot_row[s.depot_id]]
            message.travel_matrix.stock_seconds.extend(float(row[col[i.id]]) for i in request.incidents)
    return message


def _at(lat: float, lon: float) -> common_pb2.GeoPoint:
    return common_pb2.GeoPoint(latitude=lat, longitude=lon)


def small_request() -> pb.OptimizePlanRequest:
    """Two parks, two incidents; I1 has two pumper lines, one of which needs a water curtain.

    Park A keeps its one hazmat team at home (reserve 1), so B's own, farther team serves I2.
    """
    return pb.OptimizePlanRequest(
        incidents=[
            pb.PlanIncident(
                id="I1",
                location=_at(31.95, 120.20),
                severity_weight=4,
                park_id="A",
                report_time_unix_s=1_700_000_000,
                demands=[
                    common_pb2.ResourceDemand(resource_type="PUMPER_ENGINE", quantity=1, required_capabilities=["water-curtain"]),
                    common_pb2.ResourceDemand(resource_type="PUMPER_ENGINE", quantity=1),
                    common_pb2.ResourceDemand(resource_type="FOAM_AFFF", quantity=500),
                ],
            ),
            pb.PlanIncident(
                id="I2",
                location=_at(31.96, 120.30),
                severity_weight=2,
                park_id="B",
                report_time_unix_s=1_700_000_060,
                demands=[common_pb2.ResourceDemand(resource_type="HAZMAT_TEAM", quantity=1, needed_within_minutes=45)],
            ),
        ],
        units=[
            pb.PlanUnit(id="P1", resource_type="PUMPER_ENGINE", capabilities=["water"], position=_at(31.95, 120.18), park_id="A", vehicle_class="heavy_engine"),
            pb.PlanUnit(
                id="P2",
                resource_type="PUMPER_ENGINE",
                capabilities=["water", "water-curtain"],
                position=_at(31.95, 120.15),
                park_id="A",
                vehicle_class="heavy_engine",
            ),
            pb.PlanUnit(
                id="H1", resource_type="HAZMAT_TEAM", capabilities=["gas-tight-a"], position=_at(31.955, 120.25), park_id="A", vehicle_class="light_vehicle"
            ),
            pb.PlanUnit(id="H2", resource_type="HAZMAT_TEAM", capabilities=["gas-tight-a"], position=_at(31.99, 120.36), park_id="B"),
        ],
        stocks=[pb.PlanStock(depot_id="D1", resource_type="FOAM_AFFF", amount=800, position=_at(31.95, 120.19), park_id="A")],
        reserves=[pb.PlanReserve(park_id="A", resource_type="HAZMAT_TEAM", minimum=1)],
        mutual_aid=[pb.PlanMutualAid(lender_park_id="A", borrower_park_id="B", max_travel_minutes=60)],
        options=pb.PlanOptions(time_limit_s=2.0, reassignment_penalty_s=-1),
    )
