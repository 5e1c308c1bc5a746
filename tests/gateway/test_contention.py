"""Commits that meet a changed world: re-planned on fresh data, partial holds released, cancelled incidents' units turned back."""

from __future__ import annotations

import asyncio
from collections import Counter

import grpc
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, OPERATOR, TANK_FIRE, demand, report, rid
from tests.grpc_assertions import expect_error


async def _propose(suite: Suite, *incidents: str) -> gpb.Proposal:
    reply: gpb.ProposePlanResponse = await suite.gateway.ProposePlan(gpb.ProposePlanRequest(incidents=list(incidents)), metadata=OPERATOR)
    return reply.proposal


async def _confirmed_units(suite: Suite, incidents: list[str]) -> Counter[str]:
    """How many confirmed reservations hold each unit."""
    held: Counter[str] = Counter()
    for name in incidents:
        page = await suite.resources.ListReservations(rpb.ListReservationsRequest(incident=name, states=[rpb.Reservation.STATE_CONFIRMED]), metadata=OPERATOR)
        for reservation in page.reservations:
            held.update(u.unit for u in reservation.units)
    return held


async def test_concurrent_commits_of_plans_made_on_one_snapshot(suite: Suite) -> None:
    # Every incident asks for every hazmat team in reach, so all plans name the same teams.
    wants = [demand("HAZMAT_TEAM", 20), demand("PUMPER_ENGINE", 1)]
    incidents = [(await report(suite.gateway, CHLORINE, accept=False, demands=wants, title=f"Chlorine release {n}")).incident for n in range(3)]
    plans = await asyncio.gather(*(_propose(suite, i.name) for i in incidents))
    teams = [{a.unit_id for a in p.optimized.plan.assignments if a.resource_type == "HAZMAT_TEAM"} for p in plans]
    assert teams[0] and teams[0] == teams[1] == teams[2] and len({p.snapshot_version for p in plans}) == 1

    results = await asyncio.gather(*(suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=p.name), metadata=OPERATOR) for p in plans))
    assert sorted(r.replans for r in results) == [0, 1, 1]  # one wins; the others are re-planned (together when they meet)
    replanned = [r for r in results if r.replans == 1]
    assert all(r.committed.name not in {p.name for p in plans} for r in replanned)
    assert all(list(r.committed.incidents) == [r.incidents[0].name] for r in results)
    assert all(r.incidents[0].state == ipb.Incident.STATE_RESPONDING for r in results)
    held = await _confirmed_units(suite, [i.name for i in incidents])
    assert held and max(held.values()) == 1, "a unit is in two confirmed reservations"
    assert teams[0] <= set(held), "the winner's teams are not all committed"


async def test_conflict_on_a_later_incident_releases_the_earlier_hold(suite: Suite) -> None:
    fire = (await report(suite.gateway, TANK_FIRE, accept=False, demands=[demand("FOAM_TENDER", 2)])).incident
    leak = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("GAS_DETECTION_TEAM", 1)])).incident
    proposal = await _propose(suite, fire.name, leak.name)
    first, last = sorted([fire.name, leak.name])  # the saga reserves incident by incident in name order
    stolen = next(a.unit_id for a in proposal.optimized.plan.assignments if a.incident_id == last)
    unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name=stolen), metadata=OPERATOR)).unit
    await suite.resources.ReserveResources(
        rpb.ReserveResourcesRequest(request_id=rid(), incident="incidents/someone-else", units=[rpb.UnitHold(unit=stolen, version=unit.version)]),
        metadata=OPERATOR,
    )

    committed = await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    assert committed.replans == 1 and len(committed.reservations) == 2
    assert stolen not in {a.unit_id for a in committed.committed.optimized.plan.assignments}
    history = (await suite.resources.ListReservations(rpb.ListReservationsRequest(incident=first), metadata=OPERATOR)).reservations
    assert sorted(rpb.Reservation.State.Name(r.state) for r in history) == ["STATE_CONFIRMED", "STATE_RELEASED"]


async def test_units_of_an_incident_cancelled_before_commit_are_turned_back(suite: Suite) -> None:
    fire = (await report(suite.gateway, TANK_FIRE, accept=False, demands=[demand("AERIAL_PLATFORM", 1)])).incident
    proposal = await _propose(suite, fire.name)
    sent = [a.unit_id for a in proposal.optimized.plan.assignments]
    assert sent
    await suite.incident.CancelIncident(
        ipb.CancelIncidentRequest(request_id=rid(), name=fire.name, version=fire.version, reason="false alarm"), metadata=OPERATOR
    )
    error = await expect_error(
        suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert "cancelled" in (error.details() or "")
    for name in sent:
        unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name=name), metadata=OPERATOR)).unit
        assert unit.state == rpb.Unit.STATE_AVAILABLE and not unit.incident
