"""Committing sends each unit and supply once: ALREADY_COMMITTED, supplies counted as delivered, dispatched versus planned."""

from __future__ import annotations

import grpc
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, OPERATOR, TANK_FIRE, demand, live_availability, report, rid
from tests.grpc_assertions import error_info, expect_error

EN_ROUTE = rpb.Unit.STATE_EN_ROUTE
SUPPLIES = [demand("NEUTRALISER_CAUSTIC", 1000), demand("SCBA_CYLINDER", 12), demand("PLUGGING_KIT", 1)]


async def _reservations(suite: Suite, incident: str) -> list[rpb.Reservation]:
    return list((await suite.resources.ListReservations(rpb.ListReservationsRequest(incident=incident), metadata=OPERATOR)).reservations)


async def _issued(suite: Suite, incident: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for r in await _reservations(suite, incident):
        if r.state == rpb.Reservation.STATE_CONFIRMED:
            for h in r.stocks:
                code = h.stock.rsplit("/", 1)[-1]
                totals[code] = totals.get(code, 0.0) + h.amount
    return totals


async def _propose(suite: Suite, *names: str) -> gpb.Proposal:
    reply: gpb.ProposePlanResponse = await suite.gateway.ProposePlan(gpb.ProposePlanRequest(incidents=list(names)), metadata=OPERATOR)
    return reply.proposal


async def test_second_commit_of_a_proposal_is_already_committed_and_sends_nothing(suite: Suite) -> None:
    leak = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("HAZMAT_TEAM", 1), *SUPPLIES])).incident
    proposal = await _propose(suite, leak.name)
    first = await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    assert first.outcome == gpb.CommitPlanResponse.OUTCOME_COMMITTED and first.dispatched_units and first.dispatched_shipments
    before = await live_availability(suite.resources)
    second = await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    assert second.outcome == gpb.CommitPlanResponse.OUTCOME_ALREADY_COMMITTED
    assert second.commit_request_id == first.commit_request_id
    assert list(second.reservations) == list(first.reservations) and list(second.dispatched_units) == list(first.dispatched_units)
    assert await live_availability(suite.resources) == before
    assert len(await _reservations(suite, leak.name)) == 1


async def test_supplies_already_issued_count_as_delivered(suite: Suite) -> None:
    leak = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("HAZMAT_TEAM", 1), *SUPPLIES])).incident
    early, late = await _propose(suite, leak.name), await _propose(suite, leak.name)  # two proposals made before any commit
    await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=early.name), metadata=OPERATOR)
    issued = await _issued(suite, leak.name)
    assert issued == {"NEUTRALISER_CAUSTIC": 1000, "SCBA_CYLINDER": 12, "PLUGGING_KIT": 1}
    before = await live_availability(suite.resources)
    # The second proposal went stale with the first commit: its re-plan finds every line met and sends nothing.
    error = await expect_error(
        suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=late.name), metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert error_info(error).reason in ("NOTHING_TO_COMMIT", "NOTHING_TO_PLAN")
    assert await _issued(suite, leak.name) == issued and await live_availability(suite.resources) == before

    # A supplement is an explicit new proposal for what is still unmet.
    now = (await suite.incident.GetIncident(ipb.GetIncidentRequest(name=leak.name), metadata=OPERATOR)).incident
    assert now.state == ipb.Incident.STATE_RESPONDING
    raised = [demand("HAZMAT_TEAM", 1), demand("NEUTRALISER_CAUSTIC", 1500), demand("SCBA_CYLINDER", 12), demand("PLUGGING_KIT", 1)]
    await suite.gateway.SetDemands(
        gpb.SetDemandsRequest(request_id=rid(), incident=leak.name, version=now.version, demands=raised, note="more caustic"), metadata=OPERATOR
    )
    supplement = await _propose(suite, leak.name)
    shipped = {(s.resource_type, s.amount) for s in supplement.optimized.plan.shipments}
    assert shipped == {("NEUTRALISER_CAUSTIC", 500)}
    assert any("already issued counts as delivered" in n for n in supplement.notes)
    assert any("already committed count towards its lines" in n for n in supplement.notes)
    done = await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=supplement.name), metadata=OPERATOR)
    assert not done.dispatched_units and [(s.resource_type, s.amount) for s in done.dispatched_shipments] == [("NEUTRALISER_CAUSTIC", 500)]
    assert (await _issued(suite, leak.name))["NEUTRALISER_CAUSTIC"] == 1500


