"""A min-cost-flow network built arc by arc and solved by OR-Tools (the flow plan and the flow bound)."""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

SOURCE, SINK = 0, 1


class FlowNetwork:
    """Arcs (tail, head, capacity, cost) for SimpleMinCostFlow; nodes 0 and 1 are the source and the sink."""

    def __init__(self) -> None:
        self.arcs: list[tuple[int, int, int, int]] = []
        self.nodes = 2
        self.status: int | None = None

    def node(self) -> int:
        """Allocate a node."""
        self.nodes += 1
        return self.nodes - 1

    def arc(self, tail: int, head: int, cap: int, cost: int) -> int:
        """Add an arc (a negative capacity counts as 0) and return its index."""
        self.arcs.append((tail, head, max(0, int(cap)), int(cost)))
        return len(self.arcs) - 1

    def solve(self, total: int) -> min_cost_flow.SimpleMinCostFlow:
        """Send `total` from the source to the sink at least cost; `optimal` tells whether it was done."""
        smcf = min_cost_flow.SimpleMinCostFlow()
        tails, heads, caps, costs = np.array(self.arcs, dtype=np.int64).reshape(-1, 4).T.copy()
        smcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps, costs)
        supplies = np.zeros(self.nodes, dtype=np.int64)
        supplies[SOURCE], supplies[SINK] = total, -total
        smcf.set_nodes_supplies(np.arange(self.nodes, dtype=np.int32), supplies)
        self.status = smcf.solve()
        return smcf

    @property
    def optimal(self) -> bool:
        """Whether the last solve found an optimal flow."""
        return bool(self.status == min_cost_flow.SimpleMinCostFlow.OPTIMAL)

    def flows(self, smcf: min_cost_flow.SimpleMinCostFlow, arcs: list[int]) -> list[int]:
        """The flow on each of the given arcs."""
        return [int(f) for f in smcf.flows(np.array(arcs, dtype=np.int32))] if arcs else []
