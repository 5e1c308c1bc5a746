"""What the dispatch benchmark reports: the figures its targets ask about, and its tables."""

from __future__ import annotations

import statistics
from typing import Any

from rich.table import Table

CONTENTION_LOAD = 0.8  # instances at or above this load count as contention


def no_worse_than_greedy(o: dict[str, Any], g: dict[str, Any]) -> bool:
    """Less weighted unmet demand than greedy, or as little and no later."""
    if o["weighted_unmet"] < g["weighted_unmet"] - 1e-9:
        return True
    return bool(abs(o["weighted_unmet"] - g["weighted_unmet"]) <= 1e-9 and o["weighted_completion_s"] <= g["weighted_completion_s"] + 1e-6)


def summarise(instances: list[dict[str, Any]], scaling: list[dict[str, Any]], exact: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures the acceptance targets ask about."""

    def no_worse(i: dict[str, Any]) -> bool:
        return no_worse_than_greedy(i["optimal"], i["greedy"])

    contention = [i for i in instances if i["load"] >= CONTENTION_LOAD]
    reductions = [
        1 - i["optimal"]["weighted_completion_s"] / i["greedy"]["weighted_completion_s"]
        for i in contention
        if i["optimal"]["weighted_unmet"] <= i["greedy"]["weighted_unmet"] + 1e-9 and i["greedy"]["weighted_completion_s"] > 0
    ]
    unmet_cut = [1 - i["optimal"]["weighted_unmet"] / i["greedy"]["weighted_unmet"] for i in contention if i["greedy"]["weighted_unmet"] > 0]
    held = [
        1 - i["optimal_at_greedy_unmet"]["weighted_completion_s"] / i["greedy"]["weighted_completion_s"]
        for i in contention
        if i.get("optimal_at_greedy_unmet") and i["greedy"]["weighted_completion_s"] > 0
    ]
    ceiling = [
        1 - i["optimal_at_greedy_unmet"]["bound"] / i["greedy"]["weighted_completion_s"]
        for i in contention
        if i.get("optimal_at_greedy_unmet") and i["greedy"]["weighted_completion_s"] > 0
    ]
    medium = [i for i in instances if i["name"].startswith("medium")]
    large = [i for i in instances if i["name"].startswith("large")]
    over = [e["plan_over_optimum"] for e in exact]
    return {
        "exact_count": len(exact),
        "exact_bound_valid": all(e["bound_valid"] for e in exact),
        "exact_plan_equal": sum(1 for e in exact if e["plan_over_optimum"] <= 1e-9),
        "exact_within_1pct": sum(1 for e in exact if e["plan_over_optimum"] <= 0.01),
        "exact_proven_optimal": sum(1 for e in exact if e["status"] == "OPTIMAL"),
        "exact_max_over_optimum": max(over, default=None),
        "scaling_valid_bound_every_size": all(s["targets"]["valid_bound"] for s in scaling),
        "scaling_no_worse_than_greedy": all(s["targets"]["no_worse_than_greedy"] for s in scaling),
        "scaling_first_plan": {f"{s['incidents']}x{s['units']}": s["first_feasible_s"] for s in scaling},
        "load_average_1m_range": [
            min(x["load_average_1m"] for x in [*instances, *scaling, *exact]),
            max(x["load_average_1m"] for x in [*instances, *scaling, *exact]),
        ],
        "all_no_worse_than_greedy": all(no_worse(i) for i in instances),
        "contention_instances": len(contention),
        "contention_mean_completion_reduction": statistics.fmean(reductions) if reductions else None,
        "contention_mean_unmet_reduction": statistics.fmean(unmet_cut) if unmet_cut else None,
        "contention_mean_completion_reduction_at_greedy_unmet": statistics.fmean(held) if held else None,
        "contention_mean_reduction_bound_at_greedy_unmet": statistics.fmean(ceiling) if ceiling else None,
        "medium_within_2pct_gap": sum(1 for i in medium if i["optimal"]["gap"] <= 0.02),
        "medium_count": len(medium),
        "medium_mean_gap": statistics.fmean(i["optimal"]["gap"] for i in medium) if medium else None,
        # Where each medium gap comes from: the plan above the long-run optimum, the bound below it.
        "medium_plan_over_optimum": {i["name"]: i["plan_over_optimum"] for i in medium},
        "medium_bound_under_optimum": {i["name"]: i["bound_under_optimum"] for i in medium},
        "medium_time_to_target_gap_s": {i["name"]: i["time_to_target_gap_s"] for i in medium},
        "large_max_first_feasible_s": max((i["optimal"]["first_feasible_s"] for i in large), default=None),
    }


def instances_table(instances: list[dict[str, Any]]) -> Table:
    """Optimal against greedy, one row an instance."""
    table = Table(title="dispatch: optimal vs greedy")
    for col in (
        "instance",
        "load",
        "unmet g",
        "unmet o",
        "compl g (s)",
        "compl o (s)",
        "compl @g (s)",
        "bound @g (s)",
        "status",
        "bound (s)",
        "optimum (s)",
        "gap",
        "first (s)",
        "build (s)",
        "solve (s)",
    ):
        table.add_column(col, justify="right" if col != "instance" else "left")
    for i in instances:
        g, o, held = i["greedy"], i["optimal"], i.get("optimal_at_greedy_unmet")
        table.add_row(
            i["name"],
            f"{i['load']:.2f}",
            f"{g['weighted_unmet']:.2f}",
            f"{o['weighted_unmet']:.2f}",
            f"{g['weighted_completion_s']:.0f}",
            f"{o['weighted_completion_s']:.0f}",
            f"{held['weighted_completion_s']:.0f}" if held else "-",
            f"{held['bound']:.0f}" if held else "-",
            o["status"],
            f"{o['bound']:.0f}",
            f"{i['optimum_s']:.0f}" if i.get("optimum_s") is not None else "-",
            f"{o['gap']:.1%}",
            f"{o['first_feasible_s']:.3f}",
            f"{o['build_s']:.3f}",
            f"{o['solve_s']:.1f}",
        )
    return table


def exact_table(exact: list[dict[str, Any]]) -> Table:
    """Small instances against their proven optima."""
    table = Table(title="exact: small instances against proven optima")
    for col in ("instance", "optimum (s)", "plan (s)", "over", "bound (s)", "status", "time (s)", "load 1m"):
        table.add_column(col, justify="right" if col != "instance" else "left")
    for e in exact:
        table.add_row(
            e["name"],
            f"{e['exact_optimum_s']:.0f}",
            f"{e['plan_s']:.0f}",
            f"{e['plan_over_optimum']:.2%}",
            f"{e['bound_s']:.0f}",
            e["status"],
            f"{e['time_s']:.2f}",
            f"{e['load_average_1m']:.1f}",
        )
    return table


def scaling_table(scaling: list[dict[str, Any]]) -> Table:
    """First plan, bound and gap as the request grows."""
    scale = Table(title="scaling (5 s limit)")
    for col in ("size", "first (s)", "wall (s)", "status", "source", "plan (s)", "greedy (s)", "bound (s)", "gap", "load 1m"):
        scale.add_column(col, justify="right")
    for s in scaling:
        scale.add_row(
            f"{s['incidents']}x{s['units']}",
            f"{s['first_feasible_s']:.3f}",
            f"{s['wall_s']:.2f}",
            s["status"],
            s["source"],
            f"{s['optimal']['weighted_completion_s']:.0f}",
            f"{s['greedy']['weighted_completion_s']:.0f}",
            f"{s['bound']:.0f}",
            f"{s['gap']:.1%}",
            f"{s['load_average_1m']:.1f}",
        )
    return scale


def gap_table(gap_vs_time: list[dict[str, Any]]) -> Table:
    """The gap of one contended instance against the time limit."""
    gaps = Table(title="gap against time limit (medium, load 0.95, reserve 20 %)")
    for col in ("limit (s)", "completion (s)", "bound (s)", "gap", "status"):
        gaps.add_column(col, justify="right")
    for row in gap_vs_time:
        gaps.add_row(f"{row['time_limit_s']:g}", f"{row['weighted_completion_s']:.0f}", f"{row['bound']:.0f}", f"{row['gap']:.1%}", row["status"])
    return gaps
