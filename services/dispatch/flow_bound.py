"""A lower bound on severity-weighted completion time, valid for the unpruned model.

For a line with quantity q, the arrival of its last unit is at least the mean arrival of what it
gets (sum of eta / q per unit) and at least g(m), the lower convex envelope of "arrival of the
m-th nearest eligible unit" for the m units it gets. Any mix a*mean + (1-a)*g(m) is below the
true completion time; both parts are arc costs of a min-cost flow (g through convex
piecewise-linear arcs that only delivered units take: the shortage arc bypasses them, so a line
left short pays the envelope of what it gets, not of its full quantity). Reserves are relaxed (a gated group may use its capacity on both
sides of the gate) and the unmet tier is priced by a Lagrange multiplier L:
  bound = (min_flow [S * completion_relaxed + L * unmet] - L * best_unmet) / S.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable

from services.dispatch.flow_network import SINK, SOURCE, FlowNetwork
from services.dispatch.problem import NOT_COMMITTED, Problem

SCALE = 8
MIXES = (0.0, 0.3, 1.0)
MAX_COST = 2**52
BISECTIONS = 10


def _hull(points: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Lower convex hull of points sorted by x, starting at the first point."""
    hull: list[tuple[int, float]] = []
    for p in points:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (y2 - y1) * (p[0] - x1) >= (p[1] - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append(p)
    return hull


def _envelope(problem: Problem, index: int) -> list[tuple[int, float]]:
    """(capacity, slope) segments of the convex lower envelope of the m-th arrival, up to q."""
    line = problem.lines[index]
    c = problem.candidates[index]
    points: list[tuple[int, float]] = [(0, 0.0)]
    before = 0
    for eta, cap in zip(c.eta.tolist(), c.cap.tolist(), strict=True):
        if before + 1 > line.quantity:
            break
        if not points or points[-1][0] != before + 1:
            points.append((before + 1, float(eta)))
        before += cap
    if points[-1][0] < line.quantity and len(points) > 1:
        points.append((line.quantity, points[-1][1]))
    hull = _hull(points)
    return [(x2 - x1, (y2 - y1) / (x2 - x1)) for (x1, y1), (x2, y2) in itertools.pairwise(hull)]


class CompletionBound:
    """Reusable network for the Lagrangian flow bound."""

    def __init__(self, problem: Problem, unmet_coef: list[int], weight_scale: int) -> None:
        self.problem = problem
        self.unmet_coef = unmet_coef
        self.wscale = weight_scale
        self.envelopes = [_envelope(problem, line.index) for line in problem.lines]
        self.t_max = 1 + max((int(c.eta.max()) for c in problem.candidates if len(c.eta)), default=0)
        self.gate_of_source = self._exact_gates()

    def _exact_gates(self) -> dict[int, int]:
        """Gate of each source whose gated arcs are all its arcs (exact); other gates are relaxed away."""
        p = self.problem
        if p.request.options.allow_reserve_dip:
            return {}
        mixed: set[int] = set()
        gate_of: dict[int, int] = {}
        for c in p.candidates:
            for src, gate in zip(c.src.tolist(), c.gate.tolist(), strict=True):
                s = p.sources[src]
                home_gate = p.gate_of.get((s.park, s.resource_type)) if s.committed == NOT_COMMITTED else None
                if home_gate is None:
                    continue
                if gate < 0:
                    mixed.add(home_gate)
                gate_of[src] = home_gate
        return {src: g for src, g in gate_of.items() if g not in mixed}

    def _solve(self, mix: float, lam: float) -> tuple[float, int] | None:
        p = self.problem
        net = FlowNetwork()

        def arc(t: int, h: int, cap: int, cost: float) -> int:
            return net.arc(t, h, cap, math.floor(min(cost, MAX_COST)))

        # Units enter a line at line_in and pay the arrival envelope on the way to line_out; the
        # shortage goes straight to line_out, so a line left short pays only for what it gets.
        line_in = [net.node() for _ in p.lines]
        line_out = [net.node() for _ in p.lines]
        total = 0
        short_arcs: list[int] = []
        for line in p.lines:
            w = line.weight * self.wscale * SCALE
            used = 0
            for cap, slope in self.envelopes[line.index]:
                arc(line_in[line.index], line_out[line.index], cap, (1 - mix) * w * slope)
                used += cap
            if used < line.quantity:
                arc(line_in[line.index], line_out[line.index], line.quantity - used, 0)
            short_arcs.append(arc(SOURCE, line_out[line.index], line.quantity, lam * self.unmet_coef[line.index]))
            arc(line_out[line.index], SINK, line.quantity, 0)
            total += line.quantity
        src_node: dict[int, int] = {}
        gate_node: dict[int, int] = {}
        for line in p.lines:
            c = p.candidates[line.index]
            for src in c.src.tolist():
                if src in src_node:
                    continue
                src_node[src] = net.node()
                tight = self.gate_of_source.get(src)
                if tight is not None:
                    if tight not in gate_node:
                        gate_node[tight] = net.node()
                        arc(SOURCE, gate_node[tight], p.gates[tight].capacity, 0)
                    arc(gate_node[tight], src_node[src], p.sources[src].capacity, 0)
                else:
                    arc(SOURCE, src_node[src], p.sources[src].capacity, 0)
        for line in p.lines:
            c = p.candidates[line.index]
            w = line.weight * self.wscale * SCALE
            for src, eta, cap in zip(c.src.tolist(), c.eta.tolist(), c.cap.tolist(), strict=True):
                arc(src_node[src], line_in[line.index], cap, mix * w * eta / line.quantity)
        smcf = net.solve(total)
        if not net.optimal:
            return None
        unmet = sum(f * self.unmet_coef[n] for n, f in enumerate(net.flows(smcf, short_arcs)))
        return float(smcf.optimal_cost()), unmet

    def bound(self, best_unmet: int, deadline_s: float | None = None, stop: Callable[[], bool] = lambda: False, unmet_proven: bool = False) -> float:
        """Best bound (weight-scaled seconds): bisection on the multiplier for each mix.

        When best_unmet is the proven minimum, no flow can leave less unmet, so the dual function
        only grows with the multiplier: the largest multiplier is tried first, and when its flow
        meets best_unmet exactly that is the mix's best bound in one solve.
        """
        ratios = [self.unmet_coef[line.index] / (line.weight * self.wscale) for line in self.problem.lines if self.unmet_coef[line.index] > 0]
        if not ratios:
            return 0.0
        base = SCALE * self.t_max / min(ratios)
        best = 0.0
        for mix in MIXES:
            lo, hi = math.log(base) - 20.0, math.log(base) + 4.0
            if unmet_proven:
                if stop() or (deadline_s is not None and time.perf_counter() > deadline_s):
                    return max(0.0, best)
                solved = self._solve(mix, math.exp(hi))
                if solved is not None:
                    best = max(best, (solved[0] - math.exp(hi) * best_unmet) / SCALE)
                    if solved[1] <= best_unmet:
                        continue
            for _ in range(BISECTIONS):
                if stop() or (deadline_s is not None and time.perf_counter() > deadline_s):
                    return max(0.0, best)
                lam = math.exp((lo + hi) / 2)
                solved = self._solve(mix, lam)
                if solved is None:
                    break
                value, unmet = solved
                best = max(best, (value - lam * best_unmet) / SCALE)
                if unmet > best_unmet:
                    lo = math.log(lam)
                elif unmet < best_unmet:
                    hi = math.log(lam)
                else:
                    break
        return max(0.0, best)
