"""A lower bound on severity-weighted completion time from the LP relaxation of the full model.

The LP is the CP-SAT model's own relaxation, built over every eligible candidate (nothing pruned,
so the bound holds for the request): counts x, shortages u, the staircase z_k with suffix sums s_k,
the links x <= cap z_step and s_k <= q z_k, the cover cuts (q - W_k) z_k + u >= q - W_k, source
capacities, reserve gates (dropped when reserve dips are allowed) and the unmet tier held at its
best value. HiGHS solves it with the dual simplex within a time limit; without an optimal LP there
is no bound (0). CP-SAT's own bound on this model stays far below the LP value, because its LP does
not carry the unmet budget well (large coefficients); solving the LP directly recovers it.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from services.dispatch.problem import Problem

OBJECTIVE_SCALE = 1000.0
# HiGHS works to a 1e-7 tolerance: keep a relative margin so float noise never overstates the bound.
SAFETY = 1e-6


class _Rows:
    """Sparse rows of one constraint family (<= or ==)."""

    def __init__(self) -> None:
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.rhs: list[float] = []

    def add(self, terms: list[tuple[int, float]], rhs: float) -> None:
        """Append the row sum(coef * var) (<= or ==) rhs."""
        row = len(self.rhs)
        for var, coef in terms:
            self.r.append(row)
            self.c.append(var)
            self.v.append(coef)
        self.rhs.append(rhs)

    def matrix(self, columns: int) -> sp.csr_matrix:
        """The rows as a CSR matrix."""
        return sp.csr_matrix((self.v, (self.r, self.c)), shape=(len(self.rhs), columns))


class _Lp:
    """Variables with bounds and objective coefficients."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.le = _Rows()
        self.eq = _Rows()

    def var(self, upper: float, cost: float = 0.0) -> int:
        """A new variable in [0, upper]."""
        self.cost.append(cost)
        self.upper.append(upper)
        return len(self.cost) - 1


def _line(lp: _Lp, problem: Problem, index: int, weight: int, by_source: dict[int, list[int]], by_gate: dict[int, list[int]]) -> int:
    """Add one line's variables and constraints; return its shortage variable."""
    line = problem.lines[index]
    c = problem.candidates[index]
    q = line.quantity
    u = lp.var(q)
    xs_at: dict[int, list[tuple[int, int]]] = {}
    for src, eta, gate, cap in zip(c.src.tolist(), c.eta.tolist(), c.gate.tolist(), c.cap.tolist(), strict=True):
        x = lp.var(cap)
        xs_at.setdefault(eta, []).append((x, cap))
        by_source.setdefault(src, []).append(x)
        if gate >= 0:
            by_gate.setdefault(gate, []).append(x)
    lp.eq.add([(x, 1.0) for group in xs_at.values() for x, _ in group] + [(u, 1.0)], float(q))
    times = sorted(xs_at)
    zs: list[int] = []
    previous = 0
    within = 0
    for t in times:
        z = lp.var(1.0, weight * (t - previous) / OBJECTIVE_SCALE)
        previous = t
        if zs:
            lp.le.add([(z, 1.0), (zs[-1], -1.0)], 0.0)
        if within < q:
            lp.le.add([(z, -float(q - within)), (u, -1.0)], -float(q - within))
        for x, cap in xs_at[t]:
            lp.le.add([(x, 1.0), (z, -float(cap))], 0.0)
            within += cap
        zs.append(z)
    following: int | None = None
    for t, z in zip(reversed(times), reversed(zs), strict=True):
        s = lp.var(q)
        terms = [(s, 1.0)] + [(x, -1.0) for x, _ in xs_at[t]]
        if following is not None:
            terms.append((following, -1.0))
        lp.eq.add(terms, 0.0)
        lp.le.add([(s, 1.0), (z, -float(q))], 0.0)
        following = s
    return u


def lp_completion_bound(problem: Problem, unmet_coef: list[int], weight_scale: int, best_unmet: int, time_limit_s: float) -> float:
    """Lower bound (weight-scaled seconds) on completion over plans with unmet at most best_unmet; 0 if none."""
    if not problem.lines or time_limit_s <= 0:
        return 0.0
    lp = _Lp()
    by_source: dict[int, list[int]] = {}
    by_gate: dict[int, list[int]] = {}
    shortages = [_line(lp, problem, line.index, round(line.weight * weight_scale), by_source, by_gate) for line in problem.lines]
    for src, xs in by_source.items():
        if sum(lp.upper[x] for x in xs) > problem.sources[src].capacity:
            lp.le.add([(x, 1.0) for x in xs], float(problem.sources[src].capacity))
    if not problem.request.options.allow_reserve_dip:
        for g, xs in by_gate.items():
            lp.le.add([(x, 1.0) for x in xs], float(problem.gates[g].capacity))
    scale = float(max(unmet_coef, default=1) or 1)
    lp.le.add([(u, coef / scale) for u, coef in zip(shortages, unmet_coef, strict=True)], best_unmet / scale)
    columns = len(lp.cost)
    result = linprog(
        np.array(lp.cost),
        A_ub=lp.le.matrix(columns),
        b_ub=np.array(lp.le.rhs),
        A_eq=lp.eq.matrix(columns),
        b_eq=np.array(lp.eq.rhs),
        bounds=np.column_stack([np.zeros(columns), np.array(lp.upper, dtype=np.float64)]),
        method="highs-ds",
        options={"time_limit": time_limit_s},
    )
    if result.status != 0 or result.fun is None or not math.isfinite(result.fun):
        return 0.0
    return max(0.0, float(result.fun) * OBJECTIVE_SCALE * (1 - SAFETY))
