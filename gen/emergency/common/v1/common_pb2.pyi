from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_I: _ClassVar[Severity]
    SEVERITY_II: _ClassVar[Severity]
    SEVERITY_III: _ClassVar[Severity]
    SEVERITY_IV: _ClassVar[Severity]

class IncidentKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INCIDENT_KIND_UNSPECIFIED: _ClassVar[IncidentKind]
    INCIDENT_KIND_FIRE: _ClassVar[IncidentKind]
    INCIDENT_KIND_EXPLOSION: _ClassVar[IncidentKind]
    INCIDENT_KIND_TOXIC_GAS_LEAK: _ClassVar[IncidentKind]
    INCIDENT_KIND_FLAMMABLE_GAS_LEAK: _ClassVar[IncidentKind]
    INCIDENT_KIND_CHEMICAL_SPILL: _ClassVar[IncidentKind]
    INCIDENT_KIND_WATER_POLLUTION: _ClassVar[IncidentKind]
    INCIDENT_KIND_RUNAWAY_REACTION: _ClassVar[IncidentKind]
    INCIDENT_KIND_CONFINED_SPACE: _ClassVar[IncidentKind]
    INCIDENT_KIND_STRUCTURAL_COLLAPSE: _ClassVar[IncidentKind]
    INCIDENT_KIND_TRANSPORT_ACCIDENT: _ClassVar[IncidentKind]
    INCIDENT_KIND_OTHER: _ClassVar[IncidentKind]

class ParkKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARK_KIND_UNSPECIFIED: _ClassVar[ParkKind]
    PARK_KIND_CHEMICAL_PARK: _ClassVar[ParkKind]
    PARK_KIND_PORT_AND_JETTIES: _ClassVar[ParkKind]
    PARK_KIND_STEEL: _ClassVar[ParkKind]
    PARK_KIND_POWER: _ClassVar[ParkKind]
    PARK_KIND_SHIPYARD: _ClassVar[ParkKind]
    PARK_KIND_LOGISTICS: _ClassVar[ParkKind]
    PARK_KIND_HIGH_TECH: _ClassVar[ParkKind]

class ResourceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOURCE_KIND_UNSPECIFIED: _ClassVar[ResourceKind]
    RESOURCE_KIND_UNIT: _ClassVar[ResourceKind]
    RESOURCE_KIND_CONSUMABLE: _ClassVar[ResourceKind]
SEVERITY_UNSPECIFIED: Severity
SEVERITY_I: Severity
SEVERITY_II: Severity
SEVERITY_III: Severity
SEVERITY_IV: Severity
INCIDENT_KIND_UNSPECIFIED: IncidentKind
INCIDENT_KIND_FIRE: IncidentKind
INCIDENT_KIND_EXPLOSION: IncidentKind
INCIDENT_KIND_TOXIC_GAS_LEAK: IncidentKind
INCIDENT_KIND_FLAMMABLE_GAS_LEAK: IncidentKind
INCIDENT_KIND_CHEMICAL_SPILL: IncidentKind
INCIDENT_KIND_WATER_POLLUTION: IncidentKind
INCIDENT_KIND_RUNAWAY_REACTION: IncidentKind
INCIDENT_KIND_CONFINED_SPACE: IncidentKind
INCIDENT_KIND_STRUCTURAL_COLLAPSE: IncidentKind
INCIDENT_KIND_TRANSPORT_ACCIDENT: IncidentKind
INCIDENT_KIND_OTHER: IncidentKind
PARK_KIND_UNSPECIFIED: ParkKind
PARK_KIND_CHEMICAL_PARK: ParkKind
PARK_KIND_PORT_AND_JETTIES: ParkKind
PARK_KIND_STEEL: ParkKind
PARK_KIND_POWER: ParkKind
PARK_KIND_SHIPYARD: ParkKind
PARK_KIND_LOGISTICS: ParkKind
PARK_KIND_HIGH_TECH: ParkKind
RESOURCE_KIND_UNSPECIFIED: ResourceKind
RESOURCE_KIND_UNIT: ResourceKind
RESOURCE_KIND_CONSUMABLE: ResourceKind

class GeoPoint(_message.Message):
    __slots__ = ("latitude", "longitude")
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    latitude: float
    longitude: float
    def __init__(self, latitude: _Optional[float] = ..., longitude: _Optional[float] = ...) -> None: ...

class Location(_message.Message):
    __slots__ = ("point", "description")
    POINT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    point: GeoPoint
    description: str
    def __init__(self, point: _Optional[_Union[GeoPoint, _Mapping]] = ..., description: _Optional[str] = ...) -> None: ...

class Substance(_message.Message):
    __slots__ = ("name", "un_number", "hazard_class")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UN_NUMBER_FIELD_NUMBER: _ClassVar[int]
    HAZARD_CLASS_FIELD_NUMBER: _ClassVar[int]
    name: str
    un_number: str
    hazard_class: str
    def __init__(self, name: _Optional[str] = ..., un_number: _Optional[str] = ..., hazard_class: _Optional[str] = ...) -> None: ...

class ResourceDemand(_message.Message):
    __slots__ = ("resource_type", "quantity", "needed_within_minutes", "required_capabilities")
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    NEEDED_WITHIN_MINUTES_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    resource_type: str
    quantity: float
    needed_within_minutes: int
    required_capabilities: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, resource_type: _Optional[str] = ..., quantity: _Optional[float] = ..., needed_within_minutes: _Optional[int] = ..., required_capabilities: _Optional[_Iterable[str]] = ...) -> None: ...

class Weather(_message.Message):
    __slots__ = ("condition", "temperature_c", "wind_speed_mps", "wind_direction_deg")
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_C_FIELD_NUMBER: _ClassVar[int]
    WIND_SPEED_MPS_FIELD_NUMBER: _ClassVar[int]
    WIND_DIRECTION_DEG_FIELD_NUMBER: _ClassVar[int]
    condition: str
    temperature_c: float
    wind_speed_mps: float
    wind_direction_deg: float
    def __init__(self, condition: _Optional[str] = ..., temperature_c: _Optional[float] = ..., wind_speed_mps: _Optional[float] = ..., wind_direction_deg: _Optional[float] = ...) -> None: ...
