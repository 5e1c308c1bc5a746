"""Proto views of what the intake stores: received alarms and the incidents they went into; severity levels as enum values."""

from __future__ import annotations

from emergency.alarms.v1 import alarms_service_pb2 as pb
from emergency.common.v1 import common_pb2

from services.alarms.correlation import centre
from services.alarms.store import group_from_row
from services.alarms.tables import AlarmRow, GroupRow
from services.common.clock import to_timestamp

STATES = {
    "ACCEPTED": pb.Alarm.STATE_ACCEPTED,
    "REJECTED": pb.Alarm.STATE_REJECTED,
    "SUPPRESSED": pb.Alarm.STATE_SUPPRESSED,
    "CLEARED": pb.Alarm.STATE_CLEARED,
    "PENDING": pb.Alarm.STATE_PENDING,
}
STATE_NAMES = {v: k for k, v in STATES.items()}
LEVELS = {"normal": pb.Alarm.LEVEL_NORMAL, "pre_alarm": pb.Alarm.LEVEL_PRE_ALARM, "alarm": pb.Alarm.LEVEL_ALARM}
SEVERITIES = {"I": common_pb2.SEVERITY_I, "II": common_pb2.SEVERITY_II, "III": common_pb2.SEVERITY_III, "IV": common_pb2.SEVERITY_IV}


def alarm_to_pb(row: AlarmRow) -> pb.Alarm:
    """The proto view of a received alarm."""
    return pb.Alarm(
        name=f"alarms/{row.seq}",
        message_id=row.message_id,
        topic=row.topic,
        detector=row.detector,
        level=LEVELS.get(row.level, pb.Alarm.LEVEL_UNSPECIFIED),
        reading=row.reading,
        unit=row.unit,
        time=to_timestamp(row.measured_at),
        receive_time=to_timestamp(row.received_at),
        message=row.text,
        state=STATES[row.state],
        reject_reason=row.reason,
        reject_detail=row.detail,
        incident=row.incident,
        exercise_id=row.exercise_id,
        decide_time=to_timestamp(row.decided_at),
    )


def group_to_pb(row: GroupRow) -> pb.AlarmIncident:
    """The proto view of an incident's alarm record."""
    group = group_from_row(row)
    lat, lon = centre(group) if group.members else (0.0, 0.0)
    return pb.AlarmIncident(
        incident=row.incident,
        exercise_id=row.exercise_id,
        park_id=row.park_id,
        substance=common_pb2.Substance(name=row.substance_name, un_number=row.un_number, hazard_class=row.hazard_class),
        centre=common_pb2.GeoPoint(latitude=lat, longitude=lon),
        alarm_count=row.alarm_count,
        detector_count=len(row.members),
        first_alarm_time=to_timestamp(row.first_alarm_at),
        last_alarm_time=to_timestamp(row.last_alarm_at),
        severity=SEVERITIES.get(row.severity, common_pb2.SEVERITY_UNSPECIFIED),
        detectors=sorted(row.members),
        opened_by_alarms=row.opened_by_alarms,
        status=row.status,
    )
