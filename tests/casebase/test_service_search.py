"""Similar-case search and demand recommendation through the API, and the index following library changes."""

from __future__ import annotations

import grpc
import pytest
from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.common.v1 import common_pb2

from tests.casebase.conftest import CasebaseHarness
from tests.casebase.service_helpers import OFFICER, OPERATOR, VIEWER, chlorine_profile, new_case, rid
from tests.grpc_assertions import expect_error, field_violations


async def test_search_returns_score_parts_with_reasons(casebase: CasebaseHarness) -> None:
    response = await casebase.stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=chlorine_profile()), metadata=VIEWER)
    results = response.results
    assert len(results) == 5
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    top = results[0]
    assert top.accident_case.kind == common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK
    assert any(s.hazard_class == "2.3" for s in top.accident_case.substances)
    assert top.accident_case.HasField("create_time")
    for result in results:
        parts = {p.attribute: p for p in result.parts}
        assert set(parts) == {"kind", "hazard_class", "substance", "severity", "park_kind", "text"}
        assert result.score == pytest.approx(sum(p.weight * p.similarity for p in result.parts))
        assert sum(p.weight for p in result.parts) == pytest.approx(1.0)
        assert all(p.reason and 0 <= p.similarity <= 1 for p in result.parts)
    top_parts = {p.attribute: p for p in top.parts}
    assert "same kind" in top_parts["kind"].reason and top_parts["kind"].similarity == 1.0
    assert top_parts["text"].reason.startswith("shared terms:") and "chlorine" in top_parts["text"].reason

    many = await casebase.stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=chlorine_profile(), limit=500), metadata=OFFICER)
    assert len(many.results) == 50


async def test_bad_profiles_are_refused_and_unclassified_substances_accepted(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    profile = chlorine_profile(kind=common_pb2.INCIDENT_KIND_UNSPECIFIED)
    profile.substances[0].hazard_class = "2.9"
    error = await expect_error(
        stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=profile, limit=-1), metadata=VIEWER), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(field_violations(error)) == {"profile.kind", "profile.substances[0].hazard_class", "limit"}
    error = await expect_error(
        stub.RecommendDemands(pb.RecommendDemandsRequest(profile=chlorine_profile(), case_count=-2), metadata=VIEWER), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert field_violations(error) == ["case_count"]
    await expect_error(stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=chlorine_profile())), grpc.StatusCode.UNAUTHENTICATED)

    # A substance whose hazard class is not known yet is no error: it is matched by its name.
    profile = chlorine_profile(text="储罐泄漏")
    profile.substances[0].CopyFrom(common_pb2.Substance(name="chlorine"))
    profile.substances.append(common_pb2.Substance(un_number="1005", hazard_class="2.3"))
    response = await casebase.stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=profile), metadata=VIEWER)
    parts = {p.attribute: p for p in response.results[0].parts}
    assert "chlorine" in parts["text"].reason and parts["substance"].similarity > 0
    recommended = await casebase.stub.RecommendDemands(pb.RecommendDemandsRequest(profile=profile), metadata=VIEWER)
    assert "rule:ammonia" in {rule for line in recommended.demands for rule in line.cited_rules}


async def test_recommendation_cites_cases_and_rules(casebase: CasebaseHarness) -> None:
    response = await casebase.stub.RecommendDemands(pb.RecommendDemandsRequest(profile=chlorine_profile(), case_count=5), metadata=VIEWER)
    lines = {line.demand.resource_type: line for line in response.demands}
    similar = {s.accident_case.name for s in response.similar_cases}
    assert 1 <= len(similar) <= 5
    assert "rule:toxic-gas" in lines["HAZMAT_TEAM"].cited_rules
    assert "gas-tight-a" in lines["HAZMAT_TEAM"].demand.required_capabilities
    assert "rule:chlorine" in lines["PLUGGING_KIT"].cited_rules
    assert lines["GAS_TIGHT_SUIT_A"].demand.quantity >= 4
    from_cases = [line for line in response.demands if line.cited_cases]
    assert from_cases, "some line must come from similar cases"
    for line in response.demands:
        assert line.cited_cases or line.cited_rules
        assert line.demand.quantity > 0 and line.demand.needed_within_minutes > 0
        assert set(line.cited_cases) <= similar
        assert all(name.startswith("cases/") for name in line.cited_cases)
        assert all(name in line.rationale for name in line.cited_cases)
        assert all(rule.startswith("rule:") for rule in line.cited_rules)


async def test_index_follows_creates_updates_and_deletes(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    profile = pb.IncidentProfile(
        kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
        substances=[common_pb2.Substance(name="hydrogen fluoride", un_number="1052", hazard_class="8")],
        park_kind=common_pb2.PARK_KIND_HIGH_TECH,
        text="etching bay flange gasket hydrogen fluoride vapour 蚀刻线",
    )

    async def top_names() -> list[str]:
        response = await stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=profile, limit=3), metadata=VIEWER)
        return [r.accident_case.name for r in response.results]

    assert "cases/hf-etching" not in await top_names()
    await stub.CreateCase(pb.CreateCaseRequest(request_id=rid(), case_id="hf-etching", accident_case=new_case()), metadata=OPERATOR)
    assert (await top_names())[0] == "cases/hf-etching"

    patch = pb.UpdateCaseRequest(
        request_id=rid(), accident_case=pb.AccidentCase(name="cases/hf-etching", summary="A crane toppled onto a warehouse roof.", title="Crane collapse")
    )
    patch.update_mask.paths.extend(["summary", "title"])
    before = await stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=profile, limit=58), metadata=VIEWER)
    await stub.UpdateCase(patch, metadata=OPERATOR)
    after = await stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=profile, limit=58), metadata=VIEWER)
    score = {r.accident_case.name: r.score for r in before.results}
    new_score = {r.accident_case.name: r.score for r in after.results}
    assert new_score["cases/hf-etching"] < score["cases/hf-etching"]

    await stub.DeleteCase(pb.DeleteCaseRequest(request_id=rid(), name="cases/hf-etching"), metadata=OPERATOR)
    everything = await stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=profile, limit=50), metadata=VIEWER)
    assert "cases/hf-etching" not in {r.accident_case.name for r in everything.results}
