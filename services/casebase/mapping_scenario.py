"""Scenario messages <-> domain scenarios, and domain problem paths -> message field paths.

The message carries less than the domain model, so two conventions bridge them:
- a target has no id of its own: it is known by its position, "injects[i].targets[j]";
- a rubric criterion is either a criterion of the shared rubric (`services/common/rubric.py`; it scores every target whose
  metric is in its family) or a target position (it scores that one target).
A stored scenario whose rubric groups targets otherwise is shown with one criterion per target, each
weighted by its share of its group, so the score it yields is the same.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.common.v1 import common_pb2

from services.casebase.mapping_case import KIND_PREFIX, LEVEL_TO_SEVERITY, join_path, kind_label, severity_label, split_path, substance_raw
from services.casebase.metrics import METRICS
from services.casebase.models import (
    Comparator,
    DetectorAlarmsInject,
    EscalationInject,
    IncidentInject,
    RoadDisruptionInject,
    Scenario,
    StockLossInject,
    Target,
    UnitBreakdownInject,
)
from services.casebase.store import scenario_of
from services.casebase.tables import ScenarioRow
from services.casebase.validation import Problem
from services.common.clock import to_timestamp
from services.common.names import DETECTOR, ID, STOCK, TYPE_CODE, NamePattern
from services.common.rubric import CRITERIA

INJECT_TYPES = {
    pb.Inject.KIND_NEW_INCIDENT: "INCIDENT",
    pb.Inject.KIND_ESCALATION: "ESCALATION",
    pb.Inject.KIND_UNIT_BREAKDOWN: "UNIT_BREAKDOWN",
    pb.Inject.KIND_STOCK_LOSS: "STOCK_LOSS",
    pb.Inject.KIND_ROAD_RESTRICTION: "ROAD_DISRUPTION",
    pb.Inject.KIND_DETECTOR_ALARMS: "DETECTOR_ALARMS",
}
INJECT_KINDS = {v: k for k, v in INJECT_TYPES.items()}
# Inject fields each kind uses besides id, offset_s, kind and targets; any other field set is refused.
USED_FIELDS = {
    "INCIDENT": frozenset({"incident"}),
    "ESCALATION": frozenset({"target_inject_id", "new_severity"}),
    "UNIT_BREAKDOWN": frozenset({"unit", "park_id", "resource_type", "target_inject_id"}),
    "STOCK_LOSS": frozenset({"stock", "amount"}),
    "ROAD_DISRUPTION": frozenset({"road_center", "road_radius_m", "road_delay_s", "road_closed"}),
    "DETECTOR_ALARMS": frozenset({"detectors", "wind_to_deg", "wind_mps", "readings"}),
}
OPTIONAL_FIELDS = tuple(sorted(frozenset().union(*USED_FIELDS.values())))
MODES = {pb.Scenario.MODE_SCRIPTED: "SCRIPTED", pb.Scenario.MODE_UNANNOUNCED: "UNANNOUNCED"}
COMPARATORS = {pb.Target.COMPARATOR_AT_MOST: "<=", pb.Target.COMPARATOR_AT_LEAST: ">="}
TARGET_REF = re.compile(r"^injects\[(\d+)\]\.targets\[(\d+)\]$")
ANY_DEPOT = "-"
# A stock loss names one depot's stock, or '-' for any depot of the park.
STOCK_NAME = NamePattern(STOCK.template, {"depot": f"{ID}|{ANY_DEPOT}", "type": TYPE_CODE})
# The park of a unit's name, read even when the unit id is malformed (the domain check names that).
UNIT_PARK = re.compile(f"^parks/({ID})/units/")


@dataclass(frozen=True)
class SharedDepot:
    """The rescue base every park may draw on, as the resources service names it."""

    park_id: str
    depot_id: str


def target_id(inject_index: int, target_index: int) -> str:
    """The id a target gets from its position."""
    return f"injects[{inject_index}].targets[{target_index}]"


# --- message -> domain ----------------------------------------------------------------------


def scenario_raw(message: pb.Scenario, scenario_id: str, depot: SharedDepot) -> tuple[dict[str, Any], list[Problem]]:
    """The domain record of a scenario message, and the problems found converting it (at message paths)."""
    problems: list[Problem] = []
    injects = [_inject_raw(i, inject, depot, problems) for i, inject in enumerate(message.injects)]
    raw: dict[str, Any] = {
        "id": scenario_id,
        "title": message.title,
        "title_zh": message.title_zh or None,
        "objectives": list(message.objectives),
        "parks": list(message.park_ids),
        "injects": injects,
        "rubric": _rubric_raw(message, problems),
    }
    if message.mode in MODES:
        raw["mode"] = MODES[message.mode]
    else:
        problems.append(Problem("mode", "REQUIRED", "MODE_SCRIPTED or MODE_UNANNOUNCED"))
    return raw, problems


def _set_fields(inject: pb.Inject) -> list[str]:
    """Optional inject fields that carry a value."""
    found = []
    for name in OPTIONAL_FIELDS:
        field = inject.DESCRIPTOR.fields_by_name[name]
        if inject.HasField(name) if field.message_type is not None else bool(getattr(inject, name)):
            found.append(name)
    return found


def _inject_raw(i: int, inject: pb.Inject, depot: SharedDepot, problems: list[Problem]) -> dict[str, Any]:
    """One inject as the domain reads it."""
    raw: dict[str, Any] = {"id": inject.id, "offset_s": inject.offset_s, "targets": [_target_raw(i, j, t) for j, t in enumerate(inject.targets)]}
    kind = INJECT_TYPES.get(inject.kind)
    if kind is None:
        problems.append(
            Problem(
                f"injects[{i}].kind",
                "REQUIRED",
                "one of KIND_NEW_INCIDENT, KIND_ESCALATION, KIND_UNIT_BREAKDOWN, KIND_STOCK_LOSS, KIND_ROAD_RESTRICTION, KIND_DETECTOR_ALARMS",
            )
        )
        return raw
    raw["type"] = kind
    for name in _set_fields(inject):
        if name not in USED_FIELDS[kind]:
            problems.append(Problem(f"injects[{i}].{name}", "NOT_USED", f"not used by {pb.Inject.Kind.Name(inject.kind)} injects"))
    if kind == "INCIDENT":
        if not inject.HasField("incident"):
            problems.append(Problem(f"injects[{i}].incident", "REQUIRED", "a new incident inject carries the incident"))
        raw.update(_incident_raw(inject.incident))
    elif kind == "ESCALATION":
        raw.update(incident=inject.target_inject_id or None, severity=severity_label(inject.new_severity))
    elif kind == "UNIT_BREAKDOWN":
        named = UNIT_PARK.match(inject.unit)
        park = inject.park_id or (named.group(1) if named else None)
        raw.update(park=park, resource_type=inject.resource_type or None, unit=inject.unit or None, incident=inject.target_inject_id or None)
    elif kind == "STOCK_LOSS":
        raw.update(_stock_raw(i, inject, depot, problems))
    elif kind == "DETECTOR_ALARMS":
        park, _, prefix = inject.detectors.removeprefix("parks/").partition("/detectors/")
        raw.update(
            park=park or None, detectors=prefix or None, wind_to_deg=inject.wind_to_deg, wind_mps=inject.wind_mps or None, readings=inject.readings or None
        )
    else:
        raw.update(_road_raw(inject))
    return {k: v for k, v in raw.items() if v is not None}


def _incident_raw(spec: pb.IncidentSpec) -> dict[str, Any]:
    """The incident of a new-incident inject."""
    point = spec.location.point if spec.location.HasField("point") else None
    substance = substance_raw(spec.substance) if any((spec.substance.name, spec.substance.un_number, spec.substance.hazard_class)) else None
    demands = [
        {
            "resource_type": d.resource_type,
            "quantity": d.quantity,
            "needed_within_minutes": d.needed_within_minutes,
            "required_capabilities": list(d.required_capabilities),
        }
        for d in spec.demands
    ]
    return {
        "park": spec.park_id,
        "lat": point.latitude if point else None,
        "lon": point.longitude if point else None,
        "place": spec.location.description,
        "kind": kind_label(spec.kind),
        "substance": substance,
        "severity": severity_label(spec.severity),
        "description": spec.description,
        "title": spec.title or None,
        "demands": demands,
    }


def _stock_raw(i: int, inject: pb.Inject, depot: SharedDepot, problems: list[Problem]) -> dict[str, Any]:
    """Holder, depot and type of a stock loss from the stock's name."""
    raw: dict[str, Any] = {"quantity": inject.amount}
    ids = STOCK_NAME.match(inject.stock)
    if ids is None:
        problems.append(
            Problem(f"injects[{i}].stock", "MALFORMED", "a stock is named parks/{park}/depots/{depot}/stocks/{resource_type} ('-' for any depot of the park)")
        )
        return raw
    park, depot_id, resource_type = ids
    raw["resource_type"] = resource_type
    if depot_id == depot.depot_id:
        raw["holder"] = depot_id
        if park != depot.park_id:
            problems.append(Problem(f"injects[{i}].stock", "WRONG_PARK", f"depot {depot_id!r} is in park {depot.park_id!r}"))
    else:
        raw["holder"] = park
        raw["depot"] = None if depot_id == ANY_DEPOT else depot_id
    return raw


