"""The last-arrival model as a MIP, solved by HiGHS through OR-Tools MathOpt.

The MIP is the LP of `lp_bound.completion_lp` with integral counts, shortages and staircase steps: the
same model as CP-SAT's over every candidate. On small requests HiGHS's branch and bound proves the
completion tier where CP-SAT's search alone does not, so the optimiser runs it alongside CP-SAT (a
portfolio) and `fixtures/dispatch/exact.py` uses it for reference optima. Its dual bound holds for the whole request.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from ortools.math_opt import callback_pb2, model_parameters_pb2, model_pb2, result_pb2, solution_pb2
from ortools.math_opt.core.python import solver
from ortools.math_opt.python import init_arguments, mathopt
from ortools.util.python import solve_interrupter

from services.dispatch.cancel import Cancellation
from services.dispatch.flow_conversion import Flows
from services.dispatch.lp_bound import OBJECTIVE_SCALE, Lp, completion_lp, short_coefficients
from services.dispatch.problem import Problem

# The completion objective is a whole number of weight-scaled seconds: a gap below one proves it.
ABSOLUTE_GAP = 0.5 / OBJECTIVE_SCALE


@dataclass(frozen=True)
class MipResult:
    """What HiGHS found: a plan (if any), its value and a bound, in the objective's own units."""

    flows: Flows | None
    value: float
    bound: float
    proven: bool


class LastArrivalMip:
    """The full model as a MathOpt ModelProto, for the unmet tier or the completion tier.

    The proto is filled from the LP's arrays directly: building MathOpt's Python model term by term
    took most of a small request's time limit.
    """

    def __init__(self, problem: Problem, unmet_coef: list[int], weight_scale: int, best_unmet: int | None, best_short: int | None = None) -> None:
        self.problem = problem
        self.lp: Lp = completion_lp(problem, unmet_coef, weight_scale, best_unmet, best_short)
        self.unmet_coef = unmet_coef
        self.short_coef = short_coefficients(problem, weight_scale)
        lp = self.lp
        proto = model_pb2.ModelProto(name="last-arrival")
        n = len(lp.cost)
        proto.variables.ids.extend(range(n))
        proto.variables.lower_bounds.extend([0.0] * n)
        proto.variables.upper_bounds.extend(float(u) for u in lp.upper)
        proto.variables.integers.extend(lp.integer)
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lower: list[float] = []
        upper: list[float] = []
        offset = 0
        for family, equal in ((lp.le, False), (lp.eq, True)):
            rows.extend(r + offset for r in family.r)
            cols.extend(family.c)
            vals.extend(family.v)
            lower.extend(family.rhs if equal else [-math.inf] * len(family.rhs))
            upper.extend(family.rhs)
            offset += len(family.rhs)
        proto.linear_constraints.ids.extend(range(offset))
        proto.linear_constraints.lower_bounds.extend(lower)
        proto.linear_constraints.upper_bounds.extend(upper)
        order = sorted(range(len(rows)), key=lambda k: (rows[k], cols[k]))
        matrix = proto.linear_constraint_matrix
        matrix.row_ids.extend(rows[k] for k in order)
        matrix.column_ids.extend(cols[k] for k in order)
        matrix.coefficients.extend(vals[k] for k in order)
        self.proto = proto

    def _objective(self, tier: str) -> None:
        objective = self.proto.objective
        objective.Clear()
        pairs: list[tuple[int, float]]
        if tier in ("unmet", "short"):
            coefs = self.unmet_coef if tier == "unmet" else self.short_coef
            pairs = sorted((u, float(coef)) for u, coef in zip(self.lp.shortages, coefs, strict=True))
        else:
            pairs = [(var, cost) for var, cost in enumerate(self.lp.cost) if cost]
        objective.linear_coefficients.ids.extend(var for var, _ in pairs)
        objective.linear_coefficients.values.extend(float(c) for _, c in pairs)

    def _model_params(self, hint: Flows | None) -> model_parameters_pb2.ModelSolveParametersProto:
        params = model_parameters_pb2.ModelSolveParametersProto()
        if hint:
            values = params.solution_hints.add().variable_values
            for x, pair in sorted(self.lp.pairs.items()):
                values.ids.append(x)
                values.values.append(float(hint.get(pair, 0)))
        return params

    def solve(self, seconds: float, tier: str = "completion", hint: Flows | None = None, cancel: Cancellation | None = None) -> MipResult:
        """Minimise one tier ("unmet", "short" or "completion") within the time limit, in the model's units."""
        unmet_tier = tier != "completion"
        self._objective(tier)
        params = mathopt.SolveParameters(
            time_limit=datetime.timedelta(seconds=max(0.01, seconds)), relative_gap_tolerance=0.0, absolute_gap_tolerance=0.5 if unmet_tier else ABSOLUTE_GAP
        )
        interrupter = solve_interrupter.SolveInterrupter()
        if cancel is not None and not cancel.attach(interrupter):
            return MipResult(None, math.inf, -math.inf, False)
        try:
            result = solver.solve(
                self.proto,
                mathopt.SolverType.HIGHS.value,
                init_arguments.StreamableSolverInitArguments().to_proto(),
                params.to_proto(),
                self._model_params(hint),
                None,
                callback_pb2.CallbackRegistrationProto(),
                None,
                interrupter.pybind_interrupter,
            )
        finally:
            if cancel is not None:
                cancel.detach()
        return self._result(result, 1.0 if unmet_tier else OBJECTIVE_SCALE)

    def _result(self, result: result_pb2.SolveResultProto, scale: float) -> MipResult:
        bound = result.termination.objective_bounds.dual_bound * scale
        # Whole objectives: a bound a hair above a whole number is that number.
        bound = math.ceil(bound - 1e-3) if math.isfinite(bound) else -math.inf
        feasible = [
            s.primal_solution
            for s in result.solutions
            if s.HasField("primal_solution") and s.primal_solution.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE
        ]
        if not feasible:
            return MipResult(None, math.inf, bound, False)
        best = feasible[0]
        values = dict(zip(best.variable_values.ids, best.variable_values.values, strict=True))
        flows = {pair: round(values.get(x, 0.0)) for x, pair in self.lp.pairs.items() if round(values.get(x, 0.0)) > 0}
        value = best.objective_value * scale
        return MipResult(flows, value, bound, bound >= value - 1e-6)
