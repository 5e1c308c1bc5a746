"""Small instances against their proven optima: bounds never above them, plans within 1 %."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from services.dispatch.domain import optimise
from services.dispatch.instances import generate
from tests.dispatch.exact_fixtures import OPTIMA, digest, spec_of

ENTRIES: list[dict[str, Any]] = yaml.safe_load(OPTIMA.read_text(encoding="utf-8"))["instances"]


def test_the_fixture_covers_both_sizes_and_the_load_range() -> None:
    proven = [e for e in ENTRIES if e["proven"]]
    assert len(proven) >= 20
    assert {(e["incidents"], e["units"]) for e in proven} == {(5, 200), (10, 400)}
    assert min(e["load"] for e in proven) == 0.8 and max(e["load"] for e in proven) == 1.1


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["proven"]], ids=[e["name"] for e in ENTRIES if e["proven"]])
def test_bound_never_exceeds_the_optimum_and_the_plan_is_within_one_percent(entry: dict[str, Any]) -> None:
    request = generate(spec_of(entry))
    assert digest(request) == entry["digest"], "the instance generator changed: rebuild the fixture"
    response = optimise(request)
    optimum = entry["weighted_completion_s"]
    assert not response.violations
    assert response.objective.weighted_unmet == pytest.approx(entry["weighted_unmet"], abs=1e-6)
    assert response.objective.weighted_units_short == pytest.approx(entry["weighted_units_short"], abs=1e-6)
    assert response.best_bound_s <= optimum + 1e-6
    assert response.objective.weighted_completion_s >= optimum - 1e-6
    assert response.objective.weighted_completion_s <= 1.01 * optimum