def _road_raw(inject: pb.Inject) -> dict[str, Any]:
    """Area, mode and delay of a road restriction."""
    area: dict[str, Any] = {"radius_km": inject.road_radius_m / 1000.0}
    if inject.HasField("road_center"):
        area.update(lat=inject.road_center.latitude, lon=inject.road_center.longitude)
    return {"mode": "CLOSED" if inject.road_closed else "SLOWED", "area": area, "delay_min": inject.road_delay_s / 60.0 if inject.road_delay_s else None}


def _target_raw(i: int, j: int, target: pb.Target) -> dict[str, Any]:
    """A target, identified by its position."""
    raw = {
        "id": target_id(i, j),
        "metric": target.metric,
        "comparator": COMPARATORS.get(target.comparator),
        "threshold": target.threshold,
        "resource_type": target.resource_type or None,
        "description": target.description or None,
    }
    return {k: v for k, v in raw.items() if v is not None}


def _rubric_raw(message: pb.Scenario, problems: list[Problem]) -> list[dict[str, Any]]:
    """Rubric items, each scoring the targets its criterion names."""
    metrics = {target_id(i, j): t.metric for i, inject in enumerate(message.injects) for j, t in enumerate(inject.targets)}
    items = []
    for k, item in enumerate(message.rubric):
        criterion = item.criterion.strip()
        targets: list[str] = []
        if criterion in CRITERIA:
            targets = [tid for tid, metric in metrics.items() if metric in CRITERIA[criterion]]
            if not targets:
                family = ", ".join(sorted(CRITERIA[criterion]))
                problems.append(Problem(f"rubric[{k}].criterion", "NO_TARGETS", f"no target of this scenario is measured by {criterion} ({family})"))
        elif TARGET_REF.match(criterion):
            if criterion in metrics:
                targets = [criterion]
            else:
                problems.append(Problem(f"rubric[{k}].criterion", "UNKNOWN_TARGET", f"the scenario has no target {criterion}"))
        else:
            names = ", ".join(CRITERIA)
            problems.append(Problem(f"rubric[{k}].criterion", "UNKNOWN_CRITERION", f"use one of {names}, or a target such as injects[0].targets[1]"))
        # A criterion already reported as scoring nothing still names a (missing) target, so the rest of the
        # scenario is checked in the same pass instead of stopping at the shape of this item.
        targets = targets or [f"{criterion or 'criterion'}-without-targets"]
        items.append({"id": criterion or f"rubric-{k}", "description": item.description, "weight": item.weight, "targets": targets})
    return items


