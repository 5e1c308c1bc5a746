"""Incident rules: severity weights, the state machine, input validation and who may do what."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from services.common.auth import Principal, Role
from services.common.catalogue import unknown_type_message
from services.common.errors import FieldViolation, ServiceError, failed_precondition, permission_denied
from services.common.severity import SEVERITY_WEIGHTS

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,62}$")
PARK_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
RESOURCE_TYPE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
UN_NUMBER_PATTERN = re.compile(r"^[0-9]{4}$")
HAZARD_CLASSES = frozenset(
    {
        "1",
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "1.5",
        "1.6",
        "2",
        "2.1",
        "2.2",
        "2.3",
        "3",
        "4",
        "4.1",
        "4.2",
        "4.3",
        "5",
        "5.1",
        "5.2",
        "6",
        "6.1",
        "6.2",
        "7",
        "8",
        "9",
    }
)
MAX_TITLE = 200
MAX_REPORTER = 200
MAX_DESCRIPTION = 4000
MAX_PLACE = 500
MAX_NOTE = 2000
MAX_DEMANDS = 100
MAX_QUANTITY = 10_000_000
MAX_NEEDED_WITHIN_MINUTES = 7 * 24 * 60


class State(StrEnum):
    """Where an incident stands."""

    REPORTED = "REPORTED"
    VERIFIED = "VERIFIED"
    DISPATCHING = "DISPATCHING"
    RESPONDING = "RESPONDING"
    CONTAINED = "CONTAINED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


OPEN_STATES = frozenset({State.REPORTED, State.VERIFIED, State.DISPATCHING, State.RESPONDING, State.CONTAINED})


@dataclass(frozen=True)
class Transition:
    """A state change: the action's name, the states it may start from, and where it leads."""

    action: str
    sources: frozenset[State]
    target: State


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("VERIFY", frozenset({State.REPORTED}), State.VERIFIED),
        Transition("BEGIN_DISPATCH", frozenset({State.VERIFIED}), State.DISPATCHING),
        Transition("MARK_RESPONDING", frozenset({State.DISPATCHING}), State.RESPONDING),
        Transition("MARK_CONTAINED", frozenset({State.RESPONDING}), State.CONTAINED),
        Transition("CLOSE", frozenset({State.CONTAINED}), State.CLOSED),
        Transition("CANCEL", OPEN_STATES, State.CANCELLED),
    )
}


def check_transition(action: str, current: State) -> State:
    """The target state of an action from the current state, or FAILED_PRECONDITION naming the current state."""
    transition = TRANSITIONS[action]
    if current not in transition.sources:
        allowed = ", ".join(sorted(s.value for s in transition.sources))
        raise failed_precondition(
            "ILLEGAL_TRANSITION",
            f"cannot {action.lower().replace('_', ' ')} an incident in state {current.value} (allowed from: {allowed})",
            {"current_state": current.value, "action": action},
        )
    return transition.target


def check_open(action: str, current: State) -> None:
    """Changes other than transitions are allowed only while the incident is open."""
    if current not in OPEN_STATES:
        raise failed_precondition(
            "INCIDENT_NOT_OPEN",
            f"cannot {action.lower().replace('_', ' ')}: the incident is {current.value}",
            {"current_state": current.value, "action": action},
        )


def severity_weight(level: str) -> float:
    """Dispatch weight of a severity level ("I" to "IV")."""
    return SEVERITY_WEIGHTS[level]


@dataclass(frozen=True)
class DemandLine:
    """One resource demand as the domain sees it."""

    resource_type: str
    quantity: float
    needed_within_minutes: int = 0
    required_capabilities: tuple[str, ...] = ()


def text_violations(field: str, value: str, *, required: bool, maximum: int) -> list[FieldViolation]:
    """Required and length checks for a text field."""
    if required and not value.strip():
        return [FieldViolation(field, "required")]
    if len(value) > maximum:
        return [FieldViolation(field, f"at most {maximum} characters (got {len(value)})")]
    return []


def coordinate_violations(field: str, latitude: float, longitude: float) -> list[FieldViolation]:
    """Latitude and longitude must be finite and in range."""
    found: list[FieldViolation] = []
    if not math.isfinite(latitude) or not -90.0 <= latitude <= 90.0:
        found.append(FieldViolation(f"{field}.latitude", "must be a finite number between -90 and 90"))
    if not math.isfinite(longitude) or not -180.0 <= longitude <= 180.0:
        found.append(FieldViolation(f"{field}.longitude", "must be a finite number between -180 and 180"))
    return found


