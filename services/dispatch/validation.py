"""Input checks: field violations for bad requests and a typed refusal for oversize ones."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from services.common.catalogue import ResourceKind
from services.common.errors import FieldViolation
from services.dispatch.catalogue import CAPABILITIES, kind_of
from services.dispatch.model import DispatchRequest, GeoPoint, Options, SecondsRows

MAX_TIME_LIMIT_S = 60.0
MAX_WORKERS = 16


@dataclass(frozen=True)
class Limits:
    """Size limits a request must stay within."""

    max_incidents: int = 200
    max_units: int = 20_000
    max_stocks: int = 5_000
    max_demands_per_incident: int = 50
    max_road_conditions: int = 200
    max_plan_entries: int = 50_000


class RequestTooLargeError(Exception):
    """A request over a configured size limit; `limit` names the limit."""

    def __init__(self, limit: str, maximum: int, actual: int) -> None:
        super().__init__(f"{limit} is {maximum}, request has {actual}")
        self.limit = limit
        self.maximum = maximum
        self.actual = actual


class InvalidRequestError(Exception):
    """A request with field violations."""

    def __init__(self, violations: list[FieldViolation]) -> None:
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in violations))
        self.violations = violations


DEFAULT_LIMITS = Limits()


def check_counts(
    *, incidents: int, units: int, stocks: int, demands_per_incident: Iterable[int], road_conditions: int, limits: Limits = DEFAULT_LIMITS
) -> None:
    """Raise RequestTooLargeError naming the first limit the counts exceed (cheap: run it before mapping)."""
    for name, maximum, actual in (
        ("max_incidents", limits.max_incidents, incidents),
        ("max_units", limits.max_units, units),
        ("max_stocks", limits.max_stocks, stocks),
        ("max_road_conditions", limits.max_road_conditions, road_conditions),
    ):
        if actual > maximum:
            raise RequestTooLargeError(name, maximum, actual)
    for count in demands_per_incident:
        if count > limits.max_demands_per_incident:
            raise RequestTooLargeError("max_demands_per_incident", limits.max_demands_per_incident, count)


def check_plan_size(entries: int, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise RequestTooLargeError when a plan to evaluate has too many assignments and shipments."""
    if entries > limits.max_plan_entries:
        raise RequestTooLargeError("max_plan_entries", limits.max_plan_entries, entries)


