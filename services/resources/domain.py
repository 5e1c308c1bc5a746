"""Domain model of the resources service: states, entities and the unit state machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.common.catalogue import ParkKind
from services.common.errors import ServiceError, aborted, failed_precondition
from services.resources.names import RESERVATION

LIVE = ""
"""The namespace of live operations; an exercise namespace is the exercise id."""

EVENT_STREAM = "emergency.resources.events"


class DepotKind(StrEnum):
    """What a depot is."""

    FIRE_STATION = "FIRE_STATION"
    RESCUE_BASE = "RESCUE_BASE"
    SUPPLY_WAREHOUSE = "SUPPLY_WAREHOUSE"


class UnitState(StrEnum):
    """Where a unit is in its dispatch cycle."""

    AVAILABLE = "AVAILABLE"
    RESERVED = "RESERVED"
    EN_ROUTE = "EN_ROUTE"
    ON_SCENE = "ON_SCENE"
    RETURNING = "RETURNING"
    OUT_OF_SERVICE = "OUT_OF_SERVICE"


class ReservationState(StrEnum):
    """Life of a reservation: ACTIVE until confirmed, released, expired or discarded with its exercise."""

    ACTIVE = "ACTIVE"
    CONFIRMED = "CONFIRMED"
    COMPLETED = "COMPLETED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"
    DISCARDED = "DISCARDED"


class ItemState(StrEnum):
    """Life of one reserved unit or stock amount."""

    HELD = "HELD"
    CONFIRMED = "CONFIRMED"
    COMPLETED = "COMPLETED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"
    DISCARDED = "DISCARDED"


class LedgerKind(StrEnum):
    """Why a stock's on-hand amount changed."""

    RECEIPT = "RECEIPT"
    ISSUE = "ISSUE"
    CORRECTION = "CORRECTION"
    LOSS = "LOSS"


class ExerciseState(StrEnum):
    """An exercise namespace is ACTIVE until ended."""

    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS-84 position in decimal degrees."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class DutyContact:
    """Who answers for a park around the clock."""

    name: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Park:
    """An industrial park (parks/{park_id})."""

    park_id: str
    display_name: str
    kind: ParkKind
    location: GeoPoint
    boundary: tuple[GeoPoint, ...] = ()
    duty_contact: DutyContact = DutyContact()
    display_name_zh: str = ""
    version: int = 0
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Depot:
    """A fire station, rescue base or warehouse (parks/{park_id}/depots/{depot_id})."""

    park_id: str
    depot_id: str
    display_name: str
    kind: DepotKind
    location: GeoPoint
    shared: bool = False
    retired: bool = False
    version: int = 0
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """A team or vehicle (parks/{park_id}/units/{unit_id}); state and version are output only."""

    park_id: str
    unit_id: str
    type: str
    call_sign: str
    home_depot: str
    crew_size: int = 0
    capabilities: tuple[str, ...] = ()
    position: GeoPoint | None = None
    state: UnitState = UnitState.AVAILABLE
    version: int = 0
    retired: bool = False
    reservation_id: str = ""
    incident: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Stock:
    """The stock of one consumable type at one depot; on hand and reserved change only through the ledger."""

    park_id: str
    depot_id: str
    type: str
    on_hand: int = 0
    reserved: int = 0
    minimum_level: int = 0
    version: int = 0
    update_time: datetime | None = None

    @property
    def available(self) -> int:
        """What can still be reserved."""
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class ReservePolicy:
    """How much of a type (units counted, consumables in their unit of measure) must stay available at home."""

    park_id: str
    type: str
    min_available: int
    version: int = 0


@dataclass(frozen=True, slots=True)
class MutualAid:
    """A lender park may send the listed types (all if empty) to a borrower park within a travel time."""

    lender_park: str
    borrower_park: str
    resource_types: tuple[str, ...] = ()
    max_travel_minutes: int = 30
    version: int = 0


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One receipt, issue or correction of a stock."""

    entry_id: int
    sequence: int
    namespace: str
    park_id: str
    depot_id: str
    type: str
    kind: LedgerKind
    delta: int
    on_hand_after: int
    reason: str
    reservation_id: str
    actor: str
    create_time: datetime


@dataclass(frozen=True, slots=True)
class UnitRequest:
    """One unit a reservation asks for, with the unit version the plan was made on."""

    park_id: str
    unit_id: str
    expected_version: int


@dataclass(frozen=True, slots=True)
class StockRequest:
    """An amount of one depot's stock; expected_version 0 accepts any version if enough is available."""

    park_id: str
    depot_id: str
    type: str
    amount: int
    expected_version: int = 0


@dataclass(frozen=True, slots=True)
class ReservedUnit:
    """A unit inside a reservation."""

    park_id: str
    unit_id: str
    state: ItemState
    planned_version: int = 0


@dataclass(frozen=True, slots=True)
class ReservedStock:
    """A stock amount inside a reservation."""

    park_id: str
    depot_id: str
    type: str
    amount: int
    state: ItemState
    planned_version: int = 0


@dataclass(frozen=True, slots=True)
class Reservation:
    """A set of units and stock amounts held for one incident (reservations/{reservation_id})."""

    reservation_id: str
    namespace: str
    incident: str
    state: ReservationState
    units: tuple[ReservedUnit, ...]
    stocks: tuple[ReservedStock, ...]
    requested_by: str
    expires_at: datetime
    version: int
    create_time: datetime
    update_time: datetime


