"""The shipped library in the database: loaded on the first start only, and fitted to the configured shared depot."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from emergency.casebase.v1 import casebase_service_pb2 as pb
from pydantic import ValidationError

from services.casebase.config import CasebaseOptions
from services.casebase.library import CASES_DIR, SCENARIOS_DIR
from tests.casebase.conftest import start_casebase, stop_casebase
from tests.casebase.service_helpers import OPERATOR, VIEWER, all_case_names, all_scenario_names, chlorine_profile, outbox_events, rid
from tests.conftest import service_settings
from tests.grpc_assertions import expect_error, field_violations


async def test_library_loads_on_first_start_only(tmp_path: Path, database_url: str, clean_redis: str) -> None:
    settings = service_settings(tmp_path, database_url, clean_redis)
    shipped_cases = sorted(f"cases/{p.stem}" for p in CASES_DIR.glob("*.yaml"))
    shipped_scenarios = sorted(f"scenarios/{p.stem}" for p in SCENARIOS_DIR.glob("*.yaml"))
    first = await start_casebase(settings, database_url)
    try:
        assert await all_case_names(first.stub, page_size=9) == shipped_cases
        assert await all_scenario_names(first.stub) == shipped_scenarios
        found = await first.stub.SearchSimilarCases(pb.SearchSimilarCasesRequest(profile=chlorine_profile()), metadata=VIEWER)
        assert len(found.results) == 5
        await first.stub.DeleteCase(pb.DeleteCaseRequest(request_id=rid(), name="cases/bhopal-1984"), metadata=OPERATOR)
    finally:
        await stop_casebase(first)

    second = await start_casebase(settings, database_url)
    try:
        assert await all_case_names(second.stub, page_size=9) == [n for n in shipped_cases if n != "cases/bhopal-1984"]
        assert await all_scenario_names(second.stub) == shipped_scenarios
        await expect_error(second.stub.GetCase(pb.GetCaseRequest(name="cases/bhopal-1984"), metadata=VIEWER), grpc.StatusCode.NOT_FOUND)
    finally:
        await stop_casebase(second)
    events = outbox_events(database_url)
    assert [e for e in events if e[0] == "library.loaded"] == [("library.loaded", "cases")]
    assert ("case.deleted", "cases/bhopal-1984") in events


async def test_shared_depot_is_configurable(tmp_path: Path, sqlite_url: str, clean_redis: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError):
        CasebaseOptions(shared_depot="parks/atlantis/depots/base")
    monkeypatch.setenv("CASEBASE_SHARED_DEPOT", "parks/shengang/depots/sg-base")
    options = CasebaseOptions()
    assert (options.shared_depot_park, options.shared_depot_id) == ("shengang", "sg-base")
    harness = await start_casebase(service_settings(tmp_path, sqlite_url, clean_redis), sqlite_url, options)
    try:
        loaded = await all_scenario_names(harness.stub)
        assert len(loaded) == 10
        assert "scenarios/three-park-hazmat-contention" not in loaded and "scenarios/tank-fire-and-jetty-fire" not in loaded
        upload = (await harness.stub.GetScenario(pb.GetScenarioRequest(name="scenarios/chlorine-ammonia-twin-release"), metadata=VIEWER)).scenario
        upload.ClearField("name")
        upload.ClearField("create_time")
        upload.injects[3].CopyFrom(
            pb.Inject(id="lime-lost", offset_s=1800, kind=pb.Inject.KIND_STOCK_LOSS, stock="parks/shengang/depots/sg-base/stocks/NEUTRALISER_LIME", amount=500)
        )
        del upload.rubric[:]
        upload.rubric.append(pb.RubricItem(criterion="targets_met", weight=0.5))
        upload.rubric.append(pb.RubricItem(criterion="time_to_plan", weight=0.3))
        upload.rubric.append(pb.RubricItem(criterion="reserve_kept", weight=0.2))
        accepted = await harness.stub.CreateScenario(pb.CreateScenarioRequest(scenario=upload, validate_only=True), metadata=OPERATOR)
        assert accepted.scenario.injects[3].stock == "parks/shengang/depots/sg-base/stocks/NEUTRALISER_LIME"
        upload.injects[3].stock = "parks/ligang/depots/sg-base/stocks/NEUTRALISER_LIME"
        error = await expect_error(
            harness.stub.CreateScenario(pb.CreateScenarioRequest(scenario=upload, validate_only=True), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
        )
        assert field_violations(error) == ["scenario.injects[3].stock"]
    finally:
        await stop_casebase(harness)
