"""Bad input to the lifecycle, unit, inventory and library methods: a precise error, and nothing changed."""

from __future__ import annotations

import asyncio

import grpc
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, OPERATOR, TANK_FIRE, demand, officer, report, rid
from tests.grpc_assertions import error_info, expect_error, field_violations

BAD = grpc.StatusCode.INVALID_ARGUMENT
STOCK = "parks/xiagang/depots/d1/stocks/FOAM_AFFF"

# Method, request, the field violations it must name.
CASES: list[tuple[str, object, set[str]]] = [
    ("ListIncidents", gpb.ListIncidentsRequest(exercise_id="Bad Id", page_size=-1), {"exercise_id", "page_size"}),
    ("GetIncident", gpb.GetIncidentRequest(name="inc-1234"), {"name"}),
    ("ListIncidentTimeline", gpb.ListIncidentTimelineRequest(incident="incidents/", page_size=-5), {"incident", "page_size"}),
    ("VerifyIncident", gpb.VerifyIncidentRequest(incident="x/y", version=-1, note="n" * 600), {"request_id", "incident", "version", "note"}),
    (
        "ChangeSeverity",
        gpb.ChangeSeverityRequest(request_id="r", incident="incidents/inc-abcd", severity=common_pb2.SEVERITY_UNSPECIFIED),
        {"severity", "reason"},
    ),
    ("CancelIncident", gpb.CancelIncidentRequest(request_id="r", incident="incidents/inc-abcd", reason="  "), {"reason"}),
    ("ContainIncident", gpb.ContainIncidentRequest(incident="incidents/inc-abcd"), {"request_id"}),
    ("CloseIncident", gpb.CloseIncidentRequest(request_id="r", incident="incidents/inc-abcd"), {"outcome_summary"}),
    (
        "UpdateUnitStatus",
        gpb.UpdateUnitStatusRequest(request_id="r", units=["parks/xiagang/units/u1", "units/u2", "parks/xiagang/units/u1"], state=rpb.Unit.STATE_EN_ROUTE),
        {"state", "units[1]", "units[2]"},
    ),
    ("UpdateUnitStatus", gpb.UpdateUnitStatusRequest(request_id="r", state=rpb.Unit.STATE_ON_SCENE), {"units"}),
    ("ListScenarios", gpb.ListScenariosRequest(page_size=-1), {"page_size"}),
    ("ListDrills", gpb.ListDrillsRequest(states=[9]), {"states[0]"}),  # type: ignore[list-item]
    ("GetParkInventory", gpb.GetParkInventoryRequest(park="xiagang"), {"park"}),
    (
        "AdjustStock",
        gpb.AdjustStockRequest(request_id="r", stock="parks/xiagang/stocks/FOAM", kind=rpb.StockLedgerEntry.KIND_ISSUE, delta=float("nan")),
        {"stock", "kind", "delta", "reason"},
    ),
    ("AdjustStock", gpb.AdjustStockRequest(request_id="r", stock=STOCK, kind=rpb.StockLedgerEntry.KIND_LOSS, delta=5, reason="spilt"), {"delta"}),
]


async def test_each_method_names_its_bad_fields(suite: Suite) -> None:
    for method, request, fields in CASES:
        error = await expect_error(getattr(suite.gateway, method)(request, metadata=OPERATOR), BAD)
        assert set(field_violations(error)) == fields, (method, field_violations(error))
    severity = await expect_error(
        suite.gateway.ChangeSeverity(
            gpb.ChangeSeverityRequest(request_id="r", incident="incidents/inc-abcd", severity=common_pb2.SEVERITY_UNSPECIFIED, reason="x"), metadata=OPERATOR
        ),
        BAD,
    )
    assert "I, II, III, IV" in (severity.details() or "")


