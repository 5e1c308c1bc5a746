"""A whole day through the gateway alone, on SQLite and PostgreSQL: two incidents from report to close, and a false alarm."""

from __future__ import annotations

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, OPERATOR, TANK_FIRE, demand, report, rid

Metadata = tuple[tuple[str, str], ...]
AVAILABLE = rpb.Unit.STATE_AVAILABLE


async def available_units(gateway: gpb_grpc.CommandCenterServiceStub) -> int:
    """Units available at home, as the console's situation counts them."""
    situation: gpb.GetSituationResponse = await gateway.GetSituation(gpb.GetSituationRequest(), metadata=OPERATOR)
    return situation.available_units


async def commit(gateway: gpb_grpc.CommandCenterServiceStub, incidents: list[str], **propose: object) -> gpb.CommitPlanResponse:
    """Propose for the incidents and commit the proposal (overrides go in `propose`)."""
    proposal = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=incidents, **propose), metadata=OPERATOR)).proposal  # type: ignore[arg-type]
    committed: gpb.CommitPlanResponse = await gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    return committed


async def units_of(gateway: gpb_grpc.CommandCenterServiceStub, incident: str) -> list[gpb.CommittedUnit]:
    """Units committed to an incident now."""
    return list((await gateway.GetIncident(gpb.GetIncidentRequest(name=incident), metadata=OPERATOR)).units)


async def timeline(gateway: gpb_grpc.CommandCenterServiceStub, incident: str) -> list[gpb.IncidentTimelineEntry]:
    """The whole merged timeline, page by page."""
    entries: list[gpb.IncidentTimelineEntry] = []
    token = ""
    while True:
        page = await gateway.ListIncidentTimeline(gpb.ListIncidentTimelineRequest(incident=incident, page_size=7, page_token=token), metadata=OPERATOR)
        entries.extend(page.entries)
        token = page.next_page_token
        if not token:
            return entries


