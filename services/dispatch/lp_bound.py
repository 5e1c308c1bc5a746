"""Lower bounds from LP relaxations of the full model (every eligible candidate, nothing pruned).

Unmet demand: the LP of the first tier (counts, source capacities, reserve gates) is a transport
problem with side constraints; HiGHS solves it in milliseconds, its value can prove CP-SAT's first
stage optimal, and when its solution is whole it is an optimal first-stage plan.

Completion time: the LP is the CP-SAT model's own relaxation, built over every eligible candidate (so
the bound holds for the request): counts x, shortages u, the staircase z_k with suffix sums s_k,
the links x <= cap z_step and s_k <= q z_k, the cover cuts (q - W_k) z_k + u >= q - W_k, source
capacities, reserve gates (dropped when reserve dips are allowed) and the unmet tier held at its
best value. HiGHS solves it with the dual simplex within a time limit; without an optimal LP there
is no bound (0). CP-SAT's own bound on this model stays far below this LP value, so the LP is solved
directly.

Each bound is read from the LP's dual values by weak duality (y.b + sum of min(0, reduced cost) x
upper bound, with the reduced costs recomputed from the data), so solver tolerances cannot
overstate it: any dual values give a valid bound, the optimal ones the LP value.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linprog

from services.dispatch.flow_conversion import Flows
from services.dispatch.problem import Problem

OBJECTIVE_SCALE = 1000.0


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


class Lp:
    """Variables with bounds, objective coefficients and integrality (for the MIP form)."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.le = _Rows()
        self.eq = _Rows()
        # Count variable -> (line, source) it sends.
        self.pairs: dict[int, tuple[int, int]] = {}
        self.shortages: list[int] = []

    def var(self, upper: float, cost: float = 0.0, integer: bool = False) -> int:
        """A new variable in [0, upper]."""
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1


def _line(lp: Lp, problem: Problem, index: int, weight: int, by_source: dict[int, list[int]], by_gate: dict[int, list[int]]) -> int:
    """Add one line's variables and constraints; return its shortage variable."""
    line = problem.lines[index]
    c = problem.candidates[index]
    q = line.quantity
    u = lp.var(q, integer=True)
    xs_at: dict[int, list[tuple[int, int]]] = {}
    for src, eta, gate, cap in zip(c.src.tolist(), c.eta.tolist(), c.gate.tolist(), c.cap.tolist(), strict=True):
        x = lp.var(cap, integer=True)
        lp.pairs[x] = (index, src)
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
        z = lp.var(1.0, weight * (t - previous) / OBJECTIVE_SCALE, integer=True)
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


def _capacity_rows(lp: Lp, problem: Problem, by_source: dict[int, list[int]], by_gate: dict[int, list[int]]) -> None:
    """Source capacities (where the counts could exceed them) and reserve gates (unless dips are allowed)."""
    for src, xs in by_source.items():
        if sum(lp.upper[x] for x in xs) > problem.sources[src].capacity:
            lp.le.add([(x, 1.0) for x in xs], float(problem.sources[src].capacity))
    if not problem.request.options.allow_reserve_dip:
        for g, xs in by_gate.items():
            lp.le.add([(x, 1.0) for x in xs], float(problem.gates[g].capacity))


def short_coefficients(problem: Problem, weight_scale: int) -> list[int]:
    """Coefficient of one unit short of each line in the tie-break of the unmet tier."""
    return [round(line.weight * weight_scale) for line in problem.lines]


def completion_lp(problem: Problem, unmet_coef: list[int], weight_scale: int, best_unmet: int | None, best_short: int | None = None) -> Lp:
    """The last-arrival model over every candidate; with best_unmet (and best_short), the unmet tier
    (and its tie-break, weighted units short) is held at most there."""
    lp = Lp()
    by_source: dict[int, list[int]] = {}
    by_gate: dict[int, list[int]] = {}
    shortages = [_line(lp, problem, line.index, round(line.weight * weight_scale), by_source, by_gate) for line in problem.lines]
    _capacity_rows(lp, problem, by_source, by_gate)
    lp.shortages = shortages
    if best_unmet is not None:
        scale = float(max(unmet_coef, default=1) or 1)
        lp.le.add([(u, coef / scale) for u, coef in zip(shortages, unmet_coef, strict=True)], best_unmet / scale)
    if best_short is not None:
        weights = short_coefficients(problem, weight_scale)
        scale = float(max(weights, default=1) or 1)
        lp.le.add([(u, w / scale) for u, w in zip(shortages, weights, strict=True)], best_short / scale)
    return lp


