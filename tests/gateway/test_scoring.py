"""Drill scoring: measuring targets, the rubric, findings and the timeline."""

from __future__ import annotations

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb

from gateway import scoring
from gateway.scoring import NEVER, Arrival, DrillFacts, InjectRecord

AT_MOST, AT_LEAST = cpb.Target.COMPARATOR_AT_MOST, cpb.Target.COMPARATOR_AT_LEAST


def _target(metric: str, threshold: float, resource_type: str = "", comparator: int = AT_MOST) -> cpb.Target:
    return cpb.Target(metric=metric, threshold=threshold, resource_type=resource_type, comparator=comparator)  # type: ignore[arg-type]


def _scenario() -> cpb.Scenario:
    fire = cpb.Inject(
        id="tank-fire",
        offset_s=0,
        kind=cpb.Inject.KIND_NEW_INCIDENT,
        targets=[
            _target("FIRST_ARRIVAL_MIN", 10, "FOAM_TENDER"),
            _target("UNITS_ON_SCENE", 3, "FOAM_TENDER", AT_LEAST),
            _target("SUPPLY_DELIVERED_MIN", 20, "FOAM_AFFF"),
            _target("PLAN_ISSUED_S", 60),
            _target("PARKS_BELOW_RESERVE", 0),
        ],
    )
    leak = cpb.Inject(
        id="leak", offset_s=600, kind=cpb.Inject.KIND_NEW_INCIDENT, targets=[_target("FIRST_ARRIVAL_MIN", 15, "HAZMAT_TEAM"), _target("ALL_DEMAND_MET_MIN", 30)]
    )
    late = cpb.Inject(id="never-released", offset_s=9000, kind=cpb.Inject.KIND_ROAD_RESTRICTION, targets=[_target("REROUTE_MIN", 5)])
    rubric = [
        cpb.RubricItem(criterion="targets_met", weight=0.5),
        cpb.RubricItem(criterion="reserve_kept", weight=0.2),
        cpb.RubricItem(criterion="injects[1].targets[0]", weight=0.3),
    ]
    return cpb.Scenario(injects=[fire, leak, late], rubric=rubric)


def _facts(scenario: cpb.Scenario) -> DrillFacts:
    fire = InjectRecord(
        inject=scenario.injects[0],
        released_s=0,
        incident="incidents/dri-fire",
        demands=[common_pb2.ResourceDemand(resource_type="FOAM_TENDER", quantity=3), common_pb2.ResourceDemand(resource_type="FOAM_AFFF", quantity=4000)],
        arrivals=[
            Arrival("FOAM_TENDER", 1, 6.0),
            Arrival("FOAM_TENDER", 1, 9.0),
            Arrival("FOAM_TENDER", 1, 14.0),
            Arrival("FOAM_AFFF", 2500, 12.0),
            Arrival("FOAM_AFFF", 1500, 25.0),
        ],
        plan_s=4.2,
        commit_s=5.0,
    )
    leak = InjectRecord(
        inject=scenario.injects[1],
        released_s=600,
        incident="incidents/dri-leak",
        demands=[common_pb2.ResourceDemand(resource_type="HAZMAT_TEAM", quantity=2)],
        arrivals=[Arrival("HAZMAT_TEAM", 1, 18.0)],
        plan_s=3.0,
        commit_s=3.5,
    )
    return DrillFacts(
        injects=[fire, leak],
        reserve_breaches=["shengang/FOAM_TENDER"],
        executed=dpb.Objective(weighted_unmet=2.0, weighted_completion_s=9000),
        hindsight=dpb.Objective(weighted_unmet=1.0, weighted_completion_s=9500),
    )


def test_targets_are_measured_per_inject() -> None:
    scenario = _scenario()
    results = scoring.target_results(_facts(scenario), scenario)
    measured = {k: (round(r.measured, 2), r.met) for k, r in results.items()}
    assert measured["injects[0].targets[0]"] == (6.0, True)  # first foam tender after 6 min
    assert measured["injects[0].targets[1]"] == (3.0, True)
    assert measured["injects[0].targets[2]"] == (25.0, False)  # 4000 L complete only at 25 min
    assert measured["injects[0].targets[3]"] == (4.2, True)
    assert measured["injects[0].targets[4]"] == (1.0, False)  # one park below its reserve
    assert measured["injects[1].targets[0]"] == (18.0, False)
    assert measured["injects[1].targets[1]"] == (NEVER, False)  # one hazmat team of two never came
    assert measured["injects[2].targets[0]"] == (NEVER, False)  # never released


def test_rubric_scores_families_and_single_targets() -> None:
    scenario = _scenario()
    facts = _facts(scenario)
    results = scoring.target_results(facts, scenario)
    # targets_met family: 4 arrival-type targets released + ALL_DEMAND_MET; met: first arrival (fire), units on scene -> 2 of 5
    expected = 100 * (0.5 * (2 / 5) + 0.2 * 0.0 + 0.3 * 0.0)
    assert abs(scoring.rubric_score(scenario.rubric, results, facts) - expected) < 1e-6


def test_score_without_rubric_is_share_of_targets_met() -> None:
    scenario = _scenario()
    facts = _facts(scenario)
    results = scoring.target_results(facts, scenario)
    share = sum(r.met for r in results.values()) / len(results)
    assert abs(scoring.rubric_score([], results, facts) - 100 * share) < 1e-9


def test_unmet_and_met_times_per_demand() -> None:
    record = _facts(_scenario()).injects[1]
    assert scoring.demand_met_minutes(record.demands[0], record.arrivals) == (NEVER, 1.0)
    assert scoring.unmet_fraction(record) == 0.5


def test_gap_compares_unmet_first_then_completion() -> None:
    assert scoring.optimality_gap(dpb.Objective(weighted_unmet=2), dpb.Objective(weighted_unmet=1)) == 0.5
    assert (
        scoring.optimality_gap(dpb.Objective(weighted_unmet=1, weighted_completion_s=1000), dpb.Objective(weighted_unmet=1, weighted_completion_s=800)) == 0.2
    )
    assert scoring.optimality_gap(dpb.Objective(weighted_completion_s=800), dpb.Objective(weighted_completion_s=1000)) == 0.0


def test_findings_timeline_and_lessons() -> None:
    scenario = _scenario()
    facts = _facts(scenario)
    text = scoring.findings(facts)
    assert "tank-fire" in text and "FOAM_AFFF x4000: met after 25.0 min" in text and "HAZMAT_TEAM x2: 1 of 2 unmet" in text
    assert "shengang/FOAM_TENDER" in text and "hindsight" in text
    events = scoring.timeline(facts)
    offsets = [e.offset_minutes for e in events]
    assert offsets == sorted(offsets) and offsets[0] == 0
    lessons = scoring.lessons(list(scoring.target_results(facts, scenario).values()), facts)
    assert any("leak" in lesson for lesson in lessons) and any("reserves" in lesson for lesson in lessons)
