"""Drill helpers: incident injects as retrieval queries, and where a scenario's incidents contend."""

from __future__ import annotations

from collections.abc import Mapping

from services.casebase.models import IncidentInject, Scenario
from services.casebase.parks import DEMO_PARKS, Park
from services.casebase.retrieval import IncidentQuery
from services.casebase.rules import applicable_rules
from services.casebase.vocabulary import ResourceType
from services.common.catalogue import ResourceKind

COMMON_UNITS = frozenset({ResourceType.AMBULANCE, ResourceType.COMMAND_VEHICLE, ResourceType.PUMPER_ENGINE})
"""Unit types every park holds many of; sharing them is not counted as contention."""


def query_for_inject(inject: IncidentInject, parks: Mapping[str, Park] = DEMO_PARKS) -> IncidentQuery:
    """The similar-case query an incident inject makes."""
    park = parks.get(inject.park)
    return IncidentQuery(
        kind=inject.kind,
        substances=[inject.substance] if inject.substance else [],
        severity=inject.severity,
        park_kind=park.kind if park else None,
        text=f"{inject.place}. {inject.description}",
    )


def rule_unit_types(inject: IncidentInject, parks: Mapping[str, Park] = DEMO_PARKS) -> set[ResourceType]:
    """Unit types the rule minimums demand for an incident inject."""
    q = query_for_inject(inject, parks)
    return {line.resource_type for rule in applicable_rules(q) for line in rule.lines if line.resource_type.spec.kind is ResourceKind.UNIT}


def contended_unit_types(scenario: Scenario, parks: Mapping[str, Park] = DEMO_PARKS) -> set[ResourceType]:
    """Scarce unit types demanded by incidents in at least two different parks of the scenario."""
    parks_by_type: dict[ResourceType, set[str]] = {}
    for inject in scenario.incidents():
        for rt in rule_unit_types(inject, parks) - COMMON_UNITS:
            parks_by_type.setdefault(rt, set()).add(inject.park)
    return {rt for rt, where in parks_by_type.items() if len(where) >= 2}
