"""Who may do what in the resources service: one pure function, unit-tested on its own."""

from __future__ import annotations

from enum import StrEnum

from services.common.auth import Principal, Role
from services.common.errors import permission_denied, unauthenticated
from services.resources.domain import LIVE


class Action(StrEnum):
    """What a call does, for authorization."""

    READ = "read"
    CREATE_PARK = "create_park"
    REGISTER = "register"  # a park's record, depots, units, stock levels, policies, agreements it lends under, imports
    RESERVE = "reserve"  # reserve, confirm, release
    MOVE_UNIT = "move_unit"  # unit status reports
    ADJUST_STOCK = "adjust_stock"  # receipts, corrections and losses booked to the ledger
    MANAGE_EXERCISE = "manage_exercise"


def is_allowed(principal: Principal, action: Action, *, park: str | None = None, exercise_id: str = LIVE) -> bool:
    """Decide whether an authenticated principal may perform the action on the park inside the namespace.

    operator:       everything, everywhere (the command centre also administers the library);
    park_officer:   registration, unit status and stock adjustments for their own park only, live only;
                    never reserves and never creates parks;
    drill_director: reserves, confirms, releases, moves units and adjusts stock inside exercises, and
                    starts and ends exercises; read-only on live;
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
        own_park = bool(principal.park_id) and park is not None and principal.park_id == park
        return action in (Action.REGISTER, Action.MOVE_UNIT, Action.ADJUST_STOCK) and own_park and not in_exercise
    if role is Role.DRILL_DIRECTOR:
        if action is Action.MANAGE_EXERCISE:
            return True
        return action in (Action.RESERVE, Action.MOVE_UNIT, Action.ADJUST_STOCK) and in_exercise
    return False


def authorize(principal: Principal, action: Action, *, park: str | None = None, exercise_id: str = LIVE) -> None:
    """Raise UNAUTHENTICATED without a principal, PERMISSION_DENIED unless it may perform the action."""
    if not principal.authenticated:
        raise unauthenticated("TOKEN_MISSING", "this call needs a bearer token")
    if is_allowed(principal, action, park=park, exercise_id=exercise_id):
        return
    where = f" on parks/{park}" if park else ""
    scope = f" in exercise {exercise_id!r}" if exercise_id else ""
    raise permission_denied(
        f"{principal.role.value} {principal.subject!r} may not {action.value}{where}{scope}",
        {"role": principal.role.value, "action": action.value, "park": park or "", "exercise_id": exercise_id},
    )
