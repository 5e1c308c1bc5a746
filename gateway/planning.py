"""From an availability snapshot and incidents to a dispatch request, and from a plan back to reservations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.names import depot_of_stock, stock_name
from services.common.names import DEPOT

# Committed units stay where they are: the gateway cannot take a unit back from another incident.
FORBID_MOVING_COMMITTED = -1.0


@dataclass
class World:
    """Everything one availability snapshot says, all pages joined."""

    snapshot_version: int = 0
    units: list[rpb.AvailableUnit] = field(default_factory=list)
    committed: list[rpb.AvailableUnit] = field(default_factory=list)
    stocks: list[rpb.AvailableStock] = field(default_factory=list)
    policies: list[rpb.ReservePolicy] = field(default_factory=list)
    agreements: list[rpb.MutualAidAgreement] = field(default_factory=list)
    parks: list[rpb.Park] = field(default_factory=list)

    def add_page(self, page: rpb.GetAvailabilitySnapshotResponse) -> None:
        """Join one page (stock, policies, agreements and parks come on the first)."""
        self.snapshot_version = page.snapshot_version
        self.units.extend(page.units)
        self.committed.extend(page.committed_units)
        self.stocks.extend(page.stocks)
        self.policies.extend(page.reserve_policies)
        self.agreements.extend(page.agreements)
        self.parks.extend(page.parks)


@dataclass(frozen=True)
class IncidentHolds:
    """What a plan asks to reserve for one incident."""

    incident: str
    units: tuple[rpb.UnitHold, ...]
    stocks: tuple[rpb.StockHold, ...]

    @property
    def empty(self) -> bool:
        """True when the plan sends nothing new to the incident."""
        return not self.units and not self.stocks


def depot_name(unit: rpb.Unit) -> str:
    """The resource name of a unit's home depot."""
    return DEPOT.format(unit.park_id, unit.home_depot_id)


def demanded_types(incidents: Iterable[ipb.Incident]) -> set[str]:
    """Resource types any of the incidents asks for."""
    return {d.resource_type for i in incidents for d in i.demands}


def plan_incident(incident: ipb.Incident) -> dpb.PlanIncident:
    """An incident as the optimiser sees it, named by its resource name."""
    return dpb.PlanIncident(
        id=incident.name,
        location=incident.location.point,
        severity_weight=incident.severity_weight,
        park_id=incident.park_id,
        report_time_unix_s=incident.create_time.seconds,
        demands=list(incident.demands),
    )


def plan_unit(available: rpb.AvailableUnit, committed_to: str = "") -> dpb.PlanUnit:
    """A unit as the optimiser sees it: where it is now, or at home if it reports no position."""
    unit = available.unit
    position = unit.position if unit.HasField("position") else available.home_location
    return dpb.PlanUnit(
        id=unit.name,
        resource_type=unit.resource_type,
        capabilities=list(unit.capabilities),
        position=position,
        park_id=unit.park_id,
        depot_id=depot_name(unit),
        vehicle_class=available.vehicle_class,
        committed_incident_id=committed_to,
    )


def plan_options(requested: dpb.PlanOptions | None, *, time_limit_s: float, workers: int) -> dpb.PlanOptions:
    """The caller's options with console defaults filled in; committed units are never moved."""
    options = dpb.PlanOptions()
    if requested is not None:
        options.CopyFrom(requested)
    if options.time_limit_s <= 0:
        options.time_limit_s = time_limit_s
    if options.workers <= 0:
        options.workers = workers
    options.reassignment_penalty_s = FORBID_MOVING_COMMITTED
    return options


def build_request(
    world: World, incidents: Sequence[ipb.Incident], options: dpb.PlanOptions, road_restrictions: Sequence[dpb.RoadRestriction] = ()
) -> dpb.OptimizePlanRequest:
    """The dispatch request for the incidents on this world, limited to the resource types they ask for."""
    wanted = demanded_types(incidents)
    names = {i.name for i in incidents}
    request = dpb.OptimizePlanRequest(incidents=[plan_incident(i) for i in incidents if i.demands], options=options, road_restrictions=list(road_restrictions))
    request.units.extend(plan_unit(u) for u in world.units if u.unit.resource_type in wanted)
    # Only confirmed units count as committed: a unit held by an unconfirmed reservation (another commit's, or one a
    # crashed commit never recorded) is neither sent nor counted, since nobody may ever confirm it.
    request.units.extend(
        plan_unit(u, u.unit.incident)
        for u in world.committed
        if u.unit.incident in names and u.unit.resource_type in wanted and u.unit.state != rpb.Unit.STATE_RESERVED
    )
    shared: set[str] = set()
    for available in world.stocks:
        stock = available.stock
        if stock.resource_type not in wanted or available.available <= 0:
            continue
        depot = depot_of_stock(stock.name)
        request.stocks.append(
            dpb.PlanStock(depot_id=depot, resource_type=stock.resource_type, amount=available.available, position=stock.location, park_id=available.park_id)
        )
        if available.shared:
            shared.add(depot)
    request.reserves.extend(
        dpb.PlanReserve(park_id=p.park_id, resource_type=p.resource_type, minimum=p.minimum) for p in world.policies if p.resource_type in wanted
    )
    request.mutual_aid.extend(
        dpb.PlanMutualAid(
            lender_park_id=a.lender_park_id, borrower_park_id=a.borrower_park_id, resource_types=list(a.resource_types), max_travel_minutes=a.max_travel_minutes
        )
        for a in world.agreements
    )
    request.shared_depot_ids.extend(sorted(shared))
    return request


def unit_versions(world: World) -> dict[str, int]:
    """The version of every free unit the snapshot saw."""
    return {u.unit.name: u.unit.version for u in world.units}


def holds_from_plan(plan: dpb.Plan, versions: dict[str, int]) -> list[IncidentHolds]:
    """Per incident, the free units (with the versions the plan saw) and the stock amounts to reserve."""
    units: dict[str, list[rpb.UnitHold]] = defaultdict(list)
    stocks: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    incidents: list[str] = []
    for a in plan.assignments:
        incidents.append(a.incident_id)
        if a.unit_id in versions:  # units already committed to the incident are not reserved again
            units[a.incident_id].append(rpb.UnitHold(unit=a.unit_id, version=versions[a.unit_id]))
    for s in plan.shipments:
        incidents.append(s.incident_id)
        if s.amount > 0:
            stocks[s.incident_id][stock_name(s.depot_id, s.resource_type)] += s.amount
    result = []
    for incident in sorted(set(incidents)):
        stock_holds = tuple(rpb.StockHold(stock=name, amount=amount, version=0) for name, amount in sorted(stocks[incident].items()))
        result.append(IncidentHolds(incident, tuple(sorted(units[incident], key=lambda h: h.unit)), stock_holds))
    return result


def slice_for(plan: dpb.Plan, incident: str) -> dpb.Plan:
    """The part of a plan that concerns one incident."""
    return dpb.Plan(
        assignments=[a for a in plan.assignments if a.incident_id == incident],
        shipments=[s for s in plan.shipments if s.incident_id == incident],
        unmet=[u for u in plan.unmet if u.incident_id == incident],
    )
