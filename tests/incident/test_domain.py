"""Unit tests for the incident rules."""

from __future__ import annotations

import grpc
import pytest

from services.common.auth import Principal, Role
from services.common.errors import ServiceError
from services.incident import domain, validation
from services.incident.domain import State


def test_severity_weights_double_per_level() -> None:
    assert [domain.severity_weight(level) for level in ("IV", "III", "II", "I")] == [1, 2, 4, 8]


@pytest.mark.parametrize(
    ("action", "source", "target"),
    [
        ("VERIFY", State.REPORTED, State.VERIFIED),
        ("BEGIN_DISPATCH", State.VERIFIED, State.DISPATCHING),
        ("MARK_RESPONDING", State.DISPATCHING, State.RESPONDING),
        ("MARK_CONTAINED", State.RESPONDING, State.CONTAINED),
        ("CLOSE", State.CONTAINED, State.CLOSED),
        *[("CANCEL", s, State.CANCELLED) for s in sorted(domain.OPEN_STATES)],
    ],
)
def test_allowed_transitions(action: str, source: State, target: State) -> None:
    assert domain.check_transition(action, source) is target


def test_every_other_transition_is_refused_naming_the_state() -> None:
    refused = 0
    for action, transition in domain.TRANSITIONS.items():
        for state in State:
            if state in transition.sources:
                continue
            with pytest.raises(ServiceError) as info:
                domain.check_transition(action, state)
            assert info.value.code is grpc.StatusCode.FAILED_PRECONDITION
            assert info.value.metadata["current_state"] == state.value
            assert state.value in info.value.message
            refused += 1
    assert refused == 5 * 6 + 2


def test_demand_violations_name_each_bad_line() -> None:
    lines = [
        domain.DemandLine("HAZMAT_TEAM", 2),
        domain.DemandLine("HAZMAT_TEAM", 1),
        domain.DemandLine("foam", 0),
        domain.DemandLine("FOAM_AFFF", float("nan"), needed_within_minutes=-1),
    ]
    fields = {v.field for v in validation.demand_violations("demands", lines)}
    assert fields == {"demands[1].resource_type", "demands[2].resource_type", "demands[2].quantity", "demands[3].quantity", "demands[3].needed_within_minutes"}


def test_authorization_scopes() -> None:
    officer = Principal("o", Role.PARK_OFFICER, "ligang")
    domain.authorize_write(officer, "CREATE", park_id="ligang", exercise_id="")
    with pytest.raises(ServiceError) as info:
        domain.authorize_write(officer, "CREATE", park_id="shengang", exercise_id="")
    assert info.value.code is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(ServiceError):
        domain.authorize_write(officer, "VERIFY", park_id="ligang", exercise_id="")
    for action in ("CREATE", "UPDATE"):
        with pytest.raises(ServiceError):
            domain.authorize_write(officer, action, park_id="ligang", exercise_id="drill-1")
    director = Principal("d", Role.DRILL_DIRECTOR)
    domain.authorize_write(director, "VERIFY", park_id="ligang", exercise_id="drill-1")
    with pytest.raises(ServiceError):
        domain.authorize_write(director, "VERIFY", park_id="ligang", exercise_id="")
    with pytest.raises(ServiceError):
        domain.authorize_write(Principal("v", Role.VIEWER), "CREATE", park_id="ligang", exercise_id="")
    domain.authorize_write(Principal("op", Role.OPERATOR), "CLOSE", park_id="", exercise_id="")
