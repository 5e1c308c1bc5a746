from emergency.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlanIncident(_message.Message):
    __slots__ = ("id", "location", "severity_weight", "park_id", "report_time_unix_s", "demands")
    ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_TIME_UNIX_S_FIELD_NUMBER: _ClassVar[int]
    DEMANDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    location: _common_pb2.GeoPoint
    severity_weight: float
    park_id: str
    report_time_unix_s: int
    demands: _containers.RepeatedCompositeFieldContainer[_common_pb2.ResourceDemand]
    def __init__(self, id: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., severity_weight: _Optional[float] = ..., park_id: _Optional[str] = ..., report_time_unix_s: _Optional[int] = ..., demands: _Optional[_Iterable[_Union[_common_pb2.ResourceDemand, _Mapping]]] = ...) -> None: ...

class PlanUnit(_message.Message):
    __slots__ = ("id", "resource_type", "capabilities", "position", "park_id", "depot_id", "vehicle_class", "committed_incident_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    DEPOT_ID_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_CLASS_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    resource_type: str
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    position: _common_pb2.GeoPoint
    park_id: str
    depot_id: str
    vehicle_class: str
    committed_incident_id: str
    def __init__(self, id: _Optional[str] = ..., resource_type: _Optional[str] = ..., capabilities: _Optional[_Iterable[str]] = ..., position: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., park_id: _Optional[str] = ..., depot_id: _Optional[str] = ..., vehicle_class: _Optional[str] = ..., committed_incident_id: _Optional[str] = ...) -> None: ...

class PlanStock(_message.Message):
    __slots__ = ("depot_id", "resource_type", "amount", "position", "park_id")
    DEPOT_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    depot_id: str
    resource_type: str
    amount: float
    position: _common_pb2.GeoPoint
    park_id: str
    def __init__(self, depot_id: _Optional[str] = ..., resource_type: _Optional[str] = ..., amount: _Optional[float] = ..., position: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., park_id: _Optional[str] = ...) -> None: ...

class PlanReserve(_message.Message):
    __slots__ = ("park_id", "resource_type", "minimum")
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    park_id: str
    resource_type: str
    minimum: float
    def __init__(self, park_id: _Optional[str] = ..., resource_type: _Optional[str] = ..., minimum: _Optional[float] = ...) -> None: ...

class PlanMutualAid(_message.Message):
    __slots__ = ("lender_park_id", "borrower_park_id", "resource_types", "max_travel_minutes")
    LENDER_PARK_ID_FIELD_NUMBER: _ClassVar[int]
    BORROWER_PARK_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    MAX_TRAVEL_MINUTES_FIELD_NUMBER: _ClassVar[int]
    lender_park_id: str
    borrower_park_id: str
    resource_types: _containers.RepeatedScalarFieldContainer[str]
    max_travel_minutes: float
    def __init__(self, lender_park_id: _Optional[str] = ..., borrower_park_id: _Optional[str] = ..., resource_types: _Optional[_Iterable[str]] = ..., max_travel_minutes: _Optional[float] = ...) -> None: ...

class RoadRestriction(_message.Message):
    __slots__ = ("center", "radius_m", "delay_s", "closed")
    CENTER_FIELD_NUMBER: _ClassVar[int]
    RADIUS_M_FIELD_NUMBER: _ClassVar[int]
    DELAY_S_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    center: _common_pb2.GeoPoint
    radius_m: float
    delay_s: float
    closed: bool
    def __init__(self, center: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., radius_m: _Optional[float] = ..., delay_s: _Optional[float] = ..., closed: _Optional[bool] = ...) -> None: ...

class TravelMatrix(_message.Message):
    __slots__ = ("unit_seconds", "stock_seconds")
    UNIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STOCK_SECONDS_FIELD_NUMBER: _ClassVar[int]
    unit_seconds: _containers.RepeatedScalarFieldContainer[float]
    stock_seconds: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, unit_seconds: _Optional[_Iterable[float]] = ..., stock_seconds: _Optional[_Iterable[float]] = ...) -> None: ...

