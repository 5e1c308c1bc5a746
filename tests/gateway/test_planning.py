"""From a snapshot and incidents to a dispatch request, and from a plan to reservations."""

from __future__ import annotations

from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.planning import FORBID_MOVING_COMMITTED, World, build_request, holds_from_plan, plan_options, slice_for, unit_versions


def _unit(park: str, unit_id: str, resource_type: str, *, version: int = 3, incident: str = "", depot: str = "d1") -> rpb.AvailableUnit:
    return rpb.AvailableUnit(
        unit=rpb.Unit(
            name=f"parks/{park}/units/{unit_id}",
            resource_type=resource_type,
            park_id=park,
            home_depot_id=depot,
            version=version,
            incident=incident,
            capabilities=["gas-tight-a"],
            position=common_pb2.GeoPoint(latitude=31.9, longitude=120.1),
        ),
        home_location=common_pb2.GeoPoint(latitude=31.91, longitude=120.11),
        vehicle_class="light_vehicle",
    )


def _incident(name: str, *demands: tuple[str, float]) -> ipb.Incident:
    incident = ipb.Incident(
        name=name,
        park_id="ligang",
        severity_weight=4,
        location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=31.95, longitude=120.09)),
        demands=[common_pb2.ResourceDemand(resource_type=t, quantity=q) for t, q in demands],
    )
    incident.create_time.FromSeconds(1_700_000_000)
    return incident


def _world() -> World:
    world = World()
    world.add_page(
        rpb.GetAvailabilitySnapshotResponse(
            snapshot_version=41,
            units=[_unit("ligang", "hz-1", "HAZMAT_TEAM"), _unit("ligang", "pe-1", "PUMPER_ENGINE")],
            stocks=[
                rpb.AvailableStock(
                    stock=rpb.Stock(name="parks/ligang/depots/base/stocks/GAS_TIGHT_SUIT_A", resource_type="GAS_TIGHT_SUIT_A"),
                    available=12,
                    park_id="ligang",
                    shared=True,
                ),
                rpb.AvailableStock(
                    stock=rpb.Stock(name="parks/ligang/depots/d1/stocks/GAS_TIGHT_SUIT_A", resource_type="GAS_TIGHT_SUIT_A"), available=0, park_id="ligang"
                ),
                rpb.AvailableStock(stock=rpb.Stock(name="parks/ligang/depots/d1/stocks/FOAM_AFFF", resource_type="FOAM_AFFF"), available=500, park_id="ligang"),
            ],
            reserve_policies=[
                rpb.ReservePolicy(park_id="ligang", resource_type="HAZMAT_TEAM", minimum=1),
                rpb.ReservePolicy(park_id="ligang", resource_type="FOAM_AFFF", minimum=100),
            ],
            agreements=[rpb.MutualAidAgreement(lender_park_id="shengang", borrower_park_id="ligang", max_travel_minutes=30)],
            next_page_token="more",
        )
    )
    world.add_page(
        rpb.GetAvailabilitySnapshotResponse(
            snapshot_version=41,
            units=[_unit("shengang", "hz-2", "HAZMAT_TEAM", version=7)],
            committed_units=[
                _unit("ligang", "hz-9", "HAZMAT_TEAM", incident="incidents/inc-a"),
                _unit("ligang", "hz-8", "HAZMAT_TEAM", incident="incidents/other"),
            ],
        )
    )
    return world


