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

class ResourceType(_message.Message):
    __slots__ = ("code", "name", "name_zh", "kind", "unit_of_measure", "capabilities", "vehicle_class", "source")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_ZH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    UNIT_OF_MEASURE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_CLASS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    name_zh: str
    kind: _common_pb2.ResourceKind
    unit_of_measure: str
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    vehicle_class: str
    source: str
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., name_zh: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.ResourceKind, str]] = ..., unit_of_measure: _Optional[str] = ..., capabilities: _Optional[_Iterable[str]] = ..., vehicle_class: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class Park(_message.Message):
    __slots__ = ("name", "display_name", "kind", "location", "boundary", "duty_contact", "version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    BOUNDARY_FIELD_NUMBER: _ClassVar[int]
    DUTY_CONTACT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    kind: _common_pb2.ParkKind
    location: _common_pb2.GeoPoint
    boundary: _containers.RepeatedCompositeFieldContainer[_common_pb2.GeoPoint]
    duty_contact: str
    version: int
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.ParkKind, str]] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., boundary: _Optional[_Iterable[_Union[_common_pb2.GeoPoint, _Mapping]]] = ..., duty_contact: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class Depot(_message.Message):
    __slots__ = ("name", "display_name", "kind", "location", "shared", "version")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[Depot.Kind]
        KIND_FIRE_STATION: _ClassVar[Depot.Kind]
        KIND_RESCUE_BASE: _ClassVar[Depot.Kind]
        KIND_SUPPLY_WAREHOUSE: _ClassVar[Depot.Kind]
    KIND_UNSPECIFIED: Depot.Kind
    KIND_FIRE_STATION: Depot.Kind
    KIND_RESCUE_BASE: Depot.Kind
    KIND_SUPPLY_WAREHOUSE: Depot.Kind
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SHARED_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    kind: Depot.Kind
    location: _common_pb2.GeoPoint
    shared: bool
    version: int
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., kind: _Optional[_Union[Depot.Kind, str]] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., shared: _Optional[bool] = ..., version: _Optional[int] = ...) -> None: ...

class Unit(_message.Message):
    __slots__ = ("name", "resource_type", "call_sign", "home_depot_id", "crew_size", "capabilities", "position", "state", "version", "incident", "park_id")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Unit.State]
        STATE_AVAILABLE: _ClassVar[Unit.State]
        STATE_RESERVED: _ClassVar[Unit.State]
        STATE_EN_ROUTE: _ClassVar[Unit.State]
        STATE_ON_SCENE: _ClassVar[Unit.State]
        STATE_RETURNING: _ClassVar[Unit.State]
        STATE_OUT_OF_SERVICE: _ClassVar[Unit.State]
        STATE_RETIRED: _ClassVar[Unit.State]
    STATE_UNSPECIFIED: Unit.State
    STATE_AVAILABLE: Unit.State
    STATE_RESERVED: Unit.State
    STATE_EN_ROUTE: Unit.State
    STATE_ON_SCENE: Unit.State
    STATE_RETURNING: Unit.State
    STATE_OUT_OF_SERVICE: Unit.State
    STATE_RETIRED: Unit.State
    NAME_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    CALL_SIGN_FIELD_NUMBER: _ClassVar[int]
    HOME_DEPOT_ID_FIELD_NUMBER: _ClassVar[int]
    CREW_SIZE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    resource_type: str
    call_sign: str
    home_depot_id: str
    crew_size: int
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    position: _common_pb2.GeoPoint
    state: Unit.State
    version: int
    incident: str
    park_id: str
    def __init__(self, name: _Optional[str] = ..., resource_type: _Optional[str] = ..., call_sign: _Optional[str] = ..., home_depot_id: _Optional[str] = ..., crew_size: _Optional[int] = ..., capabilities: _Optional[_Iterable[str]] = ..., position: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., state: _Optional[_Union[Unit.State, str]] = ..., version: _Optional[int] = ..., incident: _Optional[str] = ..., park_id: _Optional[str] = ...) -> None: ...

