"""Plans addressed by incident and resource type (as the contract sends them) resolved to demand lines.

The contract names no demand line: a unit or shipment says which incident it goes to and which
resource type it fills. When an incident has several lines of one type, an entry goes to the first
of them that it is eligible for (a unit has the line's required capabilities) and that is not full
yet, else to the first eligible one, else to the first of that type. An entry whose incident has no
line of that type gets demand index -1, which the evaluator reports as an unknown demand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from services.dispatch.model import Assignment, Demand, DispatchRequest, Plan, Shipment

NO_LINE = -1


class UnitSend(NamedTuple):
    """A unit sent to an incident to fill a resource type (empty: the unit's own type)."""

    unit_id: str
    incident_id: str
    resource_type: str = ""
    eta_s: float = 0.0


class StockSend(NamedTuple):
    """An amount of a consumable shipped from a depot to an incident."""

    depot_id: str
    incident_id: str
    resource_type: str
    amount: float
    eta_s: float = 0.0


def _pick(lines: list[tuple[int, Demand]], filled: dict[int, float], eligible: set[int]) -> int:
    """First eligible line not yet full, else first eligible, else first of the type."""
    for index, demand in lines:
        if index in eligible and filled[index] < demand.quantity - 1e-9:
            return index
    for index, _ in lines:
        if index in eligible:
            return index
    return lines[0][0] if lines else NO_LINE


def resolve_plan(request: DispatchRequest, units: Iterable[UnitSend], stocks: Iterable[StockSend]) -> Plan:
    """A plan with demand indices, filling lines in the order the entries come."""
    demands = {i.id: list(enumerate(i.demands)) for i in request.incidents}
    unit_of = {u.id: u for u in request.units}
    filled: dict[tuple[str, int], float] = defaultdict(float)
    assignments = []
    for send in units:
        unit = unit_of.get(send.unit_id)
        rtype = send.resource_type or (unit.resource_type if unit else "")
        lines = [(k, d) for k, d in demands.get(send.incident_id, []) if d.resource_type == rtype]
        tags = set(unit.capabilities) if unit else set()
        eligible = {k for k, d in lines if set(d.required_capabilities) <= tags}
        per_line = {k: filled[(send.incident_id, k)] for k, _ in lines}
        index = _pick(lines, defaultdict(float, per_line), eligible)
        if index != NO_LINE:
            filled[(send.incident_id, index)] += 1.0
        assignments.append(Assignment(send.unit_id, send.incident_id, index, send.eta_s))
    shipments = []
    for ship in stocks:
        lines = [(k, d) for k, d in demands.get(ship.incident_id, []) if d.resource_type == ship.resource_type]
        per_line = {k: filled[(ship.incident_id, k)] for k, _ in lines}
        index = _pick(lines, defaultdict(float, per_line), {k for k, _ in lines})
        if index != NO_LINE:
            filled[(ship.incident_id, index)] += ship.amount
        shipments.append(Shipment(ship.depot_id, ship.incident_id, index, ship.resource_type, ship.amount, ship.eta_s))
    return Plan(assignments=tuple(assignments), shipments=tuple(shipments))
