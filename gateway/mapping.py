"""The gateway's records as the API shows them, and back: proposals, drills, committed plans, timeline entries, snapshots, times."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf import json_format

from gateway.names import PROPOSAL
from gateway.planning import World
from gateway.quantities import format_quantity
from gateway.tables import ActivityRow, CommitRow, DrillInjectRow, DrillRow, ProposalRow
from services.common.clock import to_timestamp
from services.common.names import DRILL

DRILL_RUNNING, DRILL_FINISHED, DRILL_ABORTED = "RUNNING", "FINISHED", "ABORTED"
DRILL_STATES = {gpb.Drill.STATE_RUNNING: DRILL_RUNNING, gpb.Drill.STATE_FINISHED: DRILL_FINISHED, gpb.Drill.STATE_ABORTED: DRILL_ABORTED}
STATE_OF_DRILL = {name: state for state, name in DRILL_STATES.items()}


def proposal_message(row: ProposalRow, extras: bytes = b"") -> gpb.Proposal:
    """The proto view of a stored proposal, with its overrides, their costs, skipped incidents and notes."""
    message = gpb.Proposal.FromString(extras)
    message.MergeFrom(
        gpb.Proposal(
            name=PROPOSAL.format(row.proposal_id),
            exercise_id=row.exercise_id,
            incidents=json.loads(row.incidents),
            optimized=dpb.OptimizePlanResponse.FromString(row.optimized),
            snapshot_version=row.snapshot_version,
            created_by=row.created_by,
        )
    )
    message.create_time.CopyFrom(to_timestamp(row.created_at))
    return message


def drill_message(row: DrillRow, injects: Sequence[DrillInjectRow], *, show_script: bool) -> gpb.Drill:
    """The proto view of a drill; the scenario stays hidden from operators in an unannounced drill."""
    message = gpb.Drill(
        name=DRILL.format(row.drill_id),
        scenario=row.scenario if show_script or row.mode != cpb.Scenario.MODE_UNANNOUNCED else "",
        exercise_id=row.exercise_id,
        mode=row.mode,  # type: ignore[arg-type]
        clock_speed=row.clock_speed,
        auto_dispatch=row.auto_dispatch,
        state=STATE_OF_DRILL[row.state],
        released_injects=[i.inject_id for i in injects if i.released_at is not None],
        report=row.report_name,
    )
    message.start_time.CopyFrom(to_timestamp(row.start_time))
    return message


def plan_json(plan: dpb.Plan) -> str:
    """A committed plan as stored."""
    return json_format.MessageToJson(plan, preserving_proto_field_name=True, indent=None)


def committed_plan(row: CommitRow) -> dpb.Plan:
    """The plan a commit stored."""
    return json_format.Parse(row.plan, dpb.Plan(), ignore_unknown_fields=True)


def commit_entry(row: CommitRow, actor: str, incident: str) -> gpb.IncidentTimelineEntry:
    """What a commit sent to an incident, as an entry of its timeline."""
    plan = committed_plan(row)
    sent = [f"{a.unit_id} EN_ROUTE (eta {a.eta_s / 60:.0f} min)" for a in plan.assignments]
    sent += [f"{format_quantity(s.amount)} {s.resource_type} from {s.depot_id}" for s in plan.shipments]
    return gpb.IncidentTimelineEntry(
        time=to_timestamp(row.committed_at), actor=actor, action="CONFIRMED", subject=row.reservation or incident, note="; ".join(sent)
    )


def activity_entry(row: ActivityRow) -> gpb.IncidentTimelineEntry:
    """A step the gateway took for an incident, as an entry of its timeline."""
    return gpb.IncidentTimelineEntry(time=to_timestamp(row.time), actor=row.actor, action=row.action, subject=row.subject, note=row.note)


def reservation_entries(reservation: rpb.Reservation) -> list[gpb.IncidentTimelineEntry]:
    """A reservation made for an incident as entries of its timeline: what it held, and its expiry if it lapsed."""
    held = ", ".join([h.unit for h in reservation.units] + [f"{format_quantity(s.amount)} of {s.stock}" for s in reservation.stocks])
    found = [gpb.IncidentTimelineEntry(time=reservation.create_time, actor=reservation.actor, action="RESERVED", subject=reservation.name, note=held)]
    if reservation.state == rpb.Reservation.STATE_EXPIRED:
        found.append(gpb.IncidentTimelineEntry(time=reservation.expire_time, action="EXPIRED", subject=reservation.name, note="not confirmed in time"))
    return found


def restriction_json(restriction: dpb.RoadRestriction) -> dict[str, Any]:
    """A road restriction as stored."""
    return json_format.MessageToDict(restriction, preserving_proto_field_name=True)


def restriction_of(stored: dict[str, Any]) -> dpb.RoadRestriction:
    """A road restriction stored by restriction_json."""
    return json_format.ParseDict(stored, dpb.RoadRestriction())


def world_message(world: World) -> rpb.GetAvailabilitySnapshotResponse:
    """A whole snapshot as one message, for storage."""
    return rpb.GetAvailabilitySnapshotResponse(
        snapshot_version=world.snapshot_version,
        units=world.units,
        committed_units=world.committed,
        stocks=world.stocks,
        reserve_policies=world.policies,
        agreements=world.agreements,
        parks=world.parks,
    )


def world_from(data: bytes) -> World:
    """The snapshot stored by world_message."""
    world = World()
    world.add_page(rpb.GetAvailabilitySnapshotResponse.FromString(data))
    return world
