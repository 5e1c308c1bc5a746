"""Planning with overrides: the shaped optimiser run, the pinned units added back, and each override's cost.

An override's cost is measured by planning without it: all overrides against none gives their joint cost;
with two to MAX_COSTED overrides, each one's cost is the plan with all of them against the plan with all but
that one. Every plan is scored by the dispatch evaluator on the same yardstick (the request as the operator
shaped it, pinned units included) and by the units it leaves below the parks' own reserve policies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb

from gateway.backends import Backends, call
from gateway.overrides import Item, Score, cost, eta_request, reserve_shortfall, shape

MAX_COSTED = 4


class OverridePlanner:
    """Runs the optimiser on shaped requests and prices the overrides."""

    def __init__(self, backends: Backends, timeout: float) -> None:
        self._backends = backends
        self._timeout = timeout

    async def _optimise(self, request: dpb.OptimizePlanRequest) -> dpb.OptimizePlanResponse:
        """One optimiser run (none when pinned units met every line)."""
        if not request.incidents:
            return dpb.OptimizePlanResponse()
        return await call(self._backends.dispatch.OptimizePlan, request, timeout=self._timeout)

    async def _pinned(self, base: dpb.OptimizePlanRequest, pinned: dict[str, list[dpb.PlanUnit]]) -> dict[str, dpb.UnitAssignment]:
        """The pinned units' assignments with their ETAs, per unit."""
        replies = await asyncio.gather(*(self._optimise(eta_request(base, incident, units)) for incident, units in sorted(pinned.items())))
        return {a.unit_id: a for reply in replies for a in reply.plan.assignments}

    async def _score(self, base: dpb.OptimizePlanRequest, items: Sequence[Item], plan: dpb.Plan) -> tuple[Score, dpb.Objective]:
        """A plan scored on the request shaped by these overrides (pinned units in it), and its reserve shortfall."""
        request, _ = shape(base, items, for_evaluation=True)
        reply = await call(self._backends.dispatch.EvaluatePlan, dpb.EvaluatePlanRequest(request=request, plan=plan), timeout=self._timeout)
        objective = reply.objective
        return Score(objective.weighted_completion_s / 60.0, objective.weighted_unmet, reserve_shortfall(base, plan)), objective

    async def plan(self, base: dpb.OptimizePlanRequest, items: Sequence[Item]) -> tuple[dpb.OptimizePlanResponse, list[gpb.OverrideCost]]:
        """The plan with every override applied, and what they cost."""
        if not items:
            return await self._optimise(base), []
        variants: dict[str, list[Item]] = {"all": list(items), "none": []}
        if 1 < len(items) <= MAX_COSTED:
            variants.update({item.key: [i for i in items if i is not item] for item in items})
        shaped = {name: shape(base, chosen) for name, chosen in variants.items()}
        etas = await self._pinned(base, shaped["all"][1])
        results = await asyncio.gather(*(self._optimise(request) for request, _ in shaped.values()))
        plans: dict[str, dpb.OptimizePlanResponse] = {}
        for (name, (_, pinned)), result in zip(shaped.items(), results, strict=True):
            merged = dpb.OptimizePlanResponse()
            merged.CopyFrom(result)
            merged.plan.assignments.extend(etas[u.id] for units in pinned.values() for u in units if u.id in etas)
            plans[name] = merged
        scored = await asyncio.gather(*(self._score(base, variants[name], plans[name].plan) for name in variants))
        scores = {name: s for name, (s, _) in zip(variants, scored, strict=True)}
        final = plans["all"]
        final.objective.CopyFrom(scored[0][1])
        explained = {e.incident_id for e in final.explanations}
        for incident in base.incidents:
            if incident.id not in explained:
                final.explanations.add(incident_id=incident.id, summary="every line is met by units the operator pinned")
        costs = [cost("overrides", f"{len(items)} override(s) together", "all of them", scores["all"], scores["none"])]
        for item in items:
            if len(items) == 1:
                costs.append(cost(item.key, item.describe(), item.reason, scores["all"], scores["none"]))
            elif item.key in scores:
                costs.append(cost(item.key, item.describe(), item.reason, scores["all"], scores[item.key]))
        explain(final, items, costs)
        return final, costs


def explain(optimized: dpb.OptimizePlanResponse, items: Sequence[Item], costs: Sequence[gpb.OverrideCost]) -> None:
    """Name each override and its cost in the explanation of every incident it concerns."""
    by_key = {c.override: c for c in costs}
    for explanation in optimized.explanations:
        for item in items:
            if item.incident and item.incident != explanation.incident_id:
                continue
            priced = by_key.get(item.key)
            text = priced.summary if priced is not None else f"{item.describe()} ({item.reason})"
            explanation.binding_constraints.append(f"operator override {item.key}: {text}")
        if len(items) > 1:
            explanation.binding_constraints.append(f"all overrides: {by_key['overrides'].summary}")
