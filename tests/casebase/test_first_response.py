"""First-response caps: recommendations are a first alarm, not a copy of the largest accident on record."""

from __future__ import annotations

import pytest

from services.casebase.first_response import load_table
from services.casebase.library import CaseLibrary
from services.casebase.models import SubstanceRef
from services.casebase.recommend import Recommendation, recommend_demands
from services.casebase.retrieval import CaseIndex, IncidentQuery
from services.casebase.vocabulary import HazardClass, ResourceType, Severity

RT = ResourceType


def _recommend(index: CaseIndex, library: CaseLibrary, **query: object) -> Recommendation:
    return recommend_demands(IncidentQuery.model_validate(query), index, library)


def test_level_iv_pump_house_fire_gets_a_first_alarm_not_a_tank_farm_disaster(index: CaseIndex, library: CaseLibrary) -> None:
    rec = _recommend(
        index, library, kind="FIRE", severity="IV", text="pump house fire at the naphtha transfer line",
        substances=[SubstanceRef(name="naphtha", un_number="1268", hazard_class="3")],
    )  # fmt: skip
    limits = {RT.PUMPER_ENGINE: 3, RT.FOAM_TENDER: 2, RT.FOAM_AFFF: 4000, RT.FOAM_AR_AFFF: 4000}
    capped = []
    for line in rec.lines:
        assert line.uncapped >= line.quantity
        if line.resource_type in limits:
            assert line.quantity <= limits[line.resource_type], (line.resource_type, line.quantity)
        if line.cap:
            capped.append(line)
            assert line.uncapped > line.quantity and "level IV" in line.cap
            assert f"capped from {line.uncapped:g}" in line.rationale()
            assert any(c.source == "case" for c in line.citations)  # the uncapped figure keeps its cited cases
    assert capped, "the library's largest fires should have needed capping"


def test_level_ii_chlorine_leak_caps_ambulances_by_class(index: CaseIndex, library: CaseLibrary) -> None:
    rec = _recommend(
        index, library, kind="TOXIC_GAS_LEAK", severity="II", text="liquid chlorine tanker loading arm failure",
        substances=[SubstanceRef(name="chlorine", un_number="1017", hazard_class="2.3")],
    )  # fmt: skip
    ambulances = rec.line(RT.AMBULANCE)
    assert ambulances is None or ambulances.quantity <= 8  # 1 x level II weight 4 x class 2.3 factor 2
    hazmat = rec.line(RT.HAZMAT_TEAM)
    assert hazmat is not None and hazmat.quantity >= 1


def test_rule_minimums_are_never_capped(index: CaseIndex, library: CaseLibrary) -> None:
    rec = _recommend(index, library, kind="TOXIC_GAS_LEAK", severity="IV", substances=[SubstanceRef(name="chlorine", un_number="1017", hazard_class="2.3")])
    scba = rec.line(RT.SCBA_CYLINDER)
    assert scba is not None and scba.quantity >= 12  # R-TOXIC-GAS asks for 12 whatever the table says


@pytest.mark.parametrize(("severity", "expected"), [(Severity.IV, 3), (Severity.III, 6), (Severity.II, 12), (Severity.I, 24)])
def test_caps_double_with_each_level(severity: Severity, expected: float) -> None:
    found = load_table().cap(RT.PUMPER_ENGINE, severity, set())
    assert found is not None and found[0] == expected


def test_class_factor_uses_the_division_then_the_main_class() -> None:
    table = load_table()
    assert table.factor(RT.AMBULANCE, {HazardClass.C2_3}) == (2.0, "2.3")
    assert table.factor(RT.HAZMAT_TEAM, {HazardClass.C6_1}) == (2.0, "6.1")  # from class "6"
    assert table.factor(RT.AMBULANCE, {HazardClass.C3}) == (1.0, "")
    assert all(code in table.base for code in RT)  # every catalogue type has a first-response figure
