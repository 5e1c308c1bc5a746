"""Request, plan and response types of the dispatch optimiser (one-to-one with the contract)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from services.dispatch.catalogue import DEFAULT_SPEEDS_KMH, DEFAULT_VEHICLE_CLASS


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 position in decimal degrees."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Demand:
    """One demand line: a count of units or an amount of a consumable."""

    resource_type: str
    quantity: float
    required_capabilities: tuple[str, ...] = ()
    needed_within_min: float | None = None


@dataclass(frozen=True)
class Incident:
    """An open incident and what it needs."""

    id: str
    location: GeoPoint
    severity_weight: float
    demands: tuple[Demand, ...]
    park_id: str | None = None
    reported_at_s: float = 0.0


@dataclass(frozen=True)
class Unit:
    """A team or vehicle that goes whole."""

    id: str
    resource_type: str
    position: GeoPoint
    capabilities: tuple[str, ...] = ()
    home_park: str | None = None
    home_depot: str | None = None
    vehicle_class: str = DEFAULT_VEHICLE_CLASS
    committed_to: str | None = None


@dataclass(frozen=True)
class Stock:
    """An amount of one consumable held at a depot."""

    depot_id: str
    resource_type: str
    amount: float
    position: GeoPoint
    park_id: str | None = None


@dataclass(frozen=True)
class Reserve:
    """Units (or amount) of a type that must stay available at a park's home."""

    park_id: str
    resource_type: str
    minimum: float


@dataclass(frozen=True)
class MutualAid:
    """Permission for a lender park to help a borrower park."""

    lender_park: str
    borrower_park: str
    resource_types: tuple[str, ...] = ()
    max_travel_min: float = 60.0

    def covers(self, resource_type: str) -> bool:
        """Return True when the agreement covers this type (empty list = every type)."""
        return not self.resource_types or resource_type in self.resource_types


@dataclass(frozen=True)
class Policies:
    """Park reserves and mutual-aid agreements."""

    reserves: tuple[Reserve, ...] = ()
    agreements: tuple[MutualAid, ...] = ()


@dataclass(frozen=True)
class RoadCondition:
    """A circular area whose roads are closed or slow.

    A route is the straight line from origin to incident. When it crosses the circle, the
    `delay_s` is added once and the part of the route inside the circle is driven at
    `speed_factor` times the normal speed. A `closed` circle may not be crossed: a route that
    would pass through it goes round it instead (the shortest path around the circle, tangent -
    arc - tangent) and still pays `delay_s`; a route that starts or ends inside it drives the
    inside part at normal speed, since the area is closed to through traffic only.
    """

    id: str
    center: GeoPoint
    radius_m: float
    delay_s: float = 0.0
    speed_factor: float = 1.0
    closed: bool = False


@dataclass(frozen=True)
class TravelModel:
    """Great-circle distance x road factor / vehicle speed, plus road conditions."""

    road_factor: float = 1.3
    speeds_kmh: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SPEEDS_KMH))
    depot_vehicle_class: str = "SUPPLY_TRUCK"
    conditions: tuple[RoadCondition, ...] = ()


# Rows of travel seconds: nested sequences, or a 2-D array (large matrices from the wire).
SecondsRows = Sequence[Sequence[float]] | npt.NDArray[np.float64]


@dataclass(frozen=True)
class TravelMatrices:
    """Explicit travel seconds: rows follow the id lists, columns follow incident_ids."""

    incident_ids: tuple[str, ...]
    unit_ids: tuple[str, ...]
    unit_seconds: SecondsRows
    depot_ids: tuple[str, ...] = ()
    depot_seconds: SecondsRows = ()


class Strategy(StrEnum):
    """How the plan is computed."""

    OPTIMAL = "OPTIMAL"
    GREEDY = "GREEDY"


@dataclass(frozen=True)
class Options:
    """Solver options and the policy switches a request may turn on."""

    strategy: Strategy = Strategy.OPTIMAL
    time_limit_s: float = 5.0
    relative_gap: float = 0.0
    num_workers: int = 2
    random_seed: int = 0
    allow_move_committed: bool = False
    move_penalty_s: float = 1800.0
    allow_reserve_dip: bool = False
    reserve_dip_penalty_s: float = 900.0


@dataclass(frozen=True)
class DispatchRequest:
    """Everything the optimiser needs; nothing is looked up elsewhere."""

    incidents: tuple[Incident, ...]
    units: tuple[Unit, ...] = ()
    stocks: tuple[Stock, ...] = ()
    parks: tuple[str, ...] = ()
    policies: Policies = Policies()
    travel_model: TravelModel = TravelModel()
    travel_matrices: TravelMatrices | None = None
    options: Options = Options()
    # Depots every park may draw on without a mutual-aid agreement (their stock and their units).
    shared_depots: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """A unit sent to one demand line of an incident."""

    unit_id: str
    incident_id: str
    demand_index: int
    eta_s: float = 0.0