class Stock(_message.Message):
    __slots__ = ("name", "resource_type", "on_hand", "reserved", "minimum_level", "unit_of_measure", "version", "location")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_LEVEL_FIELD_NUMBER: _ClassVar[int]
    UNIT_OF_MEASURE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    name: str
    resource_type: str
    on_hand: float
    reserved: float
    minimum_level: float
    unit_of_measure: str
    version: int
    location: _common_pb2.GeoPoint
    def __init__(self, name: _Optional[str] = ..., resource_type: _Optional[str] = ..., on_hand: _Optional[float] = ..., reserved: _Optional[float] = ..., minimum_level: _Optional[float] = ..., unit_of_measure: _Optional[str] = ..., version: _Optional[int] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ...) -> None: ...

class StockLedgerEntry(_message.Message):
    __slots__ = ("sequence", "kind", "delta", "balance", "reference", "actor", "time")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[StockLedgerEntry.Kind]
        KIND_RECEIPT: _ClassVar[StockLedgerEntry.Kind]
        KIND_ISSUE: _ClassVar[StockLedgerEntry.Kind]
        KIND_CORRECTION: _ClassVar[StockLedgerEntry.Kind]
        KIND_LOSS: _ClassVar[StockLedgerEntry.Kind]
    KIND_UNSPECIFIED: StockLedgerEntry.Kind
    KIND_RECEIPT: StockLedgerEntry.Kind
    KIND_ISSUE: StockLedgerEntry.Kind
    KIND_CORRECTION: StockLedgerEntry.Kind
    KIND_LOSS: StockLedgerEntry.Kind
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    kind: StockLedgerEntry.Kind
    delta: float
    balance: float
    reference: str
    actor: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, sequence: _Optional[int] = ..., kind: _Optional[_Union[StockLedgerEntry.Kind, str]] = ..., delta: _Optional[float] = ..., balance: _Optional[float] = ..., reference: _Optional[str] = ..., actor: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReservePolicy(_message.Message):
    __slots__ = ("park_id", "resource_type", "minimum")
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    park_id: str
    resource_type: str
    minimum: float
    def __init__(self, park_id: _Optional[str] = ..., resource_type: _Optional[str] = ..., minimum: _Optional[float] = ...) -> None: ...

