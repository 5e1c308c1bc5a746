"""AlarmService: what the intake received, refused and correlated, read from its own database."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
from emergency.alarms.v1 import alarms_service_pb2 as pb
from emergency.alarms.v1 import alarms_service_pb2_grpc as pb_grpc
from emergency.common.v1 import common_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.alarms.correlation import centre
from services.alarms.store import aware, group_from_row
from services.alarms.tables import AlarmRow, GroupRow
from services.common.auth import require_authenticated
from services.common.db import read_only, run_in_thread
from services.common.errors import FieldViolation, invalid_argument, not_found
from services.common.pagination import decode_page_token, effective_page_size, encode_page_token, page_size_violations

STATES = {"ACCEPTED": pb.Alarm.STATE_ACCEPTED, "REJECTED": pb.Alarm.STATE_REJECTED, "SUPPRESSED": pb.Alarm.STATE_SUPPRESSED, "CLEARED": pb.Alarm.STATE_CLEARED, "PENDING": pb.Alarm.STATE_PENDING}
LEVELS = {"normal": pb.Alarm.LEVEL_NORMAL, "pre_alarm": pb.Alarm.LEVEL_PRE_ALARM, "alarm": pb.Alarm.LEVEL_ALARM}
SEVERITIES = {"I": common_pb2.SEVERITY_I, "II": common_pb2.SEVERITY_II, "III": common_pb2.SEVERITY_III, "IV": common_pb2.SEVERITY_IV}


def _stamp(value: datetime | None) -> Timestamp | None:
    """A proto timestamp, or None."""
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(aware(value) or value.replace(tzinfo=UTC))
    return stamp


def alarm_to_pb(row: AlarmRow) -> pb.Alarm:
    """The proto view of a received alarm."""
    return pb.Alarm(
        name=f"alarms/{row.seq}",
        message_id=row.message_id,
        topic=row.topic,
        detector=row.detector,
        level=LEVELS.get(row.level, pb.Alarm.LEVEL_UNSPECIFIED),  # type: ignore[arg-type]
        reading=row.reading,
        unit=row.unit,
        time=_stamp(row.measured_at),
        receive_time=_stamp(row.received_at),
        message=row.text,
        state=STATES[row.state],  # type: ignore[arg-type]
        reject_reason=row.reason,
        reject_detail=row.detail,
        incident=row.incident,
        exercise_id=row.exercise_id,
        decide_time=_stamp(row.decided_at),
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
        first_alarm_time=_stamp(row.first_alarm_at),
        last_alarm_time=_stamp(row.last_alarm_at),
        severity=SEVERITIES.get(row.severity, common_pb2.SEVERITY_UNSPECIFIED),  # type: ignore[arg-type]
        detectors=sorted(row.members),
        opened_by_alarms=row.opened_by_alarms,
        status=row.status,
    )


class AlarmServicer(pb_grpc.AlarmServiceServicer):
    """Reads only: alarms arrive over MQTT."""

    def __init__(self, engine: Engine) -> None:
        self._engine = read_only(engine)

    async def ListAlarms(self, request: pb.ListAlarmsRequest, context: grpc.aio.ServicerContext) -> pb.ListAlarmsResponse:
        """Newest first, by state, incident and namespace."""
        require_authenticated()
        violations = page_size_violations(request.page_size)
        states = {v: k for k, v in STATES.items()}
        if request.state and request.state not in states:
            violations.append(FieldViolation("state", f"unknown state {request.state}"))
        if violations:
            raise invalid_argument(violations)
        filters = {"state": request.state, "incident": request.incident, "exercise": request.exercise_id}
        position = decode_page_token(request.page_token, filters)
        limit = effective_page_size(request.page_size, default=100, maximum=1000)

        def read() -> pb.ListAlarmsResponse:
            stmt = select(AlarmRow).where(AlarmRow.exercise_id == request.exercise_id)
            if request.state:
                stmt = stmt.where(AlarmRow.state == states[request.state])
            if request.incident:
                stmt = stmt.where(AlarmRow.incident == request.incident)
            if position:
                stmt = stmt.where(col(AlarmRow.seq) < int(position["seq"]))
            with Session(self._engine) as session:
                rows = list(session.exec(stmt.order_by(col(AlarmRow.seq).desc()).limit(limit + 1)).all())
            page = rows[:limit]
            token = encode_page_token({"seq": page[-1].seq}, filters) if len(rows) > limit else ""
            return pb.ListAlarmsResponse(alarms=[alarm_to_pb(r) for r in page], next_page_token=token)

        return await run_in_thread(read)

    async def ListAlarmIncidents(self, request: pb.ListAlarmIncidentsRequest, context: grpc.aio.ServicerContext) -> pb.ListAlarmIncidentsResponse:
        """In incident-name order, in a namespace."""
        require_authenticated()
        violations = page_size_violations(request.page_size)
        if violations:
            raise invalid_argument(violations)
        filters = {"exercise": request.exercise_id}
        position = decode_page_token(request.page_token, filters)
        limit = effective_page_size(request.page_size, default=100, maximum=1000)

        def read() -> pb.ListAlarmIncidentsResponse:
            stmt = select(GroupRow).where(GroupRow.exercise_id == request.exercise_id)
            if position:
                stmt = stmt.where(col(GroupRow.incident) > position["incident"])
            with Session(self._engine) as session:
                rows = list(session.exec(stmt.order_by(col(GroupRow.incident)).limit(limit + 1)).all())
            page = rows[:limit]
            token = encode_page_token({"incident": page[-1].incident}, filters) if len(rows) > limit else ""
            return pb.ListAlarmIncidentsResponse(incidents=[group_to_pb(r) for r in page], next_page_token=token)

        return await run_in_thread(read)

    async def GetAlarmIncident(self, request: pb.GetAlarmIncidentRequest, context: grpc.aio.ServicerContext) -> pb.GetAlarmIncidentResponse:
        """One incident's alarm record."""
        require_authenticated()
        prefix, _, ident = request.incident.partition("/")
        if prefix != "incidents" or not ident:
            raise invalid_argument([FieldViolation("incident", "must be incidents/{incident}")])

        def read() -> pb.GetAlarmIncidentResponse:
            with Session(self._engine) as session:
                row = session.get(GroupRow, request.incident)
                if row is None:
                    raise not_found("alarm incident", request.incident)
                return pb.GetAlarmIncidentResponse(incident=group_to_pb(row))

        return await run_in_thread(read)
