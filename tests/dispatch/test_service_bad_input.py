"""Bad input through the API: INVALID_ARGUMENT with one field violation per problem, named in proto
paths; oversize requests: RESOURCE_EXHAUSTED naming the limit."""

from __future__ import annotations

import math
from collections.abc import Callable

import grpc
import pytest
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as pb

from services.dispatch.server import REQUEST_LIMITS
from tests.dispatch.conftest import DispatchHarness
from tests.dispatch.protos import small_request
from tests.dispatch.rpc import OPERATOR
from tests.grpc_assertions import error_info, expect_error, field_violations

Change = Callable[[pb.OptimizePlanRequest], None]


def _set(path: Callable[[pb.OptimizePlanRequest], object], name: str, value: object) -> Change:
    return lambda r: setattr(path(r), name, value)


def _clear(path: Callable[[pb.OptimizePlanRequest], object], name: str) -> Change:
    return lambda r: path(r).ClearField(name)  # type: ignore[attr-defined]


def _matrix(units: list[float], stocks: list[float]) -> Change:
    def change(r: pb.OptimizePlanRequest) -> None:
        r.travel_matrix.unit_seconds.extend(units)
        r.travel_matrix.stock_seconds.extend(stocks)

    return change


def _second_stock_row_differs(r: pb.OptimizePlanRequest) -> None:
    r.stocks.append(pb.PlanStock(depot_id="D1", resource_type="FOAM_AR_AFFF", amount=100, park_id="A"))
    r.travel_matrix.unit_seconds.extend([60.0] * 8)
    r.travel_matrix.stock_seconds.extend([60.0, 60.0, 90.0, 60.0])


def _extra_demand(**fields: object) -> Change:
    return lambda r: r.incidents[1].demands.append(common_pb2.ResourceDemand(**fields))  # type: ignore[arg-type]


CASES: list[tuple[str, Change, str]] = [
    ("zero quantity", _extra_demand(resource_type="AMBULANCE", quantity=0), "incidents[1].demands[1].quantity"),
    ("negative quantity", _set(lambda r: r.incidents[0].demands[2], "quantity", -5.0), "incidents[0].demands[2].quantity"),
    ("fractional unit count", _set(lambda r: r.incidents[0].demands[0], "quantity", 1.5), "incidents[0].demands[0].quantity"),
    ("unknown resource type", _extra_demand(resource_type="SPACE_SHUTTLE", quantity=1), "incidents[1].demands[1].resource_type"),
    (
        "unknown capability",
        _extra_demand(resource_type="AMBULANCE", quantity=1, required_capabilities=["teleport"]),
        "incidents[1].demands[1].required_capabilities[0]",
    ),
    (
        "negative response standard",
        _extra_demand(resource_type="AMBULANCE", quantity=1, needed_within_minutes=-5),
        "incidents[1].demands[1].needed_within_minutes",
    ),
    ("latitude out of range", _set(lambda r: r.incidents[0].location, "latitude", 91.0), "incidents[0].location.latitude"),
    ("longitude not finite", _set(lambda r: r.units[1].position, "longitude", math.nan), "units[1].position.longitude"),
    ("missing incident location", _clear(lambda r: r.incidents[1], "location"), "incidents[1].location"),
    ("missing unit position", _clear(lambda r: r.units[0], "position"), "units[0].position"),
    ("zero severity weight", _set(lambda r: r.incidents[1], "severity_weight", 0.0), "incidents[1].severity_weight"),
    ("duplicate incident id", _set(lambda r: r.incidents[1], "id", "I1"), "incidents[1].id"),
    ("empty unit id", _set(lambda r: r.units[2], "id", ""), "units[2].id"),
    ("consumable sent as a unit", _set(lambda r: r.units[0], "resource_type", "FOAM_AFFF"), "units[0].resource_type"),
    ("unknown vehicle class", _set(lambda r: r.units[3], "vehicle_class", "hovercraft"), "units[3].vehicle_class"),
    ("negative stock", _set(lambda r: r.stocks[0], "amount", -1.0), "stocks[0].amount"),
    ("unit type as stock", _set(lambda r: r.stocks[0], "resource_type", "AMBULANCE"), "stocks[0].resource_type"),
    ("negative reserve", _set(lambda r: r.reserves[0], "minimum", -1.0), "reserves[0].minimum"),
    ("reserve without park", _set(lambda r: r.reserves[0], "park_id", ""), "reserves[0].park_id"),
    ("agreement without travel limit", _set(lambda r: r.mutual_aid[0], "max_travel_minutes", 0.0), "mutual_aid[0].max_travel_minutes"),
    ("agreement with itself", _set(lambda r: r.mutual_aid[0], "borrower_park_id", "A"), "mutual_aid[0]"),
    ("agreement for an unknown type", lambda r: r.mutual_aid[0].resource_types.append("SPACE_SHUTTLE"), "mutual_aid[0].resource_types[0]"),
    (
        "zero-radius road restriction",
        lambda r: r.road_restrictions.append(pb.RoadRestriction(center=r.incidents[0].location, radius_m=0)),
        "road_restrictions[0].radius_m",
    ),
    ("road restriction without centre", lambda r: r.road_restrictions.append(pb.RoadRestriction(radius_m=500, closed=True)), "road_restrictions[0].center"),
    ("unit matrix of the wrong size", _matrix([60.0] * 7, [60.0, 60.0]), "travel_matrix.unit_seconds"),
    ("negative unit travel time", _matrix([60.0] * 5 + [-1.0, 60.0, 60.0], [60.0, 60.0]), "travel_matrix.unit_seconds[5]"),
    ("stock matrix of the wrong size", _matrix([60.0] * 8, [60.0]), "travel_matrix.stock_seconds"),
    ("one depot, two rows", _second_stock_row_differs, "travel_matrix.stock_seconds"),
    ("time limit over 60 s", _set(lambda r: r.options, "time_limit_s", 61.0), "options.time_limit_s"),
    ("negative time limit", _set(lambda r: r.options, "time_limit_s", -1.0), "options.time_limit_s"),
    ("too many workers", _set(lambda r: r.options, "workers", 17), "options.workers"),
    ("negative workers", _set(lambda r: r.options, "workers", -1), "options.workers"),
    ("gap of one or more", _set(lambda r: r.options, "relative_gap", 1.5), "options.relative_gap"),
    ("unknown strategy", _set(lambda r: r.options, "strategy", 9), "options.strategy"),
    ("negative seed", _set(lambda r: r.options, "random_seed", -3), "options.random_seed"),
    ("penalty not finite", _set(lambda r: r.options, "reassignment_penalty_s", math.nan), "options.reassignment_penalty_s"),
    ("unknown shared depot", lambda r: r.shared_depot_ids.append("nowhere"), "shared_depot_ids[0]"),
]