async def test_a_hold_the_commit_does_not_own_is_never_counted_as_committed(suite: Suite) -> None:
    fire = (await report(suite.gateway, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 3)])).incident
    proposal = await _propose(suite, fire.name)
    planned = [a for a in proposal.optimized.plan.assignments]
    versions = {
        u.unit.name: u.unit.version
        for u in (
            await suite.resources.GetAvailabilitySnapshot(
                rpb.GetAvailabilitySnapshotRequest(resource_types=["PUMPER_ENGINE"], page_size=10000), metadata=OPERATOR
            )
        ).units
    }
    taken = planned[:2]
    hold = rpb.ReserveResourcesRequest(
        request_id=rid(), incident=fire.name, units=[rpb.UnitHold(unit=a.unit_id, version=versions[a.unit_id]) for a in taken], ttl_seconds=300
    )
    orphan = (await suite.resources.ReserveResources(hold, metadata=OPERATOR)).reservation  # held for the same incident, never confirmed

    committed = await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    assert committed.replans >= 1
    sent = {a.unit_id for a in committed.dispatched_units}
    assert len(sent) == 3 and not sent & {a.unit_id for a in taken}
    for assignment in committed.committed.optimized.plan.assignments:  # nothing the answer lists is left unconfirmed
        unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name=assignment.unit_id), metadata=OPERATOR)).unit
        assert unit.state == EN_ROUTE and unit.incident == fire.name, assignment.unit_id
    not_sent = {n.unit: n for n in committed.not_dispatched}
    for a in taken:
        assert "re-planned" in not_sent[a.unit_id].reason
    assert orphan.name not in committed.reservations


async def test_after_a_replan_the_answer_and_the_situation_show_what_was_really_sent(suite: Suite) -> None:
    leak = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("GAS_DETECTION_TEAM", 2), demand("SCBA_CYLINDER", 4)])).incident
    rival = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("GAS_DETECTION_TEAM", 1)])).incident
    proposal = await _propose(suite, leak.name)
    stolen = proposal.optimized.plan.assignments[0].unit_id
    rival_plan = (
        await suite.gateway.ProposePlan(
            gpb.ProposePlanRequest(
                incidents=[rival.name], overrides=gpb.PlanOverrides(pins=[gpb.UnitPin(unit=stolen, incident=rival.name, reason="nearest crew")])
            ),
            metadata=OPERATOR,
        )
    ).proposal
    await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=rival_plan.name), metadata=OPERATOR)

    committed = await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    assert committed.replans >= 1 and committed.committed.name != proposal.name
    sent = {a.unit_id for a in committed.dispatched_units}
    assert stolen not in sent and len(sent) == 2
    (missing,) = [n for n in committed.not_dispatched if n.unit == stolen]
    assert missing.incident == leak.name and committed.committed.name in missing.reason
    assert [(s.resource_type, s.amount) for s in committed.dispatched_shipments] == [("SCBA_CYLINDER", 4)]
    situation = await suite.gateway.GetSituation(gpb.GetSituationRequest(), metadata=OPERATOR)
    mine = next(s for s in situation.incidents if s.incident.name == leak.name)
    assert {a.unit_id for a in mine.assignments} == sent


async def test_a_replan_keeps_the_operators_pin(suite: Suite) -> None:
    leak = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("HAZMAT_TEAM", 2)])).incident
    plain = await _propose(suite, leak.name)
    snapshot = await suite.resources.GetAvailabilitySnapshot(
        rpb.GetAvailabilitySnapshotRequest(resource_types=["HAZMAT_TEAM"], page_size=10000), metadata=OPERATOR
    )
    versions = {u.unit.name: u.unit.version for u in snapshot.units}
    spare = next(name for name in sorted(versions) if name not in {a.unit_id for a in plain.optimized.plan.assignments})
    pins = gpb.PlanOverrides(pins=[gpb.UnitPin(unit=spare, incident=leak.name, reason="crew knows the plant")])
    proposal = (await suite.gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[leak.name], overrides=pins), metadata=OPERATOR)).proposal
    other = next(a.unit_id for a in proposal.optimized.plan.assignments if a.unit_id != spare)
    rival = (await report(suite.gateway, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 1)])).incident
    hold = rpb.ReserveResourcesRequest(request_id=rid(), incident=rival.name, units=[rpb.UnitHold(unit=other, version=versions[other])], ttl_seconds=300)
    await suite.resources.ReserveResources(hold, metadata=OPERATOR)

    committed = await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    assert committed.replans >= 1
    sent = {a.unit_id for a in committed.dispatched_units}
    assert spare in sent and other not in sent and len(sent) == 2
    assert [p.unit for p in committed.committed.overrides.pins] == [spare]
