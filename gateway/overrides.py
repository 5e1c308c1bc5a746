"""Operator overrides of a plan: checked against the snapshot, applied by shaping the dispatch request, and their cost in words.

The optimiser is never told about overrides; the gateway changes what it asks for instead:
- a pin assigns the unit before optimising: the unit leaves the candidates and its incident's line asks
  for one unit fewer; the pinned assignment (with its ETA) joins the plan afterwards;
- an exclusion drops the unit from the candidates;
- a reserve dip lowers that park's minimum for that type in the request;
- mutual aid adds the agreement to the request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb

from gateway.planning import World
from services.common.catalogue import load_catalogue
from services.common.errors import FieldViolation

DEFAULT_AID_MINUTES = 60.0


@dataclass(frozen=True)
class Item:
    """One override: where it sits in the request, what it is, and the incidents it concerns (empty: all planned)."""

    key: str
    kind: str
    message: gpb.UnitPin | gpb.UnitExclusion | gpb.ReserveDip | gpb.MutualAidGrant
    incident: str = ""

    @property
    def reason(self) -> str:
        """Why the operator asked for it."""
        return self.message.reason

    def describe(self) -> str:
        """The override in words."""
        m = self.message
        if isinstance(m, gpb.UnitPin):
            return f"{m.unit} pinned to {m.incident}"
        if isinstance(m, gpb.UnitExclusion):
            return f"{m.unit} excluded from the plan"
        if isinstance(m, gpb.ReserveDip):
            return f"{m.park_id} may go down to {m.minimum:g} {m.resource_type} at home"
        types = ", ".join(m.resource_types) or "every type"
        return f"mutual aid {m.lender_park_id} -> {m.borrower_park_id} for {types} within {m.max_travel_minutes or DEFAULT_AID_MINUTES:g} min"


def items_of(overrides: gpb.PlanOverrides) -> list[Item]:
    """Every override of a request, in request order."""
    found = [Item(f"overrides.pins[{i}]", "pin", p, p.incident) for i, p in enumerate(overrides.pins)]
    found += [Item(f"overrides.exclusions[{i}]", "exclusion", e) for i, e in enumerate(overrides.exclusions)]
    found += [Item(f"overrides.reserve_dips[{i}]", "reserve_dip", d) for i, d in enumerate(overrides.reserve_dips)]
    found += [Item(f"overrides.mutual_aid[{i}]", "mutual_aid", a) for i, a in enumerate(overrides.mutual_aid)]
    return found


def world_violations(items: Sequence[Item], world: World, request: dpb.OptimizePlanRequest) -> list[FieldViolation]:
    """Checks against the snapshot: pinned units free and of a type their incident asks for, parks and policies known."""
    free = {u.unit.name: u.unit for u in world.units}
    parks = {p.name.removeprefix("parks/") for p in world.parks} | {u.park_id for u in request.units}
    policies = {(r.park_id, r.resource_type): r.minimum for r in request.reserves}
    demands = {(i.id, d.resource_type): d.quantity for i in request.incidents for d in i.demands}
    found: list[FieldViolation] = []
    pins: Counter[tuple[str, str]] = Counter()
    for item in items:
        m = item.message
        if isinstance(m, gpb.UnitPin):
            unit = free.get(m.unit)
            if unit is None:
                found.append(FieldViolation(f"{item.key}.unit", f"{m.unit} is not available now, or is of a type no planned incident asks for"))
                continue
            pins[(m.incident, unit.resource_type)] += 1
            asked = demands.get((m.incident, unit.resource_type), 0.0)
            if pins[(m.incident, unit.resource_type)] > asked:
                found.append(FieldViolation(f"{item.key}.unit", f"{m.incident} asks for {asked:g} {unit.resource_type}; pin no more than that"))
        elif isinstance(m, gpb.ReserveDip):
            if m.park_id not in parks:
                found.append(FieldViolation(f"{item.key}.park_id", f"no park {m.park_id!r}"))
            elif (m.park_id, m.resource_type) not in policies:
                found.append(FieldViolation(f"{item.key}.resource_type", f"{m.park_id} keeps no reserve of {m.resource_type} that this plan could touch"))
            elif m.minimum >= policies[(m.park_id, m.resource_type)]:
                found.append(FieldViolation(f"{item.key}.minimum", f"must be below the park's reserve of {policies[(m.park_id, m.resource_type)]:g}"))
        elif isinstance(m, gpb.MutualAidGrant):
            for side in ("lender_park_id", "borrower_park_id"):
                if getattr(m, side) not in parks:
                    found.append(FieldViolation(f"{item.key}.{side}", f"no park {getattr(m, side)!r}"))
    return found


def shape(
    base: dpb.OptimizePlanRequest, items: Sequence[Item], *, for_evaluation: bool = False
) -> tuple[dpb.OptimizePlanRequest, dict[str, list[dpb.PlanUnit]]]:
    """The request with the overrides applied, and the pinned units per incident.

    For evaluation the pinned units stay in the request and their lines keep their quantity, so that a plan
    with its pinned assignments added back can be scored on it.
    """
    shaped = dpb.OptimizePlanRequest()
    shaped.CopyFrom(base)
    pinned_to = {i.message.unit: i.message.incident for i in items if isinstance(i.message, gpb.UnitPin)}
    excluded = {i.message.unit for i in items if isinstance(i.message, gpb.UnitExclusion)}
    pinned: dict[str, list[dpb.PlanUnit]] = {}
    kept = []
    for unit in shaped.units:
        if unit.id in excluded:
            continue
        if unit.id in pinned_to and not unit.committed_incident_id:
            pinned.setdefault(pinned_to[unit.id], []).append(unit)
            if not for_evaluation:
                continue
        kept.append(unit)
    del shaped.units[:]
    shaped.units.extend(kept)
    if not for_evaluation:
        taken = Counter((incident, u.resource_type) for incident, units in pinned.items() for u in units)
        for incident in shaped.incidents:
            lines = []
            for d in incident.demands:
                left = d.quantity - taken.get((incident.id, d.resource_type), 0)
                if left > 0:
                    d.quantity = left
                    lines.append(d)
            del incident.demands[:]
            incident.demands.extend(lines)
        met = [i for i in shaped.incidents if not i.demands]  # every line met by pinned units: nothing left to optimise
        for incident in met:
            shaped.incidents.remove(incident)
    for item in items:
        m = item.message
        if isinstance(m, gpb.ReserveDip):
            for reserve in shaped.reserves:
                if reserve.park_id == m.park_id and reserve.resource_type == m.resource_type:
                    reserve.minimum = min(reserve.minimum, m.minimum)
        elif isinstance(m, gpb.MutualAidGrant):
            shaped.mutual_aid.append(
                dpb.PlanMutualAid(
                    lender_park_id=m.lender_park_id,
                    borrower_park_id=m.borrower_park_id,
                    resource_types=list(m.resource_types),
                    max_travel_minutes=m.max_travel_minutes or DEFAULT_AID_MINUTES,
                )
            )
    return shaped, pinned


def eta_request(base: dpb.OptimizePlanRequest, incident_id: str, units: Sequence[dpb.PlanUnit]) -> dpb.OptimizePlanRequest:
    """A greedy request that sends exactly the pinned units to their incident, only to learn their ETAs."""
    incident = next(i for i in base.incidents if i.id == incident_id)
    counts = Counter(u.resource_type for u in units)
    point = dpb.PlanIncident(
        id=incident.id, location=incident.location, severity_weight=incident.severity_weight, report_time_unix_s=incident.report_time_unix_s
    )
    for code, count in sorted(counts.items()):
        point.demands.add(resource_type=code, quantity=count)
    request = dpb.OptimizePlanRequest(incidents=[point], road_restrictions=list(base.road_restrictions))
    for unit in units:
        copy = request.units.add()
        copy.CopyFrom(unit)
        del copy.capabilities[:]
    request.options.CopyFrom(base.options)
    request.options.strategy = dpb.PlanOptions.STRATEGY_GREEDY
    return request


def reserve_shortfall(base: dpb.OptimizePlanRequest, plan: dpb.Plan) -> float:
    """Units below the parks' home reserves (their policy minimums, whatever a dip allowed) after the plan."""
    free = Counter((u.park_id, u.resource_type) for u in base.units if not u.committed_incident_id)
    by_id = {u.id: u for u in base.units if not u.committed_incident_id}
    sent = Counter((by_id[a.unit_id].park_id, by_id[a.unit_id].resource_type) for a in plan.assignments if a.unit_id in by_id)
    catalogue = load_catalogue()
    return float(
        sum(
            max(0.0, r.minimum - (free[(r.park_id, r.resource_type)] - sent[(r.park_id, r.resource_type)]))
            for r in base.reserves
            if catalogue.is_unit(r.resource_type)
        )
    )


@dataclass(frozen=True)
class Score:
    """What a plan costs on the common yardstick."""

    minutes: float
    unmet: float
    reserve: float


def cost(key: str, description: str, reason: str, with_it: Score, without: Score) -> gpb.OverrideCost:
    """The difference an override (or all of them) made, with one sentence for the explanation."""
    minutes, unmet, reserve = with_it.minutes - without.minutes, with_it.unmet - without.unmet, with_it.reserve - without.reserve
    parts = [f"{minutes:+.1f} weighted min until demand is met", f"{reserve:+g} unit(s) below home reserves"]
    if abs(unmet) > 1e-9:
        parts.append(f"{unmet:+.3f} weighted unmet demand")
    summary = f"{description} ({reason}): " + ", ".join(parts)
    return gpb.OverrideCost(
        override=key,
        description=f"{description}: {reason}",
        added_minutes=round(minutes, 2),
        reserve_units=reserve,
        added_unmet=round(unmet, 4),
        summary=summary,
    )
