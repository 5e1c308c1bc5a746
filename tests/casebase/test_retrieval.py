"""Similar-case search: scores, reasons and configurable weights."""

from __future__ import annotations

import pytest

from services.casebase.library import CaseLibrary
from services.casebase.models import SubstanceRef, Weather
from services.casebase.retrieval import ATTRIBUTES, CaseIndex, IncidentQuery, RetrievalWeights

CHLORINE = SubstanceRef(name="chlorine", un_number="1017", hazard_class="2.3")


def test_reasons_add_up_to_the_score(index: CaseIndex) -> None:
    q = IncidentQuery(
        kind="TOXIC_GAS_LEAK",
        substances=[CHLORINE],
        severity="II",
        park_kind="CHEMICAL_PARK",
        weather=Weather(wind_speed_ms=3),
        casualties={"deaths": 1, "injuries": 12},
        text="chlorine leak at a tank valve",
    )
    hits = index.search(q, k=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert {r.attribute for r in hit.reasons} == set(ATTRIBUTES)
        assert sum(r.contribution for r in hit.reasons) == pytest.approx(hit.score)
        assert sum(r.weight for r in hit.reasons) == pytest.approx(1.0)
        assert all(r.detail for r in hit.reasons)


def test_chlorine_query_ranks_chlorine_cases_first_with_reasons(index: CaseIndex, library: CaseLibrary) -> None:
    q = IncidentQuery(kind="TOXIC_GAS_LEAK", substances=[CHLORINE], severity="III", text="液氯钢瓶阀门泄漏")
    top = index.search(q, k=3)
    assert all(library.get(h.case_id).substances[0].un_number == "1017" for h in top)
    reasons = {r.attribute: r for r in top[0].reasons}
    assert reasons["substance"].similarity == 1.0 and "same substance" in reasons["substance"].detail
    assert reasons["kind"].detail.endswith("same kind")
    assert "chlorine" in reasons["text"].detail or "leak" in reasons["text"].detail


def test_ammonia_cases_come_right_after_chlorine_cases(index: CaseIndex, library: CaseLibrary) -> None:
    q = IncidentQuery(kind="TOXIC_GAS_LEAK", substances=[CHLORINE], severity="III")
    hits = index.search(q, k=12)
    uns = [library.get(h.case_id).substances[0].un_number for h in hits]
    assert "1005" in uns
    first_other = next(i for i, u in enumerate(uns) if u != "1017")
    assert uns[first_other] in {"1005", "1053", "1064"}
    ammonia_hit = hits[uns.index("1005")]
    detail = next(r.detail for r in ammonia_hit.reasons if r.attribute == "substance")
    assert "family" in detail


def test_fire_query_prefers_explosion_cases_of_the_same_class_over_toxic_leaks(index: CaseIndex, library: CaseLibrary) -> None:
    q = IncidentQuery(kind="FIRE", hazard_class="3", severity="II")
    scores = dict(zip((c.id for c in index.cases), index.scores(q), strict=True))
    assert scores["buncefield-2005"] > scores["graniteville-2005"]
    hit = next(h for h in index.search(q, k=len(index)) if h.case_id == "buncefield-2005")
    kind = next(r for r in hit.reasons if r.attribute == "kind")
    assert kind.similarity == pytest.approx(0.7) and "related kinds" in kind.detail


def test_numeric_closeness_of_severity_and_scale(index: CaseIndex) -> None:
    q = IncidentQuery(kind="EXPLOSION", hazard_class="5.1", severity="I", casualties={"deaths": 150, "injuries": 700})
    hits = {h.case_id: h for h in index.search(q, k=10)}
    big = {r.attribute: r.similarity for r in hits["tianjin-port-2015"].reasons}
    small = {r.attribute: r.similarity for r in hits["yibin-hengda-2018"].reasons}
    assert big["severity"] == 1.0 > small["severity"]
    assert big["scale"] > small["scale"]


def test_missing_query_attributes_are_left_out_and_weights_renormalised(index: CaseIndex) -> None:
    q = IncidentQuery(kind="WATER_POLLUTION", hazard_class="6.1")
    hit = index.search(q, k=1)[0]
    assert {r.attribute for r in hit.reasons} == {"kind", "hazard_class"}
    assert sum(r.weight for r in hit.reasons) == pytest.approx(1.0)


def test_chinese_free_text_alone_finds_the_right_accident(library: CaseLibrary) -> None:
    text_only = CaseIndex(library.cases(), RetrievalWeights(kind=0, hazard_class=0, substance=0, severity=0, scale=0, park_kind=0, weather=0, text=1))
    hits = text_only.search(IncidentQuery(kind="OTHER", text="松花江 硝基苯 污染 哈尔滨 停水"), k=1)
    assert hits[0].case_id == "songhua-jilin-2005"


def test_weights_are_configuration(library: CaseLibrary) -> None:
    q = IncidentQuery(kind="FIRE", hazard_class="3", park_kind="PORT_AND_JETTIES")
    by_kind = CaseIndex(library.cases()).search(q, k=1)[0]
    by_park = CaseIndex(library.cases(), RetrievalWeights(kind=0.01, hazard_class=0.01, park_kind=1)).search(q, k=1)[0]
    assert library.get(by_kind.case_id).kind == "FIRE"
    assert library.get(by_park.case_id).park_kind == "PORT_AND_JETTIES"
    with pytest.raises(ValueError):
        RetrievalWeights(kind=0, hazard_class=0, substance=0, severity=0, scale=0, park_kind=0, weather=0, text=0)
    with pytest.raises(ValueError):
        RetrievalWeights(kind=-1)


def test_exclusion_and_k(index: CaseIndex) -> None:
    q = IncidentQuery(kind="TOXIC_GAS_LEAK", substances=[CHLORINE])
    first = index.search(q, k=1)[0].case_id
    assert first not in [h.case_id for h in index.search(q, k=5, exclude={first})]
    assert len(index.search(q, k=1000)) == len(index)
