"""What a commit really dispatched, against what its proposal planned: the answer's lists and the stored plans."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb


@dataclass(frozen=True)
class Sent:
    """One confirmed reservation of the commit: its incident and the units it held."""

    incident: str
    units: Collection[str]


@dataclass
class Outcome:
    """Dispatched units and supplies, planned ones that were not sent (with why), and each incident's stored plan."""

    units: list[dpb.UnitAssignment] = field(default_factory=list)
    shipments: list[dpb.Shipment] = field(default_factory=list)
    not_dispatched: list[gpb.NotDispatched] = field(default_factory=list)
    plans: dict[str, dpb.Plan] = field(default_factory=dict)


def _why_not(incident: str, committed: Collection[str], replanned: bool, final_proposal: str) -> str:
    """Why something planned for an incident was not sent."""
    if incident not in committed:
        return f"{incident} was closed or cancelled, or its reservation expired, before the commit finished"
    if replanned:
        return f"re-planned: availability moved on and {final_proposal} was committed instead"
    return "not reserved: the reservation did not hold it"


def outcome(first: dpb.Plan, final: dpb.Plan, sent: Sequence[Sent], committed: Collection[str], *, final_proposal: str) -> Outcome:
    """Compare the first proposal's plan and the committed one with what was confirmed."""
    held = {(s.incident, u) for s in sent if s.incident in committed for u in s.units}
    result = Outcome()
    dispatched_units: set[str] = set()
    for a in final.assignments:
        if (a.incident_id, a.unit_id) in held:
            result.units.append(a)
            dispatched_units.add(a.unit_id)
    confirmed_incidents = {s.incident for s in sent if s.incident in committed}
    result.shipments = [s for s in final.shipments if s.incident_id in confirmed_incidents and s.amount > 0]
    shipped = {(s.incident_id, s.depot_id, s.resource_type) for s in result.shipments}
    replanned = first is not final
    for a in first.assignments:
        if a.unit_id in dispatched_units:
            continue
        already = any(b.unit_id == a.unit_id and b.incident_id == a.incident_id for b in final.assignments) and a.incident_id in committed
        reason = (
            "already committed to the incident before this commit: not sent again" if already else _why_not(a.incident_id, committed, replanned, final_proposal)
        )
        result.not_dispatched.append(gpb.NotDispatched(incident=a.incident_id, unit=a.unit_id, resource_type=a.resource_type, reason=reason))
    for s in first.shipments:
        if (s.incident_id, s.depot_id, s.resource_type) not in shipped and s.amount > 0:
            reason = _why_not(s.incident_id, committed, replanned, final_proposal)
            result.not_dispatched.append(
                gpb.NotDispatched(incident=s.incident_id, depot=s.depot_id, resource_type=s.resource_type, amount=s.amount, reason=reason)
            )
    for incident in sorted(confirmed_incidents):
        result.plans[incident] = dpb.Plan(
            assignments=[a for a in result.units if a.incident_id == incident],
            shipments=[s for s in result.shipments if s.incident_id == incident],
            unmet=[u for u in final.unmet if u.incident_id == incident],
        )
    return result
