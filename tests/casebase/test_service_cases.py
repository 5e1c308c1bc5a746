"""Accident cases through the API: CRUD, filters and pagination, bad input, idempotent replay."""

from __future__ import annotations

import asyncio

import grpc
from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.common.v1 import common_pb2

from services.casebase.library import CaseLibrary
from tests.casebase.conftest import CasebaseHarness
from tests.casebase.service_helpers import OPERATOR, VIEWER, all_case_names, new_case, outbox_events, rid
from tests.grpc_assertions import error_info, expect_error, field_violations


async def test_create_get_update_delete_with_events(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    created = (
        await stub.CreateCase(pb.CreateCaseRequest(request_id=rid(), case_id="hf-etching-2024", accident_case=new_case()), metadata=OPERATOR)
    ).accident_case
    assert created.name == "cases/hf-etching-2024" and created.HasField("create_time")
    assert created.date == "2024-05" and created.place == "Hitech East, China"
    fetched = (await stub.GetCase(pb.GetCaseRequest(name=created.name), metadata=VIEWER)).accident_case
    assert fetched == created
    assert await all_case_names(stub, query="氢氟酸") == [created.name]

    patch = pb.AccidentCase(name=created.name, title="Hydrogen fluoride release at etching line 3", severity=common_pb2.SEVERITY_II, summary="ignored")
    request = pb.UpdateCaseRequest(request_id=rid(), accident_case=patch)
    request.update_mask.paths.extend(["title", "severity"])
    updated = (await stub.UpdateCase(request, metadata=OPERATOR)).accident_case
    assert updated.title == patch.title and updated.severity == common_pb2.SEVERITY_II
    assert updated.summary == created.summary and updated.create_time == created.create_time
    assert await all_case_names(stub, severity=common_pb2.SEVERITY_III, query="etching") == []
    assert await all_case_names(stub, severity=common_pb2.SEVERITY_II, query="etching") == [created.name]

    removed = (await stub.DeleteCase(pb.DeleteCaseRequest(request_id=rid(), name=created.name), metadata=OPERATOR)).accident_case
    assert removed == updated
    error = await expect_error(stub.GetCase(pb.GetCaseRequest(name=created.name), metadata=VIEWER), grpc.StatusCode.NOT_FOUND)
    assert error_info(error).reason == "CASE_NOT_FOUND"
    await expect_error(stub.DeleteCase(pb.DeleteCaseRequest(request_id=rid(), name=created.name), metadata=OPERATOR), grpc.StatusCode.NOT_FOUND)
    events = [e for e in outbox_events(casebase.database_url) if e[1] == created.name]
    assert events == [("case.created", created.name), ("case.updated", created.name), ("case.deleted", created.name)]


async def test_bad_cases_and_updates_are_refused_field_by_field_and_write_nothing(casebase: CasebaseHarness) -> None:
    bad = new_case(
        date="May 2024",
        substances=[common_pb2.Substance(name="hydrogen fluoride", un_number="10520", hazard_class="2.7")],
        timeline=[pb.CaseEvent(offset_minutes=30, text="Entry."), pb.CaseEvent(offset_minutes=5, text="Alarm.")],
        resources_used=[pb.ResourceUse(resource_type="HAZMAT_TEAM", quantity=1), pb.ResourceUse(resource_type="LASER_TEAM", quantity=1)],
        sources=["a newspaper without a date"],
        kind=common_pb2.INCIDENT_KIND_UNSPECIFIED,
        synthetic=False,
    )
    request = pb.CreateCaseRequest(request_id=rid(), case_id="Bad Id", accident_case=bad)
    error = await expect_error(casebase.stub.CreateCase(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    fields = field_violations(error)
    assert len(fields) == len(set(fields)), fields
    assert set(fields) == {
        "case_id",
        "accident_case.date",
        "accident_case.kind",
        "accident_case.substances[0].un_number",
        "accident_case.substances[0].hazard_class",
        "accident_case.timeline[1].offset_minutes",
        "accident_case.resources_used[1].resource_type",
        "accident_case.sources[0]",
    }
    assert len(await all_case_names(casebase.stub)) == 58

    stub = casebase.stub
    name = "cases/huaian-chlorine-2005"
    before = (await stub.GetCase(pb.GetCaseRequest(name=name), metadata=VIEWER)).accident_case
    patch = pb.AccidentCase(name=name, substances=[common_pb2.Substance(name="chlorine", hazard_class="2.7")], duration_hours=-3)
    update = pb.UpdateCaseRequest(request_id=rid(), accident_case=patch)
    update.update_mask.paths.extend(["substances", "duration_hours"])
    error = await expect_error(stub.UpdateCase(update, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert set(field_violations(error)) == {"accident_case.substances[0].hazard_class", "accident_case.duration_hours"}

    masked = pb.UpdateCaseRequest(request_id=rid(), accident_case=pb.AccidentCase(name=name))
    masked.update_mask.paths.extend(["create_time", "secret_notes"])
    error = await expect_error(stub.UpdateCase(masked, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert set(field_violations(error)) == {"update_mask.paths[create_time]", "update_mask.paths[secret_notes]"}
    for bad_name in ("cases/Not An Id", "scenarios/huaian-chlorine-2005"):
        error = await expect_error(stub.GetCase(pb.GetCaseRequest(name=bad_name), metadata=VIEWER), grpc.StatusCode.INVALID_ARGUMENT)
        assert field_violations(error) == ["name"]
    missing = pb.UpdateCaseRequest(request_id=rid(), accident_case=pb.AccidentCase(name="cases/no-such-case", title="x y z"))
    missing.update_mask.paths.append("title")
    await expect_error(stub.UpdateCase(missing, metadata=OPERATOR), grpc.StatusCode.NOT_FOUND)

    after = (await stub.GetCase(pb.GetCaseRequest(name=name), metadata=VIEWER)).accident_case
    assert after == before
    assert not [e for e in outbox_events(casebase.database_url) if e[0].startswith("case.")]


async def test_list_filters_and_pagination(casebase: CasebaseHarness, library: CaseLibrary) -> None:
    stub = casebase.stub
    cases = library.cases()
    paged = await all_case_names(stub, page_size=7)
    assert paged == sorted(c.name for c in cases) and len(set(paged)) == 58

    toxic = await all_case_names(stub, page_size=4, kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK)
    assert toxic == sorted(c.name for c in cases if c.kind == "TOXIC_GAS_LEAK") and len(toxic) >= 5
    corrosive = await all_case_names(stub, page_size=3, hazard_class="8")
    expected = sorted(c.name for c in cases if any(s.hazard_class == "8" for s in c.substances))
    assert corrosive == expected
    assert any(library.get(n.removeprefix("cases/")).primary_hazard_class != "8" for n in corrosive), "a secondary substance must count"
    level_one = await all_case_names(stub, severity=common_pb2.SEVERITY_I)
    assert level_one == sorted(c.name for c in cases if c.severity == "I")
    chlorine_zh = await all_case_names(stub, query="液氯")
    assert "cases/huaian-chlorine-2005" in chlorine_zh
    combined = await all_case_names(stub, kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK, hazard_class="2.3", query="CHLORINE")
    assert combined and all(library.get(n.removeprefix("cases/")).kind == "TOXIC_GAS_LEAK" for n in combined)
    assert set(combined) < set(toxic)

    first = await stub.ListCases(pb.ListCasesRequest(page_size=2, kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK), metadata=VIEWER)
    assert first.next_page_token
    other_filter = pb.ListCasesRequest(page_size=2, page_token=first.next_page_token, kind=common_pb2.INCIDENT_KIND_EXPLOSION)
    for bad, field in (
        (other_filter, "page_token"),
        (pb.ListCasesRequest(page_token="not-a-token!"), "page_token"),
        (pb.ListCasesRequest(page_size=-1), "page_size"),
        (pb.ListCasesRequest(hazard_class="2.7"), "hazard_class"),
        (pb.ListCasesRequest(kind=99), "kind"),  # type: ignore[arg-type]
    ):
        error = await expect_error(stub.ListCases(bad, metadata=VIEWER), grpc.StatusCode.INVALID_ARGUMENT)
        assert field_violations(error) == [field]


async def test_create_is_replayed_by_request_id(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    request = pb.CreateCaseRequest(request_id=rid(), case_id="hf-replay", accident_case=new_case())
    first = await stub.CreateCase(request, metadata=OPERATOR)
    again = await stub.CreateCase(request, metadata=OPERATOR)
    assert again == first
    changed = pb.CreateCaseRequest()
    changed.CopyFrom(request)
    changed.accident_case.title = "Another release"
    error = await expect_error(stub.CreateCase(changed, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert error_info(error).reason == "REQUEST_ID_REUSED"
    duplicate = pb.CreateCaseRequest(request_id=rid(), case_id="hf-replay", accident_case=new_case())
    await expect_error(stub.CreateCase(duplicate, metadata=OPERATOR), grpc.StatusCode.ALREADY_EXISTS)
    delete = pb.DeleteCaseRequest(request_id=rid(), name="cases/hf-replay")
    assert (await stub.DeleteCase(delete, metadata=OPERATOR)) == (await stub.DeleteCase(delete, metadata=OPERATOR))
    assert [e[0] for e in outbox_events(casebase.database_url) if e[1] == "cases/hf-replay"] == ["case.created", "case.deleted"]
    assert len(await all_case_names(stub)) == 58


async def test_concurrent_updates_of_different_fields_are_all_kept(casebase: CasebaseHarness) -> None:
    name = "cases/buncefield-2005"
    values = {
        "title": "Buncefield depot explosion and fire (revised)",
        "industry": "fuel storage terminal",
        "outcome": "Depot rebuilt under new overfill rules.",
        "summary": "A tank overfilled with petrol; the vapour cloud exploded and burned for days.",
        "place": "Hemel Hempstead, Hertfordshire, United Kingdom",
        "lessons": ["Independent high-level trips on every tank."],
        "causes": ["Stuck level gauge and an inoperative independent switch."],
        "response_actions": ["Foam attack with many high-volume pumps."],
    }

    def request(path: str, value: object) -> pb.UpdateCaseRequest:
        patch = pb.AccidentCase(name=name)
        if isinstance(value, list):
            getattr(patch, path).extend(value)
        else:
            setattr(patch, path, value)
        update = pb.UpdateCaseRequest(request_id=rid(), accident_case=patch)
        update.update_mask.paths.append(path)
        return update

    await asyncio.gather(*(casebase.stub.UpdateCase(request(p, v), metadata=OPERATOR) for p, v in values.items()))
    case = (await casebase.stub.GetCase(pb.GetCaseRequest(name=name), metadata=VIEWER)).accident_case
    for path, value in values.items():
        assert (list(getattr(case, path)) if isinstance(value, list) else getattr(case, path)) == value, path
    assert len([e for e in outbox_events(casebase.database_url) if e == ("case.updated", name)]) == len(values)
