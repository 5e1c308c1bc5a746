"""The role rule of every gateway method, as a table (the same matrix runs end to end in test_roles.py)."""

from __future__ import annotations

import pytest

from gateway.access import Method, authorize, is_allowed
from services.common.auth import ANONYMOUS, Principal, Role, reset_current_principal, set_current_principal
from services.common.errors import ServiceError

OPERATOR = Principal("op", Role.OPERATOR)
DIRECTOR = Principal("dd", Role.DRILL_DIRECTOR)
OFFICER = Principal("po", Role.PARK_OFFICER, park_id="ligang")
VIEWER = Principal("vw", Role.VIEWER)

# (method, exercise_id, park_id) -> who may: operator, drill director, own-park officer, viewer
MATRIX = [
    (Method.REPORT_INCIDENT, "", "ligang", (True, False, True, False)),
    (Method.REPORT_INCIDENT, "", "shengang", (True, False, False, False)),
    (Method.REPORT_INCIDENT, "ex-1", "ligang", (True, True, False, False)),
    (Method.SET_DEMANDS, "", "", (True, False, False, False)),
    (Method.SET_DEMANDS, "ex-1", "", (True, True, False, False)),
    (Method.PROPOSE_PLAN, "", "", (True, False, False, False)),
    (Method.PROPOSE_PLAN, "ex-1", "", (True, True, False, False)),
    (Method.COMMIT_PLAN, "", "", (True, False, False, False)),
    (Method.COMMIT_PLAN, "ex-1", "", (True, True, False, False)),
    (Method.AUTO_DISPATCH, "", "", (True, False, False, False)),
    (Method.AUTO_DISPATCH, "ex-1", "", (True, True, False, False)),
    (Method.GET_SITUATION, "", "", (True, True, True, True)),
    (Method.WATCH_EVENTS, "ex-1", "", (True, True, True, True)),
    (Method.IMPORT_PARK_INVENTORY, "", "ligang", (True, False, True, False)),
    (Method.IMPORT_PARK_INVENTORY, "", "shengang", (True, False, False, False)),
    (Method.START_DRILL, "", "", (False, True, False, False)),
    (Method.GET_DRILL, "", "", (True, True, True, True)),
    (Method.GET_DRILL_REPORT, "", "", (True, True, True, True)),
    (Method.LIST_INCIDENTS, "", "", (True, True, True, True)),
    (Method.GET_INCIDENT, "", "", (True, True, True, True)),
    (Method.LIST_INCIDENT_TIMELINE, "ex-1", "", (True, True, True, True)),
    (Method.LIST_SCENARIOS, "", "", (True, True, True, True)),
    (Method.LIST_DRILLS, "", "", (True, True, True, True)),
    (Method.GET_PARK_INVENTORY, "", "shengang", (True, True, True, True)),
    (Method.VERIFY_INCIDENT, "", "ligang", (True, False, False, False)),
    (Method.VERIFY_INCIDENT, "ex-1", "", (True, True, False, False)),
    (Method.CHANGE_SEVERITY, "", "ligang", (True, False, False, False)),
    (Method.CANCEL_INCIDENT, "ex-1", "", (True, True, False, False)),
    (Method.CONTAIN_INCIDENT, "", "", (True, False, False, False)),
    (Method.CLOSE_INCIDENT, "ex-1", "", (True, True, False, False)),
    (Method.UPDATE_UNIT_STATUS, "", "ligang", (True, False, False, False)),
    (Method.UPDATE_UNIT_STATUS, "ex-1", "", (True, True, False, False)),
    (Method.ADJUST_STOCK, "", "ligang", (True, False, True, False)),
    (Method.ADJUST_STOCK, "", "shengang", (True, False, False, False)),
]

# A park officer's own units: out of service and back, live only; nothing else, and never another park's.
OFFICER_UNIT_MOVES = [
    ("", "ligang", "OUT_OF_SERVICE", True),
    ("", "ligang", "AVAILABLE", True),
    ("", "ligang", "ON_SCENE", False),
    ("", "ligang", "RETURNING", False),
    ("", "shengang", "OUT_OF_SERVICE", False),
    ("ex-1", "ligang", "OUT_OF_SERVICE", False),
]


@pytest.mark.parametrize(("exercise_id", "park_id", "state", "allowed"), OFFICER_UNIT_MOVES)
def test_officer_unit_moves(exercise_id: str, park_id: str, state: str, allowed: bool) -> None:
    assert is_allowed(OFFICER, Method.UPDATE_UNIT_STATUS, exercise_id=exercise_id, park_id=park_id, unit_state=state) is allowed
    assert is_allowed(VIEWER, Method.UPDATE_UNIT_STATUS, exercise_id=exercise_id, park_id=park_id, unit_state=state) is False


@pytest.mark.parametrize(("method", "exercise_id", "park_id", "expected"), MATRIX)
def test_rule_table(method: Method, exercise_id: str, park_id: str, expected: tuple[bool, bool, bool, bool]) -> None:
    actual = tuple(is_allowed(p, method, exercise_id=exercise_id, park_id=park_id) for p in (OPERATOR, DIRECTOR, OFFICER, VIEWER))
    assert actual == expected


def test_every_method_is_in_the_table() -> None:
    assert {row[0] for row in MATRIX} == set(Method)


def test_refusal_names_the_method_and_role() -> None:
    token = set_current_principal(VIEWER)
    try:
        with pytest.raises(ServiceError) as info:
            authorize(Method.COMMIT_PLAN)
    finally:
        reset_current_principal(token)
    assert info.value.code.name == "PERMISSION_DENIED"
    assert info.value.metadata["method"] == "CommitPlan" and info.value.metadata["role"] == "viewer"


def test_anonymous_is_unauthenticated() -> None:
    token = set_current_principal(ANONYMOUS)
    try:
        with pytest.raises(ServiceError) as info:
            authorize(Method.GET_SITUATION)
    finally:
        reset_current_principal(token)
    assert info.value.code.name == "UNAUTHENTICATED"
