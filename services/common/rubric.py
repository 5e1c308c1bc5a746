"""The drill rubric's criteria, shared by the case base (which checks scenarios against them) and the gateway (which scores drills)."""

from __future__ import annotations

CRITERIA: dict[str, frozenset[str]] = {
    "targets_met": frozenset({"FIRST_ARRIVAL_MIN", "UNITS_ON_SCENE", "SUPPLY_DELIVERED_MIN", "ALL_DEMAND_MET_MIN"}),
    "time_to_plan": frozenset({"PLAN_ISSUED_S", "REPLACEMENT_DISPATCHED_MIN", "REROUTE_MIN", "RESUPPLY_MIN"}),
    "reserve_kept": frozenset({"PARKS_BELOW_RESERVE"}),
    "unmet_demand": frozenset({"UNMET_DEMAND_FRACTION", "SEVERITY_WEIGHTED_UNMET"}),
    "plan_quality": frozenset({"OPTIMALITY_GAP"}),
}
"""Rubric criteria by name: each scores every target of a scenario whose metric (a name of the scenario library) is in its family."""
