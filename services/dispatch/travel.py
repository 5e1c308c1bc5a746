"""Travel seconds from units and depots to incidents: built-in model or explicit matrices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.common.geo import great_circle_m, local_xy_m
from services.dispatch.model import DispatchRequest, GeoPoint, RoadCondition, TravelModel

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TravelTable:
    """Whole travel seconds, rows in request order of units / distinct depots, columns per incident."""

    unit_s: IntArray
    depot_ids: tuple[str, ...]
    depot_s: IntArray

    def depot_row(self, depot_id: str) -> int:
        """Row index of a depot."""
        return self.depot_ids.index(depot_id)


def _local_xy(lat: FloatArray, lon: FloatArray, center: GeoPoint) -> tuple[FloatArray, FloatArray]:
    """Metres east and north of a condition's centre."""
    return local_xy_m(lat, lon, center.lat, center.lon)


def chord_inside_m(olat: FloatArray, olon: FloatArray, dlat: FloatArray, dlon: FloatArray, cond: RoadCondition) -> FloatArray:
    """Length of the straight route that lies inside the condition's circle (broadcasting)."""
    ax, ay = _local_xy(olat, olon, cond.center)
    bx, by = _local_xy(dlat, dlon, cond.center)
    dx, dy = bx - ax, by - ay
    qa = dx * dx + dy * dy
    qb = 2 * (ax * dx + ay * dy)
    qc = ax * ax + ay * ay - cond.radius_m**2
    disc = qb * qb - 4 * qa * qc
    safe_qa = np.where(qa > 0, qa, 1.0)
    root = np.sqrt(np.clip(disc, 0.0, None))
    t1 = np.clip((-qb - root) / (2 * safe_qa), 0.0, 1.0)
    t2 = np.clip((-qb + root) / (2 * safe_qa), 0.0, 1.0)
    length = (t2 - t1) * np.sqrt(qa)
    degenerate_inside = (qa == 0) & (qc <= 0)
    length = np.where((disc > 0) & (qa > 0), length, 0.0)
    return np.where(degenerate_inside, 0.0, length)


def touches(olat: FloatArray, olon: FloatArray, dlat: FloatArray, dlon: FloatArray, cond: RoadCondition) -> npt.NDArray[np.bool_]:
    """True where the route enters the circle or starts/ends inside it."""
    inside = chord_inside_m(olat, olon, dlat, dlon, cond) > 0
    ox, oy = _local_xy(olat, olon, cond.center)
    ex, ey = _local_xy(dlat, dlon, cond.center)
    r2 = cond.radius_m**2
    ends_inside = (ox * ox + oy * oy <= r2) | (ex * ex + ey * ey <= r2)
    return np.asarray(inside | ends_inside)


def detour_extra_m(olat: FloatArray, olon: FloatArray, dlat: FloatArray, dlon: FloatArray, cond: RoadCondition) -> FloatArray:
    """Extra metres of going round a closed circle instead of through it (broadcasting).

    Only routes that cross the circle with both ends outside it detour; the shortest way round
    is tangent, arc, tangent.
    """
    r = cond.radius_m
    ax, ay = _local_xy(olat, olon, cond.center)
    bx, by = _local_xy(dlat, dlon, cond.center)
    ra = np.maximum(np.hypot(ax, ay), r)
    rb = np.maximum(np.hypot(bx, by), r)
    theta = np.arccos(np.clip((ax * bx + ay * by) / (ra * rb), -1.0, 1.0))
    arc = r * np.clip(theta - np.arccos(r / ra) - np.arccos(r / rb), 0.0, None)
    around = np.sqrt(ra * ra - r * r) + np.sqrt(rb * rb - r * r) + arc
    straight = np.hypot(bx - ax, by - ay)
    crossing = (chord_inside_m(olat, olon, dlat, dlon, cond) > 0) & (np.hypot(ax, ay) > r) & (np.hypot(bx, by) > r)
    return np.asarray(np.where(crossing, np.maximum(around - straight, 0.0), 0.0))


