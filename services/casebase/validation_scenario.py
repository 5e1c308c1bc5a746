"""Whole-upload validation of drill scenarios, reporting every problem with its field path."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from services.casebase.metrics import METRICS
from services.casebase.models import (
    DetectorAlarmsInject,
    EscalationInject,
    IncidentInject,
    InjectBase,
    RoadDisruptionInject,
    Scenario,
    StockLossInject,
    Target,
    UnitBreakdownInject,
)
from services.casebase.parks import DEMO_PARKS, SHARED_DEPOT_ID, Park
from services.casebase.validation import Problem, shape_problem
from services.casebase.vocabulary import CAPABILITY_TAGS, AccidentKind, ResourceType, Severity
from services.common.catalogue import ResourceKind
from services.common.geo import great_circle_km
from services.common.names import UNIT, is_id

WEIGHT_TOLERANCE = 1e-6
"""Rubric weights must sum to 1 within this; they are not normalised silently, so a typo shows."""

_NEEDS_SUBSTANCE = frozenset({AccidentKind.TOXIC_GAS_LEAK, AccidentKind.FLAMMABLE_GAS_LEAK, AccidentKind.CHEMICAL_SPILL})


class ScenarioInvalid(ValueError):
    """Raised when a scenario upload has problems; carries all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in self.problems))


@dataclass(frozen=True)
class ValidationContext:
    """What an upload may refer to: known parks and stock holders, and geometric limits."""

    parks: Mapping[str, Park] = field(default_factory=lambda: dict(DEMO_PARKS))
    depots: frozenset[str] = frozenset({SHARED_DEPOT_ID})
    max_incident_distance_km: float = 15.0
    max_area_radius_km: float = 50.0