def substance_violations(field: str, name: str, un_number: str, hazard_class: str) -> list[FieldViolation]:
    """Substance name length, UN number shape and known hazard class."""
    found = text_violations(f"{field}.name", name, required=False, maximum=MAX_TITLE)
    if un_number and not UN_NUMBER_PATTERN.match(un_number):
        found.append(FieldViolation(f"{field}.un_number", "must be four digits, e.g. 1017"))
    if hazard_class and hazard_class not in HAZARD_CLASSES:
        found.append(FieldViolation(f"{field}.hazard_class", "must be a UN class or division, e.g. 2.3 or 8"))
    return found


def demand_violations(field: str, demands: Iterable[DemandLine]) -> list[FieldViolation]:
    """Each line: a well-formed type, a positive finite quantity, a sane deadline; no type twice."""
    found: list[FieldViolation] = []
    seen: set[str] = set()
    lines = list(demands)
    if len(lines) > MAX_DEMANDS:
        found.append(FieldViolation(field, f"at most {MAX_DEMANDS} demand lines"))
    for index, line in enumerate(lines):
        at = f"{field}[{index}]"
        if not RESOURCE_TYPE_PATTERN.match(line.resource_type):
            found.append(FieldViolation(f"{at}.resource_type", "must be a catalogue code such as HAZMAT_TEAM"))
        elif (unknown := unknown_type_message(line.resource_type)) is not None:
            found.append(FieldViolation(f"{at}.resource_type", unknown))
        elif line.resource_type in seen:
            found.append(FieldViolation(f"{at}.resource_type", f"{line.resource_type} appears more than once"))
        seen.add(line.resource_type)
        if not math.isfinite(line.quantity) or line.quantity <= 0:
            found.append(FieldViolation(f"{at}.quantity", "must be greater than zero"))
        elif line.quantity > MAX_QUANTITY:
            found.append(FieldViolation(f"{at}.quantity", f"at most {MAX_QUANTITY}"))
        if not 0 <= line.needed_within_minutes <= MAX_NEEDED_WITHIN_MINUTES:
            found.append(FieldViolation(f"{at}.needed_within_minutes", f"must be between 0 and {MAX_NEEDED_WITHIN_MINUTES}"))
        for cap_index, capability in enumerate(line.required_capabilities):
            if not capability or len(capability) > 64:
                found.append(FieldViolation(f"{at}.required_capabilities[{cap_index}]", "must be a capability tag of 1 to 64 characters"))
    return found


def id_violations(field: str, value: str, *, required: bool, pattern: re.Pattern[str] = ID_PATTERN) -> list[FieldViolation]:
    """An id of lowercase letters, digits and hyphens."""
    if not value:
        return [FieldViolation(field, "required")] if required else []
    if not pattern.match(value):
        return [FieldViolation(field, "lowercase letters, digits and hyphens, starting with a letter or digit")]
    return []


WRITE_ROLES = (Role.OPERATOR, Role.DRILL_DIRECTOR, Role.PARK_OFFICER)


def authorize_write(principal: Principal, action: str, *, park_id: str, exercise_id: str) -> None:
    """Operators change anything; drill directors only inside exercises; park officers report and edit their own park's live incidents;
    the alarm intake reports incidents, raises their severity and adds alarms to their timelines (live and inside exercises)."""
    role = principal.role
    if role is Role.OPERATOR:
        return
    if role is Role.DRILL_DIRECTOR and exercise_id:
        return
    # Park officers work on live incidents only, as the gateway allows them: never inside an exercise.
    if role is Role.PARK_OFFICER and action in ("CREATE", "UPDATE") and park_id and park_id == principal.park_id and not exercise_id:
        return
    if role is Role.ALARM_INTAKE and action in ("CREATE", "CHANGE_SEVERITY", "NOTE"):
        return
    raise _denied(principal, action, park_id, exercise_id)


def _denied(principal: Principal, action: str, park_id: str, exercise_id: str) -> ServiceError:
    """PERMISSION_DENIED saying who tried what where."""
    scope = f"exercise {exercise_id!r}" if exercise_id else "live"
    return permission_denied(
        f"{principal.role.value} {principal.subject!r} may not {action.lower()} incidents of park {park_id or '(none)'!r} ({scope})",
        {"role": principal.role.value, "action": action},
    )
