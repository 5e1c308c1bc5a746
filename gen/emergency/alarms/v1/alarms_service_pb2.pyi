import datetime

from emergency.common.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Alarm(_message.Message):
    __slots__ = ("name", "message_id", "topic", "detector", "level", "reading", "unit", "time", "receive_time", "message", "state", "reject_reason", "reject_detail", "incident", "exercise_id", "decide_time")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Alarm.State]
        STATE_ACCEPTED: _ClassVar[Alarm.State]
        STATE_REJECTED: _ClassVar[Alarm.State]
        STATE_SUPPRESSED: _ClassVar[Alarm.State]
        STATE_CLEARED: _ClassVar[Alarm.State]
        STATE_PENDING: _ClassVar[Alarm.State]
    STATE_UNSPECIFIED: Alarm.State
    STATE_ACCEPTED: Alarm.State
    STATE_REJECTED: Alarm.State
    STATE_SUPPRESSED: Alarm.State
    STATE_CLEARED: Alarm.State
    STATE_PENDING: Alarm.State
    class Level(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        LEVEL_UNSPECIFIED: _ClassVar[Alarm.Level]
        LEVEL_NORMAL: _ClassVar[Alarm.Level]
        LEVEL_PRE_ALARM: _ClassVar[Alarm.Level]
        LEVEL_ALARM: _ClassVar[Alarm.Level]
    LEVEL_UNSPECIFIED: Alarm.Level
    LEVEL_NORMAL: Alarm.Level
    LEVEL_PRE_ALARM: Alarm.Level
    LEVEL_ALARM: Alarm.Level
    NAME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    DETECTOR_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    READING_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REJECT_REASON_FIELD_NUMBER: _ClassVar[int]
    REJECT_DETAIL_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    DECIDE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    message_id: str
    topic: str
    detector: str
    level: Alarm.Level
    reading: float
    unit: str
    time: _timestamp_pb2.Timestamp
    receive_time: _timestamp_pb2.Timestamp
    message: str
    state: Alarm.State
    reject_reason: str
    reject_detail: str
    incident: str
    exercise_id: str
    decide_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., message_id: _Optional[str] = ..., topic: _Optional[str] = ..., detector: _Optional[str] = ..., level: _Optional[_Union[Alarm.Level, str]] = ..., reading: _Optional[float] = ..., unit: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., message: _Optional[str] = ..., state: _Optional[_Union[Alarm.State, str]] = ..., reject_reason: _Optional[str] = ..., reject_detail: _Optional[str] = ..., incident: _Optional[str] = ..., exercise_id: _Optional[str] = ..., decide_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AlarmIncident(_message.Message):
    __slots__ = ("incident", "exercise_id", "park_id", "substance", "centre", "alarm_count", "detector_count", "first_alarm_time", "last_alarm_time", "severity", "detectors", "opened_by_alarms", "status")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    PARK_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSTANCE_FIELD_NUMBER: _ClassVar[int]
    CENTRE_FIELD_NUMBER: _ClassVar[int]
    ALARM_COUNT_FIELD_NUMBER: _ClassVar[int]
    DETECTOR_COUNT_FIELD_NUMBER: _ClassVar[int]
    FIRST_ALARM_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ALARM_TIME_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    DETECTORS_FIELD_NUMBER: _ClassVar[int]
    OPENED_BY_ALARMS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    incident: str
    exercise_id: str
    park_id: str
    substance: _common_pb2.Substance
    centre: _common_pb2.GeoPoint
    alarm_count: int
    detector_count: int
    first_alarm_time: _timestamp_pb2.Timestamp
    last_alarm_time: _timestamp_pb2.Timestamp
    severity: _common_pb2.Severity
    detectors: _containers.RepeatedScalarFieldContainer[str]
    opened_by_alarms: bool
    status: str
    def __init__(self, incident: _Optional[str] = ..., exercise_id: _Optional[str] = ..., park_id: _Optional[str] = ..., substance: _Optional[_Union[_common_pb2.Substance, _Mapping]] = ..., centre: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., alarm_count: _Optional[int] = ..., detector_count: _Optional[int] = ..., first_alarm_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_alarm_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., detectors: _Optional[_Iterable[str]] = ..., opened_by_alarms: _Optional[bool] = ..., status: _Optional[str] = ...) -> None: ...

class ListAlarmsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "state", "incident", "exercise_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    state: Alarm.State
    incident: str
    exercise_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[Alarm.State, str]] = ..., incident: _Optional[str] = ..., exercise_id: _Optional[str] = ...) -> None: ...

class ListAlarmsResponse(_message.Message):
    __slots__ = ("alarms", "next_page_token")
    ALARMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    alarms: _containers.RepeatedCompositeFieldContainer[Alarm]
    next_page_token: str
    def __init__(self, alarms: _Optional[_Iterable[_Union[Alarm, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListAlarmIncidentsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "exercise_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXERCISE_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    exercise_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., exercise_id: _Optional[str] = ...) -> None: ...

class ListAlarmIncidentsResponse(_message.Message):
    __slots__ = ("incidents", "next_page_token")
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    incidents: _containers.RepeatedCompositeFieldContainer[AlarmIncident]
    next_page_token: str
    def __init__(self, incidents: _Optional[_Iterable[_Union[AlarmIncident, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAlarmIncidentRequest(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: str
    def __init__(self, incident: _Optional[str] = ...) -> None: ...

class GetAlarmIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: AlarmIncident
    def __init__(self, incident: _Optional[_Union[AlarmIncident, _Mapping]] = ...) -> None: ...
