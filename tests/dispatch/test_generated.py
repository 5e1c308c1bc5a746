"""On generated instances the optimiser keeps every hard constraint and never loses to greedy."""

from __future__ import annotations

import pytest

from fixtures.dispatch.instances import InstanceSpec, generate, load_of
from services.dispatch.cpmodel import DispatchModel
from services.dispatch.domain import evaluate_plan, optimise
from services.dispatch.evaluate import evaluate
from services.dispatch.flow_bound import CompletionBound
from services.dispatch.flow_conversion import from_plan, to_plan
from services.dispatch.flow_plan import flow_flows
from services.dispatch.model import SolveStatus, Strategy
from services.dispatch.problem import build_problem
from services.dispatch.prune import prune
from tests.dispatch.conftest import with_options

SPECS = [
    InstanceSpec("plain", 5, 200, seed=1, load=0.6),
    InstanceSpec("reserves", 6, 250, seed=2, load=0.9, reserve_fraction=0.2),
    InstanceSpec("standard", 6, 250, seed=3, load=1.1, reserve_fraction=0.1, response_standard_min=15),
    InstanceSpec("tight", 8, 300, seed=5, load=1.1, reserve_fraction=0.2, clusters=1),
]


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_optimal_is_feasible_and_no_worse_than_greedy(spec: InstanceSpec) -> None:
    # A limit with room for a loaded machine: these instances are proven long before it, so it costs nothing when idle.
    request = with_options(generate(spec), time_limit_s=10.0)
    response = optimise(request)
    assert response.status is not SolveStatus.FALLBACK
    evaluation = evaluate_plan(request, response.plan)
    assert not evaluation.violations
    greedy = optimise(with_options(request, strategy=Strategy.GREEDY))
    greedy_eval = evaluate_plan(request, greedy.plan)
    assert not greedy_eval.violations
    assert evaluation.objective.key() <= greedy_eval.objective.key()
    assert 0 <= response.best_bound_s <= response.objective.weighted_completion_s + 1e-6
    assert 0 <= response.relative_gap <= 1


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_flow_plan_is_feasible(spec: InstanceSpec) -> None:
    request = generate(spec)
    problem = build_problem(request)
    plan = to_plan(problem, flow_flows(problem))
    assert not evaluate(request, plan, problem).violations


def test_generator_is_seeded_and_hits_its_load() -> None:
    spec = InstanceSpec("load", 10, 500, seed=7, load=0.8)
    assert generate(spec) == generate(spec)
    assert load_of(generate(spec)) == pytest.approx(0.8, abs=0.1)


def test_reserve_dip_option_changes_only_what_it_should() -> None:
    spec = InstanceSpec("dip", 6, 250, seed=2, load=1.1, reserve_fraction=0.2, clusters=1)
    strict = with_options(generate(spec), time_limit_s=1.0)
    loose = with_options(strict, allow_reserve_dip=True)
    a, b = optimise(strict), optimise(loose)
    assert b.objective.weighted_unmet <= a.objective.weighted_unmet + 1e-9
    assert not evaluate_plan(strict, a.plan).violations
    assert not evaluate_plan(loose, b.plan).violations


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flow_bound_never_exceeds_a_proven_optimum(seed: int) -> None:
    spec = InstanceSpec("bound", 4, 150, seed=seed, load=0.9, reserve_fraction=0.1)
    request = with_options(generate(spec), time_limit_s=5.0)
    response = optimise(request)
    problem = build_problem(request)
    dm = DispatchModel(problem, prune(problem))
    values = dm.hint_values(from_plan(problem, response.plan))
    bound = CompletionBound(problem, dm.unmet_coef, dm.wscale).bound(dm.unmet.value(values))
    assert 0 < bound / dm.wscale <= response.objective.weighted_completion_s + 1e-6
    if response.status is SolveStatus.OPTIMAL:
        assert response.best_bound_s == pytest.approx(response.objective.weighted_completion_s)