# --- domain problem paths -> message paths ---------------------------------------------------

_INCIDENT_FIELDS = {
    "park": ["incident", "park_id"],
    "lat": ["incident", "location", "point", "latitude"],
    "lon": ["incident", "location", "point", "longitude"],
    "place": ["incident", "location", "description"],
    "kind": ["incident", "kind"],
    "substance": ["incident", "substance"],
    "severity": ["incident", "severity"],
    "description": ["incident", "description"],
    "title": ["incident", "title"],
    "demands": ["incident", "demands"],
}
_OTHER_FIELDS: dict[str, dict[str, list[str]]] = {
    "ESCALATION": {"incident": ["target_inject_id"], "severity": ["new_severity"]},
    "UNIT_BREAKDOWN": {"park": ["park_id"], "resource_type": ["resource_type"], "unit": ["unit"], "incident": ["target_inject_id"]},
    "STOCK_LOSS": {"holder": ["stock"], "depot": ["stock"], "resource_type": ["stock"], "quantity": ["amount"]},
    "ROAD_DISRUPTION": {"mode": ["road_closed"], "area": ["road_center"], "delay_min": ["road_delay_s"]},
}


def scenario_field(path: str, raw: dict[str, Any]) -> str:
    """The message field path of a problem found at a domain path of a scenario."""
    parts = split_path(path)
    if not parts:
        return ""
    head = parts[0]
    if head == "parks":
        return join_path(["park_ids", *parts[1:]])
    if head == "rubric" and len(parts) > 2:
        return join_path(["rubric", parts[1], "weight" if parts[2] == "weight" else "description" if parts[2] == "description" else "criterion"])
    if head == "injects" and len(parts) > 2 and isinstance(parts[1], int):
        return join_path(["injects", parts[1], *_inject_field(parts[2:], raw, parts[1])])
    if head in ("title", "title_zh", "objectives", "mode", "injects", "rubric"):
        return path
    return ""