class PlanOptions(_message.Message):
    __slots__ = ("strategy", "time_limit_s", "relative_gap", "workers", "random_seed", "reassignment_penalty_s", "allow_reserve_breach")
    class Strategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STRATEGY_UNSPECIFIED: _ClassVar[PlanOptions.Strategy]
        STRATEGY_OPTIMAL: _ClassVar[PlanOptions.Strategy]
        STRATEGY_GREEDY: _ClassVar[PlanOptions.Strategy]
    STRATEGY_UNSPECIFIED: PlanOptions.Strategy
    STRATEGY_OPTIMAL: PlanOptions.Strategy
    STRATEGY_GREEDY: PlanOptions.Strategy
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_S_FIELD_NUMBER: _ClassVar[int]
    RELATIVE_GAP_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    RANDOM_SEED_FIELD_NUMBER: _ClassVar[int]
    REASSIGNMENT_PENALTY_S_FIELD_NUMBER: _ClassVar[int]
    ALLOW_RESERVE_BREACH_FIELD_NUMBER: _ClassVar[int]
    strategy: PlanOptions.Strategy
    time_limit_s: float
    relative_gap: float
    workers: int
    random_seed: int
    reassignment_penalty_s: float
    allow_reserve_breach: bool
    def __init__(self, strategy: _Optional[_Union[PlanOptions.Strategy, str]] = ..., time_limit_s: _Optional[float] = ..., relative_gap: _Optional[float] = ..., workers: _Optional[int] = ..., random_seed: _Optional[int] = ..., reassignment_penalty_s: _Optional[float] = ..., allow_reserve_breach: _Optional[bool] = ...) -> None: ...

class UnitAssignment(_message.Message):
    __slots__ = ("unit_id", "incident_id", "eta_s", "resource_type")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    ETA_S_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    incident_id: str
    eta_s: float
    resource_type: str
    def __init__(self, unit_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., eta_s: _Optional[float] = ..., resource_type: _Optional[str] = ...) -> None: ...

class Shipment(_message.Message):
    __slots__ = ("depot_id", "incident_id", "resource_type", "amount", "eta_s")
    DEPOT_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ETA_S_FIELD_NUMBER: _ClassVar[int]
    depot_id: str
    incident_id: str
    resource_type: str
    amount: float
    eta_s: float
    def __init__(self, depot_id: _Optional[str] = ..., incident_id: _Optional[str] = ..., resource_type: _Optional[str] = ..., amount: _Optional[float] = ..., eta_s: _Optional[float] = ...) -> None: ...

