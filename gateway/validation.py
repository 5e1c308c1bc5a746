"""Field violations of the gateway's requests, checked once per request before anything is called."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway.mapping import DRILL_STATES
from gateway.names import OVERRIDE_UNIT, PROPOSAL, SCENARIO
from gateway.overrides import DEFAULT_AID_MINUTES, Item, items_of
from gateway.unit_status import MOVABLE
from services.common import fields, names
from services.common.catalogue import load_catalogue, unknown_type_message
from services.common.errors import FieldViolation
from services.common.idempotency import request_id_violations
from services.common.pagination import page_size_violations
from services.incident import domain as incident_rules

MAX_REPLANS = 10
# The most incidents one plan may name: a command centre's busiest day, and one batched read of the incident service.
MAX_PLAN_INCIDENTS = 200
MAX_CLOCK_SPEED = 3600.0
MAX_UNITS = 500
MAX_TEXT = 500
MAX_OUTCOME = 4000
MAX_PAGE = 500
MAX_OVERRIDES = 50
MAX_REASON = 500
MAX_AID_MINUTES = 24 * 60.0
EXERCISE_RULE = "must be an exercise id: lowercase letters, digits and hyphens, 3 to 63 characters"
LEDGER_KINDS = (rpb.StockLedgerEntry.KIND_RECEIPT, rpb.StockLedgerEntry.KIND_CORRECTION, rpb.StockLedgerEntry.KIND_LOSS)
SEVERITIES = (common_pb2.SEVERITY_I, common_pb2.SEVERITY_II, common_pb2.SEVERITY_III, common_pb2.SEVERITY_IV)


def allowed_names(values: tuple[int, ...], name: Callable[[int], str]) -> str:
    """The allowed enum names, for error messages."""
    return ", ".join(name(v).removeprefix("STATE_").removeprefix("KIND_").removeprefix("SEVERITY_") for v in values)


# ---- names and texts ---------------------------------------------------------------------------------------------


def is_incident_name(name: str) -> bool:
    """incidents/{incident}."""
    return names.INCIDENT.match(name) is not None


def name_violations(name: str, field: str = "incident") -> list[FieldViolation]:
    """An incident name is incidents/{incident}."""
    return [] if is_incident_name(name) else [FieldViolation(field, "must be incidents/{incident} (the full name, e.g. incidents/inc-4f3a...)")]


def exercise_violations(exercise_id: str, field: str = "exercise_id") -> list[FieldViolation]:
    """An exercise id, when given, is a namespace id."""
    return names.id_violations(field, exercise_id, required=False, pattern=names.LONG_ID_PATTERN, rule=EXERCISE_RULE)


def text_violations(value: str, field: str, *, required: bool, maximum: int = MAX_TEXT) -> list[FieldViolation]:
    """Required text is present; none is longer than the limit (the gateway's wording leaves the length out)."""
    return fields.text_violations(field, value, maximum=maximum, required=required, show_length=False)


def page_violations(page_size: int, exercise_id: str = "") -> list[FieldViolation]:
    """A page size of a list call that is not negative, and a well-formed namespace."""
    return exercise_violations(exercise_id) + page_size_violations(page_size, maximum=MAX_PAGE)


# ---- planning and commits ----------------------------------------------------------------------------------------


def incident_violations(names: list[str], field: str = "incidents") -> list[FieldViolation]:
    """At most MAX_PLAN_INCIDENTS names, each incidents/{incident}, none twice."""
    if len(names) > MAX_PLAN_INCIDENTS:
        return [FieldViolation(field, f"at most {MAX_PLAN_INCIDENTS} incidents in one plan (got {len(names)}); leave it empty for every open incident")]
    found = []
    for index, name in enumerate(names):
        if not is_incident_name(name):
            found.append(FieldViolation(f"{field}[{index}]", "must be incidents/{incident}"))
        elif names.index(name) != index:
            found.append(FieldViolation(f"{field}[{index}]", f"{name} is named twice"))
    return found


def replan_violations(value: int, field: str = "max_replans") -> list[FieldViolation]:
    """0 for the default, else 1 to 10."""
    if value < 0 or value > MAX_REPLANS:
        return [FieldViolation(field, f"must be between 0 (for the default) and {MAX_REPLANS}")]
    return []


def text_size_violations(incident: ipb.Incident, prefix: str) -> list[FieldViolation]:
    """The incident service's length limits on an incident's free texts, checked before anything is forwarded."""
    limits = (
        ("title", incident.title, incident_rules.MAX_TITLE),
        ("description", incident.description, incident_rules.MAX_DESCRIPTION),
        ("reporter", incident.reporter, incident_rules.MAX_REPORTER),
        ("location.description", incident.location.description, incident_rules.MAX_PLACE),
        ("substance.name", incident.substance.name, incident_rules.MAX_TITLE),
    )
    found: list[FieldViolation] = []
    for field, value, maximum in limits:
        found += fields.text_violations(f"{prefix}.{field}", value, required=False, maximum=maximum)
    return found


def demand_type_violations(field: str, demands: Iterable[common_pb2.ResourceDemand]) -> list[FieldViolation]:
    """Each demand line whose type is not in the catalogue, named with the nearest codes."""
    return [
        FieldViolation(f"{field}[{index}].resource_type", message)
        for index, demand in enumerate(demands)
        if (message := unknown_type_message(demand.resource_type)) is not None
    ]


def report_violations(request: gpb.ReportIncidentRequest) -> list[FieldViolation]:
    """A request id, an incident, and a well-formed namespace."""
    found = request_id_violations(request.request_id)
    if not request.HasField("incident"):
        found.append(FieldViolation("incident", "required"))
    return found + exercise_violations(request.incident.exercise_id, "incident.exercise_id")


def set_demands_violations(request: gpb.SetDemandsRequest) -> list[FieldViolation]:
    """A request id, the incident's name and the version the change was based on."""
    found = request_id_violations(request.request_id)
    if not is_incident_name(request.incident):
        found.append(FieldViolation("incident", "must be incidents/{incident}"))
    if request.version <= 0:
        found.append(FieldViolation("version", "required: the version the change was based on (>= 1)"))
    return found


def propose_violations(request: gpb.ProposePlanRequest) -> list[FieldViolation]:
    """The incidents, the namespace and the overrides."""
    return (
        incident_violations(list(request.incidents))
        + exercise_violations(request.exercise_id)
        + override_violations(request.overrides, list(request.incidents))
    )


def commit_violations(request: gpb.CommitPlanRequest) -> list[FieldViolation]:
    """A request id, a re-plan limit and the proposal's name."""
    return request_id_violations(request.request_id) + replan_violations(request.max_replans) + PROPOSAL.violations(request.proposal, "proposal")


def auto_dispatch_violations(request: gpb.AutoDispatchRequest) -> list[FieldViolation]:
    """A request id, a re-plan limit, the incidents and the namespace."""
    found = request_id_violations(request.request_id) + replan_violations(request.max_replans)
    return found + incident_violations(list(request.incidents)) + exercise_violations(request.exercise_id)


def _reason_violations(item: Item) -> list[FieldViolation]:
    """Every override says why, briefly."""
    if not item.reason.strip():
        return [FieldViolation(f"{item.key}.reason", "required: say why (it goes on the incident's timeline)")]
    if len(item.reason) > MAX_REASON:
        return [FieldViolation(f"{item.key}.reason", f"at most {MAX_REASON} characters")]
    return []


def _type_violations(field: str, codes: Iterable[str]) -> list[FieldViolation]:
    """Resource types must be catalogue codes."""
    known = load_catalogue().types
    return [
        FieldViolation(f"{field}[{i}]" if field.endswith("resource_types") else field, f"{code[:64]} is not a resource type of the catalogue")
        for i, code in enumerate(codes)
        if code not in known
    ]


def override_violations(overrides: gpb.PlanOverrides, named: Sequence[str]) -> list[FieldViolation]:
    """Shape checks of the overrides that need no backend: names, reasons, numbers, no unit both pinned and excluded."""
    items = items_of(overrides)
    if len(items) > MAX_OVERRIDES:
        return [FieldViolation("overrides", f"at most {MAX_OVERRIDES} overrides in one plan (got {len(items)})")]
    found: list[FieldViolation] = []
    pinned = Counter(p.unit for p in overrides.pins)
    excluded = {e.unit for e in overrides.exclusions}
    for item in items:
        found += _reason_violations(item)
        m = item.message
        if isinstance(m, (gpb.UnitPin, gpb.UnitExclusion)) and OVERRIDE_UNIT.match(m.unit) is None:
            found.append(FieldViolation(f"{item.key}.unit", "must be parks/{park}/units/{unit}"))
        if isinstance(m, gpb.UnitPin):
            if names.INCIDENT.match(m.incident) is None:
                found.append(FieldViolation(f"{item.key}.incident", "must be incidents/{incident}"))
            elif named and m.incident not in named:
                found.append(FieldViolation(f"{item.key}.incident", f"{m.incident} is not one of the incidents to plan for"))
            if pinned[m.unit] > 1:
                found.append(FieldViolation(f"{item.key}.unit", f"{m.unit} is pinned more than once"))
            if m.unit in excluded:
                found.append(FieldViolation(f"{item.key}.unit", f"{m.unit} is both pinned and excluded"))
        if isinstance(m, gpb.ReserveDip):
            if not names.is_id(m.park_id):
                found.append(FieldViolation(f"{item.key}.park_id", "must be a park id"))
            found += _type_violations(f"{item.key}.resource_type", [m.resource_type])
            if not m.minimum >= 0:
                found.append(FieldViolation(f"{item.key}.minimum", "must be 0 or more"))
        if isinstance(m, gpb.MutualAidGrant):
            for side in ("lender_park_id", "borrower_park_id"):
                if not names.is_id(getattr(m, side)):
                    found.append(FieldViolation(f"{item.key}.{side}", "must be a park id"))
            if m.lender_park_id == m.borrower_park_id:
                found.append(FieldViolation(f"{item.key}.borrower_park_id", "must differ from the lender"))
            found += _type_violations(f"{item.key}.resource_types", m.resource_types)
            if not 0 <= m.max_travel_minutes <= MAX_AID_MINUTES:
                found.append(FieldViolation(f"{item.key}.max_travel_minutes", f"must be between 0 (for {DEFAULT_AID_MINUTES:g}) and {MAX_AID_MINUTES:g}"))
    return found


# ---- incident lifecycle and units --------------------------------------------------------------------------------


def change_violations(request_id: str, incident: str, version: int) -> list[FieldViolation]:
    """What every incident change needs: a request id, the incident's name and a version that is 0 or positive."""
    found = request_id_violations(request_id) + name_violations(incident)
    if version < 0:
        found.append(FieldViolation("version", "must be >= 0 (0 to let the gateway read the current version)"))
    return found


def note_violations(request: gpb.VerifyIncidentRequest | gpb.ContainIncidentRequest) -> list[FieldViolation]:
    """A change, with an optional note."""
    return change_violations(request.request_id, request.incident, request.version) + text_violations(request.note, "note", required=False)


def cancel_violations(request: gpb.CancelIncidentRequest) -> list[FieldViolation]:
    """A change, with its reason."""
    return change_violations(request.request_id, request.incident, request.version) + text_violations(request.reason, "reason", required=True)


def severity_violations(request: gpb.ChangeSeverityRequest) -> list[FieldViolation]:
    """A change, a reason and a level that exists."""
    found = change_violations(request.request_id, request.incident, request.version) + text_violations(request.reason, "reason", required=True)
    if request.severity not in SEVERITIES:
        found.append(FieldViolation("severity", f"must be one of {allowed_names(SEVERITIES, common_pb2.Severity.Name)}"))
    return found


def close_violations(request: gpb.CloseIncidentRequest) -> list[FieldViolation]:
    """A change and what happened in the end."""
    found = change_violations(request.request_id, request.incident, request.version)
    if not request.outcome_summary.strip():
        found.append(FieldViolation("outcome_summary", "required: what happened in the end"))
    elif len(request.outcome_summary) > MAX_OUTCOME:
        found.append(FieldViolation("outcome_summary", f"at most {MAX_OUTCOME} characters"))
    return found


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
        if names.UNIT.match(unit) is None:
            found.append(FieldViolation(f"units[{index}]", "must be parks/{park}/units/{unit}"))
        elif unit in seen:
            found.append(FieldViolation(f"units[{index}]", f"{unit} is named twice"))
        seen.add(unit)
    return found


# ---- parks, stock and drills -------------------------------------------------------------------------------------


def park_inventory_violations(request: gpb.GetParkInventoryRequest) -> list[FieldViolation]:
    """parks/{park}, and a well-formed namespace."""
    return exercise_violations(request.exercise_id) + names.PARK.violations(request.park, "park")


def stock_violations(request: gpb.AdjustStockRequest) -> list[FieldViolation]:
    """A stock name, a ledger kind a caller may book, a signed change that fits the kind, and a reason."""
    found = request_id_violations(request.request_id) + text_violations(request.reason, "reason", required=True)
    if names.STOCK.match(request.stock) is None:
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


def drill_list_violations(request: gpb.ListDrillsRequest) -> list[FieldViolation]:
    """A page size and known states."""
    found = page_size_violations(request.page_size, maximum=MAX_PAGE)
    return found + [
        FieldViolation(f"states[{k}]", f"must be one of {', '.join(DRILL_STATES.values())}") for k, s in enumerate(request.states) if s not in DRILL_STATES
    ]


def start_drill_violations(request: gpb.StartDrillRequest) -> list[FieldViolation]:
    """A request id, a scenario name, a clock speed within bounds and a known mode."""
    found = []
    if not request.request_id or len(request.request_id) > 128:
        found.append(FieldViolation("request_id", "required, at most 128 characters"))
    found += SCENARIO.violations(request.scenario, "scenario")
    if request.clock_speed < 0 or request.clock_speed > MAX_CLOCK_SPEED:
        found.append(FieldViolation("clock_speed", f"must be between 0 (for 1) and {MAX_CLOCK_SPEED:g}"))
    if request.mode not in cpb.Scenario.Mode.values():
        found.append(FieldViolation("mode", f"unknown mode {request.mode}"))
    return found


def import_violations(request: gpb.ImportParkInventoryRequest) -> list[FieldViolation]:
    """The inventory's request id and its park."""
    inventory = request.inventory
    return request_id_violations(inventory.request_id, "inventory.request_id") + names.PARK.violations(inventory.parent, "inventory.parent")
