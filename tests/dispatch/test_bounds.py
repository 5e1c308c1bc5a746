"""LP bounds hold and are tight where the optimum is known; re-routing keeps unmet demand."""

from __future__ import annotations

import logging
from collections import defaultdict

import pytest

from fixtures.dispatch.codec import request_from_dict
from fixtures.dispatch.instances import InstanceSpec, generate
from services.dispatch.cancel import Cancellation
from services.dispatch.cpmodel import DispatchModel, unmet_coefficients, weight_scale
from services.dispatch.domain import checked_bound, optimise
from services.dispatch.evaluate import evaluate
from services.dispatch.flow_bound import CompletionBound
from services.dispatch.flow_conversion import Flows, from_plan, to_plan
from services.dispatch.flow_plan import flow_flows
from services.dispatch.greedy import greedy_flows
from services.dispatch.lp_bound import lp_completion_bound, lp_unmet
from services.dispatch.model import DispatchRequest, SolveStatus
from services.dispatch.problem import build_problem
from services.dispatch.prune import prune


def _line_totals(flows: Flows) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for (line, _), value in flows.items():
        totals[line] += value
    return dict(totals)


def test_completion_bound_of_a_line_that_must_take_its_far_unit() -> None:
    # Two pumpers are needed and there are two: the line is complete when the far one (300 s) arrives.
    request = request_from_dict(
        {
            "parks": ["A"],
            "incidents": [{"id": "I1", "location": [31.95, 120.2], "weight": 4, "park": "A", "demands": [{"type": "PUMPER_ENGINE", "quantity": 2}]}],
            "units": [
                {"id": "NEAR", "type": "PUMPER_ENGINE", "position": [31.95, 120.21], "park": "A"},
                {"id": "FAR", "type": "PUMPER_ENGINE", "position": [31.95, 120.3], "park": "A"},
            ],
            "travel": {"matrices": {"unit_seconds": {"NEAR": {"I1": 100}, "FAR": {"I1": 300}}}},
        }
    )
    problem = build_problem(request)
    bound = lp_completion_bound(problem, unmet_coefficients(problem), weight_scale(problem), 0, 5.0)
    assert bound == pytest.approx(4 * 300, rel=1e-6)
    # With one pumper allowed to stay missing, the near one alone is the best plan.
    coef = unmet_coefficients(problem)
    relaxed = lp_completion_bound(problem, coef, weight_scale(problem), coef[0], 5.0)
    assert relaxed == pytest.approx(4 * 100, rel=1e-6)


@pytest.mark.parametrize("seed", [2, 3])
def test_completion_bound_is_valid_and_close_where_the_optimum_is_proven(seed: int) -> None:
    request = generate(InstanceSpec("proven", incidents=5, units=200, seed=seed, load=0.9, reserve_fraction=0.1, time_limit_s=10.0))
    response = optimise(request)
    assert response.status is SolveStatus.OPTIMAL
    problem = build_problem(request)
    coef = unmet_coefficients(problem)
    dm = DispatchModel(problem, prune(problem))
    best_unmet = dm.unmet.value(dm.hint_values(from_plan(problem, response.plan)))
    bound = lp_completion_bound(problem, coef, weight_scale(problem), best_unmet, 5.0) / weight_scale(problem)
    optimum = response.objective.weighted_completion_s
    assert bound <= optimum + 1e-6
    assert bound >= 0.8 * optimum


def test_unmet_lp_bounds_every_plan_and_its_whole_plan_is_optimal() -> None:
    request = generate(InstanceSpec("unmet", incidents=12, units=500, seed=6, load=1.05, reserve_fraction=0.15, time_limit_s=3.0))
    problem = build_problem(request)
    dm = DispatchModel(problem, prune(problem))
    bound, plan = lp_unmet(problem, unmet_coefficients(problem), 5.0)
    greedy = dm.unmet.value(dm.hint_values(greedy_flows(problem)))
    assert 0 < bound <= greedy
    assert plan is not None, "the transport LP of this world has a whole optimum"
    assert dm.unmet.value(dm.hint_values(plan)) == pytest.approx(bound, abs=1)
    assert dm.unmet.value(dm.hint_values(plan)) < greedy
    assert not evaluate(request, to_plan(problem, plan), problem).violations


def test_rerouting_keeps_every_line_and_breaks_no_rule() -> None:
    request = generate(InstanceSpec("reroute", incidents=10, units=400, seed=8, load=0.95, reserve_fraction=0.2, time_limit_s=2.0))
    problem = build_problem(request)
    base = greedy_flows(problem)
    rerouted = flow_flows(problem, base)
    assert _line_totals(rerouted) == _line_totals(base)
    before = evaluate(request, to_plan(problem, base), problem)
    after = evaluate(request, to_plan(problem, rerouted), problem)
    assert not after.violations
    assert after.objective.weighted_unmet == pytest.approx(before.objective.weighted_unmet)
    assert rerouted != base


def _one_pumper_two_incidents() -> DispatchRequest:
    """One pumper 100 s from A (needs 2) and B (needs 1): tier 1 sends it to B, completion 100 s."""
    return request_from_dict(
        {
            "parks": ["P"],
            "incidents": [
                {"id": "A", "location": [31.95, 120.2], "weight": 1, "park": "P", "demands": [{"type": "PUMPER_ENGINE", "quantity": 2}]},
                {"id": "B", "location": [31.95, 120.21], "weight": 1, "park": "P", "demands": [{"type": "PUMPER_ENGINE", "quantity": 1}]},
            ],
            "units": [{"id": "P1", "type": "PUMPER_ENGINE", "position": [31.95, 120.3], "park": "P"}],
            "travel": {"matrices": {"unit_seconds": {"P1": {"A": 100, "B": 100}}}},
        }
    )


def test_a_line_left_short_pays_only_for_what_it_gets() -> None:
    request = _one_pumper_two_incidents()
    problem = build_problem(request)
    coef, wscale = unmet_coefficients(problem), weight_scale(problem)
    best_unmet = 2 * coef[0]  # A short of both pumpers, B served
    assert CompletionBound(problem, coef, wscale).bound(best_unmet) <= 100 * wscale
    assert lp_completion_bound(problem, coef, wscale, best_unmet, 5.0) <= 100 * wscale + 1e-6
    response = optimise(request)
    assert [(a.unit_id, a.incident_id) for a in response.plan.assignments] == [("P1", "B")]
    assert response.objective.weighted_completion_s == pytest.approx(100)
    assert 0 < response.best_bound_s <= 100
    assert response.status is SolveStatus.OPTIMAL


def test_a_bound_above_the_plan_is_a_logged_defect_not_a_clip(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="services.dispatch.domain"):
        bound, source, defects = checked_bound({"lp": 90.0, "flow": 120.0, "mip": 95.0}, 100.0)
    assert (bound, source, defects) == (95.0, "mip", ["flow"])
    assert "lower-bound defect: the flow bound 120.000 exceeds the plan's completion 100.000" in caplog.text
    assert checked_bound({"lp": 101.0}, 100.0)[:2] == (0.0, "")


def test_a_plan_no_solver_found_is_labelled_fallback_with_its_source() -> None:
    request = generate(InstanceSpec("fallback", incidents=5, units=200, seed=4, load=0.9))
    cancelled = Cancellation()
    cancelled.cancel()
    response = optimise(request, cancel=cancelled)
    assert response.status is SolveStatus.FALLBACK
    # A decomposed request's plan names each part's heuristic, joined by "+".
    assert set(response.source.split("+")) <= {"flow", "greedy", "lp"}
    assert not response.violations
    assert response.best_bound_s <= response.objective.weighted_completion_s
