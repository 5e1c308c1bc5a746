"""The streaming variant yields strictly improving plans and ends with the final response."""

from __future__ import annotations

import itertools

from fixtures.dispatch.instances import InstanceSpec, generate
from services.dispatch.domain import optimise_stream


async def test_stream_improves_and_ends_with_final() -> None:
    request = generate(InstanceSpec("stream", incidents=8, units=300, seed=4, load=1.0, time_limit_s=2.0))
    items = [item async for item, _ in optimise_stream(request)]
    assert len(items) >= 2
    keys = [item.objective.key() for item in items[:-1]]
    assert all(later < earlier for earlier, later in itertools.pairwise(keys))
    final = items[-1]
    assert final.explanations
    assert final.objective.key() <= keys[-1]
    assert not final.violations
