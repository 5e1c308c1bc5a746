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
    LIST_INCIDENTS = "ListIncidents"
    GET_INCIDENT = "GetIncident"
    LIST_INCIDENT_TIMELINE = "ListIncidentTimeline"
    VERIFY_INCIDENT = "VerifyIncident"
    CHANGE_SEVERITY = "ChangeSeverity"
    CANCEL_INCIDENT = "CancelIncident"
    UPDATE_UNIT_STATUS = "UpdateUnitStatus"
    CONTAIN_INCIDENT = "ContainIncident"
    CLOSE_INCIDENT = "CloseIncident"
    LIST_SCENARIOS = "ListScenarios"
    LIST_DRILLS = "ListDrills"
    GET_PARK_INVENTORY = "GetParkInventory"
    ADJUST_STOCK = "AdjustStock"


READS = frozenset(
    {
        Method.GET_SITUATION,
        Method.WATCH_EVENTS,
        Method.GET_DRILL,
        Method.GET_DRILL_REPORT,
        Method.LIST_INCIDENTS,
        Method.GET_INCIDENT,
        Method.LIST_INCIDENT_TIMELINE,
        Method.LIST_SCENARIOS,
        Method.LIST_DRILLS,
        Method.GET_PARK_INVENTORY,
    }
)
PIPELINE = frozenset(
    {
        Method.SET_DEMANDS,
        Method.PROPOSE_PLAN,
        Method.COMMIT_PLAN,
        Method.AUTO_DISPATCH,
        Method.VERIFY_INCIDENT,
        Method.CHANGE_SEVERITY,
        Method.CANCEL_INCIDENT,
        Method.CONTAIN_INCIDENT,
        Method.CLOSE_INCIDENT,
    }
)
# What a park officer may report of their own park's units: out of service, and back.
OFFICER_UNIT_STATES = frozenset({"OUT_OF_SERVICE", "AVAILABLE"})


def is_allowed(principal: Principal, method: Method, *, exercise_id: str = "", park_id: str = "", unit_state: str = "") -> bool:
    """Decide whether the principal may call the method in the namespace (and for the park, where one applies).

    operator:       the whole pipeline, live and inside exercises (an operator in the loop of a drill), park imports;
    drill_director: drills, and the whole pipeline inside exercises only;
    park_officer:   reports of incidents in their own park (live), their own park's inventory import and stock
                    adjustments, their own park's units out of service and back (live); reads;
    viewer:         reads only (situation, events, drills and their reports);
    alarm_intake:   reports of alarm-opened incidents, live and inside exercises; reads.
    """
    role = principal.role
    if method in READS:
        return True
    if method is Method.START_DRILL:
        return role is Role.DRILL_DIRECTOR
    if method is Method.UPDATE_UNIT_STATUS:
        if role is Role.PARK_OFFICER:
            return not exercise_id and bool(park_id) and park_id == principal.park_id and unit_state in OFFICER_UNIT_STATES
        return role is Role.OPERATOR or (role is Role.DRILL_DIRECTOR and bool(exercise_id))
    if method in (Method.IMPORT_PARK_INVENTORY, Method.ADJUST_STOCK):
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


def authorize(method: Method, *, exercise_id: str = "", park_id: str = "", unit_state: str = "") -> Principal:
    """The current principal if it may call the method, else UNAUTHENTICATED or PERMISSION_DENIED naming the rule."""
    principal = require_authenticated()
    if is_allowed(principal, method, exercise_id=exercise_id, park_id=park_id, unit_state=unit_state):
        return principal
    where = f" in exercise {exercise_id!r}" if exercise_id else " on live operations"
    park = f" for park {park_id!r}" if park_id else ""
    park += f" to {unit_state}" if unit_state else ""
    raise permission_denied(
        f"{principal.role.value} {principal.subject!r} may not call {method.value}{where}{park}",
        {"role": principal.role.value, "method": method.value, "exercise_id": exercise_id, "park_id": park_id},
    )