def model_seconds(origins: list[GeoPoint], speeds_mps: FloatArray, targets: list[GeoPoint], model: TravelModel) -> IntArray:
    """Travel seconds (rounded up) from each origin at its speed to each target."""
    if not origins or not targets:
        return np.zeros((len(origins), len(targets)), dtype=np.int64)
    olat = np.array([o.lat for o in origins])[:, None]
    olon = np.array([o.lon for o in origins])[:, None]
    tlat = np.array([t.lat for t in targets])[None, :]
    tlon = np.array([t.lon for t in targets])[None, :]
    speed = speeds_mps[:, None]
    seconds = great_circle_m(olat, olon, tlat, tlon) * model.road_factor / speed
    for cond in model.conditions:
        hit = touches(olat, olon, tlat, tlon, cond)
        if cond.closed:
            extra = cond.delay_s + detour_extra_m(olat, olon, tlat, tlon, cond) * model.road_factor / speed
        else:
            slow = chord_inside_m(olat, olon, tlat, tlon, cond) * model.road_factor / speed
            extra = cond.delay_s + slow * (1.0 / cond.speed_factor - 1.0)
        seconds = seconds + np.where(hit, extra, 0.0)
    return np.ceil(seconds - 1e-9).astype(np.int64)


def _depots(request: DispatchRequest) -> dict[str, GeoPoint]:
    """Distinct depots in stock order with the position of their first stock line."""
    depots: dict[str, GeoPoint] = {}
    for stock in request.stocks:
        depots.setdefault(stock.depot_id, stock.position)
    return depots


def _from_model(request: DispatchRequest) -> TravelTable:
    """Build the table with the built-in model, one computation per distinct origin."""
    model = request.travel_model
    targets = [i.location for i in request.incidents]
    keys: dict[tuple[float, float, str], int] = {}
    origins: list[GeoPoint] = []
    speeds: list[float] = []
    rows = np.empty(len(request.units), dtype=np.int64)
    for n, unit in enumerate(request.units):
        key = (unit.position.lat, unit.position.lon, unit.vehicle_class)
        if key not in keys:
            keys[key] = len(origins)
            origins.append(unit.position)
            speeds.append(model.speeds_kmh[unit.vehicle_class] / 3.6)
        rows[n] = keys[key]
    distinct = model_seconds(origins, np.array(speeds, dtype=np.float64), targets, model)
    unit_s = distinct[rows] if len(rows) else np.zeros((0, len(targets)), dtype=np.int64)
    depots = _depots(request)
    depot_speed = np.full(len(depots), model.speeds_kmh[model.depot_vehicle_class] / 3.6)
    depot_s = model_seconds(list(depots.values()), depot_speed, targets, model)
    return TravelTable(unit_s=unit_s, depot_ids=tuple(depots), depot_s=depot_s)


def _from_matrices(request: DispatchRequest) -> TravelTable:
    """Reorder explicit matrices into request order (validation has checked coverage)."""
    m = request.travel_matrices
    assert m is not None
    col = [m.incident_ids.index(i.id) for i in request.incidents]
    unit_rows = {uid: n for n, uid in enumerate(m.unit_ids)}
    unit_grid = np.asarray(m.unit_seconds, dtype=np.float64).reshape(len(m.unit_ids), len(m.incident_ids))
    unit_s = np.ceil(unit_grid[[unit_rows[u.id] for u in request.units]][:, col] - 1e-9).astype(np.int64)
    depots = list(_depots(request))
    depot_rows = {did: n for n, did in enumerate(m.depot_ids)}
    if depots:
        grid = np.asarray(m.depot_seconds, dtype=np.float64).reshape(len(m.depot_ids), len(m.incident_ids))
        depot_s = np.ceil(grid[[depot_rows[d] for d in depots]][:, col] - 1e-9).astype(np.int64)
    else:
        depot_s = np.zeros((0, len(col)), dtype=np.int64)
    return TravelTable(unit_s=unit_s.reshape(len(request.units), len(col)), depot_ids=tuple(depots), depot_s=depot_s)


def travel_table(request: DispatchRequest) -> TravelTable:
    """Travel seconds for a validated request."""
    if request.travel_matrices is not None:
        return _from_matrices(request)
    return _from_model(request)
