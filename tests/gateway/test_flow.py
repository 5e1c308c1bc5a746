"""Report -> recommend -> propose -> commit through the five real services, and the situation it leaves."""

from __future__ import annotations

import grpc
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.common.client import open_channel
from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, OPERATOR, TANK_FIRE, VIEWER, demand, incident, report, rid
from tests.grpc_assertions import expect_error

EN_ROUTE = rpb.Unit.STATE_EN_ROUTE


async def test_report_recommend_propose_commit(suite: Suite) -> None:
    gateway = suite.gateway
    reported = await report(gateway, CHLORINE)
    incident = reported.incident
    assert incident.state == ipb.Incident.STATE_REPORTED
    assert reported.similar_cases, "the case library found no similar case"
    assert all(c.accident_case.name.startswith("cases/") for c in reported.similar_cases)
    recommended = {line.demand.resource_type for line in reported.recommended_demands}
    assert {"HAZMAT_TEAM", "GAS_TIGHT_SUIT_A"} <= recommended
    assert all(line.cited_cases or line.cited_rules for line in reported.recommended_demands)
    assert {d.resource_type for d in incident.demands} == recommended  # accepted

    proposal = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[incident.name]), metadata=OPERATOR)).proposal
    optimized = proposal.optimized
    assert proposal.name.startswith("proposals/") and list(proposal.incidents) == [incident.name]
    assert optimized.plan.assignments, "the plan sends nothing"
    assert optimized.HasField("greedy_objective")
    assert optimized.objective.weighted_unmet <= optimized.greedy_objective.weighted_unmet + 1e-9
    assert [e.incident_id for e in optimized.explanations] == [incident.name]
    assert proposal.snapshot_version > 0

    request = gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name)
    committed = await gateway.CommitPlan(request, metadata=OPERATOR)
    assert committed.replans == 0 and committed.committed.name == proposal.name
    assert len(committed.reservations) == 1
    (after,) = committed.incidents
    assert after.state == ipb.Incident.STATE_RESPONDING

    reservation = (await suite.resources.GetReservation(rpb.GetReservationRequest(name=committed.reservations[0]), metadata=OPERATOR)).reservation
    assert reservation.state == rpb.Reservation.STATE_CONFIRMED and reservation.incident == incident.name
    sent = {a.unit_id for a in optimized.plan.assignments}
    assert {u.unit for u in reservation.units} == sent
    for name in sent:
        unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name=name), metadata=OPERATOR)).unit
        assert unit.state == EN_ROUTE and unit.incident == incident.name

    timeline = (await suite.incident.ListTimelineEntries(ipb.ListTimelineEntriesRequest(parent=incident.name), metadata=OPERATOR)).timeline_entries
    assert [e.action for e in timeline] == ["CREATED", "VERIFY", "BEGIN_DISPATCH", "MARK_RESPONDING"]
    assert committed.reservations[0] in timeline[-1].note and committed.reservations[0] in timeline[-2].note

    # A retry returns the first answer and changes nothing; the same id for another request is refused.
    again = await gateway.CommitPlan(request, metadata=OPERATOR)
    assert again == committed
    reservations = (await suite.resources.ListReservations(rpb.ListReservationsRequest(incident=incident.name), metadata=OPERATOR)).reservations
    assert len(reservations) == 1
    other = gpb.CommitPlanRequest(request_id=request.request_id, proposal=proposal.name, max_replans=5)
    await expect_error(gateway.CommitPlan(other, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)

    situation = await gateway.GetSituation(gpb.GetSituationRequest(), metadata=VIEWER)
    mine = next(s for s in situation.incidents if s.incident.name == incident.name)
    assert {a.unit_id for a in mine.assignments} == sent and all(a.eta_s > 0 for a in mine.assignments)
    assert sent <= {u.name for u in situation.units}
    assert situation.reserve_levels and situation.available_units > 0


async def test_operator_edits_demands_then_plans(suite: Suite) -> None:
    gateway = suite.gateway
    reported = await report(gateway, TANK_FIRE, accept=False)
    assert not reported.incident.demands and reported.recommended_demands
    await expect_error(gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[reported.incident.name]), metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION)
    edited = await gateway.SetDemands(
        gpb.SetDemandsRequest(
            request_id=rid(),
            incident=reported.incident.name,
            version=reported.incident.version,
            demands=[demand("FOAM_TENDER", 2, 30)],
            note="two tenders first",
        ),
        metadata=OPERATOR,
    )
    assert [(d.resource_type, d.quantity) for d in edited.incident.demands] == [("FOAM_TENDER", 2)]
    proposal = (await gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[reported.incident.name]), metadata=OPERATOR)).proposal
    assert {a.resource_type for a in proposal.optimized.plan.assignments} == {"FOAM_TENDER"}
    assert len(proposal.optimized.plan.assignments) == 2


