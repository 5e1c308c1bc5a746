import datetime

from emergency.common.v1 import common_pb2 as _common_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Casualties(_message.Message):
    __slots__ = ("deaths", "injuries", "evacuated")
    DEATHS_FIELD_NUMBER: _ClassVar[int]
    INJURIES_FIELD_NUMBER: _ClassVar[int]
    EVACUATED_FIELD_NUMBER: _ClassVar[int]
    deaths: int
    injuries: int
    evacuated: int
    def __init__(self, deaths: _Optional[int] = ..., injuries: _Optional[int] = ..., evacuated: _Optional[int] = ...) -> None: ...

class CaseEvent(_message.Message):
    __slots__ = ("offset_minutes", "text")
    OFFSET_MINUTES_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    offset_minutes: float
    text: str
    def __init__(self, offset_minutes: _Optional[float] = ..., text: _Optional[str] = ...) -> None: ...

class ResourceUse(_message.Message):
    __slots__ = ("resource_type", "quantity", "estimated")
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_FIELD_NUMBER: _ClassVar[int]
    resource_type: str
    quantity: float
    estimated: bool
    def __init__(self, resource_type: _Optional[str] = ..., quantity: _Optional[float] = ..., estimated: _Optional[bool] = ...) -> None: ...

class AccidentCase(_message.Message):
    __slots__ = ("name", "title", "title_zh", "date", "place", "industry", "park_kind", "kind", "substances", "severity", "casualties", "duration_hours", "weather", "summary", "summary_zh", "timeline", "response_actions", "resources_used", "outcome", "causes", "lessons", "sources", "synthetic", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TITLE_ZH_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    PARK_KIND_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBSTANCES_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CASUALTIES_FIELD_NUMBER: _ClassVar[int]
    DURATION_HOURS_FIELD_NUMBER: _ClassVar[int]
    WEATHER_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_ZH_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_USED_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CAUSES_FIELD_NUMBER: _ClassVar[int]
    LESSONS_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    SYNTHETIC_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    title_zh: str
    date: str
    place: str
    industry: str
    park_kind: _common_pb2.ParkKind
    kind: _common_pb2.IncidentKind
    substances: _containers.RepeatedCompositeFieldContainer[_common_pb2.Substance]
    severity: _common_pb2.Severity
    casualties: Casualties
    duration_hours: float
    weather: _common_pb2.Weather
    summary: str
    summary_zh: str
    timeline: _containers.RepeatedCompositeFieldContainer[CaseEvent]
    response_actions: _containers.RepeatedScalarFieldContainer[str]
    resources_used: _containers.RepeatedCompositeFieldContainer[ResourceUse]
    outcome: str
    causes: _containers.RepeatedScalarFieldContainer[str]
    lessons: _containers.RepeatedScalarFieldContainer[str]
    sources: _containers.RepeatedScalarFieldContainer[str]
    synthetic: bool
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., title_zh: _Optional[str] = ..., date: _Optional[str] = ..., place: _Optional[str] = ..., industry: _Optional[str] = ..., park_kind: _Optional[_Union[_common_pb2.ParkKind, str]] = ..., kind: _Optional[_Union[_common_pb2.IncidentKind, str]] = ..., substances: _Optional[_Iterable[_Union[_common_pb2.Substance, _Mapping]]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., casualties: _Optional[_Union[Casualties, _Mapping]] = ..., duration_hours: _Optional[float] = ..., weather: _Optional[_Union[_common_pb2.Weather, _Mapping]] = ..., summary: _Optional[str] = ..., summary_zh: _Optional[str] = ..., timeline: _Optional[_Iterable[_Union[CaseEvent, _Mapping]]] = ..., response_actions: _Optional[_Iterable[str]] = ..., resources_used: _Optional[_Iterable[_Union[ResourceUse, _Mapping]]] = ..., outcome: _Optional[str] = ..., causes: _Optional[_Iterable[str]] = ..., lessons: _Optional[_Iterable[str]] = ..., sources: _Optional[_Iterable[str]] = ..., synthetic: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class IncidentProfile(_message.Message):
    __slots__ = ("kind", "substances", "severity", "park_kind", "weather", "text")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBSTANCES_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    PARK_KIND_FIELD_NUMBER: _ClassVar[int]
    WEATHER_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    kind: _common_pb2.IncidentKind
    substances: _containers.RepeatedCompositeFieldContainer[_common_pb2.Substance]
    severity: _common_pb2.Severity
    park_kind: _common_pb2.ParkKind
    weather: _common_pb2.Weather
    text: str
    def __init__(self, kind: _Optional[_Union[_common_pb2.IncidentKind, str]] = ..., substances: _Optional[_Iterable[_Union[_common_pb2.Substance, _Mapping]]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., park_kind: _Optional[_Union[_common_pb2.ParkKind, str]] = ..., weather: _Optional[_Union[_common_pb2.Weather, _Mapping]] = ..., text: _Optional[str] = ...) -> None: ...

class ScorePart(_message.Message):
    __slots__ = ("attribute", "weight", "similarity", "reason")
    ATTRIBUTE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    attribute: str
    weight: float
    similarity: float
    reason: str
    def __init__(self, attribute: _Optional[str] = ..., weight: _Optional[float] = ..., similarity: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class SimilarCase(_message.Message):
    __slots__ = ("accident_case", "score", "parts")
    ACCIDENT_CASE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    accident_case: AccidentCase
    score: float
    parts: _containers.RepeatedCompositeFieldContainer[ScorePart]
    def __init__(self, accident_case: _Optional[_Union[AccidentCase, _Mapping]] = ..., score: _Optional[float] = ..., parts: _Optional[_Iterable[_Union[ScorePart, _Mapping]]] = ...) -> None: ...

class RecommendedDemand(_message.Message):
    __slots__ = ("demand", "cited_cases", "cited_rules", "rationale", "uncapped_quantity", "cap")
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    CITED_CASES_FIELD_NUMBER: _ClassVar[int]
    CITED_RULES_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    UNCAPPED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CAP_FIELD_NUMBER: _ClassVar[int]
    demand: _common_pb2.ResourceDemand
    cited_cases: _containers.RepeatedScalarFieldContainer[str]
    cited_rules: _containers.RepeatedScalarFieldContainer[str]
    rationale: str
    uncapped_quantity: float
    cap: str
    def __init__(self, demand: _Optional[_Union[_common_pb2.ResourceDemand, _Mapping]] = ..., cited_cases: _Optional[_Iterable[str]] = ..., cited_rules: _Optional[_Iterable[str]] = ..., rationale: _Optional[str] = ..., uncapped_quantity: _Optional[float] = ..., cap: _Optional[str] = ...) -> None: ...

class Target(_message.Message):
    __slots__ = ("metric", "resource_type", "comparator", "threshold", "description")
    class Comparator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        COMPARATOR_UNSPECIFIED: _ClassVar[Target.Comparator]
        COMPARATOR_AT_MOST: _ClassVar[Target.Comparator]
        COMPARATOR_AT_LEAST: _ClassVar[Target.Comparator]
    COMPARATOR_UNSPECIFIED: Target.Comparator
    COMPARATOR_AT_MOST: Target.Comparator
    COMPARATOR_AT_LEAST: Target.Comparator
    METRIC_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMPARATOR_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    metric: str
    resource_type: str
    comparator: Target.Comparator
    threshold: float
    description: str
    def __init__(self, metric: _Optional[str] = ..., resource_type: _Optional[str] = ..., comparator: _Optional[_Union[Target.Comparator, str]] = ..., threshold: _Optional[float] = ..., description: _Optional[str] = ...) -> None: ...

class Inject(_message.Message):
    __slots__ = ("id", "offset_s", "kind", "incident", "target_inject_id", "new_severity", "unit", "stock", "amount", "road_center", "road_radius_m", "road_delay_s", "road_closed", "targets", "park_id", "resource_type", "detectors", "wind_to_deg", "wind_mps", "readings")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[Inject.Kind]
        KIND_NEW_INCIDENT: _ClassVar[Inject.Kind]
        KIND_ESCALATION: _ClassVar[Inject.Kind]
        KIND_UNIT_BREAKDOWN: _ClassVar[Inject.Kind]
        KIND_STOCK_LOSS: _ClassVar[Inject.Kind]
        KIND_ROAD_RESTRICTION: _ClassVar[Inject.Kind]
        KIND_DETECTOR_ALARMS: _ClassVar[Inject.Kind]
    KIND_UNSPECIFIED: Inject.Kind
    KIND_NEW_INCIDENT: Inject.Kind
    KIND_ESCALATION: Inject.Kind
    KIND_UNIT_BREAKDOWN: Inject.Kind
    KIND_STOCK_LOSS: Inject.Kind
    KIND_ROAD_RESTRICTION: Inject.Kind
    KIND_DETECTOR_ALARMS: Inject.Kind
    ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_S_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    TARGET_INJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ROAD_CENTER_FIELD_NUMBER: _ClassVar[int]
    ROAD_RADIUS_M_FIELD_NUMBER: _ClassVar[int]
    ROAD_DELAY_S_FIELD_NUMBER: _ClassVar[int]
    ROAD_CLOSED_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    DETECTORS_FIELD_NUMBER: _ClassVar[int]
    WIND_TO_DEG_FIELD_NUMBER: _ClassVar[int]
    WIND_MPS_FIELD_NUMBER: _ClassVar[int]
    READINGS_FIELD_NUMBER: _ClassVar[int]
    id: str
    offset_s: int
    kind: Inject.Kind
    incident: IncidentSpec
    target_inject_id: str
    new_severity: _common_pb2.Severity
    unit: str
    stock: str
    amount: float
    road_center: _common_pb2.GeoPoint
    road_radius_m: float
    road_delay_s: float
    road_closed: bool
    targets: _containers.RepeatedCompositeFieldContainer[Target]
    park_id: str
    resource_type: str
    detectors: str
    wind_to_deg: float
    wind_mps: float
    readings: int
    def __init__(self, id: _Optional[str] = ..., offset_s: _Optional[int] = ..., kind: _Optional[_Union[Inject.Kind, str]] = ..., incident: _Optional[_Union[IncidentSpec, _Mapping]] = ..., target_inject_id: _Optional[str] = ..., new_severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., unit: _Optional[str] = ..., stock: _Optional[str] = ..., amount: _Optional[float] = ..., road_center: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., road_radius_m: _Optional[float] = ..., road_delay_s: _Optional[float] = ..., road_closed: _Optional[bool] = ..., targets: _Optional[_Iterable[_Union[Target, _Mapping]]] = ..., park_id: _Optional[str] = ..., resource_type: _Optional[str] = ..., detectors: _Optional[str] = ..., wind_to_deg: _Optional[float] = ..., wind_mps: _Optional[float] = ..., readings: _Optional[int] = ...) -> None: ...

class IncidentSpec(_message.Message):
    __slots__ = ("title", "park_id", "location", "kind", "substance", "severity", "description", "demands")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBSTANCE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DEMANDS_FIELD_NUMBER: _ClassVar[int]
    title: str
    park_id: str
    location: _common_pb2.Location
    kind: _common_pb2.IncidentKind
    substance: _common_pb2.Substance
    severity: _common_pb2.Severity
    description: str
    demands: _containers.RepeatedCompositeFieldContainer[_common_pb2.ResourceDemand]
    def __init__(self, title: _Optional[str] = ..., park_id: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.Location, _Mapping]] = ..., kind: _Optional[_Union[_common_pb2.IncidentKind, str]] = ..., substance: _Optional[_Union[_common_pb2.Substance, _Mapping]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., description: _Optional[str] = ..., demands: _Optional[_Iterable[_Union[_common_pb2.ResourceDemand, _Mapping]]] = ...) -> None: ...

class RubricItem(_message.Message):
    __slots__ = ("criterion", "weight", "description")
    CRITERION_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    criterion: str
    weight: float
    description: str
    def __init__(self, criterion: _Optional[str] = ..., weight: _Optional[float] = ..., description: _Optional[str] = ...) -> None: ...

class Scenario(_message.Message):
    __slots__ = ("name", "title", "objectives", "mode", "park_ids", "injects", "rubric", "create_time", "title_zh")
    class Mode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        MODE_UNSPECIFIED: _ClassVar[Scenario.Mode]
        MODE_SCRIPTED: _ClassVar[Scenario.Mode]
        MODE_UNANNOUNCED: _ClassVar[Scenario.Mode]
    MODE_UNSPECIFIED: Scenario.Mode
    MODE_SCRIPTED: Scenario.Mode
    MODE_UNANNOUNCED: Scenario.Mode
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVES_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    PARK_IDS_FIELD_NUMBER: _ClassVar[int]
    INJECTS_FIELD_NUMBER: _ClassVar[int]
    RUBRIC_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    TITLE_ZH_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    objectives: _containers.RepeatedScalarFieldContainer[str]
    mode: Scenario.Mode
    park_ids: _containers.RepeatedScalarFieldContainer[str]
    injects: _containers.RepeatedCompositeFieldContainer[Inject]
    rubric: _containers.RepeatedCompositeFieldContainer[RubricItem]
    create_time: _timestamp_pb2.Timestamp
    title_zh: str
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., objectives: _Optional[_Iterable[str]] = ..., mode: _Optional[_Union[Scenario.Mode, str]] = ..., park_ids: _Optional[_Iterable[str]] = ..., injects: _Optional[_Iterable[_Union[Inject, _Mapping]]] = ..., rubric: _Optional[_Iterable[_Union[RubricItem, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., title_zh: _Optional[str] = ...) -> None: ...

class TargetResult(_message.Message):
    __slots__ = ("inject_id", "target", "measured", "met")
    INJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    MEASURED_FIELD_NUMBER: _ClassVar[int]
    MET_FIELD_NUMBER: _ClassVar[int]
    inject_id: str
    target: Target
    measured: float
    met: bool
    def __init__(self, inject_id: _Optional[str] = ..., target: _Optional[_Union[Target, _Mapping]] = ..., measured: _Optional[float] = ..., met: _Optional[bool] = ...) -> None: ...

class AfterActionReport(_message.Message):
    __slots__ = ("name", "scenario", "exercise_id", "incidents", "timeline", "target_results", "score", "lessons", "findings", "create_time", "profile", "resources_used", "title")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    TARGET_RESULTS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    LESSONS_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_USED_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    scenario: str
    exercise_id: str
    incidents: _containers.RepeatedScalarFieldContainer[str]
    timeline: _containers.RepeatedCompositeFieldContainer[CaseEvent]
    target_results: _containers.RepeatedCompositeFieldContainer[TargetResult]
    score: float
    lessons: _containers.RepeatedScalarFieldContainer[str]
    findings: str
    create_time: _timestamp_pb2.Timestamp
    profile: IncidentProfile
    resources_used: _containers.RepeatedCompositeFieldContainer[ResourceUse]
    title: str
    def __init__(self, name: _Optional[str] = ..., scenario: _Optional[str] = ..., exercise_id: _Optional[str] = ..., incidents: _Optional[_Iterable[str]] = ..., timeline: _Optional[_Iterable[_Union[CaseEvent, _Mapping]]] = ..., target_results: _Optional[_Iterable[_Union[TargetResult, _Mapping]]] = ..., score: _Optional[float] = ..., lessons: _Optional[_Iterable[str]] = ..., findings: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., profile: _Optional[_Union[IncidentProfile, _Mapping]] = ..., resources_used: _Optional[_Iterable[_Union[ResourceUse, _Mapping]]] = ..., title: _Optional[str] = ...) -> None: ...

class CreateCaseRequest(_message.Message):
    __slots__ = ("request_id", "case_id", "accident_case")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ACCIDENT_CASE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    case_id: str
    accident_case: AccidentCase
    def __init__(self, request_id: _Optional[str] = ..., case_id: _Optional[str] = ..., accident_case: _Optional[_Union[AccidentCase, _Mapping]] = ...) -> None: ...

class CreateCaseResponse(_message.Message):
    __slots__ = ("accident_case",)
    ACCIDENT_CASE_FIELD_NUMBER: _ClassVar[int]
    accident_case: AccidentCase
    def __init__(self, accident_case: _Optional[_Union[AccidentCase, _Mapping]] = ...) -> None: ...

class GetCaseRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCaseResponse(_message.Message):
    __slots__ = ("accident_case",)
    ACCIDENT_CASE_FIELD_NUMBER: _ClassVar[int]
    accident_case: AccidentCase
    def __init__(self, accident_case: _Optional[_Union[AccidentCase, _Mapping]] = ...) -> None: ...

class ListCasesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "kind", "hazard_class", "severity", "query")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    HAZARD_CLASS_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    kind: _common_pb2.IncidentKind
    hazard_class: str
    severity: _common_pb2.Severity
    query: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.IncidentKind, str]] = ..., hazard_class: _Optional[str] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., query: _Optional[str] = ...) -> None: ...

class ListCasesResponse(_message.Message):
    __slots__ = ("cases", "next_page_token")
    CASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[AccidentCase]
    next_page_token: str
    def __init__(self, cases: _Optional[_Iterable[_Union[AccidentCase, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateCaseRequest(_message.Message):
    __slots__ = ("request_id", "accident_case", "update_mask")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ACCIDENT_CASE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    accident_case: AccidentCase
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, request_id: _Optional[str] = ..., accident_case: _Optional[_Union[AccidentCase, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateCaseResponse(_message.Message):
    __slots__ = ("accident_case",)
    ACCIDENT_CASE_FIELD_NUMBER: _ClassVar[int]
    accident_case: AccidentCase
    def __init__(self, accident_case: _Optional[_Union[AccidentCase, _Mapping]] = ...) -> None: ...

class DeleteCaseRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class DeleteCaseResponse(_message.Message):
    __slots__ = ("accident_case",)
    ACCIDENT_CASE_FIELD_NUMBER: _ClassVar[int]
    accident_case: AccidentCase
    def __init__(self, accident_case: _Optional[_Union[AccidentCase, _Mapping]] = ...) -> None: ...

class SearchSimilarCasesRequest(_message.Message):
    __slots__ = ("profile", "limit")
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    profile: IncidentProfile
    limit: int
    def __init__(self, profile: _Optional[_Union[IncidentProfile, _Mapping]] = ..., limit: _Optional[int] = ...) -> None: ...

class SearchSimilarCasesResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[SimilarCase]
    def __init__(self, results: _Optional[_Iterable[_Union[SimilarCase, _Mapping]]] = ...) -> None: ...

class RecommendDemandsRequest(_message.Message):
    __slots__ = ("profile", "case_count")
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    CASE_COUNT_FIELD_NUMBER: _ClassVar[int]
    profile: IncidentProfile
    case_count: int
    def __init__(self, profile: _Optional[_Union[IncidentProfile, _Mapping]] = ..., case_count: _Optional[int] = ...) -> None: ...

class RecommendDemandsResponse(_message.Message):
    __slots__ = ("demands", "similar_cases")
    DEMANDS_FIELD_NUMBER: _ClassVar[int]
    SIMILAR_CASES_FIELD_NUMBER: _ClassVar[int]
    demands: _containers.RepeatedCompositeFieldContainer[RecommendedDemand]
    similar_cases: _containers.RepeatedCompositeFieldContainer[SimilarCase]
    def __init__(self, demands: _Optional[_Iterable[_Union[RecommendedDemand, _Mapping]]] = ..., similar_cases: _Optional[_Iterable[_Union[SimilarCase, _Mapping]]] = ...) -> None: ...

class CreateScenarioRequest(_message.Message):
    __slots__ = ("request_id", "scenario_id", "scenario", "validate_only")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_ID_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    scenario_id: str
    scenario: Scenario
    validate_only: bool
    def __init__(self, request_id: _Optional[str] = ..., scenario_id: _Optional[str] = ..., scenario: _Optional[_Union[Scenario, _Mapping]] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class CreateScenarioResponse(_message.Message):
    __slots__ = ("scenario",)
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    scenario: Scenario
    def __init__(self, scenario: _Optional[_Union[Scenario, _Mapping]] = ...) -> None: ...

class GetScenarioRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetScenarioResponse(_message.Message):
    __slots__ = ("scenario",)
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    scenario: Scenario
    def __init__(self, scenario: _Optional[_Union[Scenario, _Mapping]] = ...) -> None: ...

class ListScenariosRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListScenariosResponse(_message.Message):
    __slots__ = ("scenarios", "next_page_token")
    SCENARIOS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    scenarios: _containers.RepeatedCompositeFieldContainer[Scenario]
    next_page_token: str
    def __init__(self, scenarios: _Optional[_Iterable[_Union[Scenario, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteScenarioRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class DeleteScenarioResponse(_message.Message):
    __slots__ = ("scenario",)
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    scenario: Scenario
    def __init__(self, scenario: _Optional[_Union[Scenario, _Mapping]] = ...) -> None: ...

class CreateAfterActionReportRequest(_message.Message):
    __slots__ = ("request_id", "report")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    report: AfterActionReport
    def __init__(self, request_id: _Optional[str] = ..., report: _Optional[_Union[AfterActionReport, _Mapping]] = ...) -> None: ...

class CreateAfterActionReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: AfterActionReport
    def __init__(self, report: _Optional[_Union[AfterActionReport, _Mapping]] = ...) -> None: ...

class GetAfterActionReportRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetAfterActionReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: AfterActionReport
    def __init__(self, report: _Optional[_Union[AfterActionReport, _Mapping]] = ...) -> None: ...

class ListAfterActionReportsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "scenario")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    scenario: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., scenario: _Optional[str] = ...) -> None: ...

class ListAfterActionReportsResponse(_message.Message):
    __slots__ = ("reports", "next_page_token")
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reports: _containers.RepeatedCompositeFieldContainer[AfterActionReport]
    next_page_token: str
    def __init__(self, reports: _Optional[_Iterable[_Union[AfterActionReport, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateCaseFromReportRequest(_message.Message):
    __slots__ = ("request_id", "report")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    report: str
    def __init__(self, request_id: _Optional[str] = ..., report: _Optional[str] = ...) -> None: ...

class CreateCaseFromReportResponse(_message.Message):
    __slots__ = ("accident_case",)
    ACCIDENT_CASE_FIELD_NUMBER: _ClassVar[int]
    accident_case: AccidentCase
    def __init__(self, accident_case: _Optional[_Union[AccidentCase, _Mapping]] = ...) -> None: ...
