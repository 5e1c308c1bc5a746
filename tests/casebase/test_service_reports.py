"""After-action reports through the API: drill and live reports stored, and a live one turned into a case."""

from __future__ import annotations

import grpc
from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.common.v1 import common_pb2
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.incident.v1 import incident_service_pb2_grpc as ipb_grpc

from tests.casebase.conftest import CasebaseHarness
from tests.casebase.service_helpers import DIRECTOR, OPERATOR, VIEWER, outbox_events, rid
from tests.grpc_assertions import error_info, expect_error, field_violations

SCENARIO = "scenarios/chlorine-ammonia-twin-release"


def drill_report(**overrides: object) -> pb.AfterActionReport:
    """A drill's report with two targets, one met."""
    hazmat = pb.Target(metric="FIRST_ARRIVAL_MIN", resource_type="HAZMAT_TEAM", comparator=pb.Target.COMPARATOR_AT_MOST, threshold=15)
    report = pb.AfterActionReport(
        scenario=SCENARIO,
        exercise_id="drill-2025-05",
        incidents=["incidents/inc-drill-1", "incidents/inc-drill-2"],
        timeline=[pb.CaseEvent(offset_minutes=0, text="Chlorine leak injected."), pb.CaseEvent(offset_minutes=12, text="Entry team on scene.")],
        target_results=[
            pb.TargetResult(inject_id="chlorine-shengang", target=hazmat, measured=12, met=True),
            pb.TargetResult(inject_id="ammonia-jetty", target=hazmat, measured=19, met=False),
        ],
        score=62.5,
        lessons=["Stage a second entry team at the bridge jetties."],
        findings="The optimiser's plan left Xiagang below its reserve for eight minutes.",
    )
    for key, value in overrides.items():
        setattr(report, key, value)
    return report


def live_report() -> pb.AfterActionReport:
    """A closed live ammonia leak's report."""
    return pb.AfterActionReport(
        title="Ammonia leak at the Xiagang cold store",
        incidents=["incidents/inc-2025-0042"],
        timeline=[
            pb.CaseEvent(offset_minutes=0, text="Leak reported by the plant."),
            pb.CaseEvent(offset_minutes=14, text="Gas-tight entry team on scene."),
            pb.CaseEvent(offset_minutes=300, text="Receiver emptied; incident closed."),
        ],
        target_results=[
            pb.TargetResult(
                target=pb.Target(metric="FIRST_ARRIVAL_MIN", resource_type="HIGH_VOLUME_WATER", comparator=pb.Target.COMPARATOR_AT_MOST, threshold=20),
                measured=26,
                met=False,
            )
        ],
        score=50,
        lessons=["Pre-position a large-flow vehicle at Xiagang on storm days."],
        profile=pb.IncidentProfile(
            kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
            substances=[common_pb2.Substance(name="anhydrous ammonia", un_number="1005", hazard_class="2.3")],
            severity=common_pb2.SEVERITY_III,
            park_kind=common_pb2.PARK_KIND_STEEL,
            text="冷库氨泄漏 停电后重启 ammonia receiver valve failed after a power cut at the cold store",
        ),
        resources_used=[pb.ResourceUse(resource_type="HAZMAT_TEAM", quantity=1), pb.ResourceUse(resource_type="HIGH_VOLUME_WATER", quantity=2)],
    )


