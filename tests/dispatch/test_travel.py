"""The built-in travel model: distance, vehicle speed and closed or slow areas."""

from __future__ import annotations

import numpy as np
import pytest

from services.common.geo import great_circle_m
from services.dispatch.model import GeoPoint, RoadCondition, TravelModel
from services.dispatch.travel import chord_inside_m, detour_extra_m, model_seconds


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


def test_closed_circle_is_driven_round_not_through() -> None:
    # A 1 km circle centred on the middle of a 10 km straight route: round it is tangent, arc, tangent.
    cond = RoadCondition("X", GeoPoint(31.05, 120.0), radius_m=1000, closed=True)
    origin, target = GeoPoint(31.0, 120.0), GeoPoint(31.1, 120.0)
    half = float(great_circle_m(np.array(31.0), np.array(120.0), np.array(31.1), np.array(120.0))) / 2
    tangent = (half**2 - 1000**2) ** 0.5
    around = 2 * tangent + 1000 * (np.pi - 2 * np.arccos(1000 / half))
    clear = model_seconds([origin], np.array([10.0]), [target], TravelModel(road_factor=1.0))
    closed = model_seconds([origin], np.array([10.0]), [target], TravelModel(road_factor=1.0, conditions=(cond,)))
    assert int(closed[0, 0] - clear[0, 0]) == pytest.approx((around - 2 * half) / 10, abs=2)
    assert float(detour_extra_m(np.array(31.0), np.array(120.0), np.array(31.1), np.array(120.0), cond)) == pytest.approx(around - 2 * half, rel=1e-3)


def test_closed_circle_lets_routes_out_and_in_and_adds_its_delay() -> None:
    cond = RoadCondition("X", GeoPoint(31.05, 120.0), radius_m=1000, delay_s=120, closed=True)
    inside, target = GeoPoint(31.05, 120.0), GeoPoint(31.1, 120.0)
    model = TravelModel(road_factor=1.0, conditions=(cond,))
    clear = model_seconds([inside], np.array([10.0]), [target], TravelModel(road_factor=1.0))
    # A unit inside the closed area drives out the straight way; it pays the delay only.
    assert int(model_seconds([inside], np.array([10.0]), [target], model)[0, 0] - clear[0, 0]) == pytest.approx(120, abs=1)
    away = GeoPoint(31.05, 120.2)
    assert (
        model_seconds([away], np.array([10.0]), [target], model)[0, 0] == model_seconds([away], np.array([10.0]), [target], TravelModel(road_factor=1.0))[0, 0]
    )
