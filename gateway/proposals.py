"""Proposing a plan: the incidents, the availability snapshot (all pages), the optimiser, and the stored proposal."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Collection, Sequence

from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf import json_format
from sqlalchemy import Engine
from sqlmodel import Session, select

from gateway import store
from gateway.backends import Backends, call
from gateway.config import GatewayConfig
from gateway.names import new_id
from gateway.planning import World, build_request, demanded_types, plan_options, unit_versions
from services.common.db import run_in_thread, session_scope
from services.common.errors import FieldViolation, failed_precondition, invalid_argument

AWAITING_DISPATCH = (ipb.Incident.STATE_REPORTED, ipb.Incident.STATE_VERIFIED, ipb.Incident.STATE_DISPATCHING)
PLANNABLE = (*AWAITING_DISPATCH, ipb.Incident.STATE_RESPONDING)


def proposal_message(row: store.ProposalRow) -> gpb.Proposal:
    """The proto view of a stored proposal."""
    message = gpb.Proposal(
        name=f"proposals/{row.proposal_id}",
        exercise_id=row.exercise_id,
        incidents=json.loads(row.incidents),
        optimized=dpb.OptimizePlanResponse.FromString(row.optimized),
        snapshot_version=row.snapshot_version,
    )
    message.create_time.FromDatetime(store.as_utc(row.created_at))
    return message


class Planner:
    """Turns incidents and live (or exercise) availability into stored proposals."""

    def __init__(self, backends: Backends, engine: Engine, config: GatewayConfig, on_commit: Callable[[], None] = lambda: None) -> None:
        self._backends = backends
        self._engine = engine
        self._config = config
        self._on_commit = on_commit

    async def fetch_world(self, exercise_id: str, resource_types: Collection[str] = ()) -> World:
        """Every page of one availability snapshot of the namespace (of the given resource types, or all)."""
        world = World()
        token = ""
        while True:
            page = await call(
                self._backends.resources.GetAvailabilitySnapshot,
                rpb.GetAvailabilitySnapshotRequest(exercise_id=exercise_id, resource_types=sorted(resource_types), page_size=self._config.snapshot_page_size, page_token=token),
            )
            world.add_page(page)
            token = page.next_page_token
            if not token:
                return world

    async def open_incidents(self, exercise_id: str, states: Sequence[int] = AWAITING_DISPATCH) -> list[ipb.Incident]:
        """Every incident of the namespace in the given states, all pages."""
        found: list[ipb.Incident] = []
        token = ""
        while True:
            page = await call(
                self._backends.incident.ListIncidents,
                ipb.ListIncidentsRequest(exercise_id=exercise_id, states=list(states), page_size=500, page_token=token),  # type: ignore[arg-type]
            )
            found.extend(page.incidents)
            token = page.next_page_token
            if not token:
                return found

    async def named_incidents(self, names: Sequence[str], exercise_id: str) -> list[ipb.Incident]:
        """The named incidents, each checked to be open and in the namespace."""
        replies = await asyncio.gather(*(call(self._backends.incident.GetIncident, ipb.GetIncidentRequest(name=n)) for n in names))
        incidents = [r.incident for r in replies]
        violations = [
            FieldViolation(f"incidents[{i}]", f"{inc.name} belongs to {repr(inc.exercise_id) if inc.exercise_id else 'live operations'}, not to {repr(exercise_id) if exercise_id else 'live operations'}")
            for i, inc in enumerate(incidents)
            if inc.exercise_id != exercise_id
        ]
        if violations:
            raise invalid_argument(violations)
        closed = [inc for inc in incidents if inc.state not in PLANNABLE]
        if closed:
            raise failed_precondition(
                "INCIDENT_NOT_PLANNABLE",
                "; ".join(f"{inc.name} is {ipb.Incident.State.Name(inc.state)}" for inc in closed),
                {"incidents": ",".join(inc.name for inc in closed)},
            )
        return incidents

    async def road_restrictions(self, exercise_id: str) -> list[dpb.RoadRestriction]:
        """Road restrictions a drill has announced in its exercise (none for live operations)."""
        if not exercise_id:
            return []

        def read() -> list[dpb.RoadRestriction]:
            with Session(self._engine) as session:
                row = session.exec(select(store.DrillRow).where(store.DrillRow.exercise_id == exercise_id)).first()
            if row is None:
                return []
            return [json_format.ParseDict(r, dpb.RoadRestriction()) for r in json.loads(row.road_restrictions)]

        return await run_in_thread(read)

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
    ) -> store.ProposalRow:
        """Plan for the named incidents (or every one awaiting dispatch) and store the proposal."""
        if incident_names:
            incidents = await self.named_incidents(incident_names, exercise_id)
        else:
            incidents = await self.open_incidents(exercise_id)
        with_demands = [i for i in incidents if i.demands]
        if not with_demands:
            raise failed_precondition(
                "NOTHING_TO_PLAN",
                "no incident to plan for has demands: set them first (SetDemands or accept_recommendation)",
                {"exercise_id": exercise_id},
            )
        world, restrictions = await asyncio.gather(self.fetch_world(exercise_id, demanded_types(with_demands)), self.road_restrictions(exercise_id))
        chosen = plan_options(options, time_limit_s=self._config.plan_time_limit_s, workers=self._config.plan_workers)
        request = build_request(world, with_demands, chosen, restrictions)
        optimized = await call(self._backends.dispatch.OptimizePlan, request, timeout=chosen.time_limit_s + self._config.plan_time_limit_s + 10)
        assigned = {a.unit_id for a in optimized.plan.assignments}
        versions = {name: version for name, version in unit_versions(world).items() if name in assigned}
        row = store.ProposalRow(
            proposal_id=proposal_id or new_id("prop"),
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
        return await run_in_thread(self._save, row)

    def _save(self, row: store.ProposalRow) -> store.ProposalRow:
        """Store a proposal with its event; a proposal id that exists already returns the stored one."""
        with session_scope(self._engine) as session:
            existing = session.get(store.ProposalRow, row.proposal_id)
            if existing is not None:
                return existing
            session.add(row)
            store.emit(
                session,
                "proposal.created",
                f"proposals/{row.proposal_id}",
                exercise_id=row.exercise_id,
                payload={"incidents": json.loads(row.incidents), "origin": row.origin, "parent": row.parent, "snapshot_version": row.snapshot_version},
            )
        self._on_commit()
        return row

    async def slice_of(self, joint: store.ProposalRow, incidents: list[str], proposal_id: str, parent: str) -> store.ProposalRow:
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
        row = store.ProposalRow(
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
        return await run_in_thread(self._save, row)

    async def get(self, proposal_id: str) -> store.ProposalRow:
        """A stored proposal, or NOT_FOUND."""

        def read() -> store.ProposalRow:
            with Session(self._engine) as session:
                return store.get_proposal(session=session, proposal_id=proposal_id)

        return await run_in_thread(read)
