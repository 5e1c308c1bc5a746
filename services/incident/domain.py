"""Incident rules: severity weights, the state machine, the entries added beside it, field limits and who may do what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from services.common.auth import Principal, Role
from services.common.errors import ServiceError, failed_precondition, permission_denied
from services.common.severity import SEVERITY_WEIGHTS

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

    @property
    def event_type(self) -> str:
        """The event a change of this kind emits, named for the state it leads to."""
        return f"incident.{self.target.value.lower()}"


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
# Timeline actions written by the changes of the incident itself; entries added on their own may not use them.
CHANGE_ACTIONS = frozenset({"CREATED", "UPDATED", "SEVERITY_CHANGED", "DEMANDS_SET"})


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


@dataclass(frozen=True)
class EntryKind:
    """A timeline entry added beside the state machine: who may add it, the action names it takes, and whether it moves the version."""

    authorization: str  # the action the writer is authorised for, and named in refusals
    action_pattern: re.Pattern[str]
    action_hint: str
    default_action: str  # taken when the request names none ("" = the action is required)
    reserved_actions: frozenset[str]
    max_details_bytes: int
    moves_version: bool
    event_type: str


# A decision recorded by the planners (a plan override): the incident itself does not change, so its version stays.
ANNOTATION = EntryKind(
    authorization="ANNOTATE",
    action_pattern=re.compile(r"^[A-Z][A-Z0-9_]{2,39}$"),
    action_hint="must be UPPER_SNAKE, 3 to 40 characters, e.g. PLAN_OVERRIDE",
    default_action="",
    reserved_actions=frozenset(TRANSITIONS) | CHANGE_ACTIONS,
    max_details_bytes=16_000,
    moves_version=False,
    event_type="incident.annotated",
)
# New information on the incident (detector alarms, field reports): it takes the next version, whatever version is current.
NOTE = EntryKind(
    authorization="NOTE",
    action_pattern=re.compile(r"^[A-Z][A-Z0-9_]{1,39}$"),
    action_hint="UPPER_SNAKE, 2 to 40 characters, e.g. ALARMS_RECORDED",
    default_action="NOTE",
    reserved_actions=frozenset(),
    max_details_bytes=200_000,
    moves_version=True,
    event_type="incident.note_added",
)


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


def authorize_update(principal: Principal, *, park_id: str, new_park_id: str | None, exercise_id: str) -> None:
    """An update of an incident of `park_id`; a park officer may not move an incident to another park than their own."""
    authorize_write(principal, "UPDATE", park_id=park_id, exercise_id=exercise_id)
    if new_park_id is not None and principal.role is Role.PARK_OFFICER and new_park_id != principal.park_id:
        authorize_write(principal, "UPDATE", park_id=new_park_id, exercise_id=exercise_id)


def _denied(principal: Principal, action: str, park_id: str, exercise_id: str) -> ServiceError:
    """PERMISSION_DENIED saying who tried what where."""
    scope = f"exercise {exercise_id!r}" if exercise_id else "live"
    return permission_denied(
        f"{principal.role.value} {principal.subject!r} may not {action.lower()} incidents of park {park_id or '(none)'!r} ({scope})",
        {"role": principal.role.value, "action": action},
    )
