"""Small instances against their proven optima: bounds never above them, plans within 1 %.

The optima were solved once with a long limit (tests/dispatch/exact_fixtures.py, HiGHS only). At the
normal limit every bound must stay at or below the optimum and the unmet tier must equal it, always.
The plan must come within 1 % of the optimum when the solve had the CPU the limit is meant for (at
least MIN_CORES cores on average); on an overloaded machine a miss is reported as a skip that names
the CPU the solve got, never as a pass.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import yaml

from fixtures.dispatch.instances import generate
from services.dispatch.domain import optimise
from tests.dispatch.exact_fixtures import OPTIMA, digest, spec_of

ENTRIES: list[dict[str, Any]] = yaml.safe_load(OPTIMA.read_text(encoding="utf-8"))["instances"]
PROVEN = [e for e in ENTRIES if e["proven"]]
MIN_CORES = 0.8


def test_the_fixture_covers_both_sizes_and_the_load_range() -> None:
    assert len(PROVEN) >= 20
    assert {(e["incidents"], e["units"]) for e in PROVEN} == {(5, 200), (10, 400)}
    assert min(e["load"] for e in PROVEN) == 0.8 and max(e["load"] for e in PROVEN) == 1.1


@pytest.mark.parametrize("entry", PROVEN, ids=[e["name"] for e in PROVEN])
def test_bound_never_exceeds_the_optimum_and_the_plan_is_within_one_percent(entry: dict[str, Any]) -> None:
    request = generate(spec_of(entry))
    assert digest(request) == entry["digest"], "the instance generator changed: rebuild the fixture"
    cpu, wall = time.process_time(), time.perf_counter()
    response = optimise(request)
    cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
    optimum = entry["weighted_completion_s"]
    plan = response.objective.weighted_completion_s
    assert not response.violations
    assert response.objective.weighted_unmet == pytest.approx(entry["weighted_unmet"], abs=1e-6)
    assert response.objective.weighted_units_short == pytest.approx(entry["weighted_units_short"], abs=1e-6)
    assert response.best_bound_s <= optimum + 1e-6
    assert plan >= optimum - 1e-6
    if plan > 1.01 * optimum:
        assert cores < MIN_CORES, f"plan {plan:.0f} is {plan / optimum - 1:.1%} above the optimum {optimum:.0f} with {cores:.2f} cores"
        pytest.skip(f"plan {plan / optimum - 1:.1%} above the optimum, but the solve got only {cores:.2f} cores (machine overloaded)")
