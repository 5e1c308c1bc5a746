"""Who may call which gateway method: one pure rule, checked before any backend is called."""

from __future__ import annotations

from enum import StrEnum

from services.common.auth import Principal, Role, require_authenticated
from services.common.errors import permission_denied


class Method(StrEnum):
    """The gateway's methods."""

    REPORT_INCIDENT = "ReportIncident"
    SET_DEMANDS = "SetDemands"
    PROPOSE_PLAN = "ProposePlan"
    COMMIT_PLAN = "CommitPlan"
    AUTO_DISPATCH = "AutoDispatch"
    GET_SITUATION = "GetSituation"
    WATCH_EVENTS = "WatchEvents"
    IMPORT_PARK_INVENTORY = "ImportParkInventory"
    START_DRILL = "StartDrill"
    GET_DRILL = "GetDrill"
    GET_DRILL_REPORT = "GetDrillReport"


READS = frozenset({Method.GET_SITUATION, Method.WATCH_EVENTS, Method.GET_DRILL, Method.GET_DRILL_REPORT})
PIPELINE = frozenset({Method.SET_DEMANDS, Method.PROPOSE_PLAN, Method.COMMIT_PLAN, Method.AUTO_DISPATCH})


def is_allowed(principal: Principal, method: Method, *, exercise_id: str = "", park_id: str = "") -> bool:
    """Decide whether the principal may call the method in the namespace (and for the park, where one applies).

    operator:       the whole pipeline, live and inside exercises (an operator in the loop of a drill), park imports;
    drill_director: drills, and the whole pipeline inside exercises only;
    park_officer:   reports of incidents in their own park (live) and their own park's inventory import; reads;
    viewer:         reads only (situation, events, drills and their reports);
    alarm_intake:   reports of alarm-opened incidents, live and inside exercises; reads.
    """
    role = principal.role
    if method in READS:
        return True
    if method is Method.START_DRILL:
        return role is Role.DRILL_DIRECTOR
    if method is Method.IMPORT_PARK_INVENTORY:
        return role is Role.OPERATOR or (role is Role.PARK_OFFICER and bool(park_id) and park_id == principal.park_id)
    if method is Method.REPORT_INCIDENT:
        if role is Role.ALARM_INTAKE:
            return True
        if role is Role.PARK_OFFICER:
            return not exercise_id and bool(park_id) and park_id == principal.park_id
        return role is Role.OPERATOR or (role is Role.DRILL_DIRECTOR and bool(exercise_id))
    if method in PIPELINE:
        return role is Role.OPERATOR or (role is Role.DRILL_DIRECTOR and bool(exercise_id))
    return False


def authorize(method: Method, *, exercise_id: str = "", park_id: str = "") -> Principal:
    """The current principal if it may call the method, else UNAUTHENTICATED or PERMISSION_DENIED naming the rule."""
    principal = require_authenticated()
    if is_allowed(principal, method, exercise_id=exercise_id, park_id=park_id):
        return principal
    where = f" in exercise {exercise_id!r}" if exercise_id else " on live operations"
    park = f" for park {park_id!r}" if park_id else ""
    raise permission_denied(
        f"{principal.role.value} {principal.subject!r} may not call {method.value}{where}{park}",
        {"role": principal.role.value, "method": method.value, "exercise_id": exercise_id, "park_id": park_id},
    )
