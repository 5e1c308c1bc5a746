"""Accident-case models and the shipped case library."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.casebase.library import CaseLibrary, case_to_yaml, load_cases
from services.casebase.models import Case, Substance
from services.casebase.vocabulary import RESOURCE_TYPES, HazardClass, ResourceType, Severity
from services.common.catalogue import ResourceKind


def _case(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "test-case",
        "title": "Test chlorine leak",
        "date": "2020-01-01",
        "place": "Somewhere",
        "country": "China",
        "industry": "chlor-alkali",
        "kind": "TOXIC_GAS_LEAK",
        "substances": [{"name": "chlorine", "un_number": 1017, "hazard_class": 2.3}],
        "severity": "III",
        "summary": "A chlorine cylinder leaked at a valve.",
        "timeline": [{"t_min": 0, "text": "Leak found."}, {"t_min": 10, "text": "Team arrives."}],
        "response_actions": ["Water curtain."],
        "resources_used": [{"type": "HAZMAT_TEAM", "quantity": 1}],
        "outcome": "Leak plugged.",
        "causes": ["Valve packing failed."],
        "lessons": ["Inspect packing."],
        "sources": [{"publication": "Test bulletin", "date": "2020-02"}],
    }
    data.update(overrides)
    return data


def test_yaml_numbers_are_coerced_to_codes() -> None:
    case = Case.model_validate(_case())
    assert case.substances[0].hazard_class is HazardClass.C2_3
    assert case.substances[0].un_number == "1017"
    assert Substance.model_validate({"name": "x", "un_number": "UN1005", "hazard_class": 3}).un_number == "1005"
    assert Substance.model_validate({"name": "x", "hazard_class": 3}).hazard_class is HazardClass.C3


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"timeline": [{"t_min": 5, "text": "b"}, {"t_min": 0, "text": "a"}]}, "time order"),
        ({"resources_used": [{"type": "HAZMAT_TEAM", "quantity": 1}, {"type": "HAZMAT_TEAM", "quantity": 2}]}, "twice"),
        ({"sources": []}, "source"),
        ({"secondary_kinds": ["TOXIC_GAS_LEAK"]}, "secondary_kinds"),
        ({"substances": [{"name": "x", "hazard_class": "2.4"}]}, "hazard_class"),
        ({"resources_used": [{"type": "FIRE_TRUCK", "quantity": 1}]}, "type"),
        ({"severity": "V"}, "severity"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_cases_are_refused(overrides: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        Case.model_validate(_case(**overrides))


def test_synthetic_case_may_lack_sources() -> None:
    assert Case.model_validate(_case(sources=[], synthetic=True)).synthetic


def test_severity_weights_match_the_shared_vocabulary() -> None:
    assert [s.weight for s in Severity] == [8, 4, 2, 1]
    assert Severity.I.rank > Severity.IV.rank


def test_catalogue_kinds_and_units() -> None:
    assert RESOURCE_TYPES[ResourceType.FOAM_AFFF].uom == "L"
    assert RESOURCE_TYPES[ResourceType.HAZMAT_TEAM].kind is ResourceKind.UNIT
    assert set(RESOURCE_TYPES) == set(ResourceType)


def test_shipped_library_is_large_varied_and_sourced(library: CaseLibrary) -> None:
    cases = library.cases()
    assert len(cases) >= 40
    china = [c for c in cases if c.country.startswith("China")]
    abroad = [c for c in cases if not c.country.startswith("China")]
    assert len(china) >= 10 and len(abroad) >= 10
    assert all(c.sources for c in cases if not c.synthetic)
    assert not any(c.synthetic for c in cases)
    assert len({c.kind for c in cases}) >= 5
    assert len({c.primary_hazard_class for c in cases}) >= 5
    assert all(r.quantity > 0 for c in cases for r in c.resources_used)
    assert sum(1 for c in cases if c.title_zh and c.summary_zh) == len(cases)


def test_named_accidents_are_in_the_library(library: CaseLibrary) -> None:
    for case_id in (
        "xiangshui-2019",
        "tianjin-port-2015",
        "buncefield-2005",
        "deer-park-itc-2019",
        "beirut-port-2020",
        "graniteville-2005",
        "chongqing-tianyuan-2004",
        "songhua-jilin-2005",
        "lac-megantic-2013",
        "bhopal-1984",
        "seveso-1976",
        "flixborough-1974",
        "bp-texas-city-2005",
        "west-fertilizer-2013",
        "toulouse-azf-2001",
        "zhangjiakou-vcm-2018",
        "dalian-xingang-2010",
        "philadelphia-pes-2019",
    ):
        assert case_id in library


def test_case_yaml_round_trip(library: CaseLibrary, tmp_path: Any) -> None:
    case = library.get("graniteville-2005")
    (tmp_path / f"{case.id}.yaml").write_text(case_to_yaml(case), encoding="utf-8")
    assert load_cases(tmp_path) == [case]


def test_library_refuses_duplicate_ids(library: CaseLibrary) -> None:
    copy = CaseLibrary(library.cases()[:2])
    with pytest.raises(ValueError, match="already exists"):
        copy.add(library.cases()[0])