def test_request_keeps_only_what_the_incidents_ask_for() -> None:
    world = _world()
    request = build_request(world, [_incident("incidents/inc-a", ("HAZMAT_TEAM", 2), ("GAS_TIGHT_SUIT_A", 4))], plan_options(None, time_limit_s=1.5, workers=2))
    unit_ids = [u.id for u in request.units]
    assert unit_ids == ["parks/ligang/units/hz-1", "parks/shengang/units/hz-2", "parks/ligang/units/hz-9"]
    committed = {u.id: u.committed_incident_id for u in request.units}
    assert committed["parks/ligang/units/hz-9"] == "incidents/inc-a" and committed["parks/ligang/units/hz-1"] == ""
    assert [(s.depot_id, s.amount) for s in request.stocks] == [("parks/ligang/depots/base", 12)]  # empty stock and other types left out
    assert list(request.shared_depot_ids) == ["parks/ligang/depots/base"]
    assert [(r.park_id, r.resource_type) for r in request.reserves] == [("ligang", "HAZMAT_TEAM")]
    assert len(request.mutual_aid) == 1
    assert request.incidents[0].id == "incidents/inc-a" and request.incidents[0].report_time_unix_s == 1_700_000_000
    assert request.units[0].depot_id == "parks/ligang/depots/d1" and request.units[0].vehicle_class == "light_vehicle"


def test_incidents_without_demands_are_not_sent() -> None:
    request = build_request(
        _world(), [_incident("incidents/inc-a", ("HAZMAT_TEAM", 1)), _incident("incidents/inc-b")], plan_options(None, time_limit_s=1, workers=1)
    )
    assert [i.id for i in request.incidents] == ["incidents/inc-a"]


def test_options_fill_defaults_and_never_move_committed_units() -> None:
    chosen = plan_options(dpb.PlanOptions(time_limit_s=0, reassignment_penalty_s=120, allow_reserve_breach=True), time_limit_s=2.0, workers=2)
    assert chosen.time_limit_s == 2.0 and chosen.workers == 2 and chosen.allow_reserve_breach
    assert chosen.reassignment_penalty_s == FORBID_MOVING_COMMITTED
    kept = plan_options(dpb.PlanOptions(time_limit_s=5, workers=1), time_limit_s=2.0, workers=2)
    assert kept.time_limit_s == 5 and kept.workers == 1


def test_holds_name_the_versions_the_plan_saw_and_skip_committed_units() -> None:
    world = _world()
    plan = dpb.Plan(
        assignments=[
            dpb.UnitAssignment(unit_id="parks/shengang/units/hz-2", incident_id="incidents/inc-a", eta_s=600),
            dpb.UnitAssignment(unit_id="parks/ligang/units/hz-9", incident_id="incidents/inc-a", eta_s=60),
            dpb.UnitAssignment(unit_id="parks/ligang/units/hz-1", incident_id="incidents/inc-b", eta_s=300),
        ],
        shipments=[
            dpb.Shipment(depot_id="parks/ligang/depots/base", incident_id="incidents/inc-a", resource_type="GAS_TIGHT_SUIT_A", amount=3),
            dpb.Shipment(depot_id="parks/ligang/depots/base", incident_id="incidents/inc-a", resource_type="GAS_TIGHT_SUIT_A", amount=1),
        ],
        unmet=[dpb.UnmetDemand(incident_id="incidents/inc-b", resource_type="HAZMAT_TEAM", quantity=1)],
    )
    holds = {h.incident: h for h in holds_from_plan(plan, unit_versions(world))}
    a = holds["incidents/inc-a"]
    assert [(u.unit, u.version) for u in a.units] == [("parks/shengang/units/hz-2", 7)]
    assert [(s.stock, s.amount, s.version) for s in a.stocks] == [("parks/ligang/depots/base/stocks/GAS_TIGHT_SUIT_A", 4, 0)]
    assert [(u.unit, u.version) for u in holds["incidents/inc-b"].units] == [("parks/ligang/units/hz-1", 3)]
    part = slice_for(plan, "incidents/inc-b")
    assert len(part.assignments) == 1 and len(part.unmet) == 1 and not part.shipments


def test_a_plan_of_committed_units_only_holds_nothing() -> None:
    plan = dpb.Plan(assignments=[dpb.UnitAssignment(unit_id="parks/ligang/units/hz-9", incident_id="incidents/inc-a")])
    (hold,) = holds_from_plan(plan, unit_versions(_world()))
    assert hold.empty
