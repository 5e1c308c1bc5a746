"""Proposing a plan: the incidents, the availability snapshot (all pages), the optimiser, and the stored proposal."""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field

from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf.struct_pb2 import Struct

from gateway import store, store_drills
from gateway.backends import all_pages, call, pages
from gateway.mapping import committed_plan, proposal_message, restriction_of
from gateway.names import derive_request_id, new_id
from gateway.override_plans import OverridePlanner
from gateway.overrides import Item, items_of, world_violations
from gateway.planning import World, build_request, demanded_types, plan_options, unit_versions
from gateway.tables import ProposalRow
from gateway.wiring import Wiring
from services.common.catalogue import load_catalogue
from services.common.db import run_in_thread
from services.common.errors import FieldViolation, failed_precondition, invalid_argument, raise_if

AWAITING_DISPATCH = (ipb.Incident.STATE_REPORTED, ipb.Incident.STATE_VERIFIED, ipb.Incident.STATE_DISPATCHING)
PLANNABLE = (*AWAITING_DISPATCH, ipb.Incident.STATE_RESPONDING)
UNDER_WAY = (ipb.Incident.STATE_DISPATCHING, ipb.Incident.STATE_RESPONDING, ipb.Incident.STATE_CONTAINED)
LIST_BATCH = 500


@dataclass
class Selection:
    """The incidents a plan is made for, those left out with why, and what it takes as already there."""

    incidents: list[ipb.Incident]
    skipped: list[gpb.SkippedIncident] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def kept_overrides(items: list[Item], problems: list[FieldViolation], notes: list[str]) -> tuple[list[Item], gpb.PlanOverrides]:
    """The overrides no problem names, as items and as a message; each dropped one noted with why."""
    overrides = gpb.PlanOverrides()
    for item in items:
        why = [p.description for p in problems if p.field.startswith(item.key + ".")]
        if why:
            notes.append(f"override {item.describe()} dropped on re-plan: {'; '.join(why)}")
            continue
        getattr(overrides, {"pin": "pins", "exclusion": "exclusions", "reserve_dip": "reserve_dips", "mutual_aid": "mutual_aid"}[item.kind]).add().CopyFrom(
            item.message
        )
    return items_of(overrides), overrides


def skip_reason(incident: ipb.Incident) -> tuple[str, str] | None:
    """Why an incident cannot be planned for (code and words), or None."""
    if incident.state not in PLANNABLE:
        return "INCIDENT_NOT_PLANNABLE", f"{incident.name} is {ipb.Incident.State.Name(incident.state).removeprefix('STATE_')}"
    known = load_catalogue().types
    unknown = [d.resource_type for d in incident.demands if d.resource_type not in known]
    if unknown:
        return "UNKNOWN_RESOURCE_TYPE", f"{incident.name} asks for {', '.join(unknown)}, not in the catalogue: correct its demands (SetDemands)"
    if not incident.demands:
        return "NO_DEMANDS", f"{incident.name} has no demands: set them first (SetDemands or accept_recommendation)"
    return None


# Live availability from the situation read model: None when it is not fresh enough to plan on.
ReadAvailability = Callable[[Collection[str]], Awaitable[World | None]]