def lp_completion_bound(problem: Problem, unmet_coef: list[int], weight_scale: int, best_unmet: int, time_limit_s: float) -> float:
    """Lower bound (weight-scaled seconds) on completion over plans with unmet at most best_unmet; 0 if none."""
    if not problem.lines or time_limit_s <= 0:
        return 0.0
    lp = completion_lp(problem, unmet_coef, weight_scale, best_unmet)
    solved = _solve(lp, time_limit_s)
    return 0.0 if solved is None else max(0.0, solved[0] * OBJECTIVE_SCALE)


def _solve(lp: Lp, time_limit_s: float) -> tuple[float, npt.NDArray[np.float64]] | None:
    """Dual bound (in the LP's cost units) and primal values, or None without an optimal LP."""
    columns = len(lp.cost)
    cost = np.array(lp.cost)
    upper = np.array(lp.upper, dtype=np.float64)
    a_ub, b_ub = lp.le.matrix(columns), np.array(lp.le.rhs)
    a_eq, b_eq = (lp.eq.matrix(columns), np.array(lp.eq.rhs)) if lp.eq.rhs else (None, None)
    result = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=np.column_stack([np.zeros(columns), upper]),
        method="highs-ds",
        options={"time_limit": time_limit_s},
    )
    if result.status != 0 or getattr(result, "ineqlin", None) is None:
        return None
    y = np.minimum(np.asarray(result.ineqlin.marginals, dtype=np.float64), 0.0)
    reduced = cost - a_ub.T @ y
    bound = float(y @ b_ub)
    if a_eq is not None and b_eq is not None:
        w = np.asarray(result.eqlin.marginals, dtype=np.float64)
        reduced -= a_eq.T @ w
        bound += float(w @ b_eq)
    bound += float(np.minimum(reduced, 0.0) @ upper)
    return (bound, np.asarray(result.x, dtype=np.float64)) if math.isfinite(bound) else None


def lp_unmet(problem: Problem, unmet_coef: list[int], time_limit_s: float, held: tuple[list[int], int] | None = None) -> tuple[float, Flows | None]:
    """Lower bound on the unmet tier (model units; 0 if none) and the LP's plan when it is whole.

    With `held` = (coefficients, value), another unmet measure is held at most at that value (the
    unmet tier when this LP bounds its tie-break, weighted units short).
    """
    lp = Lp()
    held_terms: list[tuple[int, float]] = []
    held_total = 0.0
    scale = float(max(unmet_coef, default=1) or 1)
    by_source: dict[int, list[int]] = {}
    by_gate: dict[int, list[int]] = {}
    pairs: list[tuple[int, int]] = []
    total = 0.0
    for line in problem.lines:
        c = problem.candidates[line.index]
        total += unmet_coef[line.index] * line.quantity
        if held is not None:
            held_total += held[0][line.index] * line.quantity
        xs = []
        for src, gate, cap in zip(c.src.tolist(), c.gate.tolist(), c.cap.tolist(), strict=True):
            x = lp.var(cap, -unmet_coef[line.index] / scale)
            if held is not None:
                held_terms.append((x, -held[0][line.index]))
            xs.append(x)
            pairs.append((line.index, src))
            by_source.setdefault(src, []).append(x)
            if gate >= 0:
                by_gate.setdefault(gate, []).append(x)
        if xs:
            lp.le.add([(x, 1.0) for x in xs], float(line.quantity))
    if not pairs or time_limit_s <= 0:
        return (total if not pairs else 0.0), None
    _capacity_rows(lp, problem, by_source, by_gate)
    if held is not None:
        # held_total - sum(coef x) <= value, scaled to keep the row near 1
        hscale = float(max(held[0], default=1) or 1)
        lp.le.add([(x, c / hscale) for x, c in held_terms], (held[1] - held_total) / hscale)
    solved = _solve(lp, time_limit_s)
    if solved is None:
        return 0.0, None
    bound = max(0.0, total + solved[0] * scale)
    whole = np.round(solved[1])
    if np.abs(solved[1] - whole).max(initial=0.0) > 1e-6:
        return bound, None
    return bound, {pair: int(v) for pair, v in zip(pairs, whole.tolist(), strict=True) if v > 0}
