"""Measurable target metrics of drill scenarios: what each measures and how it may be compared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.casebase.models import Comparator
from services.common.catalogue import ResourceKind

Scope = Literal["incident", "optional-incident", "global"]

_TIME = frozenset({Comparator.LE, Comparator.LT})
_LOWER_BETTER = frozenset({Comparator.LE, Comparator.LT, Comparator.EQ})
_COUNT_AT_LEAST = frozenset({Comparator.GE, Comparator.GT, Comparator.EQ})


@dataclass(frozen=True)
class MetricSpec:
    """How a metric is measured, compared and bounded."""

    description: str
    unit: str
    comparators: frozenset[Comparator]
    minimum: float
    maximum: float
    integer: bool = False
    resource_kind: ResourceKind | None = None
    scope: Scope = "global"
    inject_types: frozenset[str] | None = None


# fmt: off
METRICS: dict[str, MetricSpec] = {
    "FIRST_ARRIVAL_MIN": MetricSpec(
        "minutes from the inject until the first unit of the type is on scene",
        "min", _TIME, 0.5, 240, resource_kind=ResourceKind.UNIT, scope="incident",
    ),
    "UNITS_ON_SCENE": MetricSpec(
        "units of the type on scene at the incident's peak",
        "units", _COUNT_AT_LEAST, 1, 200, integer=True,
        resource_kind=ResourceKind.UNIT, scope="incident",
    ),
    "SUPPLY_DELIVERED_MIN": MetricSpec(
        "minutes from the inject until the consumable demand is delivered in full",
        "min", _TIME, 0.5, 480, resource_kind=ResourceKind.CONSUMABLE, scope="incident",
    ),
    "ALL_DEMAND_MET_MIN": MetricSpec(
        "minutes from the inject until every demand (of the incident, or of all) is met",
        "min", _TIME, 0.5, 720, scope="optional-incident",
    ),
    "UNMET_DEMAND_FRACTION": MetricSpec(
        "share of demanded quantity still unmet at the end of the drill",
        "fraction", _LOWER_BETTER, 0, 1, scope="optional-incident",
    ),
    "SEVERITY_WEIGHTED_UNMET": MetricSpec(
        "severity-weighted unmet demand at the end of the drill (dispatch evaluator)",
        "weighted units", _LOWER_BETTER, 0, 10_000,
    ),
    "PARKS_BELOW_RESERVE": MetricSpec(
        "parks whose home cover fell below their reserve minimum at any time",
        "parks", _LOWER_BETTER, 0, 20, integer=True,
    ),
    "REPLACEMENT_DISPATCHED_MIN": MetricSpec(
        "minutes from a breakdown until a replacement unit is dispatched",
        "min", _TIME, 0.5, 120, inject_types=frozenset({"UNIT_BREAKDOWN"}),
    ),
    "REROUTE_MIN": MetricSpec(
        "minutes from a road disruption until affected units are rerouted",
        "min", _TIME, 0.5, 120, inject_types=frozenset({"ROAD_DISRUPTION"}),
    ),
    "RESUPPLY_MIN": MetricSpec(
        "minutes from a stock loss until the lost stock is covered from elsewhere",
        "min", _TIME, 0.5, 480, inject_types=frozenset({"STOCK_LOSS"}),
    ),
    "PLAN_ISSUED_S": MetricSpec(
        "seconds from the inject until a dispatch plan is issued",
        "s", _TIME, 1, 3600,
    ),
    "OPTIMALITY_GAP": MetricSpec(
        "relative gap between the plan used and the best plan found afterwards",
        "fraction", _LOWER_BETTER, 0, 1,
    ),
}
# fmt: on