@dataclass(eq=False)
class Planner:
    """Turns incidents and live (or exercise) availability into stored proposals."""

    wiring: Wiring
    read_availability: ReadAvailability | None = None

    async def fetch_world(self, exercise_id: str, resource_types: Collection[str] = ()) -> World:
        """Every page of one availability snapshot of the namespace (of the given resource types, or all)."""
        world = World()
        request = rpb.GetAvailabilitySnapshotRequest(
            exercise_id=exercise_id, resource_types=sorted(resource_types), page_size=self.wiring.config.snapshot_page_size
        )
        async for page in pages(self.wiring.backends.resources.GetAvailabilitySnapshot, request):
            world.add_page(page)
        return world

    async def availability(self, exercise_id: str, resource_types: Collection[str], *, live: bool = False) -> World:
        """The world to plan on: live operations from the read model when it is fresh (unless a live read is asked), else one snapshot."""
        if not exercise_id and not live and self.read_availability is not None:
            world = await self.read_availability(resource_types)
            if world is not None:
                return world
        return await self.fetch_world(exercise_id, resource_types)

    async def open_incidents(self, exercise_id: str, states: Sequence[int] = AWAITING_DISPATCH) -> list[ipb.Incident]:
        """Every incident of the namespace in the given states, all pages."""
        request = ipb.ListIncidentsRequest(exercise_id=exercise_id, states=list(states), page_size=LIST_BATCH)  # type: ignore[arg-type]
        return await all_pages(self.wiring.backends.incident.ListIncidents, request, "incidents")

    async def named_incidents(self, names: Sequence[str], exercise_id: str) -> list[ipb.Incident]:
        """The named incidents of the namespace, read in pages of one call each (not one call per name)."""
        found: dict[str, ipb.Incident] = {}
        for start in range(0, len(names), LIST_BATCH):
            request = ipb.ListIncidentsRequest(exercise_id=exercise_id, names=list(names[start : start + LIST_BATCH]), page_size=LIST_BATCH)
            found.update((i.name, i) for i in await all_pages(self.wiring.backends.incident.ListIncidents, request, "incidents"))
        missing = [(index, name) for index, name in enumerate(names) if name not in found]
        violations = []
        for index, name in missing:  # only the bad names cost a call each, to say what is wrong with them
            incident = (await call(self.wiring.backends.incident.GetIncident, ipb.GetIncidentRequest(name=name))).incident
            where = repr(incident.exercise_id) if incident.exercise_id else "live operations"
            violations.append(
                FieldViolation(f"incidents[{index}]", f"{name} belongs to {where}, not to {repr(exercise_id) if exercise_id else 'live operations'}")
            )
        raise_if(violations)
        return [found[name] for name in names]

    async def delivered(self, incidents: Sequence[ipb.Incident], exercise_id: str) -> dict[tuple[str, str], float]:
        """Supplies already issued to incidents under way, per incident and type: what the commits recorded, in one query."""
        under_way = [i.name for i in incidents if i.state in UNDER_WAY]
        if not under_way:
            return {}
        totals: dict[tuple[str, str], float] = defaultdict(float)
        for row in await run_in_thread(store.committed_plans, self.wiring.engine, exercise_id, under_way):
            for shipment in committed_plan(row).shipments:
                totals[(row.incident, shipment.resource_type)] += shipment.amount
        return dict(totals)

    async def select(self, incident_names: Sequence[str], exercise_id: str) -> Selection:
        """The incidents to plan for with what is still unmet; bad ones skipped with why, never blocking the others."""
        incidents = await self.named_incidents(incident_names, exercise_id) if incident_names else await self.open_incidents(exercise_id)
        selection = Selection(incidents=[])
        for incident in incidents:
            why = skip_reason(incident)
            if why is None:
                selection.incidents.append(incident)
            else:
                selection.skipped.append(gpb.SkippedIncident(incident=incident.name, code=why[0], reason=why[1]))
        issued = await self.delivered(selection.incidents, exercise_id)
        kept = []
        for incident in selection.incidents:
            lines = []
            for d in incident.demands:
                done = issued.get((incident.name, d.resource_type), 0.0)
                if done > 0:
                    selection.notes.append(f"{incident.name}: {done:g} {d.resource_type} already issued counts as delivered")
                if d.quantity - done > 1e-9:
                    d.quantity -= done
                    lines.append(d)
            del incident.demands[:]
            incident.demands.extend(lines)
            if lines:
                kept.append(incident)
            else:
                selection.skipped.append(
                    gpb.SkippedIncident(incident=incident.name, code="NOTHING_UNMET", reason=f"{incident.name}: every supply it asks for has been issued")
                )
        selection.incidents = kept
        if not kept:
            reasons = "; ".join(s.reason for s in selection.skipped) or "no incident awaits dispatch"
            raise failed_precondition(
                "NOTHING_TO_PLAN",
                f"no incident to plan for: {reasons}"[:1000],
                {"exercise_id": exercise_id, "skipped": ",".join(s.incident for s in selection.skipped)},
            )
        return selection

    async def road_restrictions(self, exercise_id: str) -> list[dpb.RoadRestriction]:
        """Road restrictions a drill has announced in its exercise (none for live operations)."""
        if not exercise_id:
            return []
        return [restriction_of(r) for r in await run_in_thread(store_drills.road_restrictions, self.wiring.engine, exercise_id)]

    async def propose(
        self,
        *,
        incident_names: Sequence[str],
        exercise_id: str,
        options: dpb.PlanOptions | None,
        created_by: str,
        origin: str = "PROPOSED",
        parent: str = "",
        proposal_id: str = "",
        overrides: gpb.PlanOverrides | None = None,
    ) -> ProposalRow:
        """Plan for the named incidents (or every one awaiting dispatch) and store the proposal with its extras."""
        selection = await self.select(incident_names, exercise_id)
        with_demands = selection.incidents
        # A re-plan follows a refused reservation: it plans on what the resources service says now, not on the read model.
        wanted = demanded_types(with_demands)
        world, restrictions = await asyncio.gather(self.availability(exercise_id, wanted, live=origin == "REPLANNED"), self.road_restrictions(exercise_id))
        chosen = plan_options(options, time_limit_s=self.wiring.config.plan_time_limit_s, workers=self.wiring.config.plan_workers)
        request = build_request(world, with_demands, chosen, restrictions)
        committed = Counter(u.committed_incident_id for u in request.units if u.committed_incident_id)
        selection.notes += [f"{name}: {count} unit(s) already committed count towards its lines" for name, count in sorted(committed.items())]
        items = items_of(overrides) if overrides is not None else []
        planned = {x.name for x in with_demands}
        problems = [
            FieldViolation(f"{i.key}.incident", f"{i.incident} is not planned for (skipped or not named)")
            for i in items
            if i.incident and i.incident not in planned
        ]
        problems += world_violations(items, world, request)
        if problems and origin == "REPLANNED":  # a re-plan keeps what still holds and says what it had to drop
            items, overrides = kept_overrides(items, problems, selection.notes)
        elif problems:
            raise invalid_argument(problems)
        planner = OverridePlanner(self.wiring.backends, timeout=chosen.time_limit_s + self.wiring.config.plan_time_limit_s + 10)
        optimized, costs = await planner.plan(request, items)
        proposal_id = proposal_id or new_id("prop")
        if items and origin != "REPLANNED":
            await self.record_overrides(proposal_id, items, costs, [i.name for i in with_demands])
        assigned = {a.unit_id for a in optimized.plan.assignments}
        versions = {name: version for name, version in unit_versions(world).items() if name in assigned}
        extras = gpb.Proposal(skipped=selection.skipped, notes=selection.notes, override_costs=costs)
        if overrides is not None:
            extras.overrides.CopyFrom(overrides)
        row = ProposalRow(
            proposal_id=proposal_id,
            exercise_id=exercise_id,
            incidents=json.dumps([i.name for i in with_demands]),
            optimized=optimized.SerializeToString(),
            request=request.SerializeToString(),
            snapshot_version=world.snapshot_version,
            unit_versions=json.dumps(versions, sort_keys=True),
            origin=origin,
            parent=parent,
            created_by=created_by,
        )
        return await self._save(row, extras.SerializeToString())

    async def record_overrides(self, proposal_id: str, items: Sequence[Item], costs: Sequence[gpb.OverrideCost], incidents: Sequence[str]) -> None:
        """Put every override on the timeline of each incident it concerns, as the caller, with why and what it cost."""
        priced = {c.override: c for c in costs}
        calls = []
        for item in items:
            price = priced.get(item.key) or priced["overrides"]
            details = Struct()
            details.update(
                {
                    "proposal": f"proposals/{proposal_id}",
                    "override": item.key,
                    "kind": item.kind,
                    "what": item.describe(),
                    "added_minutes": price.added_minutes,
                    "reserve_units": price.reserve_units,
                    "priced": price.override,
                }
            )
            numbers = price.summary.partition("): ")[2] or price.summary
            joint = f" (all {len(items)} overrides together)" if price.override == "overrides" and len(items) > 1 else ""
            note = f"{item.describe()} — why: {item.reason} — cost{joint}: {numbers} (proposals/{proposal_id})"
            for incident in [item.incident] if item.incident else incidents:
                request = ipb.AnnotateIncidentRequest(
                    request_id=derive_request_id(proposal_id, "override", item.key, incident),
                    name=incident,
                    action="PLAN_OVERRIDE",
                    note=note[:2000],
                    details=details,
                )
                calls.append(call(self.wiring.backends.incident.AnnotateIncident, request))
        await asyncio.gather(*calls)

    async def _save(self, row: ProposalRow, extras: bytes = b"") -> ProposalRow:
        """Store a proposal and its extras with its event; a proposal id that exists already returns the stored one."""
        stored, created = await run_in_thread(store.save_proposal, self.wiring.engine, row, extras)
        if created:
            self.wiring.on_commit()
        return stored

    async def slice_of(self, joint: ProposalRow, incidents: list[str], proposal_id: str, parent: str) -> ProposalRow:
        """The part of a joint proposal for some of its incidents, stored as a proposal of its own (score: the joint plan's)."""
        optimized = dpb.OptimizePlanResponse.FromString(joint.optimized)
        wanted = set(incidents) & set(json.loads(joint.incidents))
        part = dpb.OptimizePlanResponse()
        part.CopyFrom(optimized)
        part.plan.CopyFrom(
            dpb.Plan(
                assignments=[a for a in optimized.plan.assignments if a.incident_id in wanted],
                shipments=[s for s in optimized.plan.shipments if s.incident_id in wanted],
                unmet=[u for u in optimized.plan.unmet if u.incident_id in wanted],
            )
        )
        del part.explanations[:]
        part.explanations.extend(e for e in optimized.explanations if e.incident_id in wanted)
        assigned = {a.unit_id for a in part.plan.assignments}
        row = ProposalRow(
            proposal_id=proposal_id,
            exercise_id=joint.exercise_id,
            incidents=json.dumps(sorted(wanted)),
            optimized=part.SerializeToString(),
            request=joint.request,
            snapshot_version=joint.snapshot_version,
            unit_versions=json.dumps({k: v for k, v in json.loads(joint.unit_versions).items() if k in assigned}, sort_keys=True),
            origin="REPLANNED",
            parent=parent,
            created_by=joint.created_by,
        )
        return await self._save(row)

    async def get(self, proposal_id: str) -> ProposalRow:
        """A stored proposal, or NOT_FOUND."""
        return await run_in_thread(store.load_proposal, self.wiring.engine, proposal_id)

    async def message(self, proposal_id: str) -> gpb.Proposal:
        """A stored proposal as the API shows it, or NOT_FOUND."""
        row, extras = await run_in_thread(store.load_proposal_with_extras, self.wiring.engine, proposal_id)
        return proposal_message(row, extras)
