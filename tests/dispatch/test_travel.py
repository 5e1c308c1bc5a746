"""The built-in travel model: distance, vehicle speed and closed or slow areas."""

from __future__ import annotations

import numpy as np
import pytest

from services.dispatch.model import GeoPoint, RoadCondition, TravelModel
from services.dispatch.travel import chord_inside_m, great_circle_m, model_seconds


def test_great_circle_one_degree_of_latitude() -> None:
    d = great_circle_m(np.array(31.0), np.array(120.0), np.array(32.0), np.array(120.0))
    assert float(d) == pytest.approx(111_195, rel=1e-3)


def test_speed_and_road_factor() -> None:
    model = TravelModel(road_factor=1.5)
    origin, target = GeoPoint(31.0, 120.0), GeoPoint(31.1, 120.0)
    seconds = model_seconds([origin], np.array([10.0]), [target], model)
    assert int(seconds[0, 0]) == pytest.approx(11_119.5 * 1.5 / 10, abs=2)


def test_route_through_circle_gets_delay_and_slowdown() -> None:
    cond = RoadCondition("C", GeoPoint(31.05, 120.0), radius_m=1000, delay_s=300, speed_factor=0.5)
    origin, target = GeoPoint(31.0, 120.0), GeoPoint(31.1, 120.0)
    inside = chord_inside_m(np.array(31.0), np.array(120.0), np.array(31.1), np.array(120.0), cond)
    assert float(inside) == pytest.approx(2000, rel=1e-3)
    clear = model_seconds([origin], np.array([10.0]), [target], TravelModel(road_factor=1.0))
    slowed = model_seconds([origin], np.array([10.0]), [target], TravelModel(road_factor=1.0, conditions=(cond,)))
    # 300 s detour plus 2 km driven at half speed (200 s more).
    assert int(slowed[0, 0] - clear[0, 0]) == pytest.approx(500, abs=2)


def test_route_missing_circle_is_unchanged() -> None:
    cond = RoadCondition("C", GeoPoint(31.05, 120.1), radius_m=1000, delay_s=300)
    origin, target = GeoPoint(31.0, 120.0), GeoPoint(31.1, 120.0)
    model = TravelModel(conditions=(cond,))
    assert model_seconds([origin], np.array([10.0]), [target], model)[0, 0] == model_seconds([origin], np.array([10.0]), [target], TravelModel())[0, 0]