def _inject_field(rest: list[str | int], raw: dict[str, Any], index: int) -> list[str | int]:
    """The message path inside one inject."""
    name = rest[0]
    if name in ("id", "offset_s"):
        return [name]
    if name == "type":
        return ["kind"]
    if name == "targets":
        keep = rest[:3] if len(rest) > 2 and rest[2] in ("metric", "comparator", "threshold", "resource_type", "description") else rest[:2]
        return list(keep)
    injects = raw.get("injects", [])
    kind = injects[index].get("type") if index < len(injects) else None
    if kind == "INCIDENT" and isinstance(name, str) and name in _INCIDENT_FIELDS:
        return [*_INCIDENT_FIELDS[name], *rest[1:]]
    if kind == "ROAD_DISRUPTION" and name == "area" and rest[1:2] == ["radius_km"]:
        return ["road_radius_m"]
    mapped = _OTHER_FIELDS.get(str(kind), {}).get(str(name))
    return list(mapped) if mapped is not None else []


# --- domain -> message ----------------------------------------------------------------------


def _comparator(target: Target) -> int:
    """AT_MOST or AT_LEAST for a domain comparator (equality reads as the bound the metric is improved towards)."""
    if target.comparator in (Comparator.LE, Comparator.LT):
        return pb.Target.COMPARATOR_AT_MOST
    if target.comparator in (Comparator.GE, Comparator.GT):
        return pb.Target.COMPARATOR_AT_LEAST
    spec = METRICS.get(target.metric)
    lower_better = spec is None or Comparator.LE in spec.comparators
    return pb.Target.COMPARATOR_AT_MOST if lower_better else pb.Target.COMPARATOR_AT_LEAST


def _target_to_proto(target: Target) -> pb.Target:
    """A target message."""
    return pb.Target(
        metric=target.metric,
        resource_type=target.resource_type or "",
        comparator=_comparator(target),  # type: ignore[arg-type]
        threshold=target.threshold,
        description=target.description or "",
    )


