"""Who may do what in the resources service: one pure function, unit-tested on its own."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.common.errors import permission_denied
from services.resources.domain import LIVE


class Role(StrEnum):
    """The roles a caller's token may carry."""

    OPERATOR = "operator"
    PARK_OFFICER = "park_officer"
    DRILL_DIRECTOR = "drill_director"
    VIEWER = "viewer"


class Action(StrEnum):
    """What a call does, for authorization."""

    READ = "read"
    CREATE_PARK = "create_park"
    REGISTER = "register"  # create / update / retire a park's record, depots, units, stock, policies; bulk import
    RESERVE = "reserve"  # reserve, confirm, release
    MOVE_UNIT = "move_unit"
    MANAGE_EXERCISE = "manage_exercise"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: subject, role, and the park a park officer belongs to."""

    subject: str
    role: Role
    park: str | None = None


def is_allowed(principal: Principal, action: Action, *, park: str | None = None, exercise_id: str = LIVE) -> bool:
    """Decide whether the principal may perform the action on the park inside the namespace.

    operator:       everything, everywhere (the command centre also administers the library);
    park_officer:   registration and unit movements for their own park only, live only; never reserves;
    drill_director: reserves, confirms, releases and moves units inside exercises, starts and ends them;
    viewer:         reads only.
    """
    role = principal.role
    if action is Action.READ:
        return True
    if role is Role.VIEWER:
        return False
    if role is Role.OPERATOR:
        return True
    in_exercise = exercise_id != LIVE
    if role is Role.PARK_OFFICER:
        own_park = principal.park is not None and park is not None and principal.park == park
        return action in (Action.REGISTER, Action.MOVE_UNIT) and own_park and not in_exercise
    if role is Role.DRILL_DIRECTOR:
        if action is Action.MANAGE_EXERCISE:
            return True
        return action in (Action.RESERVE, Action.MOVE_UNIT) and in_exercise
    return False


def authorize(principal: Principal, action: Action, *, park: str | None = None, exercise_id: str = LIVE) -> None:
    """Raise PERMISSION_DENIED unless the principal may perform the action."""
    if is_allowed(principal, action, park=park, exercise_id=exercise_id):
        return
    where = f" on parks/{park}" if park else ""
    scope = f" in exercise {exercise_id!r}" if exercise_id else ""
    raise permission_denied(
        f"{principal.role.value} {principal.subject!r} may not {action.value}{where}{scope}",
        {"role": principal.role.value, "action": action.value, "park": park or "", "exercise_id": exercise_id},
    )
