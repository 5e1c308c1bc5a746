"""A close whose after-action report could not be stored is finished by a retry with the same request id, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib

import grpc
from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from tests.gateway.conftest import Suite
from tests.gateway.helpers import OPERATOR, TANK_FIRE, demand, eventually, report, rid
from tests.grpc_assertions import error_info, expect_error


async def contained_incident(suite: Suite) -> tuple[ipb.Incident, list[str]]:
    """A fire with units committed and on scene, contained; its units."""
    gateway = suite.gateway
    fire = (await report(gateway, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 1), demand("FOAM_TENDER", 1)])).incident
    proposal = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[fire.name]), metadata=OPERATOR)).proposal
    committed = await gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    assert committed.outcome == gpb.CommitPlanResponse.OUTCOME_COMMITTED
    units = sorted(u.unit.name for u in (await gateway.GetIncident(gpb.GetIncidentRequest(name=fire.name), metadata=OPERATOR)).units)
    assert units
    await gateway.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), incident=fire.name, state=rpb.Unit.STATE_ON_SCENE), metadata=OPERATOR)
    contained = await gateway.ContainIncident(gpb.ContainIncidentRequest(request_id=rid(), incident=fire.name, note="fire out"), metadata=OPERATOR)
    return contained.incident, units


async def test_a_retried_close_stores_the_report_the_first_try_could_not(database_suite: Suite) -> None:
    suite = database_suite
    gateway = suite.gateway
    fire, units = await contained_incident(suite)

    # The casebase goes down: the incident is closed and its units turned back, but the report cannot be stored.
    port = int(suite.addresses["casebase"].rsplit(":", 1)[1])
    await suite.servers.pop("casebase").stop(1.0)
    close = gpb.CloseIncidentRequest(request_id=rid(), incident=fire.name, outcome_summary="Fire out; tank cooled.", create_case=True)
    await expect_error(gateway.CloseIncident(close, metadata=OPERATOR), grpc.StatusCode.UNAVAILABLE)
    now = (await suite.incident.GetIncident(ipb.GetIncidentRequest(name=fire.name), metadata=OPERATOR)).incident
    assert now.state == ipb.Incident.STATE_CLOSED

    # The casebase is back: the retry with the same request id finishes the close and answers as a first success would.
    casebase, _ = await importlib.import_module("services.casebase.server").build_server(suite.backend_settings("casebase"), port=port)
    suite.servers["casebase"] = casebase

    async def retried() -> gpb.CloseIncidentResponse | None:
        try:
            closed: gpb.CloseIncidentResponse = await gateway.CloseIncident(close, metadata=OPERATOR)
            return closed
        except grpc.aio.AioRpcError as error:
            if error.code() is not grpc.StatusCode.UNAVAILABLE:  # the gateway's channel may not have reconnected yet
                raise
            return None

    closed = await eventually(retried, "the retried close")
    assert closed.incident.state == ipb.Incident.STATE_CLOSED and closed.incident.version == now.version
    assert sorted(m.unit for m in closed.units) == units
    assert all(m.moved and m.to_state == rpb.Unit.STATE_RETURNING for m in closed.units), closed.units
    assert closed.report.name.startswith("afterActionReports/") and closed.accident_case.name
    stored = (await suite.casebase.GetAfterActionReport(cpb.GetAfterActionReportRequest(name=closed.report.name), metadata=OPERATOR)).report
    assert list(stored.incidents) == [fire.name]

    # Once more with the same id: the same answer. A new request id on the closed incident is refused.
    assert await gateway.CloseIncident(close, metadata=OPERATOR) == closed
    other = gpb.CloseIncidentRequest(request_id=rid(), incident=fire.name, outcome_summary="Fire out; tank cooled.")
    refused = await expect_error(gateway.CloseIncident(other, metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION)
    assert error_info(refused).reason == "INCIDENT_NOT_CONTAINED"
    # The same request id with other content is refused too, and nothing is stored twice.
    reused = gpb.CloseIncidentRequest(request_id=close.request_id, incident=fire.name, outcome_summary="something else")
    assert error_info(await expect_error(gateway.CloseIncident(reused, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)).reason == "REQUEST_ID_REUSED"
