"""Planning an operator controls: overrides with their cost on the timeline, bad incidents skipped, checked inputs."""

from __future__ import annotations

import sqlite3

import grpc
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.validation import MAX_PLAN_INCIDENTS
from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, OPERATOR, TANK_FIRE, demand, incident, report, rid
from tests.grpc_assertions import error_info, expect_error, field_violations


async def _snapshot(suite: Suite, *types: str) -> rpb.GetAvailabilitySnapshotResponse:
    snapshot: rpb.GetAvailabilitySnapshotResponse = await suite.resources.GetAvailabilitySnapshot(
        rpb.GetAvailabilitySnapshotRequest(resource_types=list(types), page_size=10000), metadata=OPERATOR
    )
    return snapshot


async def _timeline(suite: Suite, name: str) -> list[ipb.TimelineEntry]:
    return list((await suite.incident.ListTimelineEntries(ipb.ListTimelineEntriesRequest(parent=name), metadata=OPERATOR)).timeline_entries)


async def test_overrides_shape_the_plan_and_are_recorded_with_who_why_and_cost(suite: Suite) -> None:
    gateway = suite.gateway
    leak = (await report(gateway, CHLORINE, accept=False, demands=[demand("HAZMAT_TEAM", 2), demand("GAS_DETECTION_TEAM", 1)])).incident
    plain = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[leak.name]), metadata=OPERATOR)).proposal
    chosen = {a.unit_id for a in plain.optimized.plan.assignments}
    hazmat = [u.unit for u in (await _snapshot(suite, "HAZMAT_TEAM")).units if u.unit.resource_type == "HAZMAT_TEAM"]
    spare = next(u for u in hazmat if u.name not in chosen)
    dropped = next(a.unit_id for a in plain.optimized.plan.assignments if a.resource_type == "GAS_DETECTION_TEAM")
    snapshot = await _snapshot(suite, "HAZMAT_TEAM", "GAS_DETECTION_TEAM")
    policy = next(p for p in snapshot.reserve_policies if p.resource_type in ("HAZMAT_TEAM", "GAS_DETECTION_TEAM") and p.minimum >= 1)
    overrides = gpb.PlanOverrides(
        pins=[gpb.UnitPin(unit=spare.name, incident=leak.name, reason="this crew trained on the chlor-alkali plant")],
        exclusions=[gpb.UnitExclusion(unit=dropped, reason="detector under calibration")],
        reserve_dips=[gpb.ReserveDip(park_id=policy.park_id, resource_type=policy.resource_type, minimum=0, reason="the park's own shift is back in 20 min")],
        mutual_aid=[gpb.MutualAidGrant(lender_park_id="chengxi", borrower_park_id="xiagang", reason="county duty officer approved by phone")],
    )
    proposal = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[leak.name], overrides=overrides), metadata=OPERATOR)).proposal
    plan = proposal.optimized.plan
    assert any(a.unit_id == spare.name and a.incident_id == leak.name and a.eta_s > 0 for a in plan.assignments)
    assert dropped not in {a.unit_id for a in plan.assignments}
    assert sum(a.resource_type == "HAZMAT_TEAM" for a in plan.assignments) == 2  # the pin counts towards the line
    assert proposal.overrides == overrides and proposal.created_by == "operator-li"
    keys = [c.override for c in proposal.override_costs]
    assert keys[0] == "overrides" and set(keys[1:]) == {"overrides.pins[0]", "overrides.exclusions[0]", "overrides.reserve_dips[0]", "overrides.mutual_aid[0]"}
    pin_cost = next(c for c in proposal.override_costs if c.override == "overrides.pins[0]")
    assert pin_cost.added_minutes >= -0.01 and "trained on the chlor-alkali plant" in pin_cost.description
    (explanation,) = proposal.optimized.explanations
    assert any("overrides.pins[0]" in b and "min" in b and "reserve" in b for b in explanation.binding_constraints)

    entries = [e for e in await _timeline(suite, leak.name) if e.action == "PLAN_OVERRIDE"]
    assert len(entries) == 4 and {e.actor for e in entries} == {"operator-li"}
    notes = " | ".join(e.note for e in entries)
    for why in ("trained on the chlor-alkali plant", "under calibration", "shift is back", "approved by phone"):
        assert why in notes
    assert all(proposal.name in e.note and "cost:" in e.note for e in entries)
    pinned_entry = next(e for e in entries if e.after["override"] == "overrides.pins[0]")
    assert pinned_entry.after["added_minutes"] == pin_cost.added_minutes

    committed = await gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    assert spare.name in {a.unit_id for a in committed.dispatched_units}
    unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name=spare.name), metadata=OPERATOR)).unit
    assert unit.state == rpb.Unit.STATE_EN_ROUTE and unit.incident == leak.name


