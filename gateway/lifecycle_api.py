"""The lifecycle, unit, inventory and library methods of the gateway: request checks, who may call what, replay by request id."""

from __future__ import annotations

import math
import re

from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.access import Method, authorize
from gateway.activity import Activity
from gateway.incident_views import IncidentViews
from gateway.inventory import DRILL_STATES, Inventory
from gateway.lifecycle import Lifecycle
from gateway.names import ID_PATTERN
from gateway.unit_status import MOVABLE, UnitMover, state_label
from services.common.auth import Principal, Role
from services.common.errors import FieldViolation, invalid_argument
from services.common.idempotency import request_id_violations
from services.common.pagination import page_size_violations

UNIT_NAME = re.compile(r"^parks/([a-z0-9][a-z0-9-]{0,62})/units/([a-z0-9][a-z0-9-]{0,62})$")
STOCK_NAME = re.compile(r"^parks/([a-z0-9][a-z0-9-]{0,62})/depots/([a-z0-9][a-z0-9-]{0,62})/stocks/([A-Z][A-Z0-9_]{1,63})$")
LEDGER_KINDS = (rpb.StockLedgerEntry.KIND_RECEIPT, rpb.StockLedgerEntry.KIND_CORRECTION, rpb.StockLedgerEntry.KIND_LOSS)
SEVERITIES = (common_pb2.SEVERITY_I, common_pb2.SEVERITY_II, common_pb2.SEVERITY_III, common_pb2.SEVERITY_IV)
MAX_UNITS = 500
MAX_TEXT = 500


def raise_if(violations: list[FieldViolation]) -> None:
    """INVALID_ARGUMENT if anything is wrong."""
    if violations:
        raise invalid_argument(violations)


def name_violations(name: str, field: str = "incident") -> list[FieldViolation]:
    """An incident name is incidents/{incident}."""
    prefix, _, ident = name.partition("/")
    return [] if prefix == "incidents" and ID_PATTERN.match(ident) else [FieldViolation(field, "must be incidents/{incident} (the full name, e.g. incidents/inc-4f3a...)")]


def text_violations(value: str, field: str, *, required: bool) -> list[FieldViolation]:
    """Required text is present; none is longer than the limit."""
    if required and not value.strip():
        return [FieldViolation(field, "required")]
    if len(value) > MAX_TEXT:
        return [FieldViolation(field, f"at most {MAX_TEXT} characters")]
    return []


def change_violations(request_id: str, incident: str, version: int) -> list[FieldViolation]:
    """What every incident change needs: a request id, the incident's name and a version that is 0 or positive."""
    found = request_id_violations(request_id) + name_violations(incident)
    if version < 0:
        found.append(FieldViolation("version", "must be >= 0 (0 to let the gateway read the current version)"))
    return found


def exercise_violations(exercise_id: str) -> list[FieldViolation]:
    """An exercise id, when given, is a namespace id."""
    if exercise_id and not ID_PATTERN.match(exercise_id):
        return [FieldViolation("exercise_id", "must be an exercise id: lowercase letters, digits and hyphens, 3 to 63 characters")]
    return []


def allowed_names(values: tuple[int, ...], name: object) -> str:
    """The allowed enum names, for error messages."""
    return ", ".join(name(v).removeprefix("STATE_").removeprefix("KIND_").removeprefix("SEVERITY_") for v in values)  # type: ignore[operator]


def unit_request_violations(request: gpb.UpdateUnitStatusRequest) -> list[FieldViolation]:
    """Units well named and each once, or an incident; a state a caller may ask for."""
    found = request_id_violations(request.request_id) + exercise_violations(request.exercise_id) + text_violations(request.reason, "reason", required=False)
    if request.state not in MOVABLE:
        found.append(FieldViolation("state", f"must be one of {allowed_names(MOVABLE, rpb.Unit.State.Name)}"))
    if not request.units and not request.incident:
        found.append(FieldViolation("units", "name the units, or an incident to move every unit committed to it"))
    if request.incident:
        found += name_violations(request.incident)
    if len(request.units) > MAX_UNITS:
        found.append(FieldViolation("units", f"at most {MAX_UNITS} units per call"))
    seen: set[str] = set()
    for index, unit in enumerate(request.units):
        if not UNIT_NAME.match(unit):
            found.append(FieldViolation(f"units[{index}]", "must be parks/{park}/units/{unit}"))
        elif unit in seen:
            found.append(FieldViolation(f"units[{index}]", f"{unit} is named twice"))
        seen.add(unit)
    return found