def _inject_to_proto(inject: Any, depot: SharedDepot) -> pb.Inject:
    """An inject message."""
    message = pb.Inject(id=inject.id, offset_s=inject.offset_s, kind=INJECT_KINDS[inject.type])
    if isinstance(inject, IncidentInject):
        spec = pb.IncidentSpec(
            title=inject.title or "",
            park_id=inject.park,
            location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=inject.lat, longitude=inject.lon), description=inject.place),
            kind=KIND_PREFIX + inject.kind,
            severity=LEVEL_TO_SEVERITY[inject.severity.value],
            description=inject.description,
            demands=[
                common_pb2.ResourceDemand(
                    resource_type=d.resource_type,
                    quantity=d.quantity,
                    needed_within_minutes=d.needed_within_minutes,
                    required_capabilities=d.required_capabilities,
                )
                for d in inject.demands
            ],
        )
        if inject.substance is not None:
            s = inject.substance
            spec.substance.CopyFrom(common_pb2.Substance(name=s.name, un_number=s.un_number or "", hazard_class=s.hazard_class.value))
        message.incident.CopyFrom(spec)
    elif isinstance(inject, EscalationInject):
        message.target_inject_id = inject.incident
        message.new_severity = LEVEL_TO_SEVERITY[inject.severity.value]
    elif isinstance(inject, UnitBreakdownInject):
        message.park_id = inject.park
        message.resource_type = inject.resource_type or ""
        message.unit = inject.unit or ""
        message.target_inject_id = inject.incident or ""
    elif isinstance(inject, StockLossInject):
        if inject.holder == depot.depot_id:
            message.stock = STOCK.format(depot.park_id, depot.depot_id, inject.resource_type)
        else:
            message.stock = STOCK.format(inject.holder, inject.depot or ANY_DEPOT, inject.resource_type)
        message.amount = inject.quantity
    elif isinstance(inject, DetectorAlarmsInject):
        message.detectors = DETECTOR.format(inject.park, inject.detectors)
        message.wind_to_deg, message.wind_mps, message.readings = inject.wind_to_deg, inject.wind_mps, inject.readings
    elif isinstance(inject, RoadDisruptionInject):
        message.road_center.CopyFrom(common_pb2.GeoPoint(latitude=inject.area.lat, longitude=inject.area.lon))
        message.road_radius_m = inject.area.radius_km * 1000.0
        message.road_delay_s = (inject.delay_min or 0.0) * 60.0
        message.road_closed = inject.mode == "CLOSED"
    return message


def scenario_to_proto(scenario: Scenario, depot: SharedDepot, created_at: dt.datetime | None = None) -> pb.Scenario:
    """The message view of a scenario; scenario-wide targets are listed with the first inject."""
    injects = [_inject_to_proto(inject, depot) for inject in scenario.injects]
    position: dict[str, str] = {}
    metric: dict[str, str] = {}
    for i, inject in enumerate(scenario.injects):
        targets = [*inject.targets, *(scenario.targets if i == 0 else [])]
        for j, target in enumerate(targets):
            injects[i].targets.append(_target_to_proto(target))
            position[target.id] = target_id(i, j)
            metric[target.id] = target.metric
    rubric = []
    for item in scenario.rubric:
        family = {tid for tid, m in metric.items() if m in CRITERIA.get(item.id, ())}
        if item.id in CRITERIA and family == set(item.targets):
            rubric.append(pb.RubricItem(criterion=item.id, weight=item.weight, description=item.description))
            continue
        share = item.weight / len(item.targets)
        rubric += [pb.RubricItem(criterion=position[t], weight=share, description=item.description) for t in item.targets if t in position]
    message = pb.Scenario(
        name=scenario.name,
        title=scenario.title,
        title_zh=scenario.title_zh or "",
        objectives=scenario.objectives,
        mode=f"MODE_{scenario.mode.value}",
        park_ids=scenario.parks,
        injects=injects,
        rubric=rubric,
    )
    if created_at is not None:
        message.create_time.CopyFrom(to_timestamp(created_at))
    return message


def scenario_message(row: ScenarioRow, depot: SharedDepot) -> pb.Scenario:
    """A stored scenario as a message."""
    return scenario_to_proto(scenario_of(row), depot, row.created_at)
