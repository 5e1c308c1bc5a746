"""AlarmService: transport only; what the intake received, refused and correlated, read through the store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from emergency.alarms.v1 import alarms_service_pb2 as pb
from emergency.alarms.v1 import alarms_service_pb2_grpc as pb_grpc
from sqlalchemy import Engine

from services.alarms import mapping, store
from services.common.auth import require_authenticated
from services.common.db import read_only, run_in_thread
from services.common.errors import FieldViolation, invalid_argument, not_found
from services.common.pagination import decode_page_token, effective_page_size, encode_page_token, page_size_violations


def _page_of(request: Any, filters: dict[str, Any], extra: list[FieldViolation] | None = None) -> tuple[dict[str, Any] | None, int]:
    """Check a list request's page size (and other violations), then its position and page size."""
    violations = page_size_violations(request.page_size) + (extra or [])
    if violations:
        raise invalid_argument(violations)
    return decode_page_token(request.page_token, filters), effective_page_size(request.page_size, default=100, maximum=1000)


def _token(rows: list[Any], limit: int, filters: dict[str, Any], position: Callable[[Any], dict[str, Any]]) -> str:
    """The next page's token, when one more row than the page was read."""
    return encode_page_token(position(rows[limit - 1]), filters) if len(rows) > limit else ""


class AlarmServicer(pb_grpc.AlarmServiceServicer):
    """Reads only: alarms arrive over MQTT."""

    def __init__(self, engine: Engine) -> None:
        self._engine = read_only(engine)

    async def ListAlarms(self, request: pb.ListAlarmsRequest, context: grpc.aio.ServicerContext) -> pb.ListAlarmsResponse:
        """Newest first, by state, incident and namespace."""
        require_authenticated()
        unknown = [FieldViolation("state", f"unknown state {request.state}")] if request.state and request.state not in mapping.STATE_NAMES else []
        filters = {"state": request.state, "incident": request.incident, "exercise": request.exercise_id}
        position, limit = _page_of(request, filters, unknown)
        state = mapping.STATE_NAMES.get(request.state, "")
        before = int(position["seq"]) if position else None
        rows = await run_in_thread(store.alarms_page, self._engine, request.exercise_id, state=state, incident=request.incident, before_seq=before, limit=limit)
        token = _token(rows, limit, filters, lambda row: {"seq": row.seq})
        return pb.ListAlarmsResponse(alarms=[mapping.alarm_to_pb(r) for r in rows[:limit]], next_page_token=token)

    async def ListAlarmIncidents(self, request: pb.ListAlarmIncidentsRequest, context: grpc.aio.ServicerContext) -> pb.ListAlarmIncidentsResponse:
        """In incident-name order, in a namespace."""
        require_authenticated()
        filters = {"exercise": request.exercise_id}
        position, limit = _page_of(request, filters)
        after = str(position["incident"]) if position else None
        rows = await run_in_thread(store.groups_page, self._engine, request.exercise_id, after_incident=after, limit=limit)
        token = _token(rows, limit, filters, lambda row: {"incident": row.incident})
        return pb.ListAlarmIncidentsResponse(incidents=[mapping.group_to_pb(r) for r in rows[:limit]], next_page_token=token)

    async def GetAlarmIncident(self, request: pb.GetAlarmIncidentRequest, context: grpc.aio.ServicerContext) -> pb.GetAlarmIncidentResponse:
        """One incident's alarm record."""
        require_authenticated()
        prefix, _, ident = request.incident.partition("/")
        if prefix != "incidents" or not ident:
            raise invalid_argument([FieldViolation("incident", "must be incidents/{incident}")])
        row = await run_in_thread(store.group_row, self._engine, request.incident)
        if row is None:
            raise not_found("alarm incident", request.incident)
        return pb.GetAlarmIncidentResponse(incident=mapping.group_to_pb(row))
