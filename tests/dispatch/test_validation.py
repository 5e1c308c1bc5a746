"""Bad input is reported field by field; oversize requests are refused with the limit named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from fixtures.dispatch.codec import request_from_dict
from services.dispatch.domain import optimise
from services.dispatch.model import DispatchRequest, TravelMatrices
from services.dispatch.validation import InvalidRequestError, Limits, RequestTooLargeError, check_size, validate

GOOD: dict[str, Any] = {
    "parks": ["A", "B"],
    "incidents": [
        {
            "id": "I1",
            "location": [31.95, 120.2],
            "weight": 4,
            "park": "A",
            "demands": [{"type": "PUMPER_ENGINE", "quantity": 2}, {"type": "FOAM_AFFF", "quantity": 500}],
        },
        {
            "id": "I2",
            "location": [31.96, 120.3],
            "weight": 1,
            "demands": [{"type": "AMBULANCE", "quantity": 1, "capabilities": ["medical"], "needed_within_min": 20}],
        },
        {"id": "I3", "location": [31.97, 120.3], "weight": 2, "park": "B", "demands": [{"type": "HAZMAT_TEAM", "quantity": 1}]},
    ],
    "units": [
        {"id": "U1", "type": "PUMPER_ENGINE", "position": [31.95, 120.1], "park": "A"},
        {"id": "U2", "type": "AMBULANCE", "position": [31.95, 120.1], "park": "B", "capabilities": ["medical"]},
    ],
    "stocks": [{"depot": "D1", "type": "FOAM_AFFF", "amount": 800, "position": [31.95, 120.2], "park": "A"}],
    "policies": {"reserves": [{"park": "A", "type": "PUMPER_ENGINE", "minimum": 1}], "agreements": [{"lender": "A", "borrower": "B", "max_travel_min": 30}]},
}


def _good() -> DispatchRequest:
    return request_from_dict(GOOD)


def _incident(n: int, **changes: Any) -> Callable[[DispatchRequest], DispatchRequest]:
    def change(r: DispatchRequest) -> DispatchRequest:
        incidents = list(r.incidents)
        incidents[n] = replace(incidents[n], **changes)
        return replace(r, incidents=tuple(incidents))

    return change


def _demand(n: int, k: int, **changes: Any) -> Callable[[DispatchRequest], DispatchRequest]:
    def change(r: DispatchRequest) -> DispatchRequest:
        demands = list(r.incidents[n].demands)
        demands[k] = replace(demands[k], **changes)
        return _incident(n, demands=tuple(demands))(r)

    return change


def _unit(n: int, **changes: Any) -> Callable[[DispatchRequest], DispatchRequest]:
    def change(r: DispatchRequest) -> DispatchRequest:
        units = list(r.units)
        units[n] = replace(units[n], **changes)
        return replace(r, units=tuple(units))

    return change


def _options(**changes: Any) -> Callable[[DispatchRequest], DispatchRequest]:
    return lambda r: replace(r, options=replace(r.options, **changes))


def _matrices(rows: int, cols: int) -> Callable[[DispatchRequest], DispatchRequest]:
    def change(r: DispatchRequest) -> DispatchRequest:
        m = TravelMatrices(
            incident_ids=tuple(i.id for i in r.incidents),
            unit_ids=tuple(u.id for u in r.units),
            unit_seconds=tuple(tuple(60.0 for _ in range(cols)) for _ in range(rows)),
            depot_ids=("D1",),
            depot_seconds=((60.0, 60.0, 60.0),),
        )
        return replace(r, travel_matrices=m)

    return change


BAD = [
    ("negative quantity", _demand(0, 0, quantity=-1), "incidents[0].demands[0].quantity"),
    ("zero quantity", _demand(0, 1, quantity=0), "incidents[0].demands[1].quantity"),
    ("fractional unit count", _demand(0, 0, quantity=1.5), "incidents[0].demands[0].quantity"),
    ("unknown demand type", _demand(2, 0, resource_type="TELEPORTER"), "incidents[2].demands[0].resource_type"),
    ("unknown capability", _demand(1, 0, required_capabilities=("flying",)), "incidents[1].demands[0].required_capabilities[0]"),
    ("bad needed-within", _demand(1, 0, needed_within_min=0), "incidents[1].demands[0].needed_within_min"),
    ("latitude out of range", _incident(1, location=replace(_good().incidents[1].location, lat=91.0)), "incidents[1].location.lat"),
    ("longitude not finite", _incident(0, location=replace(_good().incidents[0].location, lon=float("nan"))), "incidents[0].location.lon"),
    ("zero severity weight", _incident(0, severity_weight=0.0), "incidents[0].severity_weight"),
    ("unknown incident park", _incident(2, park_id="Z"), "incidents[2].park_id"),
    ("duplicate incident id", _incident(1, id="I1"), "incidents[1].id"),
    ("duplicate unit id", _unit(1, id="U1"), "units[1].id"),
    ("unit of a consumable type", _unit(0, resource_type="FOAM_AFFF"), "units[0].resource_type"),
    ("unknown unit park", _unit(1, home_park="Q"), "units[1].home_park"),
    ("unknown vehicle class", _unit(0, vehicle_class="HOVERCRAFT"), "units[0].vehicle_class"),
    (
        "unknown reserve park",
        lambda r: replace(r, policies=replace(r.policies, reserves=(replace(r.policies.reserves[0], park_id="Z"),))),
        "policies.reserves[0].park_id",
    ),
    (
        "unknown agreement type",
        lambda r: replace(r, policies=replace(r.policies, agreements=(replace(r.policies.agreements[0], resource_types=("WARP_DRIVE",)),))),
        "policies.agreements[0].resource_types[0]",
    ),
    ("matrix too few rows", _matrices(1, 3), "travel_matrices.unit_seconds"),
    ("matrix too few columns", _matrices(2, 2), "travel_matrices.unit_seconds[0]"),
    ("time limit zero", _options(time_limit_s=0.0), "options.time_limit_s"),
    ("time limit too long", _options(time_limit_s=61.0), "options.time_limit_s"),
    ("no workers", _options(num_workers=0), "options.num_workers"),
    ("too many workers", _options(num_workers=64), "options.num_workers"),
    ("gap out of range", _options(relative_gap=1.5), "options.relative_gap"),
]


def test_good_request_is_valid() -> None:
    assert validate(_good()) == []


@pytest.mark.parametrize(("case", "change", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input(case: str, change: Callable[[DispatchRequest], DispatchRequest], field: str) -> None:
    violations = validate(change(_good()))
    assert field in [v.field for v in violations], (case, violations)
    assert all(v.description for v in violations)


def test_optimise_refuses_bad_input_with_every_violation() -> None:
    bad = _demand(0, 0, quantity=-1)(_options(num_workers=0)(_good()))
    with pytest.raises(InvalidRequestError) as err:
        optimise(bad)
    assert {v.field for v in err.value.violations} == {"incidents[0].demands[0].quantity", "options.num_workers"}


@pytest.mark.parametrize(
    ("limits", "name"),
    [
        (Limits(max_incidents=2), "max_incidents"),
        (Limits(max_units=1), "max_units"),
        (Limits(max_stocks=0), "max_stocks"),
        (Limits(max_demands_per_incident=1), "max_demands_per_incident"),
    ],
)
def test_size_limits(limits: Limits, name: str) -> None:
    with pytest.raises(RequestTooLargeError) as err:
        optimise(_good(), limits=limits)
    assert err.value.limit == name
    assert name in str(err.value)


def test_default_limits_accept_the_good_request() -> None:
    check_size(_good())