async def test_drill_report_is_checked_stored_listed_and_never_becomes_a_case(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    drill = drill_report(exercise_id="", score=140)
    drill.timeline[1].offset_minutes = -1
    drill.target_results[0].target.metric = "GOOD_TEAMWORK"
    error = await expect_error(
        stub.CreateAfterActionReport(pb.CreateAfterActionReportRequest(request_id=rid(), report=drill), metadata=DIRECTOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(field_violations(error)) == {"report.exercise_id", "report.score", "report.timeline[1].offset_minutes", "report.target_results[0].target.metric"}
    live = live_report()
    live.ClearField("profile")
    live.incidents[0] = "inc-2025-0042"
    live.resources_used[1].resource_type = "LASER_TEAM"
    error = await expect_error(
        stub.CreateAfterActionReport(pb.CreateAfterActionReportRequest(request_id=rid(), report=live), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(field_violations(error)) == {"report.profile", "report.incidents[0]", "report.resources_used[1].resource_type"}
    assert not (await stub.ListAfterActionReports(pb.ListAfterActionReportsRequest(), metadata=VIEWER)).reports

    request = pb.CreateAfterActionReportRequest(request_id=rid(), report=drill_report())
    stored = (await stub.CreateAfterActionReport(request, metadata=DIRECTOR)).report
    assert stored.name.startswith("afterActionReports/aar-") and stored.HasField("create_time")
    assert (await stub.CreateAfterActionReport(request, metadata=DIRECTOR)).report == stored
    copy = pb.AfterActionReport()
    copy.CopyFrom(stored)
    copy.ClearField("name")
    copy.ClearField("create_time")
    assert copy == drill_report()
    assert (await stub.GetAfterActionReport(pb.GetAfterActionReportRequest(name=stored.name), metadata=VIEWER)).report == stored
    listed = await stub.ListAfterActionReports(pb.ListAfterActionReportsRequest(scenario=SCENARIO), metadata=VIEWER)
    assert [r.name for r in listed.reports] == [stored.name]
    other = await stub.ListAfterActionReports(pb.ListAfterActionReportsRequest(scenario="scenarios/tank-fire-and-jetty-fire"), metadata=VIEWER)
    assert not other.reports

    error = await expect_error(
        stub.CreateCaseFromReport(pb.CreateCaseFromReportRequest(request_id=rid(), report=stored.name), metadata=OPERATOR), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert error_info(error).reason == "REPORT_NOT_LIVE"

    unknown_scenario = pb.CreateAfterActionReportRequest(request_id=rid(), report=drill_report(scenario="scenarios/no-such-drill"))
    await expect_error(stub.CreateAfterActionReport(unknown_scenario, metadata=DIRECTOR), grpc.StatusCode.NOT_FOUND)
    bad_inject = drill_report()
    bad_inject.target_results[1].inject_id = "no-such-inject"
    error = await expect_error(
        stub.CreateAfterActionReport(pb.CreateAfterActionReportRequest(request_id=rid(), report=bad_inject), metadata=DIRECTOR),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(error) == ["report.target_results[1].inject_id"]
    events = [e[0] for e in outbox_events(casebase.database_url) if e[1].startswith("afterActionReports/")]
    assert events == ["after_action_report.created"]


async def incident_in_state(casebase: CasebaseHarness, incident_id: str, *, closed: bool = True) -> str:
    """An incident in the incident service the casebase checks with: walked to CLOSED, or left RESPONDING."""
    async with grpc.aio.insecure_channel(casebase.settings.incident_addr) as channel:
        stub = ipb_grpc.IncidentServiceStub(channel)
        incident = ipb.Incident(
            title="Ammonia leak at the Xiagang cold store",
            park_id="xiagang",
            location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=31.93, longitude=120.22)),
            kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
            severity=common_pb2.SEVERITY_III,
            reporter="plant control room",
        )
        current: ipb.Incident = (
            await stub.CreateIncident(ipb.CreateIncidentRequest(request_id=rid(), incident=incident, incident_id=incident_id), metadata=OPERATOR)
        ).incident
        steps = [
            (stub.VerifyIncident, ipb.VerifyIncidentRequest),
            (stub.BeginDispatch, ipb.BeginDispatchRequest),
            (stub.MarkResponding, ipb.MarkRespondingRequest),
        ]
        if closed:
            steps.append((stub.MarkContained, ipb.MarkContainedRequest))
        for method, request_type in steps:
            current = (await method(request_type(request_id=rid(), name=current.name, version=current.version), metadata=OPERATOR)).incident
        if closed:
            request = ipb.CloseIncidentRequest(request_id=rid(), name=current.name, version=current.version, outcome_summary="Receiver emptied.")
            current = (await stub.CloseIncident(request, metadata=OPERATOR)).incident
        return current.name


async def test_live_reports_and_cases_only_for_closed_incidents_that_exist(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    missing = live_report()
    missing.incidents[0] = "incidents/live-does-not-exist"
    error = await expect_error(
        stub.CreateAfterActionReport(pb.CreateAfterActionReportRequest(request_id=rid(), report=missing), metadata=OPERATOR),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert error_info(error).reason == "INCIDENT_NOT_FOUND"
    still_open = live_report()
    still_open.incidents[0] = await incident_in_state(casebase, "inc-still-open", closed=False)
    error = await expect_error(
        stub.CreateAfterActionReport(pb.CreateAfterActionReportRequest(request_id=rid(), report=still_open), metadata=OPERATOR),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert error_info(error).reason == "INCIDENT_NOT_CLOSED"
    assert not (await stub.ListAfterActionReports(pb.ListAfterActionReportsRequest(), metadata=VIEWER)).reports
    assert not [e for e in outbox_events(casebase.database_url) if e[0] != "library.loaded"]


async def test_live_report_becomes_a_searchable_case(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    await incident_in_state(casebase, "inc-2025-0042")
    stored = (await stub.CreateAfterActionReport(pb.CreateAfterActionReportRequest(request_id=rid(), report=live_report()), metadata=OPERATOR)).report
    convert = pb.CreateCaseFromReportRequest(request_id=rid(), report=stored.name)
    await expect_error(stub.CreateCaseFromReport(convert, metadata=DIRECTOR), grpc.StatusCode.PERMISSION_DENIED)
    case = (await stub.CreateCaseFromReport(convert, metadata=OPERATOR)).accident_case
    assert case.name == "cases/live-inc-2025-0042" and not case.synthetic
    assert case.title == "Ammonia leak at the Xiagang cold store" and case.kind == common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK
    assert case.duration_hours == 5.0 and [e.offset_minutes for e in case.timeline] == [0, 14, 300]
    assert {r.resource_type for r in case.resources_used} == {"HAZMAT_TEAM", "HIGH_VOLUME_WATER"}
    assert any("missed" in lesson and "observed 26" in lesson for lesson in case.lessons)
    assert case.sources[0].startswith(f"After-action report {stored.name.removeprefix('afterActionReports/')}")
    assert (await stub.CreateCaseFromReport(convert, metadata=OPERATOR)).accident_case == case
    again = pb.CreateCaseFromReportRequest(request_id=rid(), report=stored.name)
    await expect_error(stub.CreateCaseFromReport(again, metadata=OPERATOR), grpc.StatusCode.ALREADY_EXISTS)

    assert (await stub.GetCase(pb.GetCaseRequest(name=case.name), metadata=VIEWER)).accident_case == case
    found = await stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=live_report().profile, limit=3), metadata=VIEWER)
    assert found.results[0].accident_case.name == case.name
    events = outbox_events(casebase.database_url)
    assert ("after_action_report.created", stored.name) in events and ("case.created", case.name) in events
    await expect_error(
        stub.CreateCaseFromReport(pb.CreateCaseFromReportRequest(request_id=rid(), report="afterActionReports/aar-none"), metadata=OPERATOR),
        grpc.StatusCode.NOT_FOUND,
    )
