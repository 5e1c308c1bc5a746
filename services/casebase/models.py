"""Domain models: accident cases, drill scenarios, targets, rubrics and after-action reports."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from services.casebase.vocabulary import AccidentKind, HazardClass, ResourceType, Severity
from services.common.catalogue import ParkKind
from services.common.names import ID_PATTERN

# Cases, scenarios and reports follow the suite's id rule (1-63 characters), the length their tables store.
SLUG = ID_PATTERN.pattern


def _coerce_hazard_class(value: Any) -> Any:
    """Accept 2.3 or 3 written unquoted in YAML."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return value


def _coerce_un_number(value: Any) -> Any:
    """Accept 1017, "1017" or "UN1017"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"
    if isinstance(value, str):
        text = value.strip().upper()
        return text[2:].strip() if text.startswith("UN") else text
    return value


HazardClassField = Annotated[HazardClass, BeforeValidator(_coerce_hazard_class)]
UnNumber = Annotated[str, BeforeValidator(_coerce_un_number), Field(pattern=r"^\d{4}$")]
SourceDate = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]


class Model(BaseModel):
    """Base of every model here: unknown fields are refused so typos surface."""

    model_config = ConfigDict(extra="forbid")


# --- accident cases -------------------------------------------------------------------------


class Substance(Model):
    """A substance involved in an accident."""

    name: str = Field(min_length=1)
    name_zh: str | None = None
    un_number: UnNumber | None = None
    hazard_class: HazardClassField
    quantity_t: float | None = Field(default=None, ge=0)


class Casualties(Model):
    """People harmed or moved; None means not reported; note says where figures vary."""

    deaths: int = Field(default=0, ge=0)
    missing: int = Field(default=0, ge=0)
    injuries: int | None = Field(default=None, ge=0)
    evacuated: int | None = Field(default=None, ge=0)
    note: str | None = None


class Weather(Model):
    """Weather at the time of the accident, as far as reported."""

    condition: str | None = None
    wind_speed_ms: float | None = Field(default=None, ge=0)
    temperature_c: float | None = None


class TimelineEntry(Model):
    """One step of the chain of events, in minutes from the first alarm."""

    t_min: float
    text: str = Field(min_length=1)


class ResourceUse(Model):
    """A resource type used in the response, with quantity in the catalogue unit."""

    type: ResourceType
    quantity: float = Field(gt=0)
    estimate: bool = True
    within_min: float | None = Field(default=None, gt=0)
    note: str | None = None


class Source(Model):
    """A public source the case was written from."""

    publication: str = Field(min_length=3)
    date: SourceDate


class Case(Model):
    """An accident case of the library."""

    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=3)
    title_zh: str | None = None
    date: dt.date
    date_precision: Literal["day", "month", "year"] = "day"
    place: str
    country: str
    industry: str
    park_kind: ParkKind | None = None
    kind: AccidentKind
    secondary_kinds: list[AccidentKind] = Field(default_factory=list)
    substances: list[Substance] = Field(min_length=1)
    severity: Severity
    casualties: Casualties = Field(default_factory=Casualties)
    duration_h: float | None = Field(default=None, gt=0)
    weather: Weather = Field(default_factory=Weather)
    summary: str = Field(min_length=10)
    summary_zh: str | None = None
    timeline: list[TimelineEntry] = Field(min_length=1)
    response_actions: list[str] = Field(min_length=1)
    resources_used: list[ResourceUse] = Field(default_factory=list)
    outcome: str
    causes: list[str] = Field(min_length=1)
    lessons: list[str] = Field(min_length=1)
    sources: list[Source] = Field(default_factory=list)
    synthetic: bool = False

    @property
    def primary_hazard_class(self) -> HazardClass:
        """Hazard class of the first (primary) substance."""
        return self.substances[0].hazard_class

    @property
    def name(self) -> str:
        """Resource name of the case."""
        return f"cases/{self.id}"

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        offsets = [e.t_min for e in self.timeline]
        if offsets != sorted(offsets):
            raise ValueError("timeline must be in time order")
        types = [r.type for r in self.resources_used]
        if len(types) != len(set(types)):
            raise ValueError("resources_used lists a resource type twice")
        if self.kind in self.secondary_kinds:
            raise ValueError("secondary_kinds repeats the primary kind")
        if not self.synthetic and not self.sources:
            raise ValueError("a case from a real accident needs at least one source")
        return self


# --- drill scenarios ------------------------------------------------------------------------


class ScenarioMode(StrEnum):
    """SCRIPTED drills are announced; UNANNOUNCED drills are double-blind."""

    SCRIPTED = "SCRIPTED"
    UNANNOUNCED = "UNANNOUNCED"


class Comparator(StrEnum):
    """How an observed value is compared with a target threshold."""

    LE = "<="
    LT = "<"
    GE = ">="
    GT = ">"
    EQ = "=="

    def holds(self, observed: float, threshold: float) -> bool:
        """Whether observed satisfies the comparison with threshold."""
        if self is Comparator.LE:
            return observed <= threshold
        if self is Comparator.LT:
            return observed < threshold
        if self is Comparator.GE:
            return observed >= threshold
        if self is Comparator.GT:
            return observed > threshold
        return abs(observed - threshold) <= 1e-9


class Target(Model):
    """An expected-response target: a measurable metric, a comparator and a threshold."""

    id: str = Field(min_length=1)
    metric: str
    comparator: Comparator
    threshold: float
    resource_type: str | None = None
    incident: str | None = None
    park: str | None = None
    description: str | None = None


class SubstanceRef(Model):
    """Substance as an incident report gives it."""

    name: str = Field(min_length=1)
    un_number: UnNumber | None = None
    hazard_class: HazardClassField


class DemandSpec(Model):
    """A demand fixed by a drill script for its incident (otherwise demands are recommended)."""

    resource_type: str
    quantity: float
    needed_within_minutes: int = 0
    required_capabilities: list[str] = Field(default_factory=list)


class Area(Model):
    """A circular area on the map."""

    lat: float
    lon: float
    radius_km: float


class InjectBase(Model):
    """Fields every inject carries."""

    id: str = Field(min_length=1)
    offset_s: int
    note: str | None = None
    targets: list[Target] = Field(default_factory=list)


class IncidentInject(InjectBase):
    """A new incident, with everything an incident report holds."""

    type: Literal["INCIDENT"]
    park: str
    lat: float
    lon: float
    place: str
    kind: AccidentKind
    substance: SubstanceRef | None = None
    severity: Severity
    description: str
    title: str | None = None
    demands: list[DemandSpec] = Field(default_factory=list)


class EscalationInject(InjectBase):
    """The severity of an earlier incident changes."""

    type: Literal["ESCALATION"]
    incident: str
    severity: Severity
    description: str | None = None


class UnitBreakdownInject(InjectBase):
    """Units break down (at home or on the way): a named unit, or units of a type picked in a park."""

    type: Literal["UNIT_BREAKDOWN"]
    park: str
    resource_type: str | None = None
    unit: str | None = None
    count: int = 1
    incident: str | None = None
    description: str | None = None


class StockLossInject(InjectBase):
    """An amount of a consumable is lost from a park's stock (any or one named depot) or the shared depot's."""

    type: Literal["STOCK_LOSS"]
    holder: str
    depot: str | None = None
    resource_type: str
    quantity: float
    description: str | None = None


class RoadDisruptionInject(InjectBase):
    """Roads in an area are closed or slowed."""

    type: Literal["ROAD_DISRUPTION"]
    mode: Literal["CLOSED", "SLOWED"]
    area: Area
    road: str | None = None
    delay_min: float | None = None
    duration_s: int | None = None
    description: str | None = None


class DetectorAlarmsInject(InjectBase):
    """A burst of detector alarms: a release spreading downwind across the park's detectors whose ids start with a prefix."""

    type: Literal["DETECTOR_ALARMS"]
    park: str
    detectors: str = Field(min_length=1)
    wind_to_deg: float = 0.0
    wind_mps: float = 2.0
    readings: int = 3