@dataclass(frozen=True)
class Shipment:
    """An amount of a consumable sent from a depot to one demand line."""

    depot_id: str
    incident_id: str
    demand_index: int
    resource_type: str
    amount: float
    eta_s: float = 0.0


@dataclass(frozen=True)
class UnmetDemand:
    """What a demand line still lacks under a plan."""

    incident_id: str
    demand_index: int
    resource_type: str
    quantity: float
    fraction: float


@dataclass(frozen=True)
class Plan:
    """Unit assignments and shipments; unmet demand is derived by the evaluator."""

    assignments: tuple[Assignment, ...] = ()
    shipments: tuple[Shipment, ...] = ()
    unmet: tuple[UnmetDemand, ...] = ()


@dataclass(frozen=True)
class ObjectiveBreakdown:
    """The three objective tiers, in priority order, with the third split into parts."""

    weighted_unmet: float
    weighted_completion_s: float
    travel_s: float
    reshuffle_s: float
    reserve_dip_s: float
    reassignments: int = 0
    # Tie-break inside the first tier: severity-weighted units (or units of measure) short.
    weighted_units_short: float = 0.0

    @property
    def tertiary_s(self) -> float:
        """Travel plus reshuffling and reserve-dip penalties."""
        return self.travel_s + self.reshuffle_s + self.reserve_dip_s

    def key(self) -> tuple[float, float, float, float]:
        """Lexicographic comparison key (rounded so float noise does not reorder plans)."""
        return (round(self.weighted_unmet, 9), round(self.weighted_units_short, 9), round(self.weighted_completion_s, 6), round(self.tertiary_s, 6))


@dataclass(frozen=True)
class Violation:
    """A broken hard constraint, with a stable code and a message naming the ids."""

    code: str
    message: str
    unit_id: str | None = None
    depot_id: str | None = None
    incident_id: str | None = None


@dataclass(frozen=True)
class LineOutcome:
    """How one demand line fares under a plan."""

    incident_id: str
    demand_index: int
    resource_type: str
    requested: float
    delivered: float
    unmet: float
    completion_s: float


@dataclass(frozen=True)
class Evaluation:
    """Objective breakdown, per-line outcomes and constraint violations of a plan."""

    objective: ObjectiveBreakdown
    lines: tuple[LineOutcome, ...]
    violations: tuple[Violation, ...]

    @property
    def feasible(self) -> bool:
        """True when the plan breaks no hard constraint."""
        return not self.violations


@dataclass(frozen=True)
class Alternative:
    """The next-best source for a chosen unit or shipment.

    `added_min` is never negative: a nearer alternative adds nothing, and its status says why it was
    not taken (assigned elsewhere, held by a reserve, or idle because the choice does not change when
    the line is complete).
    """

    source_id: str
    eta_s: float
    added_min: float
    status: str


@dataclass(frozen=True)
class Choice:
    """A chosen unit or shipment and its next-best alternative."""

    source_id: str
    eta_s: float
    amount: float
    alternative: Alternative | None


@dataclass(frozen=True)
class Binding:
    """A reserve, agreement or rule that shaped the choice for an incident."""

    kind: str
    subject: str
    message: str


@dataclass(frozen=True)
class LineExplanation:
    """Why a demand line got what it got."""

    demand_index: int
    resource_type: str
    requested: float
    delivered: float
    completion_s: float
    choices: tuple[Choice, ...]
    unmet_reason: str | None = None


@dataclass(frozen=True)
class IncidentExplanation:
    """Why these units, what the alternatives were and which rules bound the choice."""

    incident_id: str
    lines: tuple[LineExplanation, ...]
    bindings: tuple[Binding, ...]


class SolveStatus(StrEnum):
    """How the returned plan was obtained."""

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    FALLBACK = "FALLBACK"
    HEURISTIC = "HEURISTIC"


@dataclass(frozen=True)
class ModelSize:
    """Size of the CP-SAT model after candidate pruning."""

    variables: int = 0
    constraints: int = 0
    candidates: int = 0
    groups: int = 0


@dataclass(frozen=True)
class DispatchResponse:
    """The plan, its objective, how good it is proven to be and why it looks like it does."""

    plan: Plan
    objective: ObjectiveBreakdown
    status: SolveStatus
    best_bound_s: float
    relative_gap: float
    unmet_proven_optimal: bool
    wall_time_s: float
    first_feasible_s: float
    build_s: float
    model_size: ModelSize
    explanations: tuple[IncidentExplanation, ...]
    violations: tuple[Violation, ...] = ()
    # Who produced the plan: "cpsat", "mip", "flow", "greedy", "lp" (stage-1 LP plan) or "greedy" when asked for.
    source: str = ""
    solver_first_solution_s: float | None = None
    # CP-SAT's completion bound on the model it solved; a bound for the request only when nothing was pruned.
    model_bound_s: float | None = None
    candidates_pruned: bool = False
    # The greedy baseline's score on the same request, so both can be shown side by side.
    baseline: ObjectiveBreakdown | None = None
    # Which bound best_bound_s comes from: "lp", "flow", "cpsat", "mip", or empty without one.
    bound_source: str = ""
