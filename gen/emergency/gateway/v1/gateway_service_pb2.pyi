import datetime

from emergency.casebase.v1 import casebase_service_pb2 as _casebase_service_pb2
from emergency.common.v1 import common_pb2 as _common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as _dispatch_service_pb2
from emergency.incident.v1 import incident_service_pb2 as _incident_service_pb2
from emergency.resources.v1 import resources_service_pb2 as _resources_service_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReportIncidentRequest(_message.Message):
    __slots__ = ("request_id", "incident", "accept_recommendation")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_RECOMMENDATION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: _incident_service_pb2.Incident
    accept_recommendation: bool
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ..., accept_recommendation: _Optional[bool] = ...) -> None: ...

class ReportIncidentResponse(_message.Message):
    __slots__ = ("incident", "similar_cases", "recommended_demands")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    SIMILAR_CASES_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDED_DEMANDS_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    similar_cases: _containers.RepeatedCompositeFieldContainer[_casebase_service_pb2.SimilarCase]
    recommended_demands: _containers.RepeatedCompositeFieldContainer[_casebase_service_pb2.RecommendedDemand]
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ..., similar_cases: _Optional[_Iterable[_Union[_casebase_service_pb2.SimilarCase, _Mapping]]] = ..., recommended_demands: _Optional[_Iterable[_Union[_casebase_service_pb2.RecommendedDemand, _Mapping]]] = ...) -> None: ...

class SetDemandsRequest(_message.Message):
    __slots__ = ("request_id", "incident", "version", "demands", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DEMANDS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: str
    version: int
    demands: _containers.RepeatedCompositeFieldContainer[_common_pb2.ResourceDemand]
    note: str
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[str] = ..., version: _Optional[int] = ..., demands: _Optional[_Iterable[_Union[_common_pb2.ResourceDemand, _Mapping]]] = ..., note: _Optional[str] = ...) -> None: ...

class SetDemandsResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ...) -> None: ...

