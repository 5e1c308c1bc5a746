"""Dispatch benchmark: optimal versus greedy on seeded riverside-park instances.

Columns "compl @g" and "bound @g" (contention instances): the best completion time found, and a
lower bound on it, when unmet demand is held at greedy's level instead of the minimum.

Sections: generated instances (optimal vs greedy), `exact` (small instances against the proven
optima stored in tests/fixtures/scenarios/exact/optima.yaml), `scaling` up to 200 incidents x 20,000
units at the 5 s limit, gap against time, and `targets` checked per instance. The CPU is shared, so the
1-minute load average is recorded beside every figure.

Run from the repository root: `.venv/bin/python -m bench.dispatch [--quick]`.
Writes bench/results/dispatch.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from ortools.sat.python import cp_model
from rich.console import Console

from bench.summaries.dispatch import CONTENTION_LOAD, exact_table, gap_table, instances_table, no_worse_than_greedy, scaling_table, summarise
from fixtures.dispatch.instances import InstanceSpec, generate, load_of
from services.dispatch.cancel import Cancellation
from services.dispatch.cpmodel import DispatchModel, unmet_coefficients, weight_scale
from services.dispatch.decompose import parts, subproblem
from services.dispatch.domain import optimise
from services.dispatch.evaluate import evaluate
from services.dispatch.flow_conversion import Flows, to_plan
from services.dispatch.flow_plan import flow_flows
from services.dispatch.greedy import greedy_flows
from services.dispatch.mip import LastArrivalMip
from services.dispatch.model import DispatchRequest, Strategy
from services.dispatch.optimiser import completion_bound, polish
from services.dispatch.problem import build_problem
from services.dispatch.prune import prune

RESULTS = Path(__file__).resolve().parent / "results" / "dispatch.json"

# (load, reserve fraction, response standard in minutes) per seed of each size.
MIXES = [(0.5, 0.0, None), (0.8, 0.1, None), (0.95, 0.2, 20.0), (1.1, 0.1, None)]
SIZES = [("small", 5, 200, 2.0), ("medium", 20, 1000, 5.0), ("large", 50, 3000, 10.0)]
# (incidents, units) at the default 5 s limit, up to the documented maximum.
SCALING = [(20, 1000), (50, 3000), (100, 8000), (200, 20000)]
EXACT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "scenarios" / "exact" / "optima.yaml"
# Standing targets: first plan by size, medium gap, and a valid bound and no loss to greedy everywhere.
FIRST_PLAN_TARGET_S = {(50, 3000): 0.1, (200, 20000): 0.5}
MEDIUM_GAP_TARGET = 0.02
GAP_TIMES = [1.0, 2.0, 5.0, 10.0, 20.0]
# Shorter limits at which each medium instance's gap is measured too (time to the target gap).
MEDIUM_LIMITS = [1.0, 2.0, 3.0]
# Per MIP tier of each part when solving a medium instance's optimum for comparison (all took under 5 s).
OPTIMUM_TIER_S = 120.0


def _specs(quick: bool) -> list[InstanceSpec]:
    specs = []
    for size, incidents, units, limit in SIZES:
        mixes = MIXES[1:3] if quick else MIXES
        if quick and size == "large":
            mixes = MIXES[1:2]
        for seed, (load, reserve, standard) in enumerate(mixes, start=1):
            tag = f"{size}-s{seed}-l{load:g}-r{reserve:g}" + (f"-t{standard:g}" if standard else "")
            specs.append(
                InstanceSpec(tag, incidents, units, seed=seed, load=load, reserve_fraction=reserve, response_standard_min=standard, time_limit_s=limit)
            )
    return specs


def _with(request: DispatchRequest, **changes: Any) -> DispatchRequest:
    return replace(request, options=replace(request.options, **changes))


def run_instance(spec: InstanceSpec) -> dict[str, Any]:
    """Greedy and optimal on one instance."""
    request = generate(spec)
    load = load_average()
    started = time.perf_counter()
    greedy = optimise(_with(request, strategy=Strategy.GREEDY))
    greedy_s = time.perf_counter() - started
    best = optimise(request)
    equal_unmet = at_greedy_unmet(request, spec.time_limit_s) if load_of(request) >= CONTENTION_LOAD else None
    medium = spec.name.startswith("medium")
    optimum = long_run_optimum(request) if medium else None
    by_limit = gap_by_limit(request, best.relative_gap, spec.time_limit_s) if medium else None
    return {
        "name": spec.name,
        "incidents": spec.incidents,
        "units": spec.units,
        "load": round(load_of(request), 3),
        "reserve_fraction": spec.reserve_fraction,
        "response_standard_min": spec.response_standard_min,
        "time_limit_s": spec.time_limit_s,
        "greedy": {"weighted_unmet": greedy.objective.weighted_unmet, "weighted_completion_s": greedy.objective.weighted_completion_s, "solve_s": greedy_s},
        "optimal": {
            "weighted_unmet": best.objective.weighted_unmet,
            "weighted_completion_s": best.objective.weighted_completion_s,
            "travel_s": best.objective.travel_s,
            "solve_s": best.wall_time_s,
            "first_feasible_s": best.first_feasible_s,
            "solver_first_solution_s": best.solver_first_solution_s,
            "status": best.status.value,
            "source": best.source,
            "bound": best.best_bound_s,
            "pruned_model_bound": best.model_bound_s,
            "candidates_pruned": best.candidates_pruned,
            "gap": best.relative_gap,
            "unmet_proven_optimal": best.unmet_proven_optimal,
            "build_s": best.build_s,
            "variables": best.model_size.variables,
            "constraints": best.model_size.constraints,
            "violations": len(best.violations),
        },
        "optimal_at_greedy_unmet": equal_unmet,
        "optimum": optimum,
        "optimum_s": optimum["weighted_completion_s"] if optimum else None,
        "plan_over_optimum": best.objective.weighted_completion_s / optimum["weighted_completion_s"] - 1 if optimum else None,
        "bound_under_optimum": 1 - best.best_bound_s / optimum["weighted_completion_s"] if optimum else None,
        "gap_by_limit": by_limit,
        "time_to_target_gap_s": next((row["time_limit_s"] for row in by_limit if row["gap"] <= MEDIUM_GAP_TARGET), None) if by_limit else None,
        "load_average_1m": load,
        "targets": {
            "medium_gap_met": best.relative_gap <= MEDIUM_GAP_TARGET if spec.name.startswith("medium") else None,
            "valid_bound": best.best_bound_s <= best.objective.weighted_completion_s + 1e-6,
            "no_worse_than_greedy": best.objective.key() <= greedy.objective.key(),
        },
    }


def gap_by_limit(request: DispatchRequest, gap_at_limit: float, limit: float) -> list[dict[str, Any]]:
    """The gap at shorter time limits (and the one already measured at the instance's own limit)."""
    rows = []
    for shorter in (t for t in MEDIUM_LIMITS if t < limit):
        load = load_average()
        response = optimise(_with(request, time_limit_s=shorter))
        rows.append({"time_limit_s": shorter, "gap": response.relative_gap, "status": response.status.value, "load_average_1m": load})
    return [*rows, {"time_limit_s": limit, "gap": gap_at_limit}]


def long_run_optimum(request: DispatchRequest, seconds_per_tier: float = OPTIMUM_TIER_S) -> dict[str, Any]:
    """The lexicographic optimum solved part by part by HiGHS with a long limit, to split a gap into plan and bound.

    Parts never interact, so the union of their optima is the request's; each part's unmet tier, its
    tie-break and the completion tier are MIPs solved one after the other (as `fixtures/dispatch/exact.py`
    does for a whole request).
    """
    started = time.perf_counter()
    problem = build_problem(request)
    flows: Flows = {}
    proven = True
    for lines, sources in parts(problem):
        sub = subproblem(problem, lines, sources)
        coef, wscale = unmet_coefficients(sub), weight_scale(sub)
        first = LastArrivalMip(sub, coef, wscale, None).solve(seconds_per_tier, tier="unmet")
        tie = LastArrivalMip(sub, coef, wscale, round(first.value)).solve(seconds_per_tier, tier="short", hint=first.flows)
        last = LastArrivalMip(sub, coef, wscale, round(first.value), round(tie.value)).solve(seconds_per_tier, hint=tie.flows)
        if last.flows is None:
            raise RuntimeError(f"no plan for a part of {len(lines)} lines")
        proven = proven and first.proven and tie.proven and last.proven
        flows.update({(lines[li], sources[si]): v for (li, si), v in last.flows.items()})
    objective = evaluate(request, to_plan(problem, flows), problem).objective
    return {
        "weighted_unmet": objective.weighted_unmet,
        "weighted_completion_s": objective.weighted_completion_s,
        "proven": proven,
        "solve_s": time.perf_counter() - started,
    }


def at_greedy_unmet(request: DispatchRequest, seconds: float) -> dict[str, float]:
    """Best completion time when held to greedy's unmet demand instead of the minimum, with its bound.

    The greedy plan (or the flow plan when it is no worse on unmet demand) is re-routed with every
    line's delivered amount kept, then CP-SAT minimises completion time with unmet demand capped at
    greedy's. The LP bound at that cap says how far below greedy any such plan could go.
    """
    started = time.perf_counter()
    problem = build_problem(request)
    greedy, relaxed = greedy_flows(problem), flow_flows(problem)
    dm = DispatchModel(problem, prune(problem, {k for f in (greedy, relaxed) for k, v in f.items() if v > 0}))
    hint = dm.hint_values(greedy)
    cap = dm.unmet.value(hint)
    other = dm.hint_values(relaxed)
    if dm.unmet.value(other) <= cap and dm.completion.value(other) < dm.completion.value(hint):
        hint = other
    hint = polish(dm, hint, cap)
    dm.model.add(dm.objective(dm.unmet) <= cap)
    bound = completion_bound(dm, cap, 0.25 * seconds, Cancellation()) / dm.wscale
    dm.model.minimize(dm.objective(dm.completion))
    dm.set_hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds - (time.perf_counter() - started))
    solver.parameters.num_workers = 2
    status = solver.solve(dm.model)
    values = list(solver.response_proto.solution) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else hint
    if dm.completion.value(hint) < dm.completion.value(values):
        values = hint
    result = evaluate(request, to_plan(problem, dm.flows_of(values)), problem).objective
    return {
        "weighted_unmet": result.weighted_unmet,
        "weighted_completion_s": result.weighted_completion_s,
        "bound": bound,
        "solve_s": time.perf_counter() - started,
    }