async def test_a_whole_day_through_the_gateway(database_suite: Suite) -> None:
    gateway = database_suite.gateway
    before = await available_units(gateway)

    leak = (
        await report(gateway, CHLORINE, accept=False, demands=[demand("GAS_DETECTION_TEAM", 1), demand("AMBULANCE", 1), demand("SCBA_CYLINDER", 4)])
    ).incident
    fire = (await report(gateway, TANK_FIRE, accept=False, demands=[demand("FOAM_TENDER", 1), demand("PUMPER_ENGINE", 1)])).incident
    alarm = (await report(gateway, TANK_FIRE, accept=False, title="Smoke seen over tank T-3", demands=[demand("COMMAND_VEHICLE", 1)])).incident

    # The operator pins a pumper the optimiser did not choose and excludes the foam tender it did choose.
    plain = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[leak.name, fire.name]), metadata=OPERATOR)).proposal
    chosen = {a.unit_id: a.resource_type for a in plain.optimized.plan.assignments}
    excluded = next(unit for unit, kind in sorted(chosen.items()) if kind == "FOAM_TENDER")
    pumpers = await database_suite.resources.GetAvailabilitySnapshot(
        rpb.GetAvailabilitySnapshotRequest(resource_types=["PUMPER_ENGINE"], page_size=10000), metadata=OPERATOR
    )
    pinned = next(u.unit.name for u in sorted(pumpers.units, key=lambda u: u.unit.name) if u.unit.name not in chosen and u.unit.state == AVAILABLE)
    overrides = gpb.PlanOverrides(
        pins=[gpb.UnitPin(unit=pinned, incident=fire.name, reason="crew trained on this tank farm")],
        exclusions=[gpb.UnitExclusion(unit=excluded, reason="foam proportioner under repair")],
    )
    committed = await commit(gateway, [leak.name, fire.name], overrides=overrides)
    assert committed.outcome == gpb.CommitPlanResponse.OUTCOME_COMMITTED
    assert {i.state for i in committed.incidents} == {ipb.Incident.STATE_RESPONDING}
    dispatched = {a.unit_id: a.incident_id for a in committed.dispatched_units}
    assert pinned in dispatched and dispatched[pinned].split("/")[-1] == fire.name.split("/")[-1] and excluded not in dispatched

    # Committing the same proposal again sends nothing more.
    after_first = await available_units(gateway)
    again = await gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=committed.committed.name), metadata=OPERATOR)
    assert again.outcome == gpb.CommitPlanResponse.OUTCOME_ALREADY_COMMITTED
    assert sorted(again.reservations) == sorted(committed.reservations)
    assert await available_units(gateway) == after_first
    await commit(gateway, [alarm.name])
    sent = {name: [u.unit.name for u in await units_of(gateway, name)] for name in (leak.name, fire.name, alarm.name)}
    assert all(sent.values()), sent
    assert await available_units(gateway) == before - sum(len(v) for v in sent.values())

    listed = (await gateway.ListIncidents(gpb.ListIncidentsRequest(states=[ipb.Incident.STATE_RESPONDING]), metadata=OPERATOR)).incidents
    by_name = {row.incident.name: row for row in listed}
    assert set(by_name) == {leak.name, fire.name, alarm.name}
    assert sorted(by_name[leak.name].committed_units) == sorted(sent[leak.name])

    # The false alarm: cancelled with the reason, its units turned back and then home.
    cancelled = await gateway.CancelIncident(
        gpb.CancelIncidentRequest(request_id=rid(), incident=alarm.name, reason="false alarm: steam from a relief valve"), metadata=OPERATOR
    )
    assert cancelled.incident.state == ipb.Incident.STATE_CANCELLED and cancelled.incident.cancel_reason.startswith("false alarm")
    assert {m.unit for m in cancelled.units if m.moved and m.to_state == rpb.Unit.STATE_RETURNING} == set(sent[alarm.name])
    home = await gateway.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), incident=alarm.name, state=AVAILABLE), metadata=OPERATOR)
    assert home.moved == len(sent[alarm.name])
    holds = (await gateway.GetIncident(gpb.GetIncidentRequest(name=alarm.name), metadata=OPERATOR)).reservations
    assert holds and all(r.state in (rpb.Reservation.STATE_COMPLETED, rpb.Reservation.STATE_RELEASED) and not r.units for r in holds)

    # Units on scene, the hazard contained, then closed: the leak with its units returning, the fire with units back at once.
    for name in (leak.name, fire.name):
        on_scene = await gateway.UpdateUnitStatus(
            gpb.UpdateUnitStatusRequest(request_id=rid(), incident=name, state=rpb.Unit.STATE_ON_SCENE), metadata=OPERATOR
        )
        assert on_scene.moved == len(sent[name]) and all(m.to_state == rpb.Unit.STATE_ON_SCENE for m in on_scene.moves)
        contained = await gateway.ContainIncident(
            gpb.ContainIncidentRequest(request_id=rid(), incident=name, note="leak isolated, fire out"), metadata=OPERATOR
        )
        assert contained.incident.state == ipb.Incident.STATE_CONTAINED

    closed_leak = await gateway.CloseIncident(
        gpb.CloseIncidentRequest(request_id=rid(), incident=leak.name, outcome_summary="Flange replaced; no injuries.", create_case=True), metadata=OPERATOR
    )
    assert closed_leak.incident.state == ipb.Incident.STATE_CLOSED
    assert {m.unit for m in closed_leak.units if m.to_state == rpb.Unit.STATE_RETURNING} == set(sent[leak.name])
    assert closed_leak.report.name.startswith("afterActionReports/") and closed_leak.accident_case.name == f"cases/live-{leak.name.split('/')[1]}"
    home = await gateway.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), units=sent[leak.name], state=AVAILABLE), metadata=OPERATOR)
    assert home.moved == len(sent[leak.name])

    closed_fire = await gateway.CloseIncident(
        gpb.CloseIncidentRequest(request_id=rid(), incident=fire.name, outcome_summary="Fire out; tank cooled.", units_available=True), metadata=OPERATOR
    )
    assert {m.unit for m in closed_fire.units if m.to_state == AVAILABLE} == set(sent[fire.name])
    assert closed_fire.report.name and not closed_fire.accident_case.name

    # Every unit home again, and the count of available units back where the day began.
    assert await available_units(gateway) == before
    for name in (leak.name, fire.name, alarm.name):
        assert await units_of(gateway, name) == []

    # The after-action reports are in the casebase, with a target per demand line and the response times.
    for closed in (closed_leak, closed_fire):
        stored = (await database_suite.casebase.GetAfterActionReport(cpb.GetAfterActionReportRequest(name=closed.report.name), metadata=OPERATOR)).report
        assert list(stored.incidents) == [closed.incident.name]
        assert {r.target.resource_type for r in stored.target_results} >= {d.resource_type for d in closed.incident.demands}
        assert stored.timeline[-1].offset_minutes > 0

    # Each timeline shows every step with who did it.
    leak_steps = await timeline(gateway, leak.name)
    actions = [e.action for e in leak_steps]
    for action in (
        "CREATED",
        "VERIFY",
        "BEGIN_DISPATCH",
        "RESERVED",
        "MARK_RESPONDING",
        "CONFIRMED",
        "UNIT_ON_SCENE",
        "MARK_CONTAINED",
        "UNIT_RETURNING",
        "CLOSE",
        "AFTER_ACTION_REPORT",
        "CASE_CREATED",
        "UNIT_AVAILABLE",
    ):
        assert action in actions, (action, actions)
    assert all(e.actor == "operator-li" for e in leak_steps), [(e.action, e.actor) for e in leak_steps if e.actor != "operator-li"]
    fire_steps = await timeline(gateway, fire.name)
    overrides_recorded = [e for e in fire_steps if e.action == "PLAN_OVERRIDE"]
    assert overrides_recorded and all(e.actor == "operator-li" for e in overrides_recorded)
    assert [e.time.ToDatetime() for e in leak_steps] == sorted(e.time.ToDatetime() for e in leak_steps)
    alarm_actions = [e.action for e in await timeline(gateway, alarm.name)]
    assert {"CANCEL", "UNIT_RETURNING", "UNIT_AVAILABLE"} <= set(alarm_actions)
