"""AlarmService: transport only; what the intake received, refused and correlated, read through the store."""

from __future__ import annotations

from emergency.alarms.v1 import alarms_service_pb2 as pb
from emergency.alarms.v1 import alarms_service_pb2_grpc as pb_grpc
from sqlmodel import Session

from services.alarms import mapping, store
from services.common.auth import require_authenticated
from services.common.errors import FieldViolation, not_found, raise_if
from services.common.interceptors import Context
from services.common.names import INCIDENT
from services.common.pagination import open_page, page_size_violations
from services.common.transactions import Transactions


class AlarmServicer(pb_grpc.AlarmServiceServicer):
    """Reads only: alarms arrive over MQTT."""

    def __init__(self, tx: Transactions) -> None:
        self._tx = tx

    async def ListAlarms(self, request: pb.ListAlarmsRequest, context: Context) -> pb.ListAlarmsResponse:
        """Newest first, by state, incident and namespace."""
        require_authenticated()
        unknown = [FieldViolation("state", f"unknown state {request.state}")] if request.state and request.state not in mapping.STATE_NAMES else []
        raise_if(page_size_violations(request.page_size) + unknown)
        filters = {"state": request.state, "incident": request.incident, "exercise": request.exercise_id}
        page = open_page(request.page_token, request.page_size, filters)
        state = mapping.STATE_NAMES.get(request.state, "")

        def read(session: Session) -> pb.ListAlarmsResponse:
            before = int(page.after["seq"]) if page.after else None
            fetched = store.alarms_page(session, request.exercise_id, state=state, incident=request.incident, before_seq=before, limit=page.limit)
            rows, token = page.cut(fetched, lambda row: {"seq": row.seq})
            return pb.ListAlarmsResponse(alarms=[mapping.alarm_to_pb(r) for r in rows], next_page_token=token)

        return await self._tx.query(read)

    async def ListAlarmIncidents(self, request: pb.ListAlarmIncidentsRequest, context: Context) -> pb.ListAlarmIncidentsResponse:
        """In incident-name order, in a namespace."""
        require_authenticated()
        page = open_page(request.page_token, request.page_size, {"exercise": request.exercise_id})

        def read(session: Session) -> pb.ListAlarmIncidentsResponse:
            after = str(page.after["incident"]) if page.after else None
            fetched = store.groups_page(session, request.exercise_id, after_incident=after, limit=page.limit)
            rows, token = page.cut(fetched, lambda row: {"incident": row.incident})
            return pb.ListAlarmIncidentsResponse(incidents=[mapping.group_to_pb(r) for r in rows], next_page_token=token)

        return await self._tx.query(read)

    async def GetAlarmIncident(self, request: pb.GetAlarmIncidentRequest, context: Context) -> pb.GetAlarmIncidentResponse:
        """One incident's alarm record."""
        require_authenticated()
        INCIDENT.parse_one(request.incident, "incident")

        def read(session: Session) -> pb.GetAlarmIncidentResponse:
            row = store.group_row(session, request.incident)
            if row is None:
                raise not_found("alarm incident", request.incident)
            return pb.GetAlarmIncidentResponse(incident=mapping.group_to_pb(row))

        return await self._tx.query(read)
