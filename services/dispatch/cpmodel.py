"""The CP-SAT model: counted assignments, shortages, reserve gates and a staircase per line.

For each line the distinct travel times of its kept candidates t_1 < ... < t_K get Booleans
z_k = "something arriving at t_k or later is used", so the time until the line is complete is
sum_k (t_k - t_(k-1)) z_k. Suffix sums s_k of the counts link them (s_k <= q z_k), each count is
linked to its own step, and a cover cut (q - W_k) z_k + u >= q - W_k (W_k = capacity arriving
before t_k) forces a step whenever the nearer candidates cannot fill the line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from services.common.catalogue import ResourceKind
from services.dispatch.flow_conversion import Flows
from services.dispatch.problem import Problem
from services.dispatch.travel import IntArray

UNMET_RESOLUTION = 10**6


@dataclass
class Terms:
    """A linear expression kept as variable indices and coefficients."""

    index: list[int] = field(default_factory=list)
    coef: list[int] = field(default_factory=list)

    def add(self, var: int, coef: int) -> None:
        """Append one term."""
        if coef:
            self.index.append(var)
            self.coef.append(coef)

    def value(self, values: list[int]) -> int:
        """Evaluate on a full assignment."""
        return sum(c * values[i] for i, c in zip(self.index, self.coef, strict=True))


@dataclass(frozen=True)
class Candidate:
    """One kept (line, source) pair and its variable."""

    line: int
    source: int
    eta: int
    gate: int
    cap: int
    var: int


def weight_scale(problem: Problem) -> int:
    """1 when all severity weights are whole numbers, else 100 (weights become integers)."""
    return 1 if all(float(line.weight).is_integer() for line in problem.lines) else 100


def unmet_multiplier(problem: Problem) -> int:
    """Common multiple of line quantities when small, else a fixed resolution."""
    lcm = 1
    for line in problem.lines:
        lcm = math.lcm(lcm, line.quantity)
        if lcm > UNMET_RESOLUTION:
            return UNMET_RESOLUTION
    return lcm


def unmet_coefficients(problem: Problem) -> list[int]:
    """Objective coefficient of one missing unit (or unit of measure) of each line in the unmet tier."""
    wscale, umult = weight_scale(problem), unmet_multiplier(problem)
    return [round(line.weight * wscale * umult / line.quantity) for line in problem.lines]


class DispatchModel:
    """Builds the model once; objectives are swapped between lexicographic stages."""

    def __init__(self, problem: Problem, kept: list[IntArray]) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.vars: list[cp_model.IntVar] = []
        self.upper: list[int] = []
        self.candidates: list[Candidate] = []
        self.unmet = Terms()
        # Tie-break of the first tier: severity-weighted units short.
        self.short = Terms()
        self.completion = Terms()
        self.tertiary = Terms()
        self.shortage: list[int] = []
        self.unmet_coef: list[int] = []
        self.pruned = any(len(k) < len(c.src) for k, c in zip(kept, problem.candidates, strict=True))
        self.steps: list[list[tuple[int, int, int]]] = []  # per line: (z var, s var, t_k)
        self.trip: dict[int, int] = {}
        self.dip: dict[int, int] = {}
        self.wscale = weight_scale(problem)
        self.umult = unmet_multiplier(problem)
        self.kept = kept
        self.coefficients = unmet_coefficients(problem)
        self._build(kept)

    def _new(self, lo: int, hi: int, name: str) -> int:
        self.vars.append(self.model.new_int_var(lo, hi, name))
        self.upper.append(hi)
        return len(self.vars) - 1

    def _sum(self, terms: Terms) -> cp_model.LinearExprT:
        return cp_model.LinearExpr.weighted_sum([self.vars[i] for i in terms.index], terms.coef)

    def _build(self, kept: list[IntArray]) -> None:
        p = self.problem
        opts = p.request.options
        move_pen = round(opts.move_penalty_s)
        by_source: dict[int, list[int]] = {}
        by_gate: dict[int, list[int]] = {}
        for line in p.lines:
            c = p.candidates[line.index]
            pos = kept[line.index]
            members = []
            for k in pos.tolist():
                src, eta, gate, cap = int(c.src[k]), int(c.eta[k]), int(c.gate[k]), int(c.cap[k])
                var = self._new(0, cap, f"x_{line.index}_{src}")
                cand = Candidate(line.index, src, eta, gate, cap, var)
                self.candidates.append(cand)
                members.append(cand)
                by_source.setdefault(src, []).append(var)
                if gate >= 0:
                    by_gate.setdefault(gate, []).append(var)
                if line.kind is ResourceKind.UNIT:
                    self.tertiary.add(var, eta + (move_pen if bool(c.move[k]) else 0))
                else:
                    trip = self._new(0, 1, f"b_{line.index}_{src}")
                    self.trip[var] = trip
                    self.model.add(self.vars[var] <= cap * self.vars[trip])
                    self.tertiary.add(trip, eta)
            self._line(line.index, members)
        for src, group_vars in by_source.items():
            capacity = p.sources[src].capacity
            if sum(self.upper[v] for v in group_vars) > capacity:
                self.model.add(sum(self.vars[v] for v in group_vars) <= capacity)
        dip_pen = round(opts.reserve_dip_penalty_s)
        for g, gate_vars in by_gate.items():
            reserve = p.gates[g]
            out = sum(self.vars[v] for v in gate_vars)
            if opts.allow_reserve_dip:
                dip = self._new(0, max(0, reserve.home - reserve.capacity), f"dip_{g}")
                self.dip[g] = dip
                self.model.add(out <= reserve.capacity + self.vars[dip])
                self.tertiary.add(dip, dip_pen)
            else:
                self.model.add(out <= reserve.capacity)

    def _line(self, line_index: int, members: list[Candidate]) -> None:
        line = self.problem.lines[line_index]
        q = line.quantity
        u = self._new(0, q, f"u_{line_index}")
        self.shortage.append(u)
        self.model.add(sum(self.vars[c.var] for c in members) + self.vars[u] == q)
        coef = self.coefficients[line_index]
        self.unmet.add(u, coef)
        self.short.add(u, round(line.weight * self.wscale))
        self.unmet_coef.append(coef)
        at: dict[int, list[Candidate]] = {}
        for c in members:
            at.setdefault(c.eta, []).append(c)
        times = sorted(at)
        weight = round(line.weight * self.wscale)
        steps: list[tuple[int, int, int]] = []
        within = 0
        for t in times:
            z = self._new(0, 1, f"z_{line_index}_{t}")
            s = self._new(0, q, f"s_{line_index}_{t}")
            steps.append((z, s, t))
            if within < q:
                self.model.add((q - within) * self.vars[z] + self.vars[u] >= q - within)
            within += sum(c.cap for c in at[t])
            for c in at[t]:
                self.model.add(self.vars[c.var] <= c.cap * self.vars[z])
        previous = 0
        for n, (z, s, t) in enumerate(steps):
            parts = [self.vars[c.var] for c in at[t]]
            if n + 1 < len(steps):
                parts.append(self.vars[steps[n + 1][1]])
            self.model.add(self.vars[s] == cp_model.LinearExpr.sum(parts))
            self.model.add(self.vars[s] <= q * self.vars[z])
            if n > 0:
                self.model.add(self.vars[z] <= self.vars[steps[n - 1][0]])
            self.completion.add(z, weight * (t - previous))
            previous = t
        self.steps.append(steps)

    def objective(self, terms: Terms) -> cp_model.LinearExprT:
        """CP-SAT expression of a term list."""
        return self._sum(terms)

    def hint_values(self, flows: Flows) -> list[int]:
        """Full assignment of every variable that reproduces the given flows."""
        values = [0] * len(self.vars)
        p = self.problem
        per_line: dict[int, list[Candidate]] = {}
        for c in self.candidates:
            amount = min(flows.get((c.line, c.source), 0), c.cap)
            values[c.var] = amount
            if c.var in self.trip:
                values[self.trip[c.var]] = int(amount > 0)
            per_line.setdefault(c.line, []).append(c)
        for line in p.lines:
            members = per_line.get(line.index, [])
            sent = sum(values[c.var] for c in members)
            values[self.shortage[line.index]] = max(0, line.quantity - sent)
            at: dict[int, int] = {}
            for c in members:
                at[c.eta] = at.get(c.eta, 0) + values[c.var]
            beyond = 0
            for z, s, t in reversed(self.steps[line.index]):
                beyond += at.get(t, 0)
                values[s] = beyond
                values[z] = int(beyond > 0)
        gate_out: dict[int, int] = {}
        for c in self.candidates:
            if c.gate >= 0:
                gate_out[c.gate] = gate_out.get(c.gate, 0) + values[c.var]
        for g, dip in self.dip.items():
            values[dip] = max(0, gate_out.get(g, 0) - p.gates[g].capacity)
        return values

    def flows_of(self, values: list[int]) -> Flows:
        """Flows of a full assignment."""
        return {(c.line, c.source): values[c.var] for c in self.candidates if values[c.var] > 0}

    def set_hint(self, values: list[int]) -> None:
        """Hint every variable (written to the proto at once: one call per variable was slow)."""
        self.model.proto.clear_solution_hint()
        hint = self.model.proto.solution_hint
        hint.vars.extend(v.index for v in self.vars)
        hint.values.extend(values)
