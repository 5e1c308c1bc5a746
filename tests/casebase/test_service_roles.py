"""Who may call what: every method against every kind of caller, with an empty request that writes nothing."""

from __future__ import annotations

import time

import grpc
from emergency.casebase.v1 import casebase_service_pb2 as pb

from services.common.auth import Role
from tests.casebase.conftest import CasebaseHarness
from tests.casebase.service_helpers import all_case_names, all_scenario_names, outbox_events
from tests.conftest import auth

OK = grpc.StatusCode.OK
BAD = grpc.StatusCode.INVALID_ARGUMENT
DENIED = grpc.StatusCode.PERMISSION_DENIED
NO_TOKEN = grpc.StatusCode.UNAUTHENTICATED

EVERYONE = frozenset(Role)
OPERATOR_ONLY = frozenset({Role.OPERATOR})
DRILL_WRITERS = frozenset({Role.OPERATOR, Role.DRILL_DIRECTOR})

# Method, an empty (or harmless) request, who may call it, and what such a caller gets for it.
CALLS: list[tuple[str, object, frozenset[Role], grpc.StatusCode]] = [
    ("GetCase", pb.GetCaseRequest(name="cases/huaian-chlorine-2005"), EVERYONE, OK),
    ("ListCases", pb.ListCasesRequest(page_size=1), EVERYONE, OK),
    ("SearchSimilarCases", pb.SearchSimilarCasesRequest(), EVERYONE, BAD),
    ("RecommendDemands", pb.RecommendDemandsRequest(), EVERYONE, BAD),
    ("GetScenario", pb.GetScenarioRequest(name="scenarios/chlorine-ammonia-twin-release"), EVERYONE, OK),
    ("ListScenarios", pb.ListScenariosRequest(page_size=1), EVERYONE, OK),
    ("GetAfterActionReport", pb.GetAfterActionReportRequest(name="afterActionReports/aar-none"), EVERYONE, grpc.StatusCode.NOT_FOUND),
    ("ListAfterActionReports", pb.ListAfterActionReportsRequest(), EVERYONE, OK),
    ("CreateCase", pb.CreateCaseRequest(), OPERATOR_ONLY, BAD),
    ("UpdateCase", pb.UpdateCaseRequest(accident_case=pb.AccidentCase(name="cases/huaian-chlorine-2005")), OPERATOR_ONLY, BAD),
    ("DeleteCase", pb.DeleteCaseRequest(name="cases/huaian-chlorine-2005"), OPERATOR_ONLY, BAD),
    ("CreateScenario", pb.CreateScenarioRequest(), DRILL_WRITERS, BAD),
    ("DeleteScenario", pb.DeleteScenarioRequest(name="scenarios/chlorine-ammonia-twin-release"), DRILL_WRITERS, BAD),
    ("CreateAfterActionReport", pb.CreateAfterActionReportRequest(), DRILL_WRITERS, BAD),
    ("CreateCaseFromReport", pb.CreateCaseFromReportRequest(report="afterActionReports/aar-none"), OPERATOR_ONLY, BAD),
]


async def _code(harness: CasebaseHarness, method: str, request: object, metadata: tuple[tuple[str, str], ...] | None) -> grpc.StatusCode:
    """The status a call ends with."""
    try:
        await getattr(harness.stub, method)(request, metadata=metadata)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return OK


async def test_authorization_matrix(casebase: CasebaseHarness) -> None:
    callers: dict[str, tuple[tuple[tuple[str, str], ...] | None, Role | None]] = {role.value: (auth(role, park_id="ligang"), role) for role in Role}
    callers["no token"] = (None, None)
    callers["expired token"] = (auth(Role.OPERATOR, now=time.time() - 7200, ttl_s=60), None)
    callers["wrong signature"] = (auth(Role.OPERATOR, secret="another-signing-secret-that-is-long-enough"), None)
    mismatches = []
    for method, request, allowed, allowed_code in CALLS:
        for label, (metadata, role) in callers.items():
            expected = NO_TOKEN if role is None else allowed_code if role in allowed else DENIED
            got = await _code(casebase, method, request, metadata)
            if got != expected:
                mismatches.append(f"{method} as {label}: {got.name}, expected {expected.name}")
    assert not mismatches, mismatches
    assert len(await all_case_names(casebase.stub)) == 58 and len(await all_scenario_names(casebase.stub)) == 12
    assert not [e for e in outbox_events(casebase.database_url) if e[0] != "library.loaded"]