@pytest.mark.parametrize(("change", "field"), [(c, f) for _, c, f in CASES], ids=[name for name, _, _ in CASES])
async def test_bad_input_names_its_field(dispatch: DispatchHarness, change: Change, field: str) -> None:
    request = small_request()
    change(request)
    error = await expect_error(dispatch.stub.OptimizePlan(request, metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == [field]
    assert error_info(error).reason == "INVALID_ARGUMENT"


async def test_every_problem_is_reported_and_nested_paths_carry_their_prefix(dispatch: DispatchHarness) -> None:
    request = small_request()
    request.incidents[0].demands[2].quantity = 0
    request.options.workers = 99
    expected = ["request.incidents[0].demands[2].quantity", "request.options.workers"]
    error = await expect_error(dispatch.stub.StreamPlans(pb.StreamPlansRequest(request=request), metadata=OPERATOR).read(), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == expected
    error = await expect_error(dispatch.stub.EvaluatePlan(pb.EvaluatePlanRequest(request=request), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == expected
    error = await expect_error(dispatch.stub.EvaluatePlan(pb.EvaluatePlanRequest(), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == ["request"]


def _many_incidents(r: pb.OptimizePlanRequest) -> None:
    template = r.incidents[1]
    for n in range(REQUEST_LIMITS.max_incidents - 1):
        r.incidents.append(template)
        r.incidents[-1].id = f"X{n}"


def _many_units(r: pb.OptimizePlanRequest) -> None:
    template = r.units[0]
    r.units.extend(pb.PlanUnit(id=f"U{n}", resource_type=template.resource_type, position=template.position) for n in range(REQUEST_LIMITS.max_units - 3))


def _many_demands(r: pb.OptimizePlanRequest) -> None:
    r.incidents[0].demands.extend(common_pb2.ResourceDemand(resource_type="AMBULANCE", quantity=1) for _ in range(REQUEST_LIMITS.max_demands_per_incident - 2))


@pytest.mark.parametrize(
    ("grow", "limit"),
    [(_many_incidents, "max_incidents"), (_many_units, "max_units"), (_many_demands, "max_demands_per_incident")],
    ids=["incidents", "units", "demands"],
)
async def test_oversize_requests_name_the_limit(dispatch: DispatchHarness, grow: Change, limit: str) -> None:
    request = small_request()
    grow(request)
    error = await expect_error(dispatch.stub.OptimizePlan(request, metadata=OPERATOR), grpc.StatusCode.RESOURCE_EXHAUSTED)
    info = error_info(error)
    assert info.reason == "REQUEST_TOO_LARGE"
    assert info.metadata["limit"] == limit
    assert int(info.metadata["actual"]) == int(info.metadata["maximum"]) + 1


async def test_a_request_at_the_limit_is_served(dispatch: DispatchHarness) -> None:
    request = small_request()
    request.options.strategy = pb.PlanOptions.STRATEGY_GREEDY
    _many_incidents(request)
    del request.incidents[-1]
    assert len(request.incidents) == REQUEST_LIMITS.max_incidents
    response = await dispatch.stub.OptimizePlan(request, metadata=OPERATOR)
    assert len(response.explanations) == REQUEST_LIMITS.max_incidents