Inject = Annotated[
    IncidentInject | EscalationInject | UnitBreakdownInject | StockLossInject | RoadDisruptionInject | DetectorAlarmsInject, Field(discriminator="type")
]
INJECT_TYPES = ("INCIDENT", "ESCALATION", "UNIT_BREAKDOWN", "STOCK_LOSS", "ROAD_DISRUPTION", "DETECTOR_ALARMS")


class RubricItem(Model):
    """A scored part of the drill: a weight over a group of targets."""

    id: str = Field(min_length=1)
    description: str
    weight: float
    targets: list[str] = Field(min_length=1)


class Scenario(Model):
    """A drill scenario: injects on a timeline, targets per inject, and a scoring rubric."""

    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=3)
    title_zh: str | None = None
    description: str | None = None
    objectives: list[str] = Field(min_length=1)
    mode: ScenarioMode
    parks: list[str] = Field(min_length=1)
    duration_s: int | None = None
    injects: list[Inject] = Field(min_length=1)
    targets: list[Target] = Field(default_factory=list)
    rubric: list[RubricItem] = Field(min_length=1)

    @property
    def name(self) -> str:
        """Resource name of the scenario."""
        return f"scenarios/{self.id}"

    def incidents(self) -> list[IncidentInject]:
        """The incident injects in timeline order."""
        return [i for i in self.injects if isinstance(i, IncidentInject)]


# --- after-action ---------------------------------------------------------------------------


class TimelineRecord(Model):
    """One recorded event of a drill or live response, in seconds from its start."""

    offset_s: float
    text: str


class TargetResult(Model):
    """A target with what was observed and whether it was met."""

    target_id: str
    metric: str
    comparator: Comparator
    threshold: float
    observed: float | None
    met: bool
    inject_id: str | None = None


class AfterActionReport(Model):
    """What happened in a drill or a closed live incident and how the response scored."""

    id: str = Field(pattern=SLUG)
    origin: Literal["DRILL", "LIVE"]
    scenario_id: str | None = None
    incident_id: str | None = None
    started_at: dt.datetime
    ended_at: dt.datetime
    timeline: list[TimelineRecord] = Field(default_factory=list)
    target_results: list[TargetResult] = Field(default_factory=list)
    score: float | None = Field(default=None, ge=0, le=1)
    response_actions: list[str] = Field(default_factory=list)
    lessons: list[str] = Field(default_factory=list)
    resources_used: list[ResourceUse] = Field(default_factory=list)

    @property
    def targets_met(self) -> list[TargetResult]:
        """Targets that were met."""
        return [r for r in self.target_results if r.met]

    @property
    def targets_missed(self) -> list[TargetResult]:
        """Targets that were missed (or not observed)."""
        return [r for r in self.target_results if not r.met]

    @model_validator(mode="after")
    def _origin_fields(self) -> AfterActionReport:
        if self.ended_at < self.started_at:
            raise ValueError("ended_at is before started_at")
        if self.origin == "DRILL" and not self.scenario_id:
            raise ValueError("a drill report names its scenario_id")
        if self.origin == "LIVE" and not self.incident_id:
            raise ValueError("a live report names its incident_id")
        return self
