import datetime

from emergency.common.v1 import common_pb2 as _common_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Incident(_message.Message):
    __slots__ = ("name", "title", "park_id", "location", "kind", "substance", "severity", "severity_weight", "reporter", "description", "exercise_id", "demands", "state", "version", "create_time", "update_time", "outcome_summary", "cancel_reason", "weather")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Incident.State]
        STATE_REPORTED: _ClassVar[Incident.State]
        STATE_VERIFIED: _ClassVar[Incident.State]
        STATE_DISPATCHING: _ClassVar[Incident.State]
        STATE_RESPONDING: _ClassVar[Incident.State]
        STATE_CONTAINED: _ClassVar[Incident.State]
        STATE_CLOSED: _ClassVar[Incident.State]
        STATE_CANCELLED: _ClassVar[Incident.State]
    STATE_UNSPECIFIED: Incident.State
    STATE_REPORTED: Incident.State
    STATE_VERIFIED: Incident.State
    STATE_DISPATCHING: Incident.State
    STATE_RESPONDING: Incident.State
    STATE_CONTAINED: Incident.State
    STATE_CLOSED: Incident.State
    STATE_CANCELLED: Incident.State
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBSTANCE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    REPORTER_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    DEMANDS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    WEATHER_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    park_id: str
    location: _common_pb2.Location
    kind: _common_pb2.IncidentKind
    substance: _common_pb2.Substance
    severity: _common_pb2.Severity
    severity_weight: float
    reporter: str
    description: str
    exercise_id: str
    demands: _containers.RepeatedCompositeFieldContainer[_common_pb2.ResourceDemand]
    state: Incident.State
    version: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    outcome_summary: str
    cancel_reason: str
    weather: _common_pb2.Weather
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., park_id: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.Location, _Mapping]] = ..., kind: _Optional[_Union[_common_pb2.IncidentKind, str]] = ..., substance: _Optional[_Union[_common_pb2.Substance, _Mapping]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., severity_weight: _Optional[float] = ..., reporter: _Optional[str] = ..., description: _Optional[str] = ..., exercise_id: _Optional[str] = ..., demands: _Optional[_Iterable[_Union[_common_pb2.ResourceDemand, _Mapping]]] = ..., state: _Optional[_Union[Incident.State, str]] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome_summary: _Optional[str] = ..., cancel_reason: _Optional[str] = ..., weather: _Optional[_Union[_common_pb2.Weather, _Mapping]] = ...) -> None: ...

class TimelineEntry(_message.Message):
    __slots__ = ("name", "sequence", "time", "actor", "action", "note", "before", "after", "version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    sequence: int
    time: _timestamp_pb2.Timestamp
    actor: str
    action: str
    note: str
    before: _struct_pb2.Struct
    after: _struct_pb2.Struct
    version: int
    def __init__(self, name: _Optional[str] = ..., sequence: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., note: _Optional[str] = ..., before: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., after: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class CreateIncidentRequest(_message.Message):
    __slots__ = ("request_id", "incident", "incident_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: Incident
    incident_id: str
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[_Union[Incident, _Mapping]] = ..., incident_id: _Optional[str] = ...) -> None: ...

class CreateIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class GetIncidentRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class ListIncidentsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "states", "park_id", "severities", "exercise_id", "create_time_from", "create_time_to", "names")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITIES_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FROM_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_TO_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    states: _containers.RepeatedScalarFieldContainer[Incident.State]
    park_id: str
    severities: _containers.RepeatedScalarFieldContainer[_common_pb2.Severity]
    exercise_id: str
    create_time_from: _timestamp_pb2.Timestamp
    create_time_to: _timestamp_pb2.Timestamp
    names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., states: _Optional[_Iterable[_Union[Incident.State, str]]] = ..., park_id: _Optional[str] = ..., severities: _Optional[_Iterable[_Union[_common_pb2.Severity, str]]] = ..., exercise_id: _Optional[str] = ..., create_time_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., names: _Optional[_Iterable[str]] = ...) -> None: ...

class ListIncidentsResponse(_message.Message):
    __slots__ = ("incidents", "next_page_token")
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    incidents: _containers.RepeatedCompositeFieldContainer[Incident]
    next_page_token: str
    def __init__(self, incidents: _Optional[_Iterable[_Union[Incident, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateIncidentRequest(_message.Message):
    __slots__ = ("request_id", "incident", "update_mask", "version")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    incident: Incident
    update_mask: _field_mask_pb2.FieldMask
    version: int
    def __init__(self, request_id: _Optional[str] = ..., incident: _Optional[_Union[Incident, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class UpdateIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class VerifyIncidentRequest(_message.Message):
    __slots__ = ("request_id", "name", "version", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    version: int
    note: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class VerifyIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class ChangeSeverityRequest(_message.Message):
    __slots__ = ("request_id", "name", "version", "severity", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    version: int
    severity: _common_pb2.Severity
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class ChangeSeverityResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class SetDemandsRequest(_message.Message):
    __slots__ = ("request_id", "name", "version", "demands", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DEMANDS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    version: int
    demands: _containers.RepeatedCompositeFieldContainer[_common_pb2.ResourceDemand]
    note: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., demands: _Optional[_Iterable[_Union[_common_pb2.ResourceDemand, _Mapping]]] = ..., note: _Optional[str] = ...) -> None: ...

class SetDemandsResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class BeginDispatchRequest(_message.Message):
    __slots__ = ("request_id", "name", "version", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    version: int
    note: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class BeginDispatchResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class MarkRespondingRequest(_message.Message):
    __slots__ = ("request_id", "name", "version", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    version: int
    note: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class MarkRespondingResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class MarkContainedRequest(_message.Message):
    __slots__ = ("request_id", "name", "version", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    version: int
    note: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class MarkContainedResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class CloseIncidentRequest(_message.Message):
    __slots__ = ("request_id", "name", "version", "outcome_summary")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    version: int
    outcome_summary: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., outcome_summary: _Optional[str] = ...) -> None: ...

class CloseIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class CancelIncidentRequest(_message.Message):
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

class CancelIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class ListTimelineEntriesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTimelineEntriesResponse(_message.Message):
    __slots__ = ("timeline_entries", "next_page_token")
    TIMELINE_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    timeline_entries: _containers.RepeatedCompositeFieldContainer[TimelineEntry]
    next_page_token: str
    def __init__(self, timeline_entries: _Optional[_Iterable[_Union[TimelineEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AnnotateIncidentRequest(_message.Message):
    __slots__ = ("request_id", "name", "action", "note", "details")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    action: str
    note: str
    details: _struct_pb2.Struct
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., action: _Optional[str] = ..., note: _Optional[str] = ..., details: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class AnnotateIncidentResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: TimelineEntry
    def __init__(self, entry: _Optional[_Union[TimelineEntry, _Mapping]] = ...) -> None: ...

class AddTimelineNoteRequest(_message.Message):
    __slots__ = ("request_id", "name", "note", "action", "details")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    note: str
    action: str
    details: _struct_pb2.Struct
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., note: _Optional[str] = ..., action: _Optional[str] = ..., details: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class AddTimelineNoteResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...