async def test_refusals_change_nothing(suite: Suite) -> None:
    gateway = suite.gateway
    created = (await report(gateway, CHLORINE, accept=False, demands=[demand("AMBULANCE", 1)])).incident
    await expect_error(gateway.GetIncident(gpb.GetIncidentRequest(name="incidents/inc-none"), metadata=OPERATOR), grpc.StatusCode.NOT_FOUND)
    closing = await expect_error(
        gateway.CloseIncident(gpb.CloseIncidentRequest(request_id=rid(), incident=created.name, outcome_summary="done"), metadata=OPERATOR),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert error_info(closing).reason == "INCIDENT_NOT_CONTAINED"
    containing = await expect_error(
        gateway.ContainIncident(gpb.ContainIncidentRequest(request_id=rid(), incident=created.name), metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert "REPORTED" in (containing.details() or "")
    stale = await expect_error(
        gateway.VerifyIncident(gpb.VerifyIncidentRequest(request_id=rid(), incident=created.name, version=created.version + 5), metadata=OPERATOR),
        grpc.StatusCode.ABORTED,
    )
    assert stale.code() == grpc.StatusCode.ABORTED
    await expect_error(
        gateway.CancelIncident(gpb.CancelIncidentRequest(request_id=rid(), incident=created.name, reason="x"), metadata=officer("xiagang")),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    after = (await gateway.GetIncident(gpb.GetIncidentRequest(name=created.name), metadata=OPERATOR)).incident
    assert after.state == ipb.Incident.STATE_REPORTED and after.version == created.version

    inventory = await gateway.GetParkInventory(gpb.GetParkInventoryRequest(park="parks/shengang"), metadata=OPERATOR)
    unit = next(u for u in inventory.units if u.state == rpb.Unit.STATE_AVAILABLE)
    await expect_error(
        gateway.UpdateUnitStatus(
            gpb.UpdateUnitStatusRequest(request_id=rid(), units=[unit.name], state=rpb.Unit.STATE_OUT_OF_SERVICE), metadata=officer("xiagang")
        ),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    await expect_error(
        gateway.AdjustStock(
            gpb.AdjustStockRequest(request_id=rid(), stock=inventory.stocks[0].name, kind=rpb.StockLedgerEntry.KIND_RECEIPT, delta=5, reason="x"),
            metadata=officer("xiagang"),
        ),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    again = await gateway.GetParkInventory(gpb.GetParkInventoryRequest(park="parks/shengang"), metadata=OPERATOR)
    assert {u.name: u.version for u in again.units} == {u.name: u.version for u in inventory.units}
    assert {s.name: s.on_hand for s in again.stocks} == {s.name: s.on_hand for s in inventory.stocks}


async def test_unit_moves_are_reported_one_by_one_and_replayed_by_request_id(suite: Suite) -> None:
    gateway = suite.gateway
    fire = (await report(gateway, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 2)])).incident
    await gateway.AutoDispatch(gpb.AutoDispatchRequest(request_id=rid(), incidents=[fire.name]), metadata=OPERATOR)
    units = [u.unit.name for u in (await gateway.GetIncident(gpb.GetIncidentRequest(name=fire.name), metadata=OPERATOR)).units]
    assert len(units) == 2
    first = gpb.UpdateUnitStatusRequest(request_id=rid(), units=units[:1], state=rpb.Unit.STATE_ON_SCENE)
    answer = await gateway.UpdateUnitStatus(first, metadata=OPERATOR)
    assert answer.moved == 1 and answer.moves[0].to_state == rpb.Unit.STATE_ON_SCENE
    assert await gateway.UpdateUnitStatus(first, metadata=OPERATOR) == answer
    reused = gpb.UpdateUnitStatusRequest(request_id=first.request_id, units=units, state=rpb.Unit.STATE_ON_SCENE)
    assert error_info(await expect_error(gateway.UpdateUnitStatus(reused, metadata=OPERATOR), BAD)).reason == "REQUEST_ID_REUSED"

    # Every unit of the incident: the one already there is reported as such, not silently skipped.
    whole = await gateway.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), incident=fire.name, state=rpb.Unit.STATE_ON_SCENE), metadata=OPERATOR)
    by_unit = {m.unit: m for m in whole.moves}
    assert set(by_unit) == set(units) and whole.moved == 1
    assert by_unit[units[0]].reason == "ALREADY_IN_STATE" and not by_unit[units[0]].moved
    # A move the state machine refuses is reported with its reason; the others go on.
    refused = await gateway.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), units=units, state=rpb.Unit.STATE_OUT_OF_SERVICE), metadata=OPERATOR)
    assert refused.moved == 0 and {m.reason for m in refused.moves} == {"ILLEGAL_TRANSITION"}
    # A unit of another incident named with this one is reported, not moved.
    elsewhere = (await report(gateway, CHLORINE, accept=False, demands=[demand("AMBULANCE", 1)])).incident
    other = await gateway.UpdateUnitStatus(
        gpb.UpdateUnitStatusRequest(request_id=rid(), incident=elsewhere.name, units=units[:1], state=rpb.Unit.STATE_RETURNING), metadata=OPERATOR
    )
    assert other.moves[0].reason == "UNIT_OF_ANOTHER_INCIDENT"


async def test_a_unit_that_moved_meanwhile_is_named(suite: Suite) -> None:
    gateway = suite.gateway
    fire = (await report(gateway, TANK_FIRE, accept=False, demands=[demand("FOAM_TENDER", 1)])).incident
    await gateway.AutoDispatch(gpb.AutoDispatchRequest(request_id=rid(), incidents=[fire.name]), metadata=OPERATOR)
    (unit,) = [u.unit for u in (await gateway.GetIncident(gpb.GetIncidentRequest(name=fire.name), metadata=OPERATOR)).units]
    # Two consoles move the same unit at once: exactly one moves it, the other says it moved meanwhile or is there already.
    requests = [gpb.UpdateUnitStatusRequest(request_id=rid(), units=[unit.name], state=rpb.Unit.STATE_ON_SCENE) for _ in range(2)]
    answers = await asyncio.gather(*(gateway.UpdateUnitStatus(r, metadata=OPERATOR) for r in requests))
    assert sorted(a.moved for a in answers) == [0, 1]
    loser = next(a for a in answers if not a.moved).moves[0]
    assert loser.reason in ("MOVED_MEANWHILE", "ALREADY_IN_STATE") and loser.detail