def stock_violations(request: gpb.AdjustStockRequest) -> list[FieldViolation]:
    """A stock name, a ledger kind a caller may book, a signed change that fits the kind, and a reason."""
    found = request_id_violations(request.request_id) + text_violations(request.reason, "reason", required=True)
    if not STOCK_NAME.match(request.stock):
        found.append(FieldViolation("stock", "must be parks/{park}/depots/{depot}/stocks/{RESOURCE_TYPE}"))
    if request.kind not in LEDGER_KINDS:
        found.append(FieldViolation("kind", f"must be one of {allowed_names(LEDGER_KINDS, rpb.StockLedgerEntry.Kind.Name)}"))
    if not math.isfinite(request.delta) or request.delta == 0:
        found.append(FieldViolation("delta", "must be a non-zero finite amount"))
    elif request.kind == rpb.StockLedgerEntry.KIND_RECEIPT and request.delta < 0:
        found.append(FieldViolation("delta", "a receipt adds stock: must be > 0"))
    elif request.kind == rpb.StockLedgerEntry.KIND_LOSS and request.delta > 0:
        found.append(FieldViolation("delta", "a loss removes stock: must be < 0"))
    return found


class LifecycleApi:
    """Checks and authorises each request, then hands it to the lifecycle, unit, view or inventory module."""

    def __init__(self, views: IncidentViews, lifecycle: Lifecycle, mover: UnitMover, inventory: Inventory, activity: Activity) -> None:
        self._views = views
        self._lifecycle = lifecycle
        self._mover = mover
        self._inventory = inventory
        self._activity = activity

    async def _incident_for(self, method: Method, name: str) -> tuple[ipb.Incident, Principal]:
        """The incident, once the caller may act on it."""
        incident = await self._views.incident(name)
        principal = authorize(method, exercise_id=incident.exercise_id, park_id=incident.park_id)
        return incident, principal

    async def list_incidents(self, request: gpb.ListIncidentsRequest) -> gpb.ListIncidentsResponse:
        """A page of incidents."""
        raise_if(exercise_violations(request.exercise_id) + page_size_violations(request.page_size, maximum=500))
        authorize(Method.LIST_INCIDENTS, exercise_id=request.exercise_id)
        return await self._views.page(request)

    async def get_incident(self, request: gpb.GetIncidentRequest) -> gpb.GetIncidentResponse:
        """One incident with what was sent to it."""
        raise_if(name_violations(request.name, "name"))
        authorize(Method.GET_INCIDENT)
        return await self._views.get(request.name)

    async def timeline(self, request: gpb.ListIncidentTimelineRequest) -> gpb.ListIncidentTimelineResponse:
        """A page of an incident's merged timeline."""
        raise_if(name_violations(request.incident) + page_size_violations(request.page_size))
        authorize(Method.LIST_INCIDENT_TIMELINE)
        return await self._views.timeline(request)

    async def verify(self, request: gpb.VerifyIncidentRequest) -> gpb.VerifyIncidentResponse:
        """Confirm a reported incident."""
        raise_if(change_violations(request.request_id, request.incident, request.version) + text_violations(request.note, "note", required=False))
        incident, _ = await self._incident_for(Method.VERIFY_INCIDENT, request.incident)
        return await self._activity.once("VerifyIncident", request, request.request_id, gpb.VerifyIncidentResponse, lambda: self._lifecycle.verify(request, incident))

    async def change_severity(self, request: gpb.ChangeSeverityRequest) -> gpb.ChangeSeverityResponse:
        """A new response level, with the reason."""
        violations = change_violations(request.request_id, request.incident, request.version) + text_violations(request.reason, "reason", required=True)
        if request.severity not in SEVERITIES:
            violations.append(FieldViolation("severity", f"must be one of {allowed_names(SEVERITIES, common_pb2.Severity.Name)}"))
        raise_if(violations)
        incident, _ = await self._incident_for(Method.CHANGE_SEVERITY, request.incident)
        return await self._activity.once(
            "ChangeSeverity", request, request.request_id, gpb.ChangeSeverityResponse, lambda: self._lifecycle.change_severity(request, incident)
        )

    async def cancel(self, request: gpb.CancelIncidentRequest) -> gpb.CancelIncidentResponse:
        """Cancel with the reason; holds released, units turned back."""
        raise_if(change_violations(request.request_id, request.incident, request.version) + text_violations(request.reason, "reason", required=True))
        incident, principal = await self._incident_for(Method.CANCEL_INCIDENT, request.incident)
        return await self._activity.once(
            "CancelIncident", request, request.request_id, gpb.CancelIncidentResponse, lambda: self._lifecycle.cancel(request, incident, principal.subject)
        )

    async def contain(self, request: gpb.ContainIncidentRequest) -> gpb.ContainIncidentResponse:
        """Mark the hazard under control."""
        raise_if(change_violations(request.request_id, request.incident, request.version) + text_violations(request.note, "note", required=False))
        incident, _ = await self._incident_for(Method.CONTAIN_INCIDENT, request.incident)
        return await self._activity.once("ContainIncident", request, request.request_id, gpb.ContainIncidentResponse, lambda: self._lifecycle.contain(request, incident))

    async def close(self, request: gpb.CloseIncidentRequest) -> gpb.CloseIncidentResponse:
        """Close a contained incident with its outcome."""
        violations = change_violations(request.request_id, request.incident, request.version)
        if not request.outcome_summary.strip():
            violations.append(FieldViolation("outcome_summary", "required: what happened in the end"))
        elif len(request.outcome_summary) > 4000:
            violations.append(FieldViolation("outcome_summary", "at most 4000 characters"))
        raise_if(violations)
        incident, principal = await self._incident_for(Method.CLOSE_INCIDENT, request.incident)
        return await self._activity.once(
            "CloseIncident", request, request.request_id, gpb.CloseIncidentResponse, lambda: self._lifecycle.close(request, incident, principal.subject)
        )

    async def update_units(self, request: gpb.UpdateUnitStatusRequest) -> gpb.UpdateUnitStatusResponse:
        """Move the named units, or every unit committed to the incident."""
        raise_if(unit_request_violations(request))
        target = state_label(request.state)
        exercise_id = request.exercise_id
        units = list(request.units)
        if request.incident:
            incident = await self._views.incident(request.incident)
            if exercise_id and exercise_id != incident.exercise_id:
                raise_if([FieldViolation("exercise_id", f"{incident.name} is in namespace {incident.exercise_id or '(live)'!r}, not {exercise_id!r}")])
            exercise_id = incident.exercise_id
            if not units:
                units = sorted({unit for unit, _ in await self._mover.held_by(incident.name, exercise_id)})
        principal = authorize(Method.UPDATE_UNIT_STATUS, exercise_id=exercise_id, park_id="", unit_state=target) if not units else None
        for park in sorted({UNIT_NAME.match(u).group(1) for u in units}):  # type: ignore[union-attr]
            principal = authorize(Method.UPDATE_UNIT_STATUS, exercise_id=exercise_id, park_id=park, unit_state=target)
        assert principal is not None

        async def work() -> gpb.UpdateUnitStatusResponse:
            moves = await self._mover.move(
                units, request.state, request_id=request.request_id, exercise_id=exercise_id, reason=request.reason, actor=principal.subject, incident=request.incident
            )
            return gpb.UpdateUnitStatusResponse(moves=moves, moved=sum(1 for m in moves if m.moved))

        return await self._activity.once("UpdateUnitStatus", request, request.request_id, gpb.UpdateUnitStatusResponse, work)

    async def scenarios(self, request: gpb.ListScenariosRequest) -> gpb.ListScenariosResponse:
        """A page of drill scenarios."""
        raise_if(page_size_violations(request.page_size, maximum=500))
        principal = authorize(Method.LIST_SCENARIOS)
        return await self._inventory.scenarios(request, show_script=principal.role is Role.DRILL_DIRECTOR)

    async def drills(self, request: gpb.ListDrillsRequest) -> gpb.ListDrillsResponse:
        """A page of drills."""
        violations = page_size_violations(request.page_size, maximum=500)
        violations += [FieldViolation(f"states[{k}]", f"must be one of {', '.join(DRILL_STATES.values())}") for k, s in enumerate(request.states) if s not in DRILL_STATES]
        raise_if(violations)
        principal = authorize(Method.LIST_DRILLS)
        return await self._inventory.drills(request, show_script=principal.role is Role.DRILL_DIRECTOR)

    async def park_inventory(self, request: gpb.GetParkInventoryRequest) -> gpb.GetParkInventoryResponse:
        """A park's depots, units and stock."""
        prefix, _, park = request.park.partition("/")
        violations = exercise_violations(request.exercise_id)
        if prefix != "parks" or not re.match(r"^[a-z0-9][a-z0-9-]{0,62}$", park):
            violations.append(FieldViolation("park", "must be parks/{park}"))
        raise_if(violations)
        authorize(Method.GET_PARK_INVENTORY, exercise_id=request.exercise_id, park_id=park)
        return await self._inventory.park(park, request.exercise_id)

    async def adjust_stock(self, request: gpb.AdjustStockRequest) -> gpb.AdjustStockResponse:
        """A receipt, correction or loss with its ledger reason."""
        raise_if(stock_violations(request))
        park = STOCK_NAME.match(request.stock).group(1)  # type: ignore[union-attr]
        authorize(Method.ADJUST_STOCK, park_id=park)
        return await self._activity.once("AdjustStock", request, request.request_id, gpb.AdjustStockResponse, lambda: self._inventory.adjust(request))