class UnmetDemand(_message.Message):
    __slots__ = ("incident_id", "resource_type", "quantity", "reason")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    resource_type: str
    quantity: float
    reason: str
    def __init__(self, incident_id: _Optional[str] = ..., resource_type: _Optional[str] = ..., quantity: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class Plan(_message.Message):
    __slots__ = ("assignments", "shipments", "unmet")
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    UNMET_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[UnitAssignment]
    shipments: _containers.RepeatedCompositeFieldContainer[Shipment]
    unmet: _containers.RepeatedCompositeFieldContainer[UnmetDemand]
    def __init__(self, assignments: _Optional[_Iterable[_Union[UnitAssignment, _Mapping]]] = ..., shipments: _Optional[_Iterable[_Union[Shipment, _Mapping]]] = ..., unmet: _Optional[_Iterable[_Union[UnmetDemand, _Mapping]]] = ...) -> None: ...

class Objective(_message.Message):
    __slots__ = ("weighted_unmet", "weighted_completion_s", "total_travel_s", "reassignments")
    WEIGHTED_UNMET_FIELD_NUMBER: _ClassVar[int]
    WEIGHTED_COMPLETION_S_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TRAVEL_S_FIELD_NUMBER: _ClassVar[int]
    REASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    weighted_unmet: float
    weighted_completion_s: float
    total_travel_s: float
    reassignments: int
    def __init__(self, weighted_unmet: _Optional[float] = ..., weighted_completion_s: _Optional[float] = ..., total_travel_s: _Optional[float] = ..., reassignments: _Optional[int] = ...) -> None: ...

class Violation(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class Alternative(_message.Message):
    __slots__ = ("chosen_id", "alternative_id", "added_minutes", "note")
    CHOSEN_ID_FIELD_NUMBER: _ClassVar[int]
    ALTERNATIVE_ID_FIELD_NUMBER: _ClassVar[int]
    ADDED_MINUTES_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    chosen_id: str
    alternative_id: str
    added_minutes: float
    note: str
    def __init__(self, chosen_id: _Optional[str] = ..., alternative_id: _Optional[str] = ..., added_minutes: _Optional[float] = ..., note: _Optional[str] = ...) -> None: ...

class IncidentExplanation(_message.Message):
    __slots__ = ("incident_id", "summary", "alternatives", "binding_constraints")
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    ALTERNATIVES_FIELD_NUMBER: _ClassVar[int]
    BINDING_CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    incident_id: str
    summary: str
    alternatives: _containers.RepeatedCompositeFieldContainer[Alternative]
    binding_constraints: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, incident_id: _Optional[str] = ..., summary: _Optional[str] = ..., alternatives: _Optional[_Iterable[_Union[Alternative, _Mapping]]] = ..., binding_constraints: _Optional[_Iterable[str]] = ...) -> None: ...

class SolverReport(_message.Message):
    __slots__ = ("status", "best_bound", "objective_value", "gap", "wall_time_s", "first_feasible_s", "build_time_s", "variables", "constraints", "plan_source", "bound_source")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[SolverReport.Status]
        STATUS_OPTIMAL: _ClassVar[SolverReport.Status]
        STATUS_FEASIBLE: _ClassVar[SolverReport.Status]
        STATUS_GREEDY: _ClassVar[SolverReport.Status]
        STATUS_FALLBACK: _ClassVar[SolverReport.Status]
    STATUS_UNSPECIFIED: SolverReport.Status
    STATUS_OPTIMAL: SolverReport.Status
    STATUS_FEASIBLE: SolverReport.Status
    STATUS_GREEDY: SolverReport.Status
    STATUS_FALLBACK: SolverReport.Status
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BEST_BOUND_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_VALUE_FIELD_NUMBER: _ClassVar[int]
    GAP_FIELD_NUMBER: _ClassVar[int]
    WALL_TIME_S_FIELD_NUMBER: _ClassVar[int]
    FIRST_FEASIBLE_S_FIELD_NUMBER: _ClassVar[int]
    BUILD_TIME_S_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    PLAN_SOURCE_FIELD_NUMBER: _ClassVar[int]
    BOUND_SOURCE_FIELD_NUMBER: _ClassVar[int]
    status: SolverReport.Status
    best_bound: float
    objective_value: float
    gap: float
    wall_time_s: float
    first_feasible_s: float
    build_time_s: float
    variables: int
    constraints: int
    plan_source: str
    bound_source: str
    def __init__(self, status: _Optional[_Union[SolverReport.Status, str]] = ..., best_bound: _Optional[float] = ..., objective_value: _Optional[float] = ..., gap: _Optional[float] = ..., wall_time_s: _Optional[float] = ..., first_feasible_s: _Optional[float] = ..., build_time_s: _Optional[float] = ..., variables: _Optional[int] = ..., constraints: _Optional[int] = ..., plan_source: _Optional[str] = ..., bound_source: _Optional[str] = ...) -> None: ...

class OptimizePlanRequest(_message.Message):
    __slots__ = ("incidents", "units", "stocks", "reserves", "mutual_aid", "road_restrictions", "travel_matrix", "options", "shared_depot_ids")
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    STOCKS_FIELD_NUMBER: _ClassVar[int]
    RESERVES_FIELD_NUMBER: _ClassVar[int]
    MUTUAL_AID_FIELD_NUMBER: _ClassVar[int]
    ROAD_RESTRICTIONS_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_MATRIX_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    SHARED_DEPOT_IDS_FIELD_NUMBER: _ClassVar[int]
    incidents: _containers.RepeatedCompositeFieldContainer[PlanIncident]
    units: _containers.RepeatedCompositeFieldContainer[PlanUnit]
    stocks: _containers.RepeatedCompositeFieldContainer[PlanStock]
    reserves: _containers.RepeatedCompositeFieldContainer[PlanReserve]
    mutual_aid: _containers.RepeatedCompositeFieldContainer[PlanMutualAid]
    road_restrictions: _containers.RepeatedCompositeFieldContainer[RoadRestriction]
    travel_matrix: TravelMatrix
    options: PlanOptions
    shared_depot_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, incidents: _Optional[_Iterable[_Union[PlanIncident, _Mapping]]] = ..., units: _Optional[_Iterable[_Union[PlanUnit, _Mapping]]] = ..., stocks: _Optional[_Iterable[_Union[PlanStock, _Mapping]]] = ..., reserves: _Optional[_Iterable[_Union[PlanReserve, _Mapping]]] = ..., mutual_aid: _Optional[_Iterable[_Union[PlanMutualAid, _Mapping]]] = ..., road_restrictions: _Optional[_Iterable[_Union[RoadRestriction, _Mapping]]] = ..., travel_matrix: _Optional[_Union[TravelMatrix, _Mapping]] = ..., options: _Optional[_Union[PlanOptions, _Mapping]] = ..., shared_depot_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class OptimizePlanResponse(_message.Message):
    __slots__ = ("plan", "objective", "solver", "explanations", "greedy_objective")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    EXPLANATIONS_FIELD_NUMBER: _ClassVar[int]
    GREEDY_OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    plan: Plan
    objective: Objective
    solver: SolverReport
    explanations: _containers.RepeatedCompositeFieldContainer[IncidentExplanation]
    greedy_objective: Objective
    def __init__(self, plan: _Optional[_Union[Plan, _Mapping]] = ..., objective: _Optional[_Union[Objective, _Mapping]] = ..., solver: _Optional[_Union[SolverReport, _Mapping]] = ..., explanations: _Optional[_Iterable[_Union[IncidentExplanation, _Mapping]]] = ..., greedy_objective: _Optional[_Union[Objective, _Mapping]] = ...) -> None: ...

class StreamPlansRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: OptimizePlanRequest
    def __init__(self, request: _Optional[_Union[OptimizePlanRequest, _Mapping]] = ...) -> None: ...

class StreamPlansResponse(_message.Message):
    __slots__ = ("result", "final")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    result: OptimizePlanResponse
    final: bool
    def __init__(self, result: _Optional[_Union[OptimizePlanResponse, _Mapping]] = ..., final: _Optional[bool] = ...) -> None: ...

class EvaluatePlanRequest(_message.Message):
    __slots__ = ("request", "plan")
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    request: OptimizePlanRequest
    plan: Plan
    def __init__(self, request: _Optional[_Union[OptimizePlanRequest, _Mapping]] = ..., plan: _Optional[_Union[Plan, _Mapping]] = ...) -> None: ...

class EvaluatePlanResponse(_message.Message):
    __slots__ = ("objective", "violations", "unmet")
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    UNMET_FIELD_NUMBER: _ClassVar[int]
    objective: Objective
    violations: _containers.RepeatedCompositeFieldContainer[Violation]
    unmet: _containers.RepeatedCompositeFieldContainer[UnmetDemand]
    def __init__(self, objective: _Optional[_Union[Objective, _Mapping]] = ..., violations: _Optional[_Iterable[_Union[Violation, _Mapping]]] = ..., unmet: _Optional[_Iterable[_Union[UnmetDemand, _Mapping]]] = ...) -> None: ...