def validate_scenario(raw: Mapping[str, Any], context: ValidationContext | None = None) -> tuple[Scenario | None, list[Problem]]:
    """Validate an upload as a whole: shape first, then every cross-field rule."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        return None, [shape_problem(err) for err in exc.errors()]
    checker = _Checker(scenario, context or ValidationContext())
    checker.run()
    return (scenario if not checker.problems else None), checker.problems


def parse_scenario(raw: Mapping[str, Any], context: ValidationContext | None = None) -> Scenario:
    """Return the valid scenario or raise ScenarioInvalid with every problem."""
    scenario, problems = validate_scenario(raw, context)
    if scenario is None:
        raise ScenarioInvalid(problems)
    return scenario


def _resource_kind(code: str | None) -> ResourceKind | None:
    try:
        return ResourceType(code).spec.kind if code is not None else None
    except ValueError:
        return None


class _Checker:
    """Cross-field rules of one parsed scenario."""

    def __init__(self, scenario: Scenario, context: ValidationContext) -> None:
        self.s = scenario
        self.ctx = context
        self.problems: list[Problem] = []
        self.incident_index: dict[str, int] = {inj.id: i for i, inj in enumerate(scenario.injects) if isinstance(inj, IncidentInject)}

    def add(self, path: str, code: str, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(path, code, message))

    def run(self) -> None:
        """Apply every rule."""
        self.check_header()
        self.check_injects()
        self.check_targets()
        self.check_rubric()

    # header ---------------------------------------------------------------------------------

    def check_header(self) -> None:
        """Parks known and unique, objectives non-empty, duration positive."""
        seen: set[str] = set()
        for i, park in enumerate(self.s.parks):
            if park not in self.ctx.parks:
                self.add(f"parks[{i}]", "UNKNOWN_PARK", f"unknown park {park!r}")
            if park in seen:
                self.add(f"parks[{i}]", "DUPLICATE", f"park {park!r} listed twice")
            seen.add(park)
        for i, text in enumerate(self.s.objectives):
            if not text.strip():
                self.add(f"objectives[{i}]", "EMPTY", "objective is empty")
        if self.s.duration_s is not None and self.s.duration_s <= 0:
            self.add("duration_s", "NOT_POSITIVE", "duration_s must be positive")
        if not self.incident_index:
            self.add("injects", "NO_INCIDENT", "a scenario needs at least one INCIDENT inject")

    # injects --------------------------------------------------------------------------------

    def check_injects(self) -> None:
        """Ids, time order and the rules of each inject type."""
        seen: dict[str, int] = {}
        severity: dict[str, Severity] = {}
        previous_offset = 0
        for i, inj in enumerate(self.s.injects):
            path = f"injects[{i}]"
            if inj.id in seen:
                self.add(f"{path}.id", "DUPLICATE", f"inject id {inj.id!r} also used by injects[{seen[inj.id]}]")
            seen.setdefault(inj.id, i)
            if inj.offset_s < 0:
                self.add(f"{path}.offset_s", "NEGATIVE", "offset_s must be >= 0")
            elif inj.offset_s < previous_offset:
                self.add(f"{path}.offset_s", "OUT_OF_ORDER", f"offset {inj.offset_s}s is before the previous inject's {previous_offset}s")
            previous_offset = max(previous_offset, inj.offset_s)
            if self.s.duration_s is not None and inj.offset_s > self.s.duration_s > 0:
                self.add(f"{path}.offset_s", "AFTER_END", f"offset is after the scenario's end ({self.s.duration_s}s)")
            if isinstance(inj, IncidentInject):
                self.check_incident(path, inj)
                severity[inj.id] = inj.severity
            elif isinstance(inj, EscalationInject):
                if self.check_incident_ref(f"{path}.incident", inj.incident, i):
                    if severity.get(inj.incident) == inj.severity:
                        self.add(f"{path}.severity", "NO_CHANGE", f"incident is already at severity {inj.severity}")
                    severity[inj.incident] = inj.severity
            elif isinstance(inj, UnitBreakdownInject):
                self.check_breakdown(path, inj)
                if inj.count < 1:
                    self.add(f"{path}.count", "NOT_POSITIVE", "count must be >= 1")
                if inj.incident is not None:
                    self.check_incident_ref(f"{path}.incident", inj.incident, i)
            elif isinstance(inj, StockLossInject):
                if inj.holder not in self.s.parks and inj.holder not in self.ctx.depots:
                    self.add(f"{path}.holder", "UNKNOWN_HOLDER", f"{inj.holder!r} is neither a participating park nor a known depot")
                if inj.depot is not None and inj.holder in self.ctx.depots:
                    self.add(f"{path}.depot", "NOT_ALLOWED", f"{inj.holder!r} is a depot itself; name a depot only for a park")
                elif inj.depot is not None and not is_id(inj.depot):
                    self.add(f"{path}.depot", "MALFORMED", "depot id: lowercase letters, digits and hyphens")
                self.check_resource(f"{path}.resource_type", inj.resource_type, ResourceKind.CONSUMABLE)
                if not inj.quantity > 0:
                    self.add(f"{path}.quantity", "NOT_POSITIVE", "quantity must be > 0")
            elif isinstance(inj, RoadDisruptionInject):
                self.check_road(path, inj)
            elif isinstance(inj, DetectorAlarmsInject):
                self.check_park(f"{path}.park", inj.park)
                if not is_id(inj.detectors):
                    self.add(f"{path}.detectors", "MALFORMED", "a detector id prefix: lowercase letters, digits and hyphens")
                if not (0 <= inj.wind_to_deg < 360):
                    self.add(f"{path}.wind_to_deg", "OUT_OF_RANGE", "wind direction must be within [0, 360)")
                if not (0 < inj.wind_mps <= 60):
                    self.add(f"{path}.wind_mps", "OUT_OF_RANGE", "wind speed must be within (0, 60] m/s")
                if not (1 <= inj.readings <= 50):
                    self.add(f"{path}.readings", "OUT_OF_RANGE", "readings must be within [1, 50]")

    def check_incident(self, path: str, inj: IncidentInject) -> None:
        """Park, position and substance of a new incident."""
        self.check_park(f"{path}.park", inj.park)
        if not -90 <= inj.lat <= 90:
            self.add(f"{path}.lat", "OUT_OF_RANGE", "latitude must be within [-90, 90]")
        elif not -180 <= inj.lon <= 180:
            self.add(f"{path}.lon", "OUT_OF_RANGE", "longitude must be within [-180, 180]")
        elif (park := self.ctx.parks.get(inj.park)) is not None:
            km = great_circle_km(inj.lat, inj.lon, park.lat, park.lon)
            if km > self.ctx.max_incident_distance_km:
                self.add(f"{path}.lat", "FAR_FROM_PARK", f"position is {km:.1f} km from park {inj.park!r} (limit {self.ctx.max_incident_distance_km:g} km)")
        if inj.kind in _NEEDS_SUBSTANCE and inj.substance is None:
            self.add(f"{path}.substance", "REQUIRED", f"a {inj.kind} incident names its substance")
        if not inj.place.strip():
            self.add(f"{path}.place", "EMPTY", "place is empty")
        if inj.title is not None and not inj.title.strip():
            self.add(f"{path}.title", "EMPTY", "title is empty")
        self.check_demands(path, inj)

    def check_demands(self, path: str, inj: IncidentInject) -> None:
        """Demands fixed by the script: known types, positive (whole for units) quantities, known tags."""
        seen: set[str] = set()
        for k, demand in enumerate(inj.demands):
            at = f"{path}.demands[{k}]"
            if self.check_resource(f"{at}.resource_type", demand.resource_type, None):
                if demand.resource_type in seen:
                    self.add(f"{at}.resource_type", "DUPLICATE", f"{demand.resource_type} is demanded twice")
                seen.add(demand.resource_type)
                unit = _resource_kind(demand.resource_type) is ResourceKind.UNIT
                if math.isfinite(demand.quantity) and unit and demand.quantity != int(demand.quantity):
                    self.add(f"{at}.quantity", "NOT_INTEGER", f"{demand.resource_type} is counted in whole units")
            if not (math.isfinite(demand.quantity) and demand.quantity > 0):
                self.add(f"{at}.quantity", "NOT_POSITIVE", "quantity must be > 0")
            if demand.needed_within_minutes < 0:
                self.add(f"{at}.needed_within_minutes", "NEGATIVE", "needed_within_minutes must be >= 0 (0: no standard)")
            for c, tag in enumerate(demand.required_capabilities):
                if tag not in CAPABILITY_TAGS:
                    self.add(f"{at}.required_capabilities[{c}]", "UNKNOWN_CAPABILITY", f"unknown capability tag {tag!r}")

    def check_breakdown(self, path: str, inj: UnitBreakdownInject) -> None:
        """A breakdown names a unit of a taking-part park, or a park and a unit type to pick from."""
        park_ok = self.check_park(f"{path}.park", inj.park)
        if inj.resource_type is not None:
            self.check_resource(f"{path}.resource_type", inj.resource_type, ResourceKind.UNIT)
        elif inj.unit is None:
            self.add(f"{path}.resource_type", "REQUIRED", "name the unit, or the unit type to pick in the park")
        if inj.unit is not None:
            ids = UNIT.match(inj.unit)
            if ids is None:
                self.add(f"{path}.unit", "MALFORMED", "a unit is named parks/{park}/units/{unit}")
            elif park_ok and ids[0] != inj.park:
                self.add(f"{path}.unit", "WRONG_PARK", f"unit {inj.unit!r} is not in park {inj.park!r}")

    def check_road(self, path: str, inj: RoadDisruptionInject) -> None:
        """Area, mode and delay of a road disruption."""
        area = inj.area
        if not (-90 <= area.lat <= 90 and -180 <= area.lon <= 180):
            self.add(f"{path}.area", "OUT_OF_RANGE", "area centre is not a valid position")
        if not 0 < area.radius_km <= self.ctx.max_area_radius_km:
            limit = self.ctx.max_area_radius_km
            self.add(f"{path}.area.radius_km", "OUT_OF_RANGE", f"radius must be in (0, {limit:g}] km")
        if inj.mode == "SLOWED" and (inj.delay_min is None or inj.delay_min <= 0):
            self.add(f"{path}.delay_min", "REQUIRED", "a SLOWED road needs a positive delay_min")
        if inj.mode == "CLOSED" and inj.delay_min is not None:
            self.add(f"{path}.delay_min", "NOT_ALLOWED", "a CLOSED road takes no delay_min")
        if inj.duration_s is not None and inj.duration_s <= 0:
            self.add(f"{path}.duration_s", "NOT_POSITIVE", "duration_s must be positive")

    def check_park(self, path: str, park: str) -> bool:
        """A park must be known and take part in the scenario."""
        if park not in self.ctx.parks:
            self.add(path, "UNKNOWN_PARK", f"unknown park {park!r}")
            return False
        if park not in self.s.parks:
            self.add(path, "NOT_PARTICIPATING", f"park {park!r} is not listed in parks")
            return False
        return True

    def check_resource(self, path: str, code: str, kind: ResourceKind | None) -> bool:
        """A resource type must be in the catalogue and, when asked, of the given kind."""
        actual = _resource_kind(code)
        if actual is None:
            self.add(path, "UNKNOWN_RESOURCE_TYPE", f"unknown resource type {code!r}")
            return False
        if kind is not None and actual is not kind:
            self.add(path, "WRONG_RESOURCE_KIND", f"{code} is a {actual}, expected a {kind}")
            return False
        return True

    def check_incident_ref(self, path: str, ref: str, at_index: int | None) -> bool:
        """A reference must name an INCIDENT inject that comes no later than the referrer."""
        index = self.incident_index.get(ref)
        if index is None:
            self.add(path, "UNKNOWN_INCIDENT", f"no INCIDENT inject has id {ref!r}")
            return False
        if at_index is not None and index > at_index:
            self.add(path, "FORWARD_REFERENCE", f"incident {ref!r} is injected later (injects[{index}])")
            return False
        return True

    # targets --------------------------------------------------------------------------------

    def all_targets(self) -> list[tuple[str, Target, int | None]]:
        """Every target with its path and the index of its inject (None for scenario-wide)."""
        out: list[tuple[str, Target, int | None]] = []
        for i, inj in enumerate(self.s.injects):
            out += [(f"injects[{i}].targets[{j}]", t, i) for j, t in enumerate(inj.targets)]
        out += [(f"targets[{j}]", t, None) for j, t in enumerate(self.s.targets)]
        return out

    def own_incident(self, inj: InjectBase) -> str | None:
        """The incident an inject is about, if any."""
        if isinstance(inj, IncidentInject):
            return inj.id
        if isinstance(inj, EscalationInject | UnitBreakdownInject):
            return inj.incident
        return None

    def check_targets(self) -> None:
        """Every target measurable: known metric, allowed comparator, threshold in range."""
        seen: dict[str, str] = {}
        for path, target, index in self.all_targets():
            if target.id in seen:
                self.add(f"{path}.id", "DUPLICATE", f"target id {target.id!r} also used at {seen[target.id]}")
            seen.setdefault(target.id, path)
            self.check_target(path, target, index)

    def check_target(self, path: str, t: Target, index: int | None) -> None:
        """Rules of one target."""
        spec = METRICS.get(t.metric)
        if spec is None:
            known = ", ".join(sorted(METRICS))
            self.add(f"{path}.metric", "NOT_MEASURABLE", f"unknown metric {t.metric!r}; known: {known}")
            return
        inj = self.s.injects[index] if index is not None else None
        if spec.inject_types is not None and (inj is None or inj.type not in spec.inject_types):
            kinds = "/".join(sorted(spec.inject_types))
            self.add(f"{path}.metric", "WRONG_INJECT", f"{t.metric} applies only to {kinds} injects")
        if t.comparator not in spec.comparators:
            allowed = " ".join(sorted(c.value for c in spec.comparators))
            self.add(f"{path}.comparator", "NOT_ALLOWED", f"{t.metric} is compared with one of: {allowed}")
        if not math.isfinite(t.threshold) or not spec.minimum <= t.threshold <= spec.maximum:
            bounds = f"[{spec.minimum:g}, {spec.maximum:g}] {spec.unit}"
            self.add(f"{path}.threshold", "OUT_OF_RANGE", f"{t.metric} threshold must be in {bounds}")
        elif spec.integer and t.threshold != int(t.threshold):
            self.add(f"{path}.threshold", "NOT_INTEGER", f"{t.metric} counts whole {spec.unit}")
        if spec.resource_kind is not None:
            if t.resource_type is None:
                self.add(f"{path}.resource_type", "REQUIRED", f"{t.metric} needs a {spec.resource_kind} resource_type")
            else:
                self.check_resource(f"{path}.resource_type", t.resource_type, spec.resource_kind)
        elif t.resource_type is not None:
            self.add(f"{path}.resource_type", "NOT_ALLOWED", f"{t.metric} takes no resource_type")
        if t.park is not None and t.park not in self.s.parks:
            self.add(f"{path}.park", "NOT_PARTICIPATING", f"park {t.park!r} is not listed in parks")
        if spec.scope == "global":
            if t.incident is not None:
                self.add(f"{path}.incident", "NOT_ALLOWED", f"{t.metric} is measured over the whole drill")
        elif t.incident is not None:
            self.check_incident_ref(f"{path}.incident", t.incident, index)
        elif spec.scope == "incident" and (inj is None or self.own_incident(inj) is None):
            self.add(f"{path}.incident", "REQUIRED", f"{t.metric} needs the incident it is measured at")

    # rubric ---------------------------------------------------------------------------------

    def check_rubric(self) -> None:
        """Positive weights summing to 1, valid target references, every target scored once."""
        target_paths = {t.id: p for p, t, _ in self.all_targets()}
        scored: dict[str, str] = {}
        ids: set[str] = set()
        total = 0.0
        for i, item in enumerate(self.s.rubric):
            path = f"rubric[{i}]"
            if item.id in ids:
                self.add(f"{path}.id", "DUPLICATE", f"rubric id {item.id!r} used twice")
            ids.add(item.id)
            if not (math.isfinite(item.weight) and item.weight > 0):
                self.add(f"{path}.weight", "NOT_POSITIVE", "weight must be > 0")
            else:
                total += item.weight
            for j, ref in enumerate(item.targets):
                if ref not in target_paths:
                    self.add(f"{path}.targets[{j}]", "UNKNOWN_TARGET", f"no target has id {ref!r}")
                elif ref in scored:
                    self.add(f"{path}.targets[{j}]", "SCORED_TWICE", f"target {ref!r} already scored by {scored[ref]}")
                else:
                    scored[ref] = path
        weights_ok = all(math.isfinite(r.weight) and r.weight > 0 for r in self.s.rubric)
        if weights_ok and abs(total - 1.0) > WEIGHT_TOLERANCE:
            self.add("rubric", "WEIGHTS_NOT_ONE", f"rubric weights sum to {total:.6g}, not 1")
        for ref, path in target_paths.items():
            if ref not in scored:
                self.add(f"{path}.id", "UNSCORED", f"target {ref!r} is not scored by any rubric item")
