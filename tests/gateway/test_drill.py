"""Drills through the live pipeline inside an exercise: automatic to its report, and unannounced with an operator in the loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio
from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from tests.gateway.conftest import Suite, gateway_config, start_suite
from tests.gateway.helpers import DIRECTOR, OPERATOR, VIEWER, eventually, live_availability, rid
from tests.gateway.scenarios import full_scenario, two_incident_scenario
from tests.grpc_assertions import expect_error


@pytest_asyncio.fixture(scope="module")
async def suite(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> AsyncIterator[Suite]:
    """The suite with a long wait for operators at the end of a drill (scenario seconds; compressed by the clock)."""
    running = await start_suite(tmp_path_factory.mktemp("drills"), redis_url, config=gateway_config(drill_tail_s=300000))
    yield running
    await running.stop()


async def _upload(suite: Suite, scenario_id: str, scenario: cpb.Scenario) -> str:
    reply: cpb.CreateScenarioResponse = await suite.casebase.CreateScenario(
        cpb.CreateScenarioRequest(request_id=rid(), scenario_id=scenario_id, scenario=scenario), metadata=DIRECTOR
    )
    return reply.scenario.name


async def _finished(suite: Suite, name: str) -> gpb.Drill | None:
    drill = (await suite.gateway.GetDrill(gpb.GetDrillRequest(name=name), metadata=DIRECTOR)).drill
    return drill if drill.state != gpb.Drill.STATE_RUNNING else None


async def test_automatic_drill_runs_to_its_report_without_touching_live_availability(suite: Suite) -> None:
    scenario = await _upload(suite, "gw-every-inject", full_scenario())
    live_before = await live_availability(suite.resources)
    request = gpb.StartDrillRequest(request_id=rid(), scenario=scenario, clock_speed=3600, auto_dispatch=True)
    started = (await suite.gateway.StartDrill(request, metadata=DIRECTOR)).drill
    assert started.state == gpb.Drill.STATE_RUNNING and started.exercise_id and started.mode == cpb.Scenario.MODE_SCRIPTED
    assert (await suite.gateway.StartDrill(request, metadata=DIRECTOR)).drill.name == started.name  # idempotent

    drill = await eventually(lambda: _finished(suite, started.name), "the drill to finish", limit_s=120)
    assert drill.state == gpb.Drill.STATE_FINISHED, drill
    assert list(drill.released_injects) == ["leak", "fire", "road", "escalation", "breakdown", "loss"]

    reply = await suite.gateway.GetDrillReport(gpb.GetDrillReportRequest(name=drill.name), metadata=VIEWER)
    report = reply.report
    assert report.name == drill.report and report.scenario == scenario and report.exercise_id == drill.exercise_id
    stored = (await suite.casebase.GetAfterActionReport(cpb.GetAfterActionReportRequest(name=report.name), metadata=VIEWER)).report
    assert stored == report
    assert len(report.incidents) == 2
    assert [(r.inject_id, r.target.metric) for r in report.target_results] == [
        ("leak", "FIRST_ARRIVAL_MIN"), ("leak", "PLAN_ISSUED_S"), ("leak", "PARKS_BELOW_RESERVE"), ("fire", "FIRST_ARRIVAL_MIN"),
        ("escalation", "PLAN_ISSUED_S"), ("breakdown", "REPLACEMENT_DISPATCHED_MIN"), ("loss", "RESUPPLY_MIN"),
    ]  # fmt: skip
    arrival = report.target_results[0]
    assert arrival.measured > 0 and arrival.met == (arrival.measured <= 20)
    assert 0 <= report.score <= 100 and report.lessons
    for inject in ("leak", "fire", "road", "escalation", "breakdown", "loss"):
        assert inject in report.findings
    assert "hindsight" in report.findings
    offsets = [e.offset_minutes for e in report.timeline]
    assert offsets == sorted(offsets) and any("leak released" in e.text for e in report.timeline)
    assert reply.hindsight.plan.assignments and reply.hindsight.HasField("objective")

    # The drill's incidents live in its namespace; its exercise is over; live availability never moved.
    for name in report.incidents:
        incident = (await suite.incident.GetIncident(ipb.GetIncidentRequest(name=name), metadata=VIEWER)).incident
        assert incident.exercise_id == drill.exercise_id and incident.state == ipb.Incident.STATE_RESPONDING
    escalated = next(r for r in report.target_results if r.inject_id == "escalation")
    assert escalated.measured > 0
    exercise = (await suite.resources.GetExercise(rpb.GetExerciseRequest(name=f"exercises/{drill.exercise_id}"), metadata=VIEWER)).exercise
    assert not exercise.active
    assert await live_availability(suite.resources) == live_before
    live_reservations = (await suite.resources.ListReservations(rpb.ListReservationsRequest(), metadata=VIEWER)).reservations
    assert not live_reservations

    events: list[str] = []
    async for item in suite.gateway.WatchEvents(gpb.WatchEventsRequest(exercise_id=drill.exercise_id, from_start=True), metadata=VIEWER):
        events.append(item.event.type)
        if item.event.type == "drill.finished":
            break
    assert events.count("drill.inject_released") == 6 and "plan.committed" in events and "incident.created" in events


async def test_unannounced_drill_shows_operators_only_what_was_released(suite: Suite) -> None:
    scenario = await _upload(suite, "gw-unannounced-late", two_incident_scenario(late_offset_s=86400))
    started = (await suite.gateway.StartDrill(gpb.StartDrillRequest(request_id=rid(), scenario=scenario, clock_speed=1), metadata=DIRECTOR)).drill
    assert started.mode == cpb.Scenario.MODE_UNANNOUNCED and not started.auto_dispatch

    async def first_released() -> gpb.Drill | None:
        drill = (await suite.gateway.GetDrill(gpb.GetDrillRequest(name=started.name), metadata=OPERATOR)).drill
        return drill if drill.released_injects else None

    seen = await eventually(first_released, "the first inject")
    assert list(seen.released_injects) == ["first-leak"]  # the second comes a scenario day later
    assert seen.scenario == ""  # the script stays hidden from operators
    assert (await suite.gateway.GetDrill(gpb.GetDrillRequest(name=started.name), metadata=DIRECTOR)).drill.scenario == scenario
    await expect_error(suite.gateway.GetDrillReport(gpb.GetDrillReportRequest(name=started.name), metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION)
    events = []
    async for item in suite.gateway.WatchEvents(gpb.WatchEventsRequest(exercise_id=started.exercise_id, from_start=True), metadata=OPERATOR):
        events.append(item.event)
        if item.event.type == "drill.inject_released":
            break
    assert "scenario" not in events[0].payload.fields and "second-fire" not in str(events)


async def test_operator_in_the_loop_drill_finishes_when_every_incident_is_dispatched(suite: Suite) -> None:
    scenario = await _upload(suite, "gw-operator-pair", two_incident_scenario(late_offset_s=60))
    started = (
        await suite.gateway.StartDrill(gpb.StartDrillRequest(request_id=rid(), scenario=scenario, clock_speed=3600, auto_dispatch=False), metadata=DIRECTOR)
    ).drill
    exercise = started.exercise_id

    async def dispatch_waiting() -> None:
        try:
            situation = await suite.gateway.GetSituation(gpb.GetSituationRequest(exercise_id=exercise), metadata=OPERATOR)
        except grpc.aio.AioRpcError as error:  # the drill may end (and its exercise with it) between two looks
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
            return
        for s in situation.incidents:
            if s.incident.state == ipb.Incident.STATE_REPORTED:
                proposal = (
                    await suite.gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[s.incident.name], exercise_id=exercise), metadata=OPERATOR)
                ).proposal
                await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)

    async def dispatched_all() -> gpb.Drill | None:
        finished = await _finished(suite, started.name)
        if finished is None:
            await dispatch_waiting()
        return finished

    drill = await eventually(dispatched_all, "the operator to dispatch both incidents", limit_s=120, every_s=0.2)
    assert drill.state == gpb.Drill.STATE_FINISHED and list(drill.released_injects) == ["first-leak", "second-fire"]
    report = (await suite.gateway.GetDrillReport(gpb.GetDrillReportRequest(name=drill.name), metadata=OPERATOR)).report
    assert [r.inject_id for r in report.target_results] == ["first-leak", "second-fire"]
    assert all(r.measured > 0 for r in report.target_results)  # both were reached: the operator's plans are measured
    assert report.findings.count("plan after") == 2 and "plan after never" not in report.findings


async def test_drill_requests_are_checked(suite: Suite) -> None:
    await expect_error(
        suite.gateway.StartDrill(gpb.StartDrillRequest(request_id=rid(), scenario="scenarios/none-such"), metadata=DIRECTOR), grpc.StatusCode.NOT_FOUND
    )
    await expect_error(
        suite.gateway.StartDrill(gpb.StartDrillRequest(request_id=rid(), scenario="x", clock_speed=-1), metadata=DIRECTOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    await expect_error(suite.gateway.GetDrill(gpb.GetDrillRequest(name="drills/drill-0000000000000000"), metadata=VIEWER), grpc.StatusCode.NOT_FOUND)