class Proposal(_message.Message):
    __slots__ = ("name", "exercise_id", "incidents", "optimized", "snapshot_version", "create_time", "overrides", "override_costs", "skipped", "created_by", "notes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZED_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_COSTS_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    exercise_id: str
    incidents: _containers.RepeatedScalarFieldContainer[str]
    optimized: _dispatch_service_pb2.OptimizePlanResponse
    snapshot_version: int
    create_time: _timestamp_pb2.Timestamp
    overrides: PlanOverrides
    override_costs: _containers.RepeatedCompositeFieldContainer[OverrideCost]
    skipped: _containers.RepeatedCompositeFieldContainer[SkippedIncident]
    created_by: str
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., exercise_id: _Optional[str] = ..., incidents: _Optional[_Iterable[str]] = ..., optimized: _Optional[_Union[_dispatch_service_pb2.OptimizePlanResponse, _Mapping]] = ..., snapshot_version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overrides: _Optional[_Union[PlanOverrides, _Mapping]] = ..., override_costs: _Optional[_Iterable[_Union[OverrideCost, _Mapping]]] = ..., skipped: _Optional[_Iterable[_Union[SkippedIncident, _Mapping]]] = ..., created_by: _Optional[str] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...

class PlanOverrides(_message.Message):
    __slots__ = ("pins", "exclusions", "reserve_dips", "mutual_aid")
    PINS_FIELD_NUMBER: _ClassVar[int]
    EXCLUSIONS_FIELD_NUMBER: _ClassVar[int]
    RESERVE_DIPS_FIELD_NUMBER: _ClassVar[int]
    MUTUAL_AID_FIELD_NUMBER: _ClassVar[int]
    pins: _containers.RepeatedCompositeFieldContainer[UnitPin]
    exclusions: _containers.RepeatedCompositeFieldContainer[UnitExclusion]
    reserve_dips: _containers.RepeatedCompositeFieldContainer[ReserveDip]
    mutual_aid: _containers.RepeatedCompositeFieldContainer[MutualAidGrant]
    def __init__(self, pins: _Optional[_Iterable[_Union[UnitPin, _Mapping]]] = ..., exclusions: _Optional[_Iterable[_Union[UnitExclusion, _Mapping]]] = ..., reserve_dips: _Optional[_Iterable[_Union[ReserveDip, _Mapping]]] = ..., mutual_aid: _Optional[_Iterable[_Union[MutualAidGrant, _Mapping]]] = ...) -> None: ...

class UnitPin(_message.Message):
    __slots__ = ("unit", "incident", "reason")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    unit: str
    incident: str
    reason: str
    def __init__(self, unit: _Optional[str] = ..., incident: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class UnitExclusion(_message.Message):
    __slots__ = ("unit", "reason")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    unit: str
    reason: str
    def __init__(self, unit: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReserveDip(_message.Message):
    __slots__ = ("park_id", "resource_type", "minimum", "reason")
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    park_id: str
    resource_type: str
    minimum: float
    reason: str
    def __init__(self, park_id: _Optional[str] = ..., resource_type: _Optional[str] = ..., minimum: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class MutualAidGrant(_message.Message):
    __slots__ = ("lender_park_id", "borrower_park_id", "resource_types", "max_travel_minutes", "reason")
    LENDER_PARK_ID_FIELD_NUMBER: _ClassVar[int]
    BORROWER_PARK_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    MAX_TRAVEL_MINUTES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    lender_park_id: str
    borrower_park_id: str
    resource_types: _containers.RepeatedScalarFieldContainer[str]
    max_travel_minutes: float
    reason: str
    def __init__(self, lender_park_id: _Optional[str] = ..., borrower_park_id: _Optional[str] = ..., resource_types: _Optional[_Iterable[str]] = ..., max_travel_minutes: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class OverrideCost(_message.Message):
    __slots__ = ("override", "description", "added_minutes", "reserve_units", "added_unmet", "summary")
    OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ADDED_MINUTES_FIELD_NUMBER: _ClassVar[int]
    RESERVE_UNITS_FIELD_NUMBER: _ClassVar[int]
    ADDED_UNMET_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    override: str
    description: str
    added_minutes: float
    reserve_units: float
    added_unmet: float
    summary: str
    def __init__(self, override: _Optional[str] = ..., description: _Optional[str] = ..., added_minutes: _Optional[float] = ..., reserve_units: _Optional[float] = ..., added_unmet: _Optional[float] = ..., summary: _Optional[str] = ...) -> None: ...

class SkippedIncident(_message.Message):
    __slots__ = ("incident", "reason", "code")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    incident: str
    reason: str
    code: str
    def __init__(self, incident: _Optional[str] = ..., reason: _Optional[str] = ..., code: _Optional[str] = ...) -> None: ...

class NotDispatched(_message.Message):
    __slots__ = ("incident", "unit", "depot", "resource_type", "amount", "reason")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    DEPOT_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    incident: str
    unit: str
    depot: str
    resource_type: str
    amount: float
    reason: str
    def __init__(self, incident: _Optional[str] = ..., unit: _Optional[str] = ..., depot: _Optional[str] = ..., resource_type: _Optional[str] = ..., amount: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class ProposePlanRequest(_message.Message):
    __slots__ = ("incidents", "exercise_id", "options", "overrides")
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    incidents: _containers.RepeatedScalarFieldContainer[str]
    exercise_id: str
    options: _dispatch_service_pb2.PlanOptions
    overrides: PlanOverrides
    def __init__(self, incidents: _Optional[_Iterable[str]] = ..., exercise_id: _Optional[str] = ..., options: _Optional[_Union[_dispatch_service_pb2.PlanOptions, _Mapping]] = ..., overrides: _Optional[_Union[PlanOverrides, _Mapping]] = ...) -> None: ...

class ProposePlanResponse(_message.Message):
    __slots__ = ("proposal",)
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    proposal: Proposal
    def __init__(self, proposal: _Optional[_Union[Proposal, _Mapping]] = ...) -> None: ...

class CommitPlanRequest(_message.Message):
    __slots__ = ("request_id", "proposal", "max_replans")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    MAX_REPLANS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    proposal: str
    max_replans: int
    def __init__(self, request_id: _Optional[str] = ..., proposal: _Optional[str] = ..., max_replans: _Optional[int] = ...) -> None: ...

class CommitPlanResponse(_message.Message):
    __slots__ = ("committed", "reservations", "replans", "incidents", "outcome", "commit_request_id", "dispatched_units", "dispatched_shipments", "not_dispatched")
    class Outcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        OUTCOME_UNSPECIFIED: _ClassVar[CommitPlanResponse.Outcome]
        OUTCOME_COMMITTED: _ClassVar[CommitPlanResponse.Outcome]
        OUTCOME_ALREADY_COMMITTED: _ClassVar[CommitPlanResponse.Outcome]
    OUTCOME_UNSPECIFIED: CommitPlanResponse.Outcome
    OUTCOME_COMMITTED: CommitPlanResponse.Outcome
    OUTCOME_ALREADY_COMMITTED: CommitPlanResponse.Outcome
    COMMITTED_FIELD_NUMBER: _ClassVar[int]
    RESERVATIONS_FIELD_NUMBER: _ClassVar[int]
    REPLANS_FIELD_NUMBER: _ClassVar[int]
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    COMMIT_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_UNITS_FIELD_NUMBER: _ClassVar[int]
    DISPATCHED_SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    NOT_DISPATCHED_FIELD_NUMBER: _ClassVar[int]
    committed: Proposal
    reservations: _containers.RepeatedScalarFieldContainer[str]
    replans: int
    incidents: _containers.RepeatedCompositeFieldContainer[_incident_service_pb2.Incident]
    outcome: CommitPlanResponse.Outcome
    commit_request_id: str
    dispatched_units: _containers.RepeatedCompositeFieldContainer[_dispatch_service_pb2.UnitAssignment]
    dispatched_shipments: _containers.RepeatedCompositeFieldContainer[_dispatch_service_pb2.Shipment]
    not_dispatched: _containers.RepeatedCompositeFieldContainer[NotDispatched]
    def __init__(self, committed: _Optional[_Union[Proposal, _Mapping]] = ..., reservations: _Optional[_Iterable[str]] = ..., replans: _Optional[int] = ..., incidents: _Optional[_Iterable[_Union[_incident_service_pb2.Incident, _Mapping]]] = ..., outcome: _Optional[_Union[CommitPlanResponse.Outcome, str]] = ..., commit_request_id: _Optional[str] = ..., dispatched_units: _Optional[_Iterable[_Union[_dispatch_service_pb2.UnitAssignment, _Mapping]]] = ..., dispatched_shipments: _Optional[_Iterable[_Union[_dispatch_service_pb2.Shipment, _Mapping]]] = ..., not_dispatched: _Optional[_Iterable[_Union[NotDispatched, _Mapping]]] = ...) -> None: ...

class AutoDispatchRequest(_message.Message):
    __slots__ = ("request_id", "incidents", "exercise_id", "options", "max_replans")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    MAX_REPLANS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incidents: _containers.RepeatedScalarFieldContainer[str]
    exercise_id: str
    options: _dispatch_service_pb2.PlanOptions
    max_replans: int
    def __init__(self, request_id: _Optional[str] = ..., incidents: _Optional[_Iterable[str]] = ..., exercise_id: _Optional[str] = ..., options: _Optional[_Union[_dispatch_service_pb2.PlanOptions, _Mapping]] = ..., max_replans: _Optional[int] = ...) -> None: ...

class AutoDispatchResponse(_message.Message):
    __slots__ = ("commit",)
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    commit: CommitPlanResponse
    def __init__(self, commit: _Optional[_Union[CommitPlanResponse, _Mapping]] = ...) -> None: ...

class IncidentSituation(_message.Message):
    __slots__ = ("incident", "assignments", "shipments", "unmet")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    UNMET_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    assignments: _containers.RepeatedCompositeFieldContainer[_dispatch_service_pb2.UnitAssignment]
    shipments: _containers.RepeatedCompositeFieldContainer[_dispatch_service_pb2.Shipment]
    unmet: _containers.RepeatedCompositeFieldContainer[_dispatch_service_pb2.UnmetDemand]
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ..., assignments: _Optional[_Iterable[_Union[_dispatch_service_pb2.UnitAssignment, _Mapping]]] = ..., shipments: _Optional[_Iterable[_Union[_dispatch_service_pb2.Shipment, _Mapping]]] = ..., unmet: _Optional[_Iterable[_Union[_dispatch_service_pb2.UnmetDemand, _Mapping]]] = ...) -> None: ...

class ReserveLevel(_message.Message):
    __slots__ = ("park_id", "resource_type", "available", "minimum")
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    park_id: str
    resource_type: str
    available: float
    minimum: float
    def __init__(self, park_id: _Optional[str] = ..., resource_type: _Optional[str] = ..., available: _Optional[float] = ..., minimum: _Optional[float] = ...) -> None: ...

class GetSituationRequest(_message.Message):
    __slots__ = ("exercise_id",)
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    def __init__(self, exercise_id: _Optional[str] = ...) -> None: ...

class GetSituationResponse(_message.Message):
    __slots__ = ("incidents", "units", "reserve_levels", "low_stocks", "available_units", "time")
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    RESERVE_LEVELS_FIELD_NUMBER: _ClassVar[int]
    LOW_STOCKS_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_UNITS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    incidents: _containers.RepeatedCompositeFieldContainer[IncidentSituation]
    units: _containers.RepeatedCompositeFieldContainer[_resources_service_pb2.Unit]
    reserve_levels: _containers.RepeatedCompositeFieldContainer[ReserveLevel]
    low_stocks: _containers.RepeatedCompositeFieldContainer[_resources_service_pb2.Stock]
    available_units: int
    time: _timestamp_pb2.Timestamp
    def __init__(self, incidents: _Optional[_Iterable[_Union[IncidentSituation, _Mapping]]] = ..., units: _Optional[_Iterable[_Union[_resources_service_pb2.Unit, _Mapping]]] = ..., reserve_levels: _Optional[_Iterable[_Union[ReserveLevel, _Mapping]]] = ..., low_stocks: _Optional[_Iterable[_Union[_resources_service_pb2.Stock, _Mapping]]] = ..., available_units: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("id", "stream", "event_id", "type", "subject", "version", "exercise_id", "time", "payload")
    ID_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    id: str
    stream: str
    event_id: str
    type: str
    subject: str
    version: int
    exercise_id: str
    time: _timestamp_pb2.Timestamp
    payload: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., stream: _Optional[str] = ..., event_id: _Optional[str] = ..., type: _Optional[str] = ..., subject: _Optional[str] = ..., version: _Optional[int] = ..., exercise_id: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class WatchEventsRequest(_message.Message):
    __slots__ = ("exercise_id", "after_ids", "types", "from_start")
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_IDS_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    FROM_START_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    after_ids: _containers.RepeatedScalarFieldContainer[str]
    types: _containers.RepeatedScalarFieldContainer[str]
    from_start: bool
    def __init__(self, exercise_id: _Optional[str] = ..., after_ids: _Optional[_Iterable[str]] = ..., types: _Optional[_Iterable[str]] = ..., from_start: _Optional[bool] = ...) -> None: ...

class WatchEventsResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: Event
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ...) -> None: ...

class ImportParkInventoryRequest(_message.Message):
    __slots__ = ("inventory",)
    INVENTORY_FIELD_NUMBER: _ClassVar[int]
    inventory: _resources_service_pb2.ImportInventoryRequest
    def __init__(self, inventory: _Optional[_Union[_resources_service_pb2.ImportInventoryRequest, _Mapping]] = ...) -> None: ...

class ImportParkInventoryResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _resources_service_pb2.ImportInventoryResponse
    def __init__(self, result: _Optional[_Union[_resources_service_pb2.ImportInventoryResponse, _Mapping]] = ...) -> None: ...

class Drill(_message.Message):
    __slots__ = ("name", "scenario", "exercise_id", "mode", "clock_speed", "auto_dispatch", "state", "released_injects", "start_time", "report")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Drill.State]
        STATE_RUNNING: _ClassVar[Drill.State]
        STATE_FINISHED: _ClassVar[Drill.State]
        STATE_ABORTED: _ClassVar[Drill.State]
    STATE_UNSPECIFIED: Drill.State
    STATE_RUNNING: Drill.State
    STATE_FINISHED: Drill.State
    STATE_ABORTED: Drill.State
    NAME_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    CLOCK_SPEED_FIELD_NUMBER: _ClassVar[int]
    AUTO_DISPATCH_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    RELEASED_INJECTS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    name: str
    scenario: str
    exercise_id: str
    mode: _casebase_service_pb2.Scenario.Mode
    clock_speed: float
    auto_dispatch: bool
    state: Drill.State
    released_injects: _containers.RepeatedScalarFieldContainer[str]
    start_time: _timestamp_pb2.Timestamp
    report: str
    def __init__(self, name: _Optional[str] = ..., scenario: _Optional[str] = ..., exercise_id: _Optional[str] = ..., mode: _Optional[_Union[_casebase_service_pb2.Scenario.Mode, str]] = ..., clock_speed: _Optional[float] = ..., auto_dispatch: _Optional[bool] = ..., state: _Optional[_Union[Drill.State, str]] = ..., released_injects: _Optional[_Iterable[str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., report: _Optional[str] = ...) -> None: ...

class StartDrillRequest(_message.Message):
    __slots__ = ("request_id", "scenario", "mode", "clock_speed", "auto_dispatch")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    CLOCK_SPEED_FIELD_NUMBER: _ClassVar[int]
    AUTO_DISPATCH_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    scenario: str
    mode: _casebase_service_pb2.Scenario.Mode
    clock_speed: float
    auto_dispatch: bool
    def __init__(self, request_id: _Optional[str] = ..., scenario: _Optional[str] = ..., mode: _Optional[_Union[_casebase_service_pb2.Scenario.Mode, str]] = ..., clock_speed: _Optional[float] = ..., auto_dispatch: _Optional[bool] = ...) -> None: ...

class StartDrillResponse(_message.Message):
    __slots__ = ("drill",)
    DRILL_FIELD_NUMBER: _ClassVar[int]
    drill: Drill
    def __init__(self, drill: _Optional[_Union[Drill, _Mapping]] = ...) -> None: ...

class GetDrillRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetDrillResponse(_message.Message):
    __slots__ = ("drill",)
    DRILL_FIELD_NUMBER: _ClassVar[int]
    drill: Drill
    def __init__(self, drill: _Optional[_Union[Drill, _Mapping]] = ...) -> None: ...

class GetDrillReportRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetDrillReportResponse(_message.Message):
    __slots__ = ("report", "hindsight")
    REPORT_FIELD_NUMBER: _ClassVar[int]
    HINDSIGHT_FIELD_NUMBER: _ClassVar[int]
    report: _casebase_service_pb2.AfterActionReport
    hindsight: _dispatch_service_pb2.OptimizePlanResponse
    def __init__(self, report: _Optional[_Union[_casebase_service_pb2.AfterActionReport, _Mapping]] = ..., hindsight: _Optional[_Union[_dispatch_service_pb2.OptimizePlanResponse, _Mapping]] = ...) -> None: ...

class IncidentSummary(_message.Message):
    __slots__ = ("incident", "elapsed_s", "committed_units", "unmet")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_S_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    UNMET_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    elapsed_s: int
    committed_units: _containers.RepeatedScalarFieldContainer[str]
    unmet: _containers.RepeatedCompositeFieldContainer[_dispatch_service_pb2.UnmetDemand]
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ..., elapsed_s: _Optional[int] = ..., committed_units: _Optional[_Iterable[str]] = ..., unmet: _Optional[_Iterable[_Union[_dispatch_service_pb2.UnmetDemand, _Mapping]]] = ...) -> None: ...

class ListIncidentsRequest(_message.Message):
    __slots__ = ("states", "park_id", "severities", "exercise_id", "page_size", "page_token")
    STATES_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITIES_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[_incident_service_pb2.Incident.State]
    park_id: str
    severities: _containers.RepeatedScalarFieldContainer[_common_pb2.Severity]
    exercise_id: str
    page_size: int
    page_token: str
    def __init__(self, states: _Optional[_Iterable[_Union[_incident_service_pb2.Incident.State, str]]] = ..., park_id: _Optional[str] = ..., severities: _Optional[_Iterable[_Union[_common_pb2.Severity, str]]] = ..., exercise_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListIncidentsResponse(_message.Message):
    __slots__ = ("incidents", "next_page_token")
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    incidents: _containers.RepeatedCompositeFieldContainer[IncidentSummary]
    next_page_token: str
    def __init__(self, incidents: _Optional[_Iterable[_Union[IncidentSummary, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CommittedUnit(_message.Message):
    __slots__ = ("unit", "eta_s", "reservation")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    ETA_S_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    unit: _resources_service_pb2.Unit
    eta_s: float
    reservation: str
    def __init__(self, unit: _Optional[_Union[_resources_service_pb2.Unit, _Mapping]] = ..., eta_s: _Optional[float] = ..., reservation: _Optional[str] = ...) -> None: ...

class GetIncidentRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetIncidentResponse(_message.Message):
    __slots__ = ("incident", "units", "shipments", "reservations", "unmet", "elapsed_s")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    RESERVATIONS_FIELD_NUMBER: _ClassVar[int]
    UNMET_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_S_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    units: _containers.RepeatedCompositeFieldContainer[CommittedUnit]
    shipments: _containers.RepeatedCompositeFieldContainer[_dispatch_service_pb2.Shipment]
    reservations: _containers.RepeatedCompositeFieldContainer[_resources_service_pb2.Reservation]
    unmet: _containers.RepeatedCompositeFieldContainer[_dispatch_service_pb2.UnmetDemand]
    elapsed_s: int
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ..., units: _Optional[_Iterable[_Union[CommittedUnit, _Mapping]]] = ..., shipments: _Optional[_Iterable[_Union[_dispatch_service_pb2.Shipment, _Mapping]]] = ..., reservations: _Optional[_Iterable[_Union[_resources_service_pb2.Reservation, _Mapping]]] = ..., unmet: _Optional[_Iterable[_Union[_dispatch_service_pb2.UnmetDemand, _Mapping]]] = ..., elapsed_s: _Optional[int] = ...) -> None: ...

class IncidentTimelineEntry(_message.Message):
    __slots__ = ("time", "actor", "action", "subject", "note", "version")
    TIME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    time: _timestamp_pb2.Timestamp
    actor: str
    action: str
    subject: str
    note: str
    version: int
    def __init__(self, time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., subject: _Optional[str] = ..., note: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ListIncidentTimelineRequest(_message.Message):
    __slots__ = ("incident", "page_size", "page_token")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    incident: str
    page_size: int
    page_token: str
    def __init__(self, incident: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListIncidentTimelineResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[IncidentTimelineEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[IncidentTimelineEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class VerifyIncidentRequest(_message.Message):
    __slots__ = ("request_id", "incident", "version", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: str
    version: int
    note: str
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[str] = ..., version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class VerifyIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ...) -> None: ...

class ChangeSeverityRequest(_message.Message):
    __slots__ = ("request_id", "incident", "version", "severity", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: str
    version: int
    severity: _common_pb2.Severity
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[str] = ..., version: _Optional[int] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class ChangeSeverityResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ...) -> None: ...

class UnitMove(_message.Message):
    __slots__ = ("unit", "from_state", "to_state", "moved", "reason", "detail")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    FROM_STATE_FIELD_NUMBER: _ClassVar[int]
    TO_STATE_FIELD_NUMBER: _ClassVar[int]
    MOVED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    unit: str
    from_state: _resources_service_pb2.Unit.State
    to_state: _resources_service_pb2.Unit.State
    moved: bool
    reason: str
    detail: str
    def __init__(self, unit: _Optional[str] = ..., from_state: _Optional[_Union[_resources_service_pb2.Unit.State, str]] = ..., to_state: _Optional[_Union[_resources_service_pb2.Unit.State, str]] = ..., moved: _Optional[bool] = ..., reason: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class CancelIncidentRequest(_message.Message):
    __slots__ = ("request_id", "incident", "version", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: str
    version: int
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[str] = ..., version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelIncidentResponse(_message.Message):
    __slots__ = ("incident", "released_reservations", "units")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    RELEASED_RESERVATIONS_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    released_reservations: _containers.RepeatedScalarFieldContainer[str]
    units: _containers.RepeatedCompositeFieldContainer[UnitMove]
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ..., released_reservations: _Optional[_Iterable[str]] = ..., units: _Optional[_Iterable[_Union[UnitMove, _Mapping]]] = ...) -> None: ...

class UpdateUnitStatusRequest(_message.Message):
    __slots__ = ("request_id", "units", "incident", "state", "reason", "exercise_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    units: _containers.RepeatedScalarFieldContainer[str]
    incident: str
    state: _resources_service_pb2.Unit.State
    reason: str
    exercise_id: str
    def __init__(self, request_id: _Optional[str] = ..., units: _Optional[_Iterable[str]] = ..., incident: _Optional[str] = ..., state: _Optional[_Union[_resources_service_pb2.Unit.State, str]] = ..., reason: _Optional[str] = ..., exercise_id: _Optional[str] = ...) -> None: ...

class UpdateUnitStatusResponse(_message.Message):
    __slots__ = ("moves", "moved")
    MOVES_FIELD_NUMBER: _ClassVar[int]
    MOVED_FIELD_NUMBER: _ClassVar[int]
    moves: _containers.RepeatedCompositeFieldContainer[UnitMove]
    moved: int
    def __init__(self, moves: _Optional[_Iterable[_Union[UnitMove, _Mapping]]] = ..., moved: _Optional[int] = ...) -> None: ...

class ContainIncidentRequest(_message.Message):
    __slots__ = ("request_id", "incident", "version", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: str
    version: int
    note: str
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[str] = ..., version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class ContainIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ...) -> None: ...

class CloseIncidentRequest(_message.Message):
    __slots__ = ("request_id", "incident", "version", "outcome_summary", "units_available", "create_case")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    UNITS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CREATE_CASE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: str
    version: int
    outcome_summary: str
    units_available: bool
    create_case: bool
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[str] = ..., version: _Optional[int] = ..., outcome_summary: _Optional[str] = ..., units_available: _Optional[bool] = ..., create_case: _Optional[bool] = ...) -> None: ...

class CloseIncidentResponse(_message.Message):
    __slots__ = ("incident", "units", "released_reservations", "report", "accident_case")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    RELEASED_RESERVATIONS_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    ACCIDENT_CASE_FIELD_NUMBER: _ClassVar[int]
    incident: _incident_service_pb2.Incident
    units: _containers.RepeatedCompositeFieldContainer[UnitMove]
    released_reservations: _containers.RepeatedScalarFieldContainer[str]
    report: _casebase_service_pb2.AfterActionReport
    accident_case: _casebase_service_pb2.AccidentCase
    def __init__(self, incident: _Optional[_Union[_incident_service_pb2.Incident, _Mapping]] = ..., units: _Optional[_Iterable[_Union[UnitMove, _Mapping]]] = ..., released_reservations: _Optional[_Iterable[str]] = ..., report: _Optional[_Union[_casebase_service_pb2.AfterActionReport, _Mapping]] = ..., accident_case: _Optional[_Union[_casebase_service_pb2.AccidentCase, _Mapping]] = ...) -> None: ...

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
    scenarios: _containers.RepeatedCompositeFieldContainer[_casebase_service_pb2.Scenario]
    next_page_token: str
    def __init__(self, scenarios: _Optional[_Iterable[_Union[_casebase_service_pb2.Scenario, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListDrillsRequest(_message.Message):
    __slots__ = ("states", "page_size", "page_token")
    STATES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[Drill.State]
    page_size: int
    page_token: str
    def __init__(self, states: _Optional[_Iterable[_Union[Drill.State, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDrillsResponse(_message.Message):
    __slots__ = ("drills", "next_page_token")
    DRILLS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    drills: _containers.RepeatedCompositeFieldContainer[Drill]
    next_page_token: str
    def __init__(self, drills: _Optional[_Iterable[_Union[Drill, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetParkInventoryRequest(_message.Message):
    __slots__ = ("park", "exercise_id")
    PARK_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    park: str
    exercise_id: str
    def __init__(self, park: _Optional[str] = ..., exercise_id: _Optional[str] = ...) -> None: ...

class GetParkInventoryResponse(_message.Message):
    __slots__ = ("park", "depots", "units", "stocks", "reserve_policies")
    PARK_FIELD_NUMBER: _ClassVar[int]
    DEPOTS_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    STOCKS_FIELD_NUMBER: _ClassVar[int]
    RESERVE_POLICIES_FIELD_NUMBER: _ClassVar[int]
    park: _resources_service_pb2.Park
    depots: _containers.RepeatedCompositeFieldContainer[_resources_service_pb2.Depot]
    units: _containers.RepeatedCompositeFieldContainer[_resources_service_pb2.Unit]
    stocks: _containers.RepeatedCompositeFieldContainer[_resources_service_pb2.Stock]
    reserve_policies: _containers.RepeatedCompositeFieldContainer[_resources_service_pb2.ReservePolicy]
    def __init__(self, park: _Optional[_Union[_resources_service_pb2.Park, _Mapping]] = ..., depots: _Optional[_Iterable[_Union[_resources_service_pb2.Depot, _Mapping]]] = ..., units: _Optional[_Iterable[_Union[_resources_service_pb2.Unit, _Mapping]]] = ..., stocks: _Optional[_Iterable[_Union[_resources_service_pb2.Stock, _Mapping]]] = ..., reserve_policies: _Optional[_Iterable[_Union[_resources_service_pb2.ReservePolicy, _Mapping]]] = ...) -> None: ...

class AdjustStockRequest(_message.Message):
    __slots__ = ("request_id", "stock", "kind", "delta", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    stock: str
    kind: _resources_service_pb2.StockLedgerEntry.Kind
    delta: float
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., stock: _Optional[str] = ..., kind: _Optional[_Union[_resources_service_pb2.StockLedgerEntry.Kind, str]] = ..., delta: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class AdjustStockResponse(_message.Message):
    __slots__ = ("stock", "entry")
    STOCK_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    stock: _resources_service_pb2.Stock
    entry: _resources_service_pb2.StockLedgerEntry
    def __init__(self, stock: _Optional[_Union[_resources_service_pb2.Stock, _Mapping]] = ..., entry: _Optional[_Union[_resources_service_pb2.StockLedgerEntry, _Mapping]] = ...) -> None: ...
