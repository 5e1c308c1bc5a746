"""Contract messages to domain types: defaults, field paths, matrices, plan addressing, cancellation."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from emergency.dispatch.v1 import dispatch_service_pb2 as pb

from fixtures.dispatch.instances import InstanceSpec, generate
from services.dispatch.cancel import Cancellation
from services.dispatch.domain import evaluate_plan, optimise
from services.dispatch.mapping import proto_field, to_plan, to_request
from services.dispatch.model import DispatchResponse, Strategy
from services.dispatch.problem import build_problem
from services.dispatch.servicer import solver_seconds
from tests.dispatch.protos import small_request


@pytest.mark.parametrize(
    ("domain", "contract"),
    [
        ("incidents[3].location.lat", "incidents[3].location.latitude"),
        ("units[0].position.lon", "units[0].position.longitude"),
        ("incidents[0].demands[2].needed_within_min", "incidents[0].demands[2].needed_within_minutes"),
        ("units[4].home_park", "units[4].park_id"),
        ("policies.reserves[1].minimum", "reserves[1].minimum"),
        ("policies.agreements[0].lender_park", "mutual_aid[0].lender_park_id"),
        ("policies.agreements[2].max_travel_min", "mutual_aid[2].max_travel_minutes"),
        ("policies.agreements[2]", "mutual_aid[2]"),
        ("travel_model.conditions[1].center.lat", "road_restrictions[1].center.latitude"),
        ("travel_matrices.unit_seconds[3]", "travel_matrix.unit_seconds"),
        ("options.num_workers", "options.workers"),
        ("options.move_penalty_s", "options.reassignment_penalty_s"),
        ("shared_depots[0]", "shared_depot_ids[0]"),
        ("incidents[1].demands[0].quantity", "incidents[1].demands[0].quantity"),
    ],
)
def test_domain_paths_are_named_as_in_the_contract(domain: str, contract: str) -> None:
    assert proto_field(domain) == contract


def test_unset_fields_take_the_contract_defaults() -> None:
    message = small_request()
    message.ClearField("options")
    message.units[3].vehicle_class = ""
    request, violations = to_request(message)
    assert not violations
    o = request.options
    assert (o.strategy, o.time_limit_s, o.num_workers, o.relative_gap) == (Strategy.OPTIMAL, 5.0, 2, 0.0)
    # reassignment_penalty_s 0 (unset) allows moving committed units, at no cost.
    assert o.allow_move_committed and o.move_penalty_s == 0
    assert not o.allow_reserve_dip
    assert request.parks == ("A", "B")
    assert request.units[3].vehicle_class == "MEDIUM"
    assert request.units[0].home_depot is None and request.units[0].committed_to is None
    assert request.incidents[0].demands[0].needed_within_min is None
    assert request.incidents[1].demands[0].needed_within_min == 45.0
    assert request.incidents[0].demands[0].required_capabilities == ("water-curtain",)


@pytest.mark.parametrize(("penalty", "allowed", "cost"), [(-1.0, False, 0.0), (0.0, True, 0.0), (600.0, True, 600.0)])
def test_reassignment_penalty(penalty: float, allowed: bool, cost: float) -> None:
    message = small_request()
    message.options.reassignment_penalty_s = penalty
    message.options.allow_reserve_breach = True
    request, _ = to_request(message)
    assert request.options.allow_move_committed is allowed
    assert request.options.allow_reserve_dip
    if allowed:
        assert request.options.move_penalty_s == cost


def test_matrices_are_row_major_in_request_order_and_one_row_per_depot() -> None:
    message = small_request()
    message.stocks.append(pb.PlanStock(depot_id="D1", resource_type="FOAM_AR_AFFF", amount=300, park_id="A"))
    message.stocks.append(pb.PlanStock(depot_id="D2", resource_type="FOAM_AFFF", amount=300, park_id="B"))
    units = [float(10 * u + i + 1) for u in range(4) for i in range(2)]
    message.travel_matrix.unit_seconds.extend(units)
    message.travel_matrix.stock_seconds.extend([100.0, 200.0, 100.0, 200.0, 300.0, 400.0])
    for unit in message.units:
        unit.ClearField("position")
    request, violations = to_request(message)
    assert not violations
    travel = build_problem(request).travel
    assert travel.unit_s.tolist() == np.array(units).reshape(4, 2).tolist()
    assert travel.depot_ids == ("D1", "D2")
    assert travel.depot_s.tolist() == [[100, 200], [300, 400]]


def test_entries_are_placed_on_the_line_they_are_eligible_for() -> None:
    request, _ = to_request(small_request())
    plan = to_plan(
        request,
        pb.Plan(
            assignments=[
                pb.UnitAssignment(unit_id="P2", incident_id="I1"),
                pb.UnitAssignment(unit_id="P1", incident_id="I1", resource_type="PUMPER_ENGINE"),
                pb.UnitAssignment(unit_id="H2", incident_id="I1"),
            ],
            shipments=[pb.Shipment(depot_id="D1", incident_id="I1", resource_type="FOAM_AFFF", amount=500)],
        ),
    )
    # P2 has the water curtain: line 0 needs one, so P2 fills it and P1 the plain line 1.
    assert [(a.unit_id, a.demand_index) for a in plan.assignments] == [("P2", 0), ("P1", 1), ("H2", -1)]
    assert plan.shipments[0].demand_index == 2
    evaluation = evaluate_plan(request, plan)
    assert [v.code for v in evaluation.violations] == ["UNKNOWN_DEMAND"]
    assert "no demand line of that type" in evaluation.violations[0].message
    reversed_plan = to_plan(
        request, pb.Plan(assignments=[pb.UnitAssignment(unit_id="P1", incident_id="I1"), pb.UnitAssignment(unit_id="P2", incident_id="I1")])
    )
    assert [(a.unit_id, a.demand_index) for a in reversed_plan.assignments] == [("P1", 1), ("P2", 0)]


def test_solver_time_is_capped_by_the_deadline() -> None:
    assert solver_seconds(5.0, None) == 5.0
    assert solver_seconds(5.0, 30.0) == 5.0
    assert solver_seconds(60.0, 10.0) == pytest.approx(8.0)
    assert solver_seconds(60.0, 1.0) == pytest.approx(0.75)
    assert solver_seconds(5.0, 0.1) == pytest.approx(0.05)


def test_cancelling_stops_a_long_solve_with_a_valid_plan() -> None:
    request = generate(InstanceSpec("cancel", incidents=20, units=1000, seed=3, load=0.95, reserve_fraction=0.2, time_limit_s=60.0))
    cancel = Cancellation()
    first = threading.Event()
    result: list[DispatchResponse] = []

    def run() -> None:
        result.append(optimise(request, listener=lambda _: first.set(), cancel=cancel))

    worker = threading.Thread(target=run)
    worker.start()
    assert first.wait(30)
    cancel.cancel()
    # Without the cancellation the solve would run its full 60 s.
    worker.join(30)
    assert not worker.is_alive()
    assert not result[0].violations
    assert result[0].objective.key() <= result[0].baseline.key()  # type: ignore[union-attr]