async def test_bad_overrides_are_refused_with_their_fields_and_nothing_recorded(suite: Suite) -> None:
    gateway = suite.gateway
    fire = (await report(gateway, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 1)])).incident
    other = (await report(gateway, CHLORINE, accept=False, demands=[demand("HAZMAT_TEAM", 1)])).incident
    shape = gpb.PlanOverrides(
        pins=[gpb.UnitPin(unit="units/x", incident=other.name, reason="")],
        reserve_dips=[gpb.ReserveDip(park_id="Bad", resource_type="AMBULANSE", minimum=-1, reason="r")],
        mutual_aid=[gpb.MutualAidGrant(lender_park_id="xiagang", borrower_park_id="xiagang", reason="r")],
    )
    error = await expect_error(
        gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[fire.name], overrides=shape), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(field_violations(error)) == {
        "overrides.pins[0].reason",
        "overrides.pins[0].unit",
        "overrides.pins[0].incident",
        "overrides.reserve_dips[0].park_id",
        "overrides.reserve_dips[0].resource_type",
        "overrides.reserve_dips[0].minimum",
        "overrides.mutual_aid[0].borrower_park_id",
    }
    busy = (await suite.resources.ListUnits(rpb.ListUnitsRequest(parent="parks/xiagang", page_size=1), metadata=OPERATOR)).units[0]
    wrong = gpb.PlanOverrides(
        pins=[gpb.UnitPin(unit=busy.name if busy.resource_type != "PUMPER_ENGINE" else "parks/xiagang/units/none-such", incident=fire.name, reason="r")],
        mutual_aid=[gpb.MutualAidGrant(lender_park_id="atlantis", borrower_park_id="xiagang", reason="r")],
    )
    error = await expect_error(
        gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[fire.name], overrides=wrong), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(field_violations(error)) == {"overrides.pins[0].unit", "overrides.mutual_aid[0].lender_park_id"}
    assert [e.action for e in await _timeline(suite, fire.name)] == ["CREATED"]


async def test_one_bad_incident_is_skipped_and_named(suite: Suite) -> None:
    gateway = suite.gateway
    good = (await report(gateway, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 1)])).incident
    empty = (await report(gateway, TANK_FIRE, accept=False)).incident
    legacy = (await report(gateway, CHLORINE, accept=False, demands=[demand("AMBULANCE", 1)])).incident
    # A demand stored before the catalogue check existed: only the incident's own database can hold it now.
    with sqlite3.connect(suite.root / "incident.db") as db:
        db.execute(
            "UPDATE incidents SET demands = ? WHERE incident_id = ?",
            ('[{"resource_type": "AMBULANSE", "quantity": 2}]', legacy.name.removeprefix("incidents/")),
        )
    cancelled = (await report(gateway, CHLORINE, accept=False, demands=[demand("HAZMAT_TEAM", 1)])).incident
    await suite.incident.CancelIncident(
        ipb.CancelIncidentRequest(request_id=rid(), name=cancelled.name, version=cancelled.version, reason="duplicate"), metadata=OPERATOR
    )
    names = [good.name, empty.name, legacy.name, cancelled.name]
    proposal = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=names), metadata=OPERATOR)).proposal
    assert list(proposal.incidents) == [good.name]
    skipped = {s.incident: s for s in proposal.skipped}
    assert {k: s.code for k, s in skipped.items()} == {empty.name: "NO_DEMANDS", legacy.name: "UNKNOWN_RESOURCE_TYPE", cancelled.name: "INCIDENT_NOT_PLANNABLE"}
    assert "AMBULANSE" in skipped[legacy.name].reason
    error = await expect_error(gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[legacy.name]), metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION)
    assert error_info(error).reason == "NOTHING_TO_PLAN" and "AMBULANSE" in (error.details() or "")


