"""Every scenario fixture, solved optimally and greedily, must have the properties it lists."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from services.dispatch.domain import evaluate_plan, optimise
from services.dispatch.model import DispatchResponse, Evaluation, SolveStatus, Strategy
from tests.dispatch.conftest import SCENARIOS, load_scenario, with_options

FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_there_are_enough_scenarios() -> None:
    assert len(FILES) >= 12


def _completion_by_incident(evaluation: Evaluation) -> dict[str, float]:
    served: dict[str, float] = {}
    for line in evaluation.lines:
        if line.delivered > 0:
            served[line.incident_id] = max(line.completion_s, served.get(line.incident_id, 0.0))
    return served


def _check_plan(response: DispatchResponse, evaluation: Evaluation, expect: dict[str, Any], request: Any) -> None:
    plan = response.plan
    sent = {a.unit_id: a.incident_id for a in plan.assignments}
    for unit_id, incident_id in expect.get("sent", {}).items():
        assert sent.get(unit_id) == incident_id, f"{unit_id} should go to {incident_id}, plan sends {sent}"
    for unit_id in expect.get("not_sent", []):
        assert unit_id not in sent, f"{unit_id} must not be sent"
    if "units_sent" in expect:
        assert len(plan.assignments) == expect["units_sent"]
    shipped: dict[str, float] = defaultdict(float)
    for s in plan.shipments:
        shipped[s.depot_id] += s.amount
    for depot_id, amount in expect.get("shipped", {}).items():
        assert shipped[depot_id] == pytest.approx(amount)
    if "shipped" in expect:
        assert set(shipped) == set(expect["shipped"])
    unmet = {(line.incident_id, line.demand_index): line.unmet for line in evaluation.lines}
    for item in expect.get("unmet", []):
        assert unmet[(item["incident"], item["demand"])] == pytest.approx(item["quantity"])
    for key, value in unmet.items():
        listed = any((i["incident"], i["demand"]) == key for i in expect.get("unmet", []))
        if not listed and "weighted_unmet" in expect and expect["weighted_unmet"] == 0:
            assert value == 0
    explained = {(e.incident_id, line.demand_index): line.unmet_reason for e in response.explanations for line in e.lines}
    for item in expect.get("unmet_explained", []):
        assert explained[(item["incident"], item["demand"])]
    served = _completion_by_incident(evaluation)
    for first, second in expect.get("served_before", []):
        assert first in served
        assert second not in served or served[first] < served[second]
    for item in expect.get("reserves_hold", []):
        minimum = next(r.minimum for r in request.policies.reserves if r.park_id == item["park"] and r.resource_type == item["type"])
        home = [u for u in request.units if u.home_park == item["park"] and u.resource_type == item["type"] and u.committed_to is None and u.id not in sent]
        assert len(home) >= minimum


def _check_objective(evaluation: Evaluation, expect: dict[str, Any]) -> None:
    obj = evaluation.objective
    for name in ("weighted_unmet", "weighted_completion_s", "travel_s", "reshuffle_s", "reserve_dip_s"):
        if name in expect:
            assert getattr(obj, name) == pytest.approx(expect[name], rel=1e-6, abs=1e-6), name


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario(path: Path) -> None:
    request, expect = load_scenario(path)
    request = with_options(request, time_limit_s=3.0)
    response = optimise(request)
    evaluation = evaluate_plan(request, response.plan)
    assert not evaluation.violations, evaluation.violations
    assert response.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert evaluation.objective == response.objective
    _check_objective(evaluation, expect)
    _check_plan(response, evaluation, expect, request)
    greedy = optimise(with_options(request, strategy=Strategy.GREEDY))
    greedy_eval = evaluate_plan(request, greedy.plan)
    assert not greedy_eval.violations, greedy_eval.violations
    assert evaluation.objective.key() <= greedy_eval.objective.key()
    if "min_gain_over_greedy" in expect:
        assert evaluation.objective.weighted_unmet <= greedy_eval.objective.weighted_unmet + 1e-9
        g = greedy_eval.objective.weighted_completion_s
        gain = (g - evaluation.objective.weighted_completion_s) / g
        assert gain >= expect["min_gain_over_greedy"]
