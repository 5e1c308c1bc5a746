"""Scenario uploads: the shipped library, and bad uploads refused with the field at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.casebase.drills import contended_unit_types, query_for_inject
from services.casebase.library import load_scenarios
from services.casebase.models import ScenarioMode
from services.casebase.validation import format_path
from services.casebase.validation_scenario import ScenarioInvalid, parse_scenario, validate_scenario

Upload = dict[str, Any]


def test_shipped_scenarios_are_valid_and_contended() -> None:
    scenarios = load_scenarios()
    assert len(scenarios) >= 10
    assert {s.mode for s in scenarios} == {ScenarioMode.SCRIPTED, ScenarioMode.UNANNOUNCED}
    for s in scenarios:
        incidents = s.incidents()
        assert len(incidents) >= 2 and len({i.park for i in incidents}) >= 2, s.id
        assert contended_unit_types(s), s.id
        assert sum(item.weight for item in s.rubric) == pytest.approx(1.0)
        for inject in incidents:
            query_for_inject(inject)


def test_valid_upload_parses(upload: Upload) -> None:
    scenario = parse_scenario(upload)
    assert scenario.name == "scenarios/chlorine-ammonia-twin-release"
    assert [i.id for i in scenario.incidents()] == ["chlorine-shengang", "ammonia-jetty"]


def _set(path: list[Any], value: Any) -> Callable[[Upload], None]:
    def apply(doc: Upload) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return apply


def _delete(path: list[Any]) -> Callable[[Upload], None]:
    def apply(doc: Upload) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return apply


BAD_UPLOADS: list[tuple[str, Callable[[Upload], None], str, str]] = [
    ("offset out of order", _set(["injects", 2, "offset_s"], 300), "injects[2].offset_s", "OUT_OF_ORDER"),
    ("negative offset", _set(["injects", 0, "offset_s"], -5), "injects[0].offset_s", "NEGATIVE"),
    ("unknown park", _set(["injects", 1, "park"], "atlantis"), "injects[1].park", "UNKNOWN_PARK"),
    ("park not taking part", _set(["parks"], ["shengang", "xiagang", "ligang"]), "injects[1].park", "NOT_PARTICIPATING"),
    (
        "unknown resource type",
        _set(["injects", 0, "targets", 0, "resource_type"], "LASER_TEAM"),
        "injects[0].targets[0].resource_type",
        "UNKNOWN_RESOURCE_TYPE",
    ),
    ("unmeasurable metric", _set(["injects", 0, "targets", 1, "metric"], "GOOD_TEAMWORK"), "injects[0].targets[1].metric", "NOT_MEASURABLE"),
    ("threshold out of range", _set(["injects", 3, "targets", 0, "threshold"], -2), "injects[3].targets[0].threshold", "OUT_OF_RANGE"),
    (
        "fraction above one",
        _set(["targets", 1], {"id": "x", "metric": "UNMET_DEMAND_FRACTION", "comparator": "<=", "threshold": 1.5}),
        "targets[1].threshold",
        "OUT_OF_RANGE",
    ),
    ("wrong comparator", _set(["injects", 0, "targets", 0, "comparator"], ">="), "injects[0].targets[0].comparator", "NOT_ALLOWED"),
    ("metric needs a resource type", _delete(["injects", 1, "targets", 0, "resource_type"]), "injects[1].targets[0].resource_type", "REQUIRED"),
    ("weights do not sum to one", _set(["rubric", 0, "weight"], 0.5), "rubric", "WEIGHTS_NOT_ONE"),
    ("negative weight", _set(["rubric", 1, "weight"], -0.2), "rubric[1].weight", "NOT_POSITIVE"),
    ("rubric names an unknown target", _set(["rubric", 0, "targets", 1], "nope"), "rubric[0].targets[1]", "UNKNOWN_TARGET"),
    ("escalation of an unknown incident", _set(["injects", 2, "incident"], "fire-elsewhere"), "injects[2].incident", "UNKNOWN_INCIDENT"),
    ("escalation without a change", _set(["injects", 2, "severity"], "II"), "injects[2].severity", "NO_CHANGE"),
    ("breakdown of a consumable", _set(["injects", 3, "resource_type"], "FOAM_AFFF"), "injects[3].resource_type", "WRONG_RESOURCE_KIND"),
    ("slowed road without delay", _delete(["injects", 4, "delay_min"]), "injects[4].delay_min", "REQUIRED"),
    ("incident far from its park", _set(["injects", 0, "lat"], 32.5), "injects[0].lat", "FAR_FROM_PARK"),
    ("duplicate inject id", _set(["injects", 1, "id"], "chlorine-shengang"), "injects[1].id", "DUPLICATE"),
    ("missing severity", _delete(["injects", 0, "severity"]), "injects[0].severity", "SHAPE_MISSING"),
    ("unknown hazard class", _set(["injects", 1, "substance", "hazard_class"], "2.7"), "injects[1].substance.hazard_class", "SHAPE_ENUM"),
    ("unknown inject type", _set(["injects", 4, "type"], "ALIENS"), "injects[4].type", "SHAPE_UNION_TAG_INVALID"),
    ("metric on the wrong inject", _set(["injects", 0, "targets", 2, "metric"], "REROUTE_MIN"), "injects[0].targets[2].metric", "WRONG_INJECT"),
    ("breakdown of a unit in another park", _set(["injects", 3, "unit"], "parks/ligang/units/lg-hazmat-1"), "injects[3].unit", "WRONG_PARK"),
    ("malformed unit name", _set(["injects", 3, "unit"], "hazmat-1"), "injects[3].unit", "MALFORMED"),
    ("breakdown naming neither unit nor type", _delete(["injects", 3, "resource_type"]), "injects[3].resource_type", "REQUIRED"),
    (
        "demand with an unknown capability",
        _set(["injects", 0, "demands"], [{"resource_type": "HAZMAT_TEAM", "quantity": 1, "required_capabilities": ["telepathy"]}]),
        "injects[0].demands[0].required_capabilities[0]",
        "UNKNOWN_CAPABILITY",
    ),
    (
        "demand of half a unit",
        _set(["injects", 0, "demands"], [{"resource_type": "HAZMAT_TEAM", "quantity": 0.5}]),
        "injects[0].demands[0].quantity",
        "NOT_INTEGER",
    ),
]


@pytest.mark.parametrize(("mutate", "path", "code"), [b[1:] for b in BAD_UPLOADS], ids=[b[0] for b in BAD_UPLOADS])
def test_bad_upload_is_refused_with_its_field(upload: Upload, mutate: Callable[[Upload], None], path: str, code: str) -> None:
    mutate(upload)
    scenario, problems = validate_scenario(upload)
    assert scenario is None
    assert (path, code) in {(p.path, p.code) for p in problems}, problems
    with pytest.raises(ScenarioInvalid) as err:
        parse_scenario(upload)
    assert path in str(err.value)


def test_every_problem_of_an_upload_is_reported_at_once(upload: Upload) -> None:
    upload["injects"][1]["park"] = "atlantis"
    upload["injects"][3]["resource_type"] = "FOAM_AFFF"
    upload["rubric"][0]["weight"] = 0.1
    upload["injects"][0]["targets"][0]["threshold"] = 999
    _, problems = validate_scenario(upload)
    paths = {p.path for p in problems}
    assert {"injects[1].park", "injects[3].resource_type", "rubric", "injects[0].targets[0].threshold"} <= paths


def test_forward_reference_to_a_later_incident_is_refused(upload: Upload) -> None:
    upload["injects"][0]["targets"][0]["incident"] = "ammonia-jetty"
    _, problems = validate_scenario(upload)
    assert ("injects[0].targets[0].incident", "FORWARD_REFERENCE") in {(p.path, p.code) for p in problems}


def test_unscored_target_is_refused(upload: Upload) -> None:
    upload["rubric"][3]["targets"].remove("all-met-40")
    _, problems = validate_scenario(upload)
    assert ("targets[1].id", "UNSCORED") in {(p.path, p.code) for p in problems}


def test_path_formatting_drops_union_tags() -> None:
    assert format_path(("injects", 3, "INCIDENT", "targets", 0, "threshold")) == "injects[3].targets[0].threshold"
    assert format_path(("rubric",)) == "rubric"


def test_breakdown_may_name_its_unit_instead_of_a_type(upload: Upload) -> None:
    del upload["injects"][3]["resource_type"]
    upload["injects"][3]["unit"] = "parks/xiagang/units/xg-hazmat-1"
    assert parse_scenario(upload).injects[3].unit == "parks/xiagang/units/xg-hazmat-1"  # type: ignore[union-attr]