@dataclass(frozen=True, slots=True)
class Exercise:
    """A drill namespace with a copy-on-write view of live availability."""

    exercise_id: str
    name: str
    state: ExerciseState
    base_version: int
    created_by: str
    create_time: datetime
    end_time: datetime | None = None


class DetectorKind(StrEnum):
    """What a detector senses."""

    TOXIC_GAS = "TOXIC_GAS"
    FLAMMABLE_GAS = "FLAMMABLE_GAS"
    FLAME = "FLAME"
    SMOKE = "SMOKE"
    TEMPERATURE = "TEMPERATURE"
    PRESSURE = "PRESSURE"
    LEVEL = "LEVEL"


GAS_KINDS = frozenset({DetectorKind.TOXIC_GAS, DetectorKind.FLAMMABLE_GAS})


@dataclass(frozen=True, slots=True, kw_only=True)
class Detector:
    """A fixed detector at a position in a park, watching for one substance or condition (fields in contract order)."""

    park_id: str
    detector_id: str
    display_name: str
    kind: DetectorKind | None
    substance_name: str = ""
    un_number: str = ""
    hazard_class: str = ""
    position: GeoPoint | None
    pre_alarm_threshold: float
    alarm_threshold: float
    unit: str
    area: str = ""
    version: int = 0


@dataclass(frozen=True, slots=True)
class Inventory:
    """A park's whole inventory for a bulk import: depots, units, stocks, reserve policies, mutual aid it lends."""

    park_id: str
    depots: tuple[Depot, ...] = ()
    units: tuple[Unit, ...] = ()
    stocks: tuple[Stock, ...] = ()
    reserve_policies: tuple[ReservePolicy, ...] = ()
    mutual_aid: tuple[MutualAid, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """How many rows of each kind a bulk import created, how many it updated, and each change (create or update)."""

    park_id: str
    depots: int
    units: int
    stocks: int
    reserve_policies: int
    mutual_aid: int
    updated: int = 0
    unchanged: int = 0
    changes: tuple[Any, ...] = ()
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One page of a namespace's availability: units and depots; the first page also stocks, parks, policies."""

    namespace: str
    version: int
    units: tuple[Unit, ...]
    committed_units: tuple[Unit, ...] = ()
    stocks: tuple[Stock, ...] = ()
    depots: tuple[Depot, ...] = ()
    parks: tuple[Park, ...] = ()
    reserve_policies: tuple[ReservePolicy, ...] = ()
    mutual_aid: tuple[MutualAid, ...] = ()
    next_page_token: str = ""
    total_units: int = 0


# Movements a caller may request; RESERVED and the step into EN_ROUTE belong to reservations.
MOVES: dict[UnitState, frozenset[UnitState]] = {
    UnitState.AVAILABLE: frozenset({UnitState.AVAILABLE, UnitState.OUT_OF_SERVICE}),
    UnitState.RESERVED: frozenset(),
    UnitState.EN_ROUTE: frozenset({UnitState.EN_ROUTE, UnitState.ON_SCENE, UnitState.RETURNING}),
    UnitState.ON_SCENE: frozenset({UnitState.ON_SCENE, UnitState.RETURNING}),
    UnitState.RETURNING: frozenset({UnitState.RETURNING, UnitState.AVAILABLE, UnitState.OUT_OF_SERVICE}),
    UnitState.OUT_OF_SERVICE: frozenset({UnitState.OUT_OF_SERVICE, UnitState.AVAILABLE}),
}

# States in which a unit is committed to a reservation (its hold ends when it is AVAILABLE or OUT_OF_SERVICE again).
COMMITTED_STATES = frozenset({UnitState.RESERVED, UnitState.EN_ROUTE, UnitState.ON_SCENE, UnitState.RETURNING})

# States a unit may be retired from.
RETIRABLE_STATES = frozenset({UnitState.AVAILABLE, UnitState.OUT_OF_SERVICE})


def check_move(unit_name: str, current: UnitState, target: UnitState) -> None:
    """Refuse a movement the state machine does not allow, naming the current state."""
    if target not in MOVES[current]:
        allowed = ", ".join(sorted(MOVES[current])) or "none (reservation-owned state)"
        raise failed_precondition(
            "ILLEGAL_TRANSITION",
            f"{unit_name} is {current.value}; it cannot move to {target.value} (allowed: {allowed})",
            {"current_state": current.value, "target_state": target.value, "unit": unit_name},
        )


def check_version(current: int, expected: int, subject: str) -> None:
    """Refuse a write planned on another version (0 means no check)."""
    if expected and expected != current:
        raise aborted("VERSION_MISMATCH", f"{subject} is at version {current}, not {expected}", {"subject": subject, "current_version": str(current)})


def illegal_reservation_state(reservation_id: str, current: ReservationState, action: str) -> ServiceError:
    """The error for acting on a reservation that is no longer ACTIVE."""
    return failed_precondition(
        f"RESERVATION_{current.value}",
        f"{RESERVATION.format(reservation_id)} is {current.value}; cannot {action}",
        {"current_state": current.value, "reservation": RESERVATION.format(reservation_id)},
    )