def check_size(request: DispatchRequest, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise RequestTooLargeError naming the first limit the request exceeds."""
    check_counts(
        incidents=len(request.incidents),
        units=len(request.units),
        stocks=len(request.stocks),
        demands_per_incident=(len(i.demands) for i in request.incidents),
        road_conditions=len(request.travel_model.conditions),
        limits=limits,
    )


def _finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _point(path: str, point: GeoPoint) -> list[FieldViolation]:
    out = []
    if not _finite(point.lat) or not -90.0 <= point.lat <= 90.0:
        out.append(FieldViolation(f"{path}.lat", "latitude must be a finite number in [-90, 90]"))
    if not _finite(point.lon) or not -180.0 <= point.lon <= 180.0:
        out.append(FieldViolation(f"{path}.lon", "longitude must be a finite number in [-180, 180]"))
    return out


def _duplicates(path: str, ids: Iterable[str], what: str) -> list[FieldViolation]:
    seen: set[str] = set()
    out = []
    for n, ident in enumerate(ids):
        if not ident:
            out.append(FieldViolation(f"{path}[{n}].id", f"{what} id must not be empty"))
        elif ident in seen:
            out.append(FieldViolation(f"{path}[{n}].id", f"duplicate {what} id {ident!r}"))
        seen.add(ident)
    return out


def _park(path: str, park: str | None, parks: set[str]) -> list[FieldViolation]:
    if park is not None and park not in parks:
        return [FieldViolation(path, f"unknown park {park!r}")]
    return []


def _capabilities(path: str, tags: Iterable[str]) -> list[FieldViolation]:
    return [FieldViolation(f"{path}[{n}]", f"unknown capability {tag!r}") for n, tag in enumerate(tags) if tag not in CAPABILITIES]


def _incidents(request: DispatchRequest, parks: set[str]) -> list[FieldViolation]:
    out = _duplicates("incidents", (i.id for i in request.incidents), "incident")
    for n, inc in enumerate(request.incidents):
        path = f"incidents[{n}]"
        out += _point(f"{path}.location", inc.location)
        out += _park(f"{path}.park_id", inc.park_id, parks)
        if not _finite(inc.severity_weight) or inc.severity_weight <= 0:
            out.append(FieldViolation(f"{path}.severity_weight", "must be a finite number > 0"))
        if not _finite(inc.reported_at_s):
            out.append(FieldViolation(f"{path}.reported_at_s", "must be finite"))
        if not inc.demands:
            out.append(FieldViolation(f"{path}.demands", "an incident needs at least one demand"))
        for k, dem in enumerate(inc.demands):
            dpath = f"{path}.demands[{k}]"
            kind = kind_of(dem.resource_type)
            if kind is None:
                out.append(FieldViolation(f"{dpath}.resource_type", f"unknown resource type {dem.resource_type!r}"))
            if not _finite(dem.quantity) or dem.quantity <= 0:
                out.append(FieldViolation(f"{dpath}.quantity", "must be a finite number > 0"))
            elif kind is ResourceKind.UNIT and dem.quantity != int(dem.quantity):
                out.append(FieldViolation(f"{dpath}.quantity", "a unit demand is a whole count"))
            out += _capabilities(f"{dpath}.required_capabilities", dem.required_capabilities)
            if dem.required_capabilities and kind is ResourceKind.CONSUMABLE:
                out.append(FieldViolation(f"{dpath}.required_capabilities", "capabilities apply to unit demands only"))
            if dem.needed_within_min is not None and (not _finite(dem.needed_within_min) or dem.needed_within_min <= 0):
                out.append(FieldViolation(f"{dpath}.needed_within_min", "must be a finite number > 0"))
    return out


def _units(request: DispatchRequest, parks: set[str]) -> list[FieldViolation]:
    out = _duplicates("units", (u.id for u in request.units), "unit")
    speeds = request.travel_model.speeds_kmh
    check_class = request.travel_matrices is None
    for n, unit in enumerate(request.units):
        path = f"units[{n}]"
        if kind_of(unit.resource_type) is not ResourceKind.UNIT:
            out.append(FieldViolation(f"{path}.resource_type", f"unknown unit type {unit.resource_type!r}"))
        out += _capabilities(f"{path}.capabilities", unit.capabilities)
        out += _point(f"{path}.position", unit.position)
        out += _park(f"{path}.home_park", unit.home_park, parks)
        if check_class and unit.vehicle_class not in speeds:
            out.append(FieldViolation(f"{path}.vehicle_class", f"unknown vehicle class {unit.vehicle_class!r}"))
    return out


def _stocks(request: DispatchRequest, parks: set[str]) -> list[FieldViolation]:
    out = []
    seen: set[tuple[str, str]] = set()
    for n, stock in enumerate(request.stocks):
        path = f"stocks[{n}]"
        if not stock.depot_id:
            out.append(FieldViolation(f"{path}.depot_id", "depot id must not be empty"))
        if (stock.depot_id, stock.resource_type) in seen:
            out.append(FieldViolation(path, f"duplicate stock {stock.depot_id!r}/{stock.resource_type}"))
        seen.add((stock.depot_id, stock.resource_type))
        if kind_of(stock.resource_type) is not ResourceKind.CONSUMABLE:
            out.append(FieldViolation(f"{path}.resource_type", f"unknown consumable type {stock.resource_type!r}"))
        if not _finite(stock.amount) or stock.amount < 0:
            out.append(FieldViolation(f"{path}.amount", "must be a finite number >= 0"))
        out += _point(f"{path}.position", stock.position)
        out += _park(f"{path}.park_id", stock.park_id, parks)
    return out


def _policies(request: DispatchRequest, parks: set[str]) -> list[FieldViolation]:
    out = []
    seen: set[tuple[str, str]] = set()
    for n, res in enumerate(request.policies.reserves):
        path = f"policies.reserves[{n}]"
        out += _park(f"{path}.park_id", res.park_id, parks)
        if kind_of(res.resource_type) is None:
            out.append(FieldViolation(f"{path}.resource_type", f"unknown resource type {res.resource_type!r}"))
        if not _finite(res.minimum) or res.minimum < 0:
            out.append(FieldViolation(f"{path}.minimum", "must be a finite number >= 0"))
        if (res.park_id, res.resource_type) in seen:
            out.append(FieldViolation(path, f"duplicate reserve {res.park_id!r}/{res.resource_type}"))
        seen.add((res.park_id, res.resource_type))
    for n, agr in enumerate(request.policies.agreements):
        path = f"policies.agreements[{n}]"
        out += _park(f"{path}.lender_park", agr.lender_park, parks)
        out += _park(f"{path}.borrower_park", agr.borrower_park, parks)
        if agr.lender_park == agr.borrower_park:
            out.append(FieldViolation(path, "lender and borrower must differ"))
        for k, rtype in enumerate(agr.resource_types):
            if kind_of(rtype) is None:
                out.append(FieldViolation(f"{path}.resource_types[{k}]", f"unknown resource type {rtype!r}"))
        if not _finite(agr.max_travel_min) or agr.max_travel_min <= 0:
            out.append(FieldViolation(f"{path}.max_travel_min", "must be a finite number > 0"))
    return out


def _travel(request: DispatchRequest) -> list[FieldViolation]:
    out = []
    model = request.travel_model
    if not _finite(model.road_factor) or model.road_factor < 1.0:
        out.append(FieldViolation("travel_model.road_factor", "must be a finite number >= 1"))
    for name, speed in model.speeds_kmh.items():
        if not _finite(speed) or speed <= 0:
            out.append(FieldViolation(f"travel_model.speeds_kmh[{name}]", "must be a finite number > 0"))
    if request.stocks and request.travel_matrices is None and model.depot_vehicle_class not in model.speeds_kmh:
        out.append(FieldViolation("travel_model.depot_vehicle_class", "unknown vehicle class"))
    for n, cond in enumerate(model.conditions):
        path = f"travel_model.conditions[{n}]"
        out += _point(f"{path}.center", cond.center)
        if not _finite(cond.radius_m) or cond.radius_m <= 0:
            out.append(FieldViolation(f"{path}.radius_m", "must be a finite number > 0"))
        if not _finite(cond.delay_s) or cond.delay_s < 0:
            out.append(FieldViolation(f"{path}.delay_s", "must be a finite number >= 0"))
        if not _finite(cond.speed_factor) or not 0 < cond.speed_factor <= 1:
            out.append(FieldViolation(f"{path}.speed_factor", "must be in (0, 1]"))
    return out + _matrices(request)


def _shared(request: DispatchRequest) -> list[FieldViolation]:
    known = {s.depot_id for s in request.stocks} | {u.home_depot for u in request.units if u.home_depot}
    out = []
    for n, depot in enumerate(request.shared_depots):
        if depot not in known:
            out.append(FieldViolation(f"shared_depots[{n}]", f"no stock or unit belongs to depot {depot!r}"))
    return out


def _matrices(request: DispatchRequest) -> list[FieldViolation]:
    out: list[FieldViolation] = []
    m = request.travel_matrices
    if m is None:
        return out
    out += _matrix("travel_matrices.unit", m.unit_ids, m.unit_seconds, [u.id for u in request.units], len(m.incident_ids))
    depots = list(dict.fromkeys(s.depot_id for s in request.stocks))
    out += _matrix("travel_matrices.depot", m.depot_ids, m.depot_seconds, depots, len(m.incident_ids))
    missing = [i.id for i in request.incidents if i.id not in set(m.incident_ids)]
    if missing:
        out.append(FieldViolation("travel_matrices.incident_ids", f"missing incidents {missing[:5]}"))
    known = {i.id for i in request.incidents}
    for n, iid in enumerate(m.incident_ids):
        if iid not in known:
            out.append(FieldViolation(f"travel_matrices.incident_ids[{n}]", f"unknown incident {iid!r}"))
    return out


def _matrix(prefix: str, ids: tuple[str, ...], rows: SecondsRows, needed: list[str], width: int) -> list[FieldViolation]:
    out = []
    if len(rows) != len(ids):
        out.append(FieldViolation(f"{prefix}_seconds", f"has {len(rows)} rows for {len(ids)} ids"))
    for n, row in enumerate(rows):
        if len(row) != width:
            out.append(FieldViolation(f"{prefix}_seconds[{n}]", f"has {len(row)} columns for {width} incidents"))
            continue
        try:
            values = np.asarray(row, dtype=np.float64)
        except (TypeError, ValueError):
            values = np.array([math.nan])
        if not (np.isfinite(values).all() and (values >= 0).all()):
            out.append(FieldViolation(f"{prefix}_seconds[{n}]", "values must be finite seconds >= 0"))
    present = set(ids)
    missing = [x for x in needed if x not in present]
    if missing:
        out.append(FieldViolation(f"{prefix}_ids", f"missing rows for {missing[:5]}"))
    known = set(needed)
    for n, ident in enumerate(ids):
        if ident not in known:
            out.append(FieldViolation(f"{prefix}_ids[{n}]", f"unknown id {ident!r}"))
    return out


def _options(options: Options) -> list[FieldViolation]:
    out = []
    if not _finite(options.time_limit_s) or not 0 < options.time_limit_s <= MAX_TIME_LIMIT_S:
        out.append(FieldViolation("options.time_limit_s", f"must be in (0, {MAX_TIME_LIMIT_S:g}] seconds"))
    if not isinstance(options.num_workers, int) or not 1 <= options.num_workers <= MAX_WORKERS:
        out.append(FieldViolation("options.num_workers", f"must be an integer in [1, {MAX_WORKERS}]"))
    if not _finite(options.relative_gap) or not 0 <= options.relative_gap < 1:
        out.append(FieldViolation("options.relative_gap", "must be in [0, 1)"))
    if not isinstance(options.random_seed, int) or options.random_seed < 0:
        out.append(FieldViolation("options.random_seed", "must be an integer >= 0"))
    if not _finite(options.move_penalty_s) or options.move_penalty_s < 0:
        out.append(FieldViolation("options.move_penalty_s", "must be a finite number >= 0"))
    if not _finite(options.reserve_dip_penalty_s) or options.reserve_dip_penalty_s < 0:
        out.append(FieldViolation("options.reserve_dip_penalty_s", "must be a finite number >= 0"))
    return out


def validate(request: DispatchRequest) -> list[FieldViolation]:
    """Return every field violation of a request (empty when it is well formed)."""
    parks = set(request.parks)
    out = [FieldViolation(f"parks[{n}]", "duplicate or empty park id") for n, p in enumerate(request.parks) if not p or request.parks.index(p) != n]
    out += _incidents(request, parks)
    out += _units(request, parks)
    out += _stocks(request, parks)
    out += _policies(request, parks)
    out += _travel(request)
    out += _shared(request)
    out += _options(request.options)
    return out
