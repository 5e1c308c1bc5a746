"""The authorization rule, as a pure function."""

from __future__ import annotations

import grpc
import pytest

from services.common.auth import ANONYMOUS, Principal, Role
from services.common.errors import ServiceError
from services.resources.access import Action, authorize, is_allowed

OPERATOR = Principal("op-1", Role.OPERATOR)
OFFICER = Principal("officer-lg", Role.PARK_OFFICER, "ligang")
OFFICER_NO_PARK = Principal("officer-x", Role.PARK_OFFICER, "")
DIRECTOR = Principal("dd-1", Role.DRILL_DIRECTOR)
VIEWER = Principal("viewer-1", Role.VIEWER)

# (principal, action, park, exercise) -> allowed
CASES = [
    (VIEWER, Action.READ, "ligang", ""),
    (OFFICER, Action.READ, "shengang", ""),
    (VIEWER, Action.REGISTER, "ligang", ""),
    (VIEWER, Action.RESERVE, None, ""),
    (VIEWER, Action.MOVE_UNIT, "ligang", ""),
    (VIEWER, Action.MANAGE_EXERCISE, None, ""),
    (VIEWER, Action.CREATE_PARK, None, ""),
    (OFFICER, Action.REGISTER, "ligang", ""),
    (OFFICER, Action.REGISTER, "shengang", ""),
    (OFFICER, Action.REGISTER, "ligang", "drill-1"),
    (OFFICER, Action.MOVE_UNIT, "ligang", ""),
    (OFFICER, Action.MOVE_UNIT, "shengang", ""),
    (OFFICER, Action.RESERVE, "ligang", ""),
    (OFFICER, Action.RESERVE, None, ""),
    (OFFICER, Action.CREATE_PARK, "ligang", ""),
    (OFFICER, Action.MANAGE_EXERCISE, None, ""),
    (OFFICER_NO_PARK, Action.REGISTER, "ligang", ""),
    (OPERATOR, Action.RESERVE, None, ""),
    (OPERATOR, Action.RESERVE, None, "drill-1"),
    (OPERATOR, Action.REGISTER, "shengang", ""),
    (OPERATOR, Action.CREATE_PARK, None, ""),
    (OPERATOR, Action.MOVE_UNIT, "xiagang", ""),
    (OPERATOR, Action.MANAGE_EXERCISE, None, ""),
    (DIRECTOR, Action.RESERVE, None, ""),
    (DIRECTOR, Action.RESERVE, None, "drill-1"),
    (DIRECTOR, Action.MOVE_UNIT, "ligang", "drill-1"),
    (DIRECTOR, Action.MOVE_UNIT, "ligang", ""),
    (DIRECTOR, Action.MANAGE_EXERCISE, None, ""),
    (DIRECTOR, Action.REGISTER, "ligang", ""),
    (DIRECTOR, Action.CREATE_PARK, None, ""),
]
EXPECTED = [
    True, True, False, False, False, False, False,
    True, False, False, True, False, False, False, False, False, False,
    True, True, True, True, True, True,
    False, True, True, False, True, False, False,
]  # fmt: skip


@pytest.mark.parametrize(("case", "expected"), list(zip(CASES, EXPECTED, strict=True)))
def test_matrix(case: tuple[Principal, Action, str | None, str], expected: bool) -> None:
    principal, action, park, exercise = case
    assert is_allowed(principal, action, park=park, exercise_id=exercise) is expected


def test_every_role_and_action_has_a_decision() -> None:
    for role in Role:
        for action in Action:
            principal = Principal("s", role, "ligang")
            assert isinstance(is_allowed(principal, action, park="ligang"), bool)


def test_adjusting_stock_follows_the_operational_rule() -> None:
    assert is_allowed(OFFICER, Action.ADJUST_STOCK, park="ligang")
    assert not is_allowed(OFFICER, Action.ADJUST_STOCK, park="xiagang")
    assert not is_allowed(OFFICER, Action.ADJUST_STOCK, park="ligang", exercise_id="drill-1")
    assert is_allowed(DIRECTOR, Action.ADJUST_STOCK, park="ligang", exercise_id="drill-1")
    assert not is_allowed(DIRECTOR, Action.ADJUST_STOCK, park="ligang")
    assert not is_allowed(VIEWER, Action.ADJUST_STOCK, park="ligang")


def test_anonymous_callers_are_unauthenticated_even_for_reads() -> None:
    with pytest.raises(ServiceError) as caught:
        authorize(ANONYMOUS, Action.READ)
    assert caught.value.code is grpc.StatusCode.UNAUTHENTICATED


def test_authorize_raises_permission_denied_with_context() -> None:
    authorize(OFFICER, Action.REGISTER, park="ligang")
    with pytest.raises(ServiceError) as caught:
        authorize(OFFICER, Action.REGISTER, park="shengang")
    assert caught.value.code is grpc.StatusCode.PERMISSION_DENIED
    assert caught.value.metadata == {"role": "park_officer", "action": "register", "park": "shengang", "exercise_id": ""}
    assert "shengang" in caught.value.message
