"""With explicit matrices, single-unit demands of one type and equal weights, the plan is a minimum-cost assignment."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from services.dispatch.domain import optimise
from services.dispatch.model import Demand, DispatchRequest, GeoPoint, Incident, Options, Strategy, TravelMatrices, Unit
from tests.dispatch.conftest import with_options

SIZE = 60


def _request(costs: np.ndarray) -> DispatchRequest:
    here = GeoPoint(31.95, 120.1)
    incidents = tuple(Incident(f"I{j}", here, 1.0, (Demand("AMBULANCE", 1),), park_id="A") for j in range(costs.shape[1]))
    units = tuple(Unit(f"U{i}", "AMBULANCE", here, ("medical",), home_park="A") for i in range(costs.shape[0]))
    matrices = TravelMatrices(
        incident_ids=tuple(i.id for i in incidents), unit_ids=tuple(u.id for u in units), unit_seconds=tuple(tuple(float(v) for v in row) for row in costs)
    )
    return DispatchRequest(
        incidents=incidents, units=units, parks=("A",), travel_matrices=matrices, options=Options(time_limit_s=10.0, num_workers=2, random_seed=1)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_plan_is_minimum_cost_assignment(seed: int) -> None:
    rng = np.random.default_rng(seed)
    costs = rng.integers(60, 3600, size=(SIZE, SIZE))
    rows, cols = linear_sum_assignment(costs)
    best = int(costs[rows, cols].sum())
    response = optimise(_request(costs))
    assert response.objective.weighted_unmet == 0
    assert response.objective.weighted_completion_s == best
    # Greedy nearest-first is clearly worse on such matrices, so the match is not a coincidence.
    greedy = optimise(with_options(_request(costs), strategy=Strategy.GREEDY))
    assert greedy.objective.weighted_completion_s > best
    used = {a.unit_id for a in response.plan.assignments}
    assert len(used) == SIZE