def load_average() -> float:
    """The 1-minute load average (the machine's two cores are shared)."""
    return round(os.getloadavg()[0], 2)


def run_scaling(sizes: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """First plan, bound and gap as the request grows to the documented limits (5 s limit)."""
    out = []
    for incidents, units in sizes:
        spec = InstanceSpec(f"scale-{incidents}x{units}", incidents, units, seed=11, load=0.9, reserve_fraction=0.1, time_limit_s=5.0)
        request = generate(spec)
        load = load_average()
        response = optimise(request)
        baseline = response.baseline
        assert baseline is not None
        o = {"weighted_unmet": response.objective.weighted_unmet, "weighted_completion_s": response.objective.weighted_completion_s}
        g = {"weighted_unmet": baseline.weighted_unmet, "weighted_completion_s": baseline.weighted_completion_s}
        target = FIRST_PLAN_TARGET_S.get((incidents, units))
        out.append(
            {
                "incidents": incidents,
                "units": units,
                "groups": response.model_size.groups,
                "first_feasible_s": response.first_feasible_s,
                "build_s": response.build_s,
                "wall_s": response.wall_time_s,
                "status": response.status.value,
                "source": response.source,
                "greedy": g,
                "optimal": o,
                "bound": response.best_bound_s,
                "bound_source": response.bound_source,
                "gap": response.relative_gap,
                "load_average_1m": load,
                "targets": {
                    "first_plan_target_s": target,
                    "first_plan_met": None if target is None else response.first_feasible_s <= target,
                    "valid_bound": 0 < response.best_bound_s <= response.objective.weighted_completion_s + 1e-6,
                    "no_worse_than_greedy": no_worse_than_greedy(o, g),
                    "within_time_limit": response.wall_time_s <= spec.time_limit_s,
                },
            }
        )
    return out


def run_exact(limit: int | None) -> list[dict[str, Any]]:
    """Small instances at the normal limit against their proven optima (solved once, stored)."""
    entries = yaml.safe_load(EXACT.read_text(encoding="utf-8"))["instances"][:limit]
    out = []
    for e in entries:
        spec = InstanceSpec(e["name"], e["incidents"], e["units"], seed=e["seed"], load=e["load"], reserve_fraction=e["reserve_fraction"])
        load = load_average()
        response = optimise(generate(spec))
        optimum = e["weighted_completion_s"]
        plan = response.objective.weighted_completion_s
        out.append(
            {
                "name": e["name"],
                "exact_optimum_s": optimum,
                "exact_proven": e["proven"],
                "exact_solve_s": e["solve_s"],
                "plan_s": plan,
                "bound_s": response.best_bound_s,
                "status": response.status.value,
                "time_s": response.wall_time_s,
                "plan_over_optimum": plan / optimum - 1 if optimum else 0.0,
                "bound_valid": response.best_bound_s <= optimum + 1e-6,
                "unmet_equal": abs(response.objective.weighted_unmet - e["weighted_unmet"]) <= 1e-6,
                "load_average_1m": load,
            }
        )
    return out


def run_gap_vs_time(times: list[float]) -> list[dict[str, Any]]:
    """Gap of one contended medium instance against the time limit."""
    spec = InstanceSpec("medium-gap", 20, 1000, seed=2, load=0.95, reserve_fraction=0.2)
    request = generate(spec)
    out = []
    for limit in times:
        response = optimise(_with(request, time_limit_s=limit))
        out.append(
            {
                "time_limit_s": limit,
                "weighted_completion_s": response.objective.weighted_completion_s,
                "bound": response.best_bound_s,
                "gap": response.relative_gap,
                "status": response.status.value,
            }
        )
    return out


def main() -> None:
    """Run the benchmark and write its results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small subset (about a minute)")
    args = parser.parse_args()
    console = Console()
    optimise(generate(InstanceSpec("warm-up", 3, 100, seed=99, time_limit_s=0.5)))
    started = time.perf_counter()
    instances = []
    for spec in _specs(args.quick):
        instances.append(run_instance(spec))
        console.log(f"{spec.name}: {instances[-1]['optimal']['status']} gap {instances[-1]['optimal']['gap']:.1%}")
    exact = run_exact(4 if args.quick else None)
    console.log(f"exact: {sum(1 for e in exact if e['plan_over_optimum'] <= 1e-9)} of {len(exact)} at the optimum")
    scaling = run_scaling(SCALING[:2] if args.quick else SCALING)
    gap_vs_time = [] if args.quick else run_gap_vs_time(GAP_TIMES)
    summary = summarise(instances, scaling, exact)
    result = {
        "quick": args.quick,
        "num_workers": 2,
        "cpu_count": os.cpu_count(),
        "note": "two shared cores: load_average_1m beside each figure is the machine's 1-minute load when it was measured",
        "wall_s": time.perf_counter() - started,
        "instances": instances,
        "exact": exact,
        "scaling": scaling,
        "gap_vs_time": gap_vs_time,
        "summary": summary,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    console.print(instances_table(instances))
    console.print(exact_table(exact))
    console.print(scaling_table(scaling))
    if gap_vs_time:
        console.print(gap_table(gap_vs_time))
    console.print(summary)
    console.print(f"wrote {RESULTS} in {result['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