async def test_unknown_types_never_enter_through_the_gateway(suite: Suite) -> None:
    gateway = suite.gateway
    request = gpb.ReportIncidentRequest(request_id=rid(), incident=incident(TANK_FIRE, demands=[demand("PUMPER_ENGINE", 1), demand("AMBULANSE", 2)]))
    error = await expect_error(gateway.ReportIncident(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["incident.demands[1].resource_type"] and "AMBULANCE" in (error.details() or "")
    titled = await suite.incident.ListIncidents(ipb.ListIncidentsRequest(page_size=500), metadata=OPERATOR)
    assert request.incident.title not in {i.title for i in titled.incidents if i.demands and any(d.resource_type == "AMBULANSE" for d in i.demands)}
    made = (await report(gateway, TANK_FIRE, accept=False)).incident
    change = gpb.SetDemandsRequest(request_id=rid(), incident=made.name, version=made.version, demands=[demand("AMBULANSE", 1)])
    error = await expect_error(gateway.SetDemands(change, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["demands[0].resource_type"]
    after = (await suite.incident.GetIncident(ipb.GetIncidentRequest(name=made.name), metadata=OPERATOR)).incident
    assert after.version == made.version and not after.demands


async def test_park_comes_from_the_coordinates(suite: Suite) -> None:
    gateway = suite.gateway
    error = await expect_error(report(gateway, TANK_FIRE, park_id="nowhere"), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["incident.park_id"]
    far = await expect_error(report(gateway, CHLORINE, lat=31.9352 + 0.153, lon=120.2268), grpc.StatusCode.INVALID_ARGUMENT)  # 17 km north
    assert field_violations(far) == ["incident.location.point"] and "km outside park xiagang" in (far.details() or "")
    located = (await report(gateway, CHLORINE, park_id="", accept=False)).incident
    assert located.park_id == "xiagang"
    outside = (await report(gateway, CHLORINE, park_id="", lat=32.4, lon=120.9, accept=False)).incident
    assert outside.park_id == ""


async def test_recommendations_show_the_cap_beside_the_uncapped_figure(suite: Suite) -> None:
    reported = await report(suite.gateway, TANK_FIRE, accept=False, severity=common_pb2.SEVERITY_IV)
    lines = reported.recommended_demands
    assert lines and all(line.uncapped_quantity >= line.demand.quantity for line in lines)
    pumpers = next((line for line in lines if line.demand.resource_type == "PUMPER_ENGINE"), None)
    assert pumpers is None or pumpers.demand.quantity <= 3
    for line in lines:
        if line.cap:
            assert line.uncapped_quantity > line.demand.quantity and line.cited_cases


async def test_incident_names_are_capped(suite: Suite) -> None:
    names = [f"incidents/inc-{i:05d}" for i in range(MAX_PLAN_INCIDENTS + 1)]
    error = await expect_error(suite.gateway.ProposePlan(gpb.ProposePlanRequest(incidents=names), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["incidents"]
    error = await expect_error(
        suite.gateway.AutoDispatch(gpb.AutoDispatchRequest(request_id=rid(), incidents=names), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert field_violations(error) == ["incidents"]