async def test_auto_dispatch_commits_in_one_call_and_is_idempotent(suite: Suite) -> None:
    gateway = suite.gateway
    reported = await report(gateway, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 1), demand("FOAM_AFFF", 500)])
    request = gpb.AutoDispatchRequest(request_id=rid(), incidents=[reported.incident.name])
    first = await gateway.AutoDispatch(request, metadata=OPERATOR)
    assert first.commit.incidents[0].state == ipb.Incident.STATE_RESPONDING
    shipped = {(s.resource_type, s.amount) for s in first.commit.committed.optimized.plan.shipments}
    assert ("FOAM_AFFF", 500) in shipped
    again = await gateway.AutoDispatch(request, metadata=OPERATOR)
    assert again == first


async def test_bad_requests_are_refused_with_their_fields(suite: Suite) -> None:
    gateway = suite.gateway
    error = await expect_error(
        gateway.CommitPlan(gpb.CommitPlanRequest(request_id="", proposal="plans/x", max_replans=11), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    details = error.details() or ""
    assert "request_id" in details and "proposal" in details and "max_replans" in details
    await expect_error(
        gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal="proposals/prop-missing"), metadata=OPERATOR), grpc.StatusCode.NOT_FOUND
    )
    await expect_error(gateway.ProposePlan(gpb.ProposePlanRequest(incidents=["incidents/nope-404"]), metadata=OPERATOR), grpc.StatusCode.NOT_FOUND)
    await expect_error(
        gateway.ProposePlan(gpb.ProposePlanRequest(incidents=["fires/1"], exercise_id="Bad Id"), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
    )


async def test_one_operator_action_is_one_trace_across_all_five_services(suite: Suite, span_exporter: InMemorySpanExporter) -> None:
    tracer = trace.get_tracer("tests.gateway")
    channel = open_channel(suite.addresses["gateway"])
    stub = gateway_service_pb2_grpc.CommandCenterServiceStub(channel)
    try:
        with tracer.start_as_current_span("operator handles a chlorine leak") as root:
            reported = await report(stub, CHLORINE, accept=False, demands=[demand("GAS_DETECTION_TEAM", 1), demand("SCBA_CYLINDER", 4)])
            proposal = (await stub.ProposePlan(gpb.ProposePlanRequest(incidents=[reported.incident.name]), metadata=OPERATOR)).proposal
            await stub.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    finally:
        await channel.close(None)
    trace_id = root.get_span_context().trace_id
    spans = [s for s in span_exporter.get_finished_spans() if s.context.trace_id == trace_id]
    servers = [s for s in spans if s.kind is SpanKind.SERVER]
    services = {str((s.attributes or {}).get("rpc.service")) for s in servers}
    assert services == {
        "emergency.gateway.v1.CommandCenterService",
        "emergency.incident.v1.IncidentService",
        "emergency.resources.v1.ResourceService",
        "emergency.casebase.v1.CaseBaseService",
        "emergency.dispatch.v1.DispatchService",
    }
    gateway_calls = sorted(
        str((s.attributes or {}).get("rpc.method")) for s in servers if (s.attributes or {}).get("rpc.service") == "emergency.gateway.v1.CommandCenterService"
    )
    assert gateway_calls == ["CommitPlan", "ProposePlan", "ReportIncident"]
    by_id = {s.context.span_id: s for s in spans}
    for server in servers:  # every server span hangs off a client span of the same trace
        assert server.parent is not None and server.parent.span_id in by_id and by_id[server.parent.span_id].kind is SpanKind.CLIENT
    backend_methods = {str((s.attributes or {}).get("rpc.method")) for s in servers}
    assert {"CreateIncident", "RecommendDemands", "OptimizePlan", "ReserveResources", "ConfirmReservation", "MarkResponding"} <= backend_methods


async def test_report_retry_returns_the_same_incident(suite: Suite) -> None:
    request = gpb.ReportIncidentRequest(request_id=rid(), incident=incident(TANK_FIRE), accept_recommendation=True)
    first = await suite.gateway.ReportIncident(request, metadata=OPERATOR)
    again = await suite.gateway.ReportIncident(request, metadata=OPERATOR)
    assert again.incident == first.incident
    changed = gpb.ReportIncidentRequest(request_id=request.request_id, incident=incident(TANK_FIRE, title="Another fire"))
    await expect_error(suite.gateway.ReportIncident(changed, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
