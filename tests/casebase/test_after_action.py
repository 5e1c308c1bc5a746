"""After-action reports: target results, rubric scores, and closed incidents becoming cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from services.casebase.after_action import ClosedIncident, case_from_incident, evaluate_target, learn_from_incident, score_results
from services.casebase.library import CaseLibrary
from services.casebase.models import AfterActionReport, Target
from services.casebase.retrieval import CaseIndex, IncidentQuery
from services.casebase.validation_scenario import parse_scenario

START = dt.datetime(2025, 5, 6, 9, 0, tzinfo=dt.UTC)


def _incident(**overrides: Any) -> ClosedIncident:
    data: dict[str, Any] = {
        "id": "inc-2025-0042",
        "state": "CLOSED",
        "title": "Ammonia leak at the Xiagang cold store",
        "title_zh": "夏港冷库氨泄漏",
        "park": "xiagang",
        "park_kind": "STEEL",
        "place": "Cold store engine room, Xiagang",
        "kind": "TOXIC_GAS_LEAK",
        "substances": [{"name": "anhydrous ammonia", "un_number": "1005", "hazard_class": "2.3"}],
        "severity": "III",
        "casualties": {"deaths": 0, "injuries": 3, "evacuated": 400},
        "description": "A valve on the ammonia receiver failed after a power cut; ammonia vented from the roof.",
        "causes": ["Hydraulic shock on restart after a power cut."],
        "reported_at": START,
        "closed_at": START + dt.timedelta(hours=5),
    }
    data.update(overrides)
    return ClosedIncident.model_validate(data)


def _report(**overrides: Any) -> AfterActionReport:
    hazmat = Target(id="hazmat-15", metric="FIRST_ARRIVAL_MIN", comparator="<=", threshold=15, resource_type="HAZMAT_TEAM")
    curtain = Target(id="curtain-20", metric="FIRST_ARRIVAL_MIN", comparator="<=", threshold=20, resource_type="HIGH_VOLUME_WATER")
    data: dict[str, Any] = {
        "id": "aar-inc-2025-0042",
        "origin": "LIVE",
        "incident_id": "inc-2025-0042",
        "started_at": START,
        "ended_at": START + dt.timedelta(hours=6),
        "timeline": [
            {"offset_s": 0, "text": "Leak reported."},
            {"offset_s": 840, "text": "Entry team on scene."},
            {"offset_s": 1560, "text": "Water curtain set."},
        ],
        "target_results": [evaluate_target(hazmat, 14.0), evaluate_target(curtain, 26.0)],
        "score": 0.5,
        "lessons": ["Pre-position a large-flow vehicle at Xiagang on storm days."],
        "resources_used": [
            {"type": "HAZMAT_TEAM", "quantity": 1, "estimate": False, "within_min": 14},
            {"type": "HIGH_VOLUME_WATER", "quantity": 2, "estimate": False, "within_min": 26},
        ],
    }
    data.update(overrides)
    return AfterActionReport.model_validate(data)


def test_target_evaluation_uses_the_comparator() -> None:
    t = Target(id="t", metric="FIRST_ARRIVAL_MIN", comparator="<=", threshold=15, resource_type="HAZMAT_TEAM")
    assert evaluate_target(t, 15).met and not evaluate_target(t, 15.5).met
    assert not evaluate_target(t, None).met
    count = Target(id="c", metric="UNITS_ON_SCENE", comparator=">=", threshold=4, resource_type="AMBULANCE")
    assert evaluate_target(count, 4).met and not evaluate_target(count, 3).met


def test_rubric_score_weights_met_targets(upload: dict[str, Any]) -> None:
    scenario = parse_scenario(upload)
    targets = {t.id: t for i in scenario.injects for t in i.targets} | {t.id: t for t in scenario.targets}
    observed = {
        "chl-hazmat-15": 12,
        "nh3-hazmat-15": 18,
        "nh3-detect-15": 10,
        "chl-curtain-20": 19,
        "chl-plug-25": 24,
        "esc-replan-120": 60,
        "replace-hazmat-5": 9,
        "reroute-10": 4,
        "no-park-below-reserve": 0,
        "all-met-40": 38,
    }
    results = [evaluate_target(targets[k], v) for k, v in observed.items()]
    expected = 0.35 * 2 / 3 + 0.2 * 1 + 0.2 * 2 / 3 + 0.25 * 1
    assert score_results(results, scenario.rubric) == pytest.approx(expected)
    assert score_results([], scenario.rubric) == 0.0


def test_report_lists_targets_met_and_missed() -> None:
    report = _report()
    assert [r.target_id for r in report.targets_met] == ["hazmat-15"]
    assert [r.target_id for r in report.targets_missed] == ["curtain-20"]


def test_closed_incident_becomes_a_case() -> None:
    case = case_from_incident(_incident(), _report())
    assert case.id == "live-inc-2025-0042" and not case.synthetic
    assert case.duration_h == 5.0
    assert [e.t_min for e in case.timeline] == [0, 14, 26]
    assert any("curtain-20 missed" in lesson and "observed 26" in lesson for lesson in case.lessons)
    assert "1/2 targets met" in case.outcome
    assert case.sources[0].publication.startswith("After-action report aar-inc-2025-0042")
    assert {r.type for r in case.resources_used} == {"HAZMAT_TEAM", "HIGH_VOLUME_WATER"}


def test_drill_reports_and_mismatched_reports_do_not_become_cases() -> None:
    drill = _report(origin="DRILL", scenario_id="storm-ammonia-and-jetty-fire", incident_id=None)
    with pytest.raises(ValueError, match="drill"):
        case_from_incident(_incident(), drill)
    with pytest.raises(ValueError, match="not inc-2025-0042"):
        case_from_incident(_incident(), _report(incident_id="inc-other"))
    with pytest.raises(ValidationError):
        _incident(state="OPEN")
    with pytest.raises(ValidationError):
        _incident(closed_at=START)


def test_library_learns_from_a_closed_incident(library: CaseLibrary) -> None:
    learning = CaseLibrary(library.cases())
    case = learn_from_incident(learning, _incident(), _report())
    assert case.id in learning and len(learning) == len(library) + 1
    query = IncidentQuery(kind="TOXIC_GAS_LEAK", hazard_class="2.3", park_kind="STEEL", severity="III", text="冷库氨泄漏 停电后重启 ammonia receiver valve")
    before = [h.case_id for h in CaseIndex(library.cases()).search(query, k=3)]
    after = [h.case_id for h in CaseIndex(learning.cases()).search(query, k=3)]
    assert case.id not in before and after[0] == case.id
