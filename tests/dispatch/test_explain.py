"""Explanations name the alternatives, the minutes they would add and the rules that bound the choice."""

from __future__ import annotations

import pytest

from services.dispatch.domain import explain_plan, optimise
from services.dispatch.mapping import alternative_note, explanation
from services.dispatch.model import DispatchRequest, IncidentExplanation
from tests.dispatch.conftest import SCENARIOS, load_scenario


def _explanations(name: str) -> tuple[DispatchRequest, tuple[IncidentExplanation, ...]]:
    request, _ = load_scenario(SCENARIOS / f"{name}.yaml")
    return request, optimise(request).explanations


def test_next_best_alternative_and_minutes_added() -> None:
    _, explanations = _explanations("agreement_travel_limit")
    (incident,) = explanations
    (line,) = incident.lines
    (choice,) = line.choices
    assert choice.source_id == "C1"
    assert choice.alternative is not None
    assert choice.alternative.source_id == "A1"
    assert choice.alternative.added_min == pytest.approx((1000 - 800) / 60)
    assert choice.alternative.status == "idle"
    kinds = {(b.kind, b.subject) for b in incident.bindings}
    assert ("AID_TRAVEL_LIMIT", "B1") in kinds
    assert ("AGREEMENT", "C->A") in kinds


def test_reserve_binding_and_unmet_reason() -> None:
    _, explanations = _explanations("reserve_holds_outside")
    (incident,) = explanations
    assert any(b.kind == "RESERVE" and b.subject == "A/PUMPER_ENGINE" for b in incident.bindings)
    (line,) = incident.lines
    assert line.delivered == 2
    assert line.unmet_reason is not None and "A" in line.unmet_reason


def test_alternative_taken_by_another_incident() -> None:
    _, explanations = _explanations("beats_greedy")
    first = next(e for e in explanations if e.incident_id == "I1")
    choice = first.lines[0].choices[0]
    assert choice.source_id == "U2"
    assert choice.alternative is not None and choice.alternative.source_id == "U1"
    # A nearer alternative adds nothing: the cost is never negative, the note says why it was not taken.
    assert choice.alternative.added_min == 0
    assert choice.alternative.status.startswith("assigned to I2")
    assert alternative_note(choice) == f"U1 is {20 / 60:.1f} min nearer but {choice.alternative.status}"


def test_a_choice_without_alternative_says_so() -> None:
    _, explanations = _explanations("one_unit_two_incidents")
    chosen = [choice for e in explanations for line in e.lines for choice in line.choices]
    assert chosen and all(choice.alternative is None for choice in chosen)
    assert [alternative_note(choice) for choice in chosen] == ["no alternative"]
    assert all(alt.added_minutes == 0 and alt.note == "no alternative" for e in explanations for alt in explanation(e).alternatives)


def test_capability_and_no_agreement_exclusions() -> None:
    _, explanations = _explanations("capability_required")
    assert any(b.kind == "CAPABILITY" and b.subject == "U1" for b in explanations[0].bindings)
    _, explanations = _explanations("no_agreement")
    assert any(b.kind == "NO_AGREEMENT" and b.subject == "B1" for b in explanations[0].bindings)


def test_explain_any_plan() -> None:
    request, _ = load_scenario(SCENARIOS / "infeasible_type.yaml")
    response = optimise(request)
    (incident,) = explain_plan(request, response.plan)
    aerial = incident.lines[0]
    assert aerial.delivered == 0 and aerial.unmet_reason and "AERIAL_PLATFORM" in aerial.unmet_reason


def test_nothing_available_is_an_explained_plan_not_an_error() -> None:
    from fixtures.dispatch.codec import request_from_dict
    from services.dispatch.model import SolveStatus

    request = request_from_dict(
        {
            "parks": ["A"],
            "incidents": [
                {
                    "id": "I1",
                    "location": [31.9, 120.1],
                    "weight": 2,
                    "demands": [{"type": "PUMPER_ENGINE", "quantity": 2}, {"type": "FOAM_AFFF", "quantity": 100}],
                }
            ],
            "stocks": [{"depot": "D1", "type": "FOAM_AFFF", "amount": 0, "position": [31.9, 120.2], "park": "A"}],
            "units": [{"id": "U1", "type": "PUMPER_ENGINE", "position": [31.9, 120.2], "committed_to": "ELSEWHERE"}],
        }
    )
    response = optimise(request)
    assert response.status is SolveStatus.OPTIMAL
    assert response.objective.weighted_unmet == pytest.approx(4.0)
    (incident,) = response.explanations
    assert all(line.unmet_reason for line in incident.lines)
    assert any(b.kind == "COMMITTED" and b.subject == "U1" for b in incident.bindings)
