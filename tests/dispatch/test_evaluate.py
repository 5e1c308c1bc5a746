"""The evaluator scores hand-made plans and names every broken rule."""

from __future__ import annotations

import pytest

from fixtures.dispatch.codec import plan_from_dict, request_from_dict
from services.dispatch.domain import evaluate_plan
from services.dispatch.model import Assignment, Plan, Shipment

WORLD = {
    "parks": ["A", "B"],
    "incidents": [
        {
            "id": "I1",
            "location": [31.95, 120.2],
            "weight": 4,
            "park": "B",
            "demands": [
                {"type": "PUMPER_ENGINE", "quantity": 2},
                {"type": "HAZMAT_TEAM", "quantity": 1, "capabilities": ["gas-tight-a"]},
                {"type": "FOAM_AFFF", "quantity": 1000},
            ],
        },
        {"id": "I2", "location": [31.95, 120.3], "weight": 1, "park": "A", "demands": [{"type": "AMBULANCE", "quantity": 1, "needed_within_min": 5}]},
    ],
    "units": [
        {"id": "A1", "type": "PUMPER_ENGINE", "position": [31.95, 120.1], "park": "A"},
        {"id": "A2", "type": "PUMPER_ENGINE", "position": [31.95, 120.1], "park": "A"},
        {"id": "C1", "type": "PUMPER_ENGINE", "position": [31.95, 120.1], "park": "A", "committed_to": "OLD"},
        {"id": "H1", "type": "HAZMAT_TEAM", "position": [31.95, 120.2], "park": "B", "capabilities": []},
        {"id": "M1", "type": "AMBULANCE", "position": [31.95, 120.4], "park": "A"},
        {"id": "X1", "type": "HAZMAT_TEAM", "position": [31.95, 120.2], "park": "A", "capabilities": ["gas-tight-a"]},
    ],
    "stocks": [{"depot": "D1", "type": "FOAM_AFFF", "amount": 500, "position": [31.95, 120.2], "park": "B"}],
    "policies": {
        "reserves": [{"park": "A", "type": "PUMPER_ENGINE", "minimum": 1}],
        "agreements": [{"lender": "A", "borrower": "B", "types": ["PUMPER_ENGINE"], "max_travel_min": 30}],
    },
    "travel": {
        "matrices": {
            "unit_seconds": {
                "A1": {"I1": 600, "I2": 100},
                "A2": {"I1": 600, "I2": 100},
                "C1": {"I1": 500, "I2": 100},
                "H1": {"I1": 60, "I2": 900},
                "M1": {"I1": 900, "I2": 600},
                "X1": {"I1": 200, "I2": 900},
            },
            "depot_seconds": {"D1": {"I1": 300, "I2": 900}},
        }
    },
}


def _codes(plan: Plan) -> list[str]:
    return sorted(v.code for v in evaluate_plan(request_from_dict(WORLD), plan).violations)


def test_clean_plan_scores_by_hand() -> None:
    plan = plan_from_dict(
        {
            "assignments": [{"unit": "A1", "incident": "I1", "demand": 0}],
            "shipments": [{"depot": "D1", "incident": "I1", "demand": 2, "type": "FOAM_AFFF", "amount": 500}],
        }
    )
    result = evaluate_plan(request_from_dict(WORLD), plan)
    assert result.feasible
    # I1: pumpers 1 of 2 short (0.5), hazmat 1 of 1 (1.0), foam 500 of 1000 (0.5) at weight 4; I2: 1 at weight 1.
    assert result.objective.weighted_unmet == pytest.approx(4 * (0.5 + 1.0 + 0.5) + 1.0)
    assert result.objective.weighted_completion_s == pytest.approx(4 * (600 + 300))
    assert result.objective.travel_s == pytest.approx(900)


def test_hand_made_plan_with_violations() -> None:
    plan = Plan(
        assignments=(
            Assignment("A1", "I1", 0),
            Assignment("A2", "I1", 0),  # second pumper out of park A: reserve of 1 breached
            Assignment("A1", "I2", 0),  # A1 again
            Assignment("H1", "I1", 1),  # lacks gas-tight-a
            Assignment("X1", "I1", 1),  # park A lends only pumpers to B
            Assignment("M1", "I2", 0),  # 10 min for a 5 min need
            Assignment("C1", "I2", 0),  # ambulance line, pumper unit
            Assignment("GHOST", "I1", 0),
            Assignment("A1", "I9", 0),
        ),
        shipments=(
            Shipment("D1", "I1", 2, "FOAM_AFFF", 800.0),  # holds 500
            Shipment("D9", "I1", 2, "FOAM_AFFF", 10.0),
        ),
    )
    result = evaluate_plan(request_from_dict(WORLD), plan)
    codes = sorted(v.code for v in result.violations)
    assert codes == sorted(
        [
            "RESERVE_BREACHED",
            "UNIT_ASSIGNED_TWICE",
            "CAPABILITY_MISSING",
            "NO_MUTUAL_AID",
            "NEEDED_WITHIN_EXCEEDED",
            "TYPE_MISMATCH",
            "UNKNOWN_UNIT",
            "UNKNOWN_DEMAND",
            "STOCK_EXCEEDED",
            "UNKNOWN_STOCK",
        ]
    )
    by_code = {v.code: v for v in result.violations}
    assert by_code["CAPABILITY_MISSING"].unit_id == "H1" and "H1" in by_code["CAPABILITY_MISSING"].message
    assert by_code["NO_MUTUAL_AID"].unit_id == "X1" and "I1" in by_code["NO_MUTUAL_AID"].message
    assert by_code["STOCK_EXCEEDED"].depot_id == "D1" and "800" in by_code["STOCK_EXCEEDED"].message
    assert "park A" in by_code["RESERVE_BREACHED"].message
    assert by_code["UNIT_ASSIGNED_TWICE"].unit_id == "A1"
    assert not result.feasible


def test_moving_a_committed_unit() -> None:
    plan = Plan(assignments=(Assignment("C1", "I1", 0),))
    assert _codes(plan) == ["COMMITTED_MOVED"]


def test_travel_limit_of_agreement() -> None:
    world = {**WORLD, "policies": {"agreements": [{"lender": "A", "borrower": "B", "max_travel_min": 5}]}}
    plan = Plan(assignments=(Assignment("A1", "I1", 0),))
    result = evaluate_plan(request_from_dict(world), plan)
    assert [v.code for v in result.violations] == ["AID_TRAVEL_LIMIT"]