class MutualAidAgreement(_message.Message):
    __slots__ = ("name", "lender_park_id", "borrower_park_id", "resource_types", "max_travel_minutes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LENDER_PARK_ID_FIELD_NUMBER: _ClassVar[int]
    BORROWER_PARK_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    MAX_TRAVEL_MINUTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    lender_park_id: str
    borrower_park_id: str
    resource_types: _containers.RepeatedScalarFieldContainer[str]
    max_travel_minutes: int
    def __init__(self, name: _Optional[str] = ..., lender_park_id: _Optional[str] = ..., borrower_park_id: _Optional[str] = ..., resource_types: _Optional[_Iterable[str]] = ..., max_travel_minutes: _Optional[int] = ...) -> None: ...

class UnitHold(_message.Message):
    __slots__ = ("unit", "version")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    unit: str
    version: int
    def __init__(self, unit: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class StockHold(_message.Message):
    __slots__ = ("stock", "amount", "version")
    STOCK_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    stock: str
    amount: float
    version: int
    def __init__(self, stock: _Optional[str] = ..., amount: _Optional[float] = ..., version: _Optional[int] = ...) -> None: ...

class Reservation(_message.Message):
    __slots__ = ("name", "incident", "exercise_id", "units", "stocks", "state", "expire_time", "create_time", "actor")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Reservation.State]
        STATE_ACTIVE: _ClassVar[Reservation.State]
        STATE_CONFIRMED: _ClassVar[Reservation.State]
        STATE_RELEASED: _ClassVar[Reservation.State]
        STATE_EXPIRED: _ClassVar[Reservation.State]
        STATE_COMPLETED: _ClassVar[Reservation.State]
        STATE_DISCARDED: _ClassVar[Reservation.State]
    STATE_UNSPECIFIED: Reservation.State
    STATE_ACTIVE: Reservation.State
    STATE_CONFIRMED: Reservation.State
    STATE_RELEASED: Reservation.State
    STATE_EXPIRED: Reservation.State
    STATE_COMPLETED: Reservation.State
    STATE_DISCARDED: Reservation.State
    NAME_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    STOCKS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    incident: str
    exercise_id: str
    units: _containers.RepeatedCompositeFieldContainer[UnitHold]
    stocks: _containers.RepeatedCompositeFieldContainer[StockHold]
    state: Reservation.State
    expire_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    actor: str
    def __init__(self, name: _Optional[str] = ..., incident: _Optional[str] = ..., exercise_id: _Optional[str] = ..., units: _Optional[_Iterable[_Union[UnitHold, _Mapping]]] = ..., stocks: _Optional[_Iterable[_Union[StockHold, _Mapping]]] = ..., state: _Optional[_Union[Reservation.State, str]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ...) -> None: ...

class AvailableUnit(_message.Message):
    __slots__ = ("unit", "home_location", "vehicle_class")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    HOME_LOCATION_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_CLASS_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    home_location: _common_pb2.GeoPoint
    vehicle_class: str
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ..., home_location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., vehicle_class: _Optional[str] = ...) -> None: ...

class AvailableStock(_message.Message):
    __slots__ = ("stock", "available", "park_id", "shared")
    STOCK_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    SHARED_FIELD_NUMBER: _ClassVar[int]
    stock: Stock
    available: float
    park_id: str
    shared: bool
    def __init__(self, stock: _Optional[_Union[Stock, _Mapping]] = ..., available: _Optional[float] = ..., park_id: _Optional[str] = ..., shared: _Optional[bool] = ...) -> None: ...

class Exercise(_message.Message):
    __slots__ = ("name", "title", "active", "create_time", "end_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    active: bool
    create_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., active: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InventoryRow(_message.Message):
    __slots__ = ("depot", "unit", "stock", "reserve_policy")
    DEPOT_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    RESERVE_POLICY_FIELD_NUMBER: _ClassVar[int]
    depot: Depot
    unit: Unit
    stock: Stock
    reserve_policy: ReservePolicy
    def __init__(self, depot: _Optional[_Union[Depot, _Mapping]] = ..., unit: _Optional[_Union[Unit, _Mapping]] = ..., stock: _Optional[_Union[Stock, _Mapping]] = ..., reserve_policy: _Optional[_Union[ReservePolicy, _Mapping]] = ...) -> None: ...

class ListResourceTypesRequest(_message.Message):
    __slots__ = ("kind",)
    KIND_FIELD_NUMBER: _ClassVar[int]
    kind: _common_pb2.ResourceKind
    def __init__(self, kind: _Optional[_Union[_common_pb2.ResourceKind, str]] = ...) -> None: ...

class ListResourceTypesResponse(_message.Message):
    __slots__ = ("resource_types",)
    RESOURCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    resource_types: _containers.RepeatedCompositeFieldContainer[ResourceType]
    def __init__(self, resource_types: _Optional[_Iterable[_Union[ResourceType, _Mapping]]] = ...) -> None: ...

class CreateParkRequest(_message.Message):
    __slots__ = ("request_id", "park_id", "park")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    PARK_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    park_id: str
    park: Park
    def __init__(self, request_id: _Optional[str] = ..., park_id: _Optional[str] = ..., park: _Optional[_Union[Park, _Mapping]] = ...) -> None: ...

class CreateParkResponse(_message.Message):
    __slots__ = ("park",)
    PARK_FIELD_NUMBER: _ClassVar[int]
    park: Park
    def __init__(self, park: _Optional[_Union[Park, _Mapping]] = ...) -> None: ...

class GetParkRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetParkResponse(_message.Message):
    __slots__ = ("park",)
    PARK_FIELD_NUMBER: _ClassVar[int]
    park: Park
    def __init__(self, park: _Optional[_Union[Park, _Mapping]] = ...) -> None: ...

class ListParksRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListParksResponse(_message.Message):
    __slots__ = ("parks", "next_page_token")
    PARKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parks: _containers.RepeatedCompositeFieldContainer[Park]
    next_page_token: str
    def __init__(self, parks: _Optional[_Iterable[_Union[Park, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateParkRequest(_message.Message):
    __slots__ = ("request_id", "park", "update_mask")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PARK_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    park: Park
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, request_id: _Optional[str] = ..., park: _Optional[_Union[Park, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateParkResponse(_message.Message):
    __slots__ = ("park",)
    PARK_FIELD_NUMBER: _ClassVar[int]
    park: Park
    def __init__(self, park: _Optional[_Union[Park, _Mapping]] = ...) -> None: ...

class CreateDepotRequest(_message.Message):
    __slots__ = ("request_id", "parent", "depot_id", "depot")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    DEPOT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPOT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    parent: str
    depot_id: str
    depot: Depot
    def __init__(self, request_id: _Optional[str] = ..., parent: _Optional[str] = ..., depot_id: _Optional[str] = ..., depot: _Optional[_Union[Depot, _Mapping]] = ...) -> None: ...

class CreateDepotResponse(_message.Message):
    __slots__ = ("depot",)
    DEPOT_FIELD_NUMBER: _ClassVar[int]
    depot: Depot
    def __init__(self, depot: _Optional[_Union[Depot, _Mapping]] = ...) -> None: ...

class ListDepotsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDepotsResponse(_message.Message):
    __slots__ = ("depots", "next_page_token")
    DEPOTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    depots: _containers.RepeatedCompositeFieldContainer[Depot]
    next_page_token: str
    def __init__(self, depots: _Optional[_Iterable[_Union[Depot, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateDepotRequest(_message.Message):
    __slots__ = ("request_id", "depot", "update_mask")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DEPOT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    depot: Depot
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, request_id: _Optional[str] = ..., depot: _Optional[_Union[Depot, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateDepotResponse(_message.Message):
    __slots__ = ("depot",)
    DEPOT_FIELD_NUMBER: _ClassVar[int]
    depot: Depot
    def __init__(self, depot: _Optional[_Union[Depot, _Mapping]] = ...) -> None: ...

class DeleteDepotRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class DeleteDepotResponse(_message.Message):
    __slots__ = ("depot",)
    DEPOT_FIELD_NUMBER: _ClassVar[int]
    depot: Depot
    def __init__(self, depot: _Optional[_Union[Depot, _Mapping]] = ...) -> None: ...

class CreateUnitRequest(_message.Message):
    __slots__ = ("request_id", "parent", "unit_id", "unit")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    parent: str
    unit_id: str
    unit: Unit
    def __init__(self, request_id: _Optional[str] = ..., parent: _Optional[str] = ..., unit_id: _Optional[str] = ..., unit: _Optional[_Union[Unit, _Mapping]] = ...) -> None: ...

class CreateUnitResponse(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ...) -> None: ...

class GetUnitRequest(_message.Message):
    __slots__ = ("name", "exercise_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    exercise_id: str
    def __init__(self, name: _Optional[str] = ..., exercise_id: _Optional[str] = ...) -> None: ...

class GetUnitResponse(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ...) -> None: ...

class ListUnitsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "exercise_id", "states", "resource_type")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    exercise_id: str
    states: _containers.RepeatedScalarFieldContainer[Unit.State]
    resource_type: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., exercise_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[Unit.State, str]]] = ..., resource_type: _Optional[str] = ...) -> None: ...

class ListUnitsResponse(_message.Message):
    __slots__ = ("units", "next_page_token")
    UNITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    units: _containers.RepeatedCompositeFieldContainer[Unit]
    next_page_token: str
    def __init__(self, units: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateUnitRequest(_message.Message):
    __slots__ = ("request_id", "unit", "update_mask", "version")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    unit: Unit
    update_mask: _field_mask_pb2.FieldMask
    version: int
    def __init__(self, request_id: _Optional[str] = ..., unit: _Optional[_Union[Unit, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class UpdateUnitResponse(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ...) -> None: ...

class RetireUnitRequest(_message.Message):
    __slots__ = ("request_id", "name", "version", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    version: int
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class RetireUnitResponse(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ...) -> None: ...

class ReportUnitStatusRequest(_message.Message):
    __slots__ = ("request_id", "name", "version", "state", "position", "exercise_id", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    version: int
    state: Unit.State
    position: _common_pb2.GeoPoint
    exercise_id: str
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., state: _Optional[_Union[Unit.State, str]] = ..., position: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., exercise_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReportUnitStatusResponse(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ...) -> None: ...

class AdjustStockRequest(_message.Message):
    __slots__ = ("request_id", "stock", "kind", "delta", "reference", "exercise_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    stock: str
    kind: StockLedgerEntry.Kind
    delta: float
    reference: str
    exercise_id: str
    def __init__(self, request_id: _Optional[str] = ..., stock: _Optional[str] = ..., kind: _Optional[_Union[StockLedgerEntry.Kind, str]] = ..., delta: _Optional[float] = ..., reference: _Optional[str] = ..., exercise_id: _Optional[str] = ...) -> None: ...

class AdjustStockResponse(_message.Message):
    __slots__ = ("stock", "entry")
    STOCK_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    stock: Stock
    entry: StockLedgerEntry
    def __init__(self, stock: _Optional[_Union[Stock, _Mapping]] = ..., entry: _Optional[_Union[StockLedgerEntry, _Mapping]] = ...) -> None: ...

class UpdateStockRequest(_message.Message):
    __slots__ = ("request_id", "stock", "update_mask")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    stock: Stock
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, request_id: _Optional[str] = ..., stock: _Optional[_Union[Stock, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateStockResponse(_message.Message):
    __slots__ = ("stock",)
    STOCK_FIELD_NUMBER: _ClassVar[int]
    stock: Stock
    def __init__(self, stock: _Optional[_Union[Stock, _Mapping]] = ...) -> None: ...

class ListStocksRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "exercise_id", "below_minimum_only")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    BELOW_MINIMUM_ONLY_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    exercise_id: str
    below_minimum_only: bool
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., exercise_id: _Optional[str] = ..., below_minimum_only: _Optional[bool] = ...) -> None: ...

class ListStocksResponse(_message.Message):
    __slots__ = ("stocks", "next_page_token")
    STOCKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    stocks: _containers.RepeatedCompositeFieldContainer[Stock]
    next_page_token: str
    def __init__(self, stocks: _Optional[_Iterable[_Union[Stock, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListStockLedgerEntriesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListStockLedgerEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[StockLedgerEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[StockLedgerEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SetReservePolicyRequest(_message.Message):
    __slots__ = ("request_id", "policy")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    policy: ReservePolicy
    def __init__(self, request_id: _Optional[str] = ..., policy: _Optional[_Union[ReservePolicy, _Mapping]] = ...) -> None: ...

class SetReservePolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: ReservePolicy
    def __init__(self, policy: _Optional[_Union[ReservePolicy, _Mapping]] = ...) -> None: ...

class ListReservePoliciesRequest(_message.Message):
    __slots__ = ("park_id",)
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    park_id: str
    def __init__(self, park_id: _Optional[str] = ...) -> None: ...

class ListReservePoliciesResponse(_message.Message):
    __slots__ = ("policies",)
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[ReservePolicy]
    def __init__(self, policies: _Optional[_Iterable[_Union[ReservePolicy, _Mapping]]] = ...) -> None: ...

class CreateMutualAidAgreementRequest(_message.Message):
    __slots__ = ("request_id", "agreement")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    agreement: MutualAidAgreement
    def __init__(self, request_id: _Optional[str] = ..., agreement: _Optional[_Union[MutualAidAgreement, _Mapping]] = ...) -> None: ...

class CreateMutualAidAgreementResponse(_message.Message):
    __slots__ = ("agreement",)
    AGREEMENT_FIELD_NUMBER: _ClassVar[int]
    agreement: MutualAidAgreement
    def __init__(self, agreement: _Optional[_Union[MutualAidAgreement, _Mapping]] = ...) -> None: ...

class ListMutualAidAgreementsRequest(_message.Message):
    __slots__ = ("park_id",)
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    park_id: str
    def __init__(self, park_id: _Optional[str] = ...) -> None: ...

class ListMutualAidAgreementsResponse(_message.Message):
    __slots__ = ("agreements",)
    AGREEMENTS_FIELD_NUMBER: _ClassVar[int]
    agreements: _containers.RepeatedCompositeFieldContainer[MutualAidAgreement]
    def __init__(self, agreements: _Optional[_Iterable[_Union[MutualAidAgreement, _Mapping]]] = ...) -> None: ...

class DeleteMutualAidAgreementRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class DeleteMutualAidAgreementResponse(_message.Message):
    __slots__ = ("agreement",)
    AGREEMENT_FIELD_NUMBER: _ClassVar[int]
    agreement: MutualAidAgreement
    def __init__(self, agreement: _Optional[_Union[MutualAidAgreement, _Mapping]] = ...) -> None: ...

class ImportInventoryRequest(_message.Message):
    __slots__ = ("request_id", "parent", "rows", "upsert", "validate_only")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    UPSERT_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    parent: str
    rows: _containers.RepeatedCompositeFieldContainer[InventoryRow]
    upsert: bool
    validate_only: bool
    def __init__(self, request_id: _Optional[str] = ..., parent: _Optional[str] = ..., rows: _Optional[_Iterable[_Union[InventoryRow, _Mapping]]] = ..., upsert: _Optional[bool] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class InventoryChange(_message.Message):
    __slots__ = ("row", "action", "target", "fields")
    ROW_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    row: int
    action: str
    target: str
    fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, row: _Optional[int] = ..., action: _Optional[str] = ..., target: _Optional[str] = ..., fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ImportInventoryResponse(_message.Message):
    __slots__ = ("depots_created", "units_created", "stocks_received", "policies_set", "updated", "unchanged", "validate_only", "changes", "problems")
    DEPOTS_CREATED_FIELD_NUMBER: _ClassVar[int]
    UNITS_CREATED_FIELD_NUMBER: _ClassVar[int]
    STOCKS_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    POLICIES_SET_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    depots_created: int
    units_created: int
    stocks_received: int
    policies_set: int
    updated: int
    unchanged: int
    validate_only: bool
    changes: _containers.RepeatedCompositeFieldContainer[InventoryChange]
    problems: _containers.RepeatedCompositeFieldContainer[InventoryProblem]
    def __init__(self, depots_created: _Optional[int] = ..., units_created: _Optional[int] = ..., stocks_received: _Optional[int] = ..., policies_set: _Optional[int] = ..., updated: _Optional[int] = ..., unchanged: _Optional[int] = ..., validate_only: _Optional[bool] = ..., changes: _Optional[_Iterable[_Union[InventoryChange, _Mapping]]] = ..., problems: _Optional[_Iterable[_Union[InventoryProblem, _Mapping]]] = ...) -> None: ...

class InventoryProblem(_message.Message):
    __slots__ = ("field", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class GetAvailabilitySnapshotRequest(_message.Message):
    __slots__ = ("exercise_id", "park_ids", "resource_types", "page_size", "page_token")
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    PARK_IDS_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    park_ids: _containers.RepeatedScalarFieldContainer[str]
    resource_types: _containers.RepeatedScalarFieldContainer[str]
    page_size: int
    page_token: str
    def __init__(self, exercise_id: _Optional[str] = ..., park_ids: _Optional[_Iterable[str]] = ..., resource_types: _Optional[_Iterable[str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetAvailabilitySnapshotResponse(_message.Message):
    __slots__ = ("snapshot_version", "units", "stocks", "reserve_policies", "agreements", "next_page_token", "committed_units", "parks", "detectors")
    SNAPSHOT_VERSION_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    STOCKS_FIELD_NUMBER: _ClassVar[int]
    RESERVE_POLICIES_FIELD_NUMBER: _ClassVar[int]
    AGREEMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    PARKS_FIELD_NUMBER: _ClassVar[int]
    DETECTORS_FIELD_NUMBER: _ClassVar[int]
    snapshot_version: int
    units: _containers.RepeatedCompositeFieldContainer[AvailableUnit]
    stocks: _containers.RepeatedCompositeFieldContainer[AvailableStock]
    reserve_policies: _containers.RepeatedCompositeFieldContainer[ReservePolicy]
    agreements: _containers.RepeatedCompositeFieldContainer[MutualAidAgreement]
    next_page_token: str
    committed_units: _containers.RepeatedCompositeFieldContainer[AvailableUnit]
    parks: _containers.RepeatedCompositeFieldContainer[Park]
    detectors: _containers.RepeatedCompositeFieldContainer[Detector]
    def __init__(self, snapshot_version: _Optional[int] = ..., units: _Optional[_Iterable[_Union[AvailableUnit, _Mapping]]] = ..., stocks: _Optional[_Iterable[_Union[AvailableStock, _Mapping]]] = ..., reserve_policies: _Optional[_Iterable[_Union[ReservePolicy, _Mapping]]] = ..., agreements: _Optional[_Iterable[_Union[MutualAidAgreement, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., committed_units: _Optional[_Iterable[_Union[AvailableUnit, _Mapping]]] = ..., parks: _Optional[_Iterable[_Union[Park, _Mapping]]] = ..., detectors: _Optional[_Iterable[_Union[Detector, _Mapping]]] = ...) -> None: ...

class ReserveResourcesRequest(_message.Message):
    __slots__ = ("request_id", "incident", "exercise_id", "units", "stocks", "ttl_seconds")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    STOCKS_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: str
    exercise_id: str
    units: _containers.RepeatedCompositeFieldContainer[UnitHold]
    stocks: _containers.RepeatedCompositeFieldContainer[StockHold]
    ttl_seconds: int
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[str] = ..., exercise_id: _Optional[str] = ..., units: _Optional[_Iterable[_Union[UnitHold, _Mapping]]] = ..., stocks: _Optional[_Iterable[_Union[StockHold, _Mapping]]] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class ReserveResourcesResponse(_message.Message):
    __slots__ = ("reservation", "snapshot_version", "units")
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_VERSION_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    snapshot_version: int
    units: _containers.RepeatedCompositeFieldContainer[Unit]
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ..., snapshot_version: _Optional[int] = ..., units: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ...) -> None: ...

class ConfirmReservationRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ConfirmReservationResponse(_message.Message):
    __slots__ = ("reservation", "units")
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    units: _containers.RepeatedCompositeFieldContainer[Unit]
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ..., units: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ...) -> None: ...

class ReleaseReservationRequest(_message.Message):
    __slots__ = ("request_id", "name", "units", "stocks", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    STOCKS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    units: _containers.RepeatedScalarFieldContainer[str]
    stocks: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., units: _Optional[_Iterable[str]] = ..., stocks: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ...) -> None: ...

class ReleaseReservationResponse(_message.Message):
    __slots__ = ("reservation", "units")
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    units: _containers.RepeatedCompositeFieldContainer[Unit]
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ..., units: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ...) -> None: ...

class GetReservationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetReservationResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ...) -> None: ...

class ListReservationsRequest(_message.Message):
    __slots__ = ("exercise_id", "incident", "states", "page_size", "page_token")
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    exercise_id: str
    incident: str
    states: _containers.RepeatedScalarFieldContainer[Reservation.State]
    page_size: int
    page_token: str
    def __init__(self, exercise_id: _Optional[str] = ..., incident: _Optional[str] = ..., states: _Optional[_Iterable[_Union[Reservation.State, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListReservationsResponse(_message.Message):
    __slots__ = ("reservations", "next_page_token")
    RESERVATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reservations: _containers.RepeatedCompositeFieldContainer[Reservation]
    next_page_token: str
    def __init__(self, reservations: _Optional[_Iterable[_Union[Reservation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateExerciseRequest(_message.Message):
    __slots__ = ("request_id", "exercise_id", "title")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    exercise_id: str
    title: str
    def __init__(self, request_id: _Optional[str] = ..., exercise_id: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class CreateExerciseResponse(_message.Message):
    __slots__ = ("exercise",)
    EXERCISE_FIELD_NUMBER: _ClassVar[int]
    exercise: Exercise
    def __init__(self, exercise: _Optional[_Union[Exercise, _Mapping]] = ...) -> None: ...

class GetExerciseRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetExerciseResponse(_message.Message):
    __slots__ = ("exercise",)
    EXERCISE_FIELD_NUMBER: _ClassVar[int]
    exercise: Exercise
    def __init__(self, exercise: _Optional[_Union[Exercise, _Mapping]] = ...) -> None: ...

class EndExerciseRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class EndExerciseResponse(_message.Message):
    __slots__ = ("exercise",)
    EXERCISE_FIELD_NUMBER: _ClassVar[int]
    exercise: Exercise
    def __init__(self, exercise: _Optional[_Union[Exercise, _Mapping]] = ...) -> None: ...

class Detector(_message.Message):
    __slots__ = ("name", "display_name", "kind", "substance", "position", "pre_alarm_threshold", "alarm_threshold", "unit", "area", "park_id", "version")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[Detector.Kind]
        KIND_TOXIC_GAS: _ClassVar[Detector.Kind]
        KIND_FLAMMABLE_GAS: _ClassVar[Detector.Kind]
        KIND_FLAME: _ClassVar[Detector.Kind]
        KIND_SMOKE: _ClassVar[Detector.Kind]
        KIND_TEMPERATURE: _ClassVar[Detector.Kind]
        KIND_PRESSURE: _ClassVar[Detector.Kind]
        KIND_LEVEL: _ClassVar[Detector.Kind]
    KIND_UNSPECIFIED: Detector.Kind
    KIND_TOXIC_GAS: Detector.Kind
    KIND_FLAMMABLE_GAS: Detector.Kind
    KIND_FLAME: Detector.Kind
    KIND_SMOKE: Detector.Kind
    KIND_TEMPERATURE: Detector.Kind
    KIND_PRESSURE: Detector.Kind
    KIND_LEVEL: Detector.Kind
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBSTANCE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PRE_ALARM_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    ALARM_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    AREA_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    kind: Detector.Kind
    substance: _common_pb2.Substance
    position: _common_pb2.GeoPoint
    pre_alarm_threshold: float
    alarm_threshold: float
    unit: str
    area: str
    park_id: str
    version: int
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., kind: _Optional[_Union[Detector.Kind, str]] = ..., substance: _Optional[_Union[_common_pb2.Substance, _Mapping]] = ..., position: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., pre_alarm_threshold: _Optional[float] = ..., alarm_threshold: _Optional[float] = ..., unit: _Optional[str] = ..., area: _Optional[str] = ..., park_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class CreateDetectorRequest(_message.Message):
    __slots__ = ("request_id", "parent", "detector_id", "detector")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    DETECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    DETECTOR_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    parent: str
    detector_id: str
    detector: Detector
    def __init__(self, request_id: _Optional[str] = ..., parent: _Optional[str] = ..., detector_id: _Optional[str] = ..., detector: _Optional[_Union[Detector, _Mapping]] = ...) -> None: ...

class CreateDetectorResponse(_message.Message):
    __slots__ = ("detector",)
    DETECTOR_FIELD_NUMBER: _ClassVar[int]
    detector: Detector
    def __init__(self, detector: _Optional[_Union[Detector, _Mapping]] = ...) -> None: ...

class GetDetectorRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetDetectorResponse(_message.Message):
    __slots__ = ("detector",)
    DETECTOR_FIELD_NUMBER: _ClassVar[int]
    detector: Detector
    def __init__(self, detector: _Optional[_Union[Detector, _Mapping]] = ...) -> None: ...

class ListDetectorsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "kind")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    kind: Detector.Kind
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kind: _Optional[_Union[Detector.Kind, str]] = ...) -> None: ...

class ListDetectorsResponse(_message.Message):
    __slots__ = ("detectors", "next_page_token")
    DETECTORS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    detectors: _containers.RepeatedCompositeFieldContainer[Detector]
    next_page_token: str
    def __init__(self, detectors: _Optional[_Iterable[_Union[Detector, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateDetectorRequest(_message.Message):
    __slots__ = ("request_id", "detector", "update_mask", "version")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DETECTOR_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    detector: Detector
    update_mask: _field_mask_pb2.FieldMask
    version: int
    def __init__(self, request_id: _Optional[str] = ..., detector: _Optional[_Union[Detector, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class UpdateDetectorResponse(_message.Message):
    __slots__ = ("detector",)
    DETECTOR_FIELD_NUMBER: _ClassVar[int]
    detector: Detector
    def __init__(self, detector: _Optional[_Union[Detector, _Mapping]] = ...) -> None: ...

class ImportDetectorsRequest(_message.Message):
    __slots__ = ("request_id", "parent", "detectors")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    DETECTORS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    parent: str
    detectors: _containers.RepeatedCompositeFieldContainer[Detector]
    def __init__(self, request_id: _Optional[str] = ..., parent: _Optional[str] = ..., detectors: _Optional[_Iterable[_Union[Detector, _Mapping]]] = ...) -> None: ...

class ImportDetectorsResponse(_message.Message):
    __slots__ = ("detectors_created", "detectors_updated")
    DETECTORS_CREATED_FIELD_NUMBER: _ClassVar[int]
    DETECTORS_UPDATED_FIELD_NUMBER: _ClassVar[int]
    detectors_created: int
    detectors_updated: int
    def __init__(self, detectors_created: _Optional[int] = ..., detectors_updated: _Optional[int] = ...) -> None: ...
