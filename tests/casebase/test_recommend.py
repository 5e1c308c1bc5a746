"""Demand recommendation: quantities from similar cases plus rule minimums, every line cited."""

from __future__ import annotations

from services.casebase.library import CaseLibrary
from services.casebase.models import SubstanceRef
from services.casebase.recommend import Recommendation, RecommendConfig, recommend_demands, weighted_median
from services.casebase.retrieval import CaseIndex, IncidentQuery
from services.casebase.rules import RULES
from services.casebase.vocabulary import ResourceType as RT
from services.common.catalogue import ResourceKind

RULE_IDS = {r.id for r in RULES}


def _recommend(index: CaseIndex, library: CaseLibrary, **query: object) -> Recommendation:
    return recommend_demands(IncidentQuery.model_validate(query), index, library)


def _assert_all_cited(rec: Recommendation) -> None:
    hit_ids = {h.case_id for h in rec.similar}
    for line in rec.lines:
        assert line.citations, line.resource_type
        for c in line.citations:
            assert (c.source == "case" and c.ref in hit_ids) or (c.source == "rule" and c.ref in RULE_IDS)
        assert line.quantity > 0 and line.needed_within_min > 0


def test_toxic_gas_release_always_gets_entry_detection_and_water_curtain(index: CaseIndex, library: CaseLibrary) -> None:
    rec = _recommend(
        index,
        library,
        kind="TOXIC_GAS_LEAK",
        severity="III",
        text="液氯钢瓶阀门泄漏",
        substances=[SubstanceRef(name="chlorine", un_number="1017", hazard_class="2.3")],
    )
    _assert_all_cited(rec)
    for rt in (RT.HAZMAT_TEAM, RT.GAS_TIGHT_SUIT_A, RT.GAS_DETECTION_TEAM, RT.HIGH_VOLUME_WATER):
        line = rec.line(rt)
        assert line is not None and "R-TOXIC-GAS" in {c.ref for c in line.citations}
    curtain = rec.line(RT.HIGH_VOLUME_WATER)
    assert curtain is not None and "water-curtain" in curtain.capabilities
    plug = rec.line(RT.LEAK_PLUGGING_TEAM)
    assert plug is not None and "chlorine-plugging" in plug.capabilities
    hazmat = rec.line(RT.HAZMAT_TEAM)
    assert hazmat is not None and hazmat.needed_within_min <= 15
    assert {c.source for c in hazmat.citations} == {"case", "rule"}


def test_case_citations_explain_the_scaling(index: CaseIndex, library: CaseLibrary) -> None:
    rec = _recommend(index, library, kind="TOXIC_GAS_LEAK", severity="III", substances=[SubstanceRef(name="chlorine", un_number="1017", hazard_class="2.3")])
    decon = rec.line(RT.DECON_UNIT)
    assert decon is not None
    case_cites = [c for c in decon.citations if c.source == "case"]
    assert case_cites and all("for level III" in c.detail and "similarity" in c.detail for c in case_cites)


def test_flammable_liquid_fire_needs_foam(index: CaseIndex, library: CaseLibrary) -> None:
    rec = _recommend(
        index, library, kind="FIRE", severity="II", park_kind="CHEMICAL_PARK", substances=[SubstanceRef(name="naphtha", un_number="1268", hazard_class="3")]
    )
    _assert_all_cited(rec)
    assert rec.line(RT.FOAM_TENDER) is not None
    foam = rec.line(RT.FOAM_AFFF)
    assert foam is not None and foam.uom == "L" and foam.quantity >= 2000 * 4
    assert rec.line(RT.FOAM_AR_AFFF) is None


def test_polar_solvent_fire_needs_alcohol_resistant_foam(index: CaseIndex, library: CaseLibrary) -> None:
    rec = _recommend(index, library, kind="FIRE", severity="III", substances=[SubstanceRef(name="methanol", un_number="1230", hazard_class="3")])
    tender = rec.line(RT.FOAM_TENDER)
    assert rec.line(RT.FOAM_AR_AFFF) is not None and tender is not None
    assert "foam-ar-afff" in tender.capabilities


def test_corrosive_spill_needs_neutraliser_and_absorbent_even_without_similar_cases(index: CaseIndex, library: CaseLibrary) -> None:
    rec = _recommend(index, library, kind="CHEMICAL_SPILL", hazard_class="8", severity="IV", text="硫酸储罐泄漏")
    _assert_all_cited(rec)
    lime, absorbent = rec.line(RT.NEUTRALISER_LIME), rec.line(RT.ABSORBENT)
    assert lime is not None and absorbent is not None
    assert lime.resource_kind is ResourceKind.CONSUMABLE and lime.uom == "kg"
    assert [c.ref for c in lime.citations] == ["R-CORROSIVE"]


def test_more_severe_incidents_get_more(index: CaseIndex, library: CaseLibrary) -> None:
    base = {"kind": "EXPLOSION", "hazard_class": "5.1"}
    small = _recommend(index, library, severity="IV", **base)
    large = _recommend(index, library, severity="I", **base)
    for rt in (RT.AMBULANCE, RT.PUMPER_ENGINE, RT.HEAVY_RESCUE_TEAM):
        s, big = small.line(rt), large.line(rt)
        assert s is not None and big is not None
        assert big.quantity > s.quantity


def test_units_are_whole_and_capped(index: CaseIndex, library: CaseLibrary) -> None:
    cfg = RecommendConfig(max_units_per_type=5)
    rec = recommend_demands(IncidentQuery(kind="EXPLOSION", hazard_class="5.1", severity="I"), index, library, cfg)
    for line in rec.lines:
        if line.resource_kind is ResourceKind.UNIT:
            assert line.quantity == int(line.quantity) and 1 <= line.quantity <= 5


def test_weighted_median_resists_an_outlier() -> None:
    assert weighted_median([(1, 1.0), (2, 1.0), (1000, 0.9)]) == 2
    assert weighted_median([(5, 1.0)]) == 5
