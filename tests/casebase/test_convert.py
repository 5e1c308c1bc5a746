"""Messages <-> domain: the shipped library survives the trip, and updates keep what messages do not carry."""

from __future__ import annotations

import pytest
from emergency.casebase.v1 import casebase_service_pb2 as pb

from services.casebase.config import CasebaseOptions
from services.casebase.library import CaseLibrary, load_scenarios
from services.casebase.mapping_case import case_field, case_raw, case_to_proto, merge_case
from services.casebase.mapping_scenario import SharedDepot, scenario_field, scenario_raw, scenario_to_proto
from services.casebase.metrics import METRICS
from services.casebase.validation_case import validate_case
from services.casebase.validation_scenario import validate_scenario
from services.common.rubric import CRITERIA

OPTIONS = CasebaseOptions()
DEPOT = SharedDepot(OPTIONS.shared_depot_park, OPTIONS.shared_depot_id)


def test_every_shipped_case_round_trips(library: CaseLibrary) -> None:
    for case in library.cases():
        message = case_to_proto(case)
        raw, conversion = case_raw(message, case.id)
        again, problems = validate_case(raw)
        assert not conversion and not problems and again is not None, case.id
        assert case_to_proto(again) == message, case.id


def test_every_shipped_scenario_round_trips_with_the_same_weights() -> None:
    for scenario in load_scenarios(context=OPTIONS.validation_context()):
        message = scenario_to_proto(scenario, DEPOT)
        raw, conversion = scenario_raw(message, scenario.id, DEPOT)
        again, problems = validate_scenario(raw, OPTIONS.validation_context())
        assert not conversion and not problems and again is not None, scenario.id
        assert scenario_to_proto(again, DEPOT) == message, scenario.id
        per_target = {t: item.weight / len(item.targets) for item in scenario.rubric for t in item.targets}
        assert sorted(i.weight for i in message.rubric) == pytest.approx(sorted(per_target.values()))


def test_update_keeps_fields_messages_do_not_carry(library: CaseLibrary) -> None:
    case = library.get("huaian-chlorine-2005")
    assert case.secondary_kinds and case.substances[0].name_zh
    merged, problems = merge_case(case, pb.AccidentCase(title="Huai'an chlorine tanker leak"), ["title"])
    updated, more = validate_case(merged)
    assert not problems and not more and updated is not None
    assert updated.title == "Huai'an chlorine tanker leak"
    assert updated.model_dump(exclude={"title"}) == case.model_dump(exclude={"title"})


def test_criteria_partition_the_metrics() -> None:
    families = list(CRITERIA.values())
    assert set().union(*families) == set(METRICS)
    assert sum(len(f) for f in families) == len(METRICS)


def test_domain_paths_map_to_message_fields() -> None:
    assert case_field("timeline[2].t_min") == "timeline[2].offset_minutes"
    assert case_field("resources_used[1].type") == "resources_used[1].resource_type"
    assert case_field("duration_h") == "duration_hours"
    raw = {"injects": [{"type": "INCIDENT"}, {"type": "STOCK_LOSS"}, {"type": "ROAD_DISRUPTION"}]}
    assert scenario_field("injects[0].lat", raw) == "injects[0].incident.location.point.latitude"
    assert scenario_field("injects[1].holder", raw) == "injects[1].stock"
    assert scenario_field("injects[2].area.radius_km", raw) == "injects[2].road_radius_m"
    assert scenario_field("parks[3]", raw) == "park_ids[3]"
    assert scenario_field("rubric[1].targets[0]", raw) == "rubric[1].criterion"
