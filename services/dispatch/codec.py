"""Plain-dict (YAML/JSON) form of requests and plans."""

from __future__ import annotations

from typing import Any

from services.dispatch.model import (
    Assignment,
    Demand,
    DispatchRequest,
    GeoPoint,
    Incident,
    MutualAid,
    Options,
    Plan,
    Policies,
    Reserve,
    RoadCondition,
    Shipment,
    Stock,
    Strategy,
    TravelMatrices,
    TravelModel,
    Unit,
)


def _point(d: Any) -> GeoPoint:
    if isinstance(d, (list, tuple)):
        return GeoPoint(float(d[0]), float(d[1]))
    return GeoPoint(float(d["lat"]), float(d["lon"]))


def _demand(d: dict[str, Any]) -> Demand:
    return Demand(
        resource_type=d["type"],
        quantity=float(d["quantity"]),
        required_capabilities=tuple(d.get("capabilities", ())),
        needed_within_min=d.get("needed_within_min"),
    )


def _incident(d: dict[str, Any]) -> Incident:
    return Incident(
        id=str(d["id"]),
        location=_point(d["location"]),
        severity_weight=float(d.get("weight", 1.0)),
        demands=tuple(_demand(x) for x in d.get("demands", ())),
        park_id=d.get("park"),
        reported_at_s=float(d.get("reported_at_s", 0.0)),
    )


def _unit(d: dict[str, Any]) -> Unit:
    return Unit(
        id=str(d["id"]),
        resource_type=d["type"],
        position=_point(d["position"]),
        capabilities=tuple(d.get("capabilities", ())),
        home_park=d.get("park"),
        home_depot=d.get("depot"),
        vehicle_class=d.get("vehicle_class", "MEDIUM"),
        committed_to=d.get("committed_to"),
    )


def _stock(d: dict[str, Any]) -> Stock:
    return Stock(
        depot_id=str(d["depot"]),
        resource_type=d["type"],
        amount=float(d["amount"]),
        position=_point(d["position"]),
        park_id=d.get("park"),
    )


def _policies(d: dict[str, Any]) -> Policies:
    return Policies(
        reserves=tuple(Reserve(park_id=r["park"], resource_type=r["type"], minimum=float(r["minimum"])) for r in d.get("reserves", ())),
        agreements=tuple(
            MutualAid(
                lender_park=a["lender"],
                borrower_park=a["borrower"],
                resource_types=tuple(a.get("types", ())),
                max_travel_min=float(a.get("max_travel_min", 60.0)),
            )
            for a in d.get("agreements", ())
        ),
    )


def _travel(d: dict[str, Any], incidents: list[str]) -> tuple[TravelModel, TravelMatrices | None]:
    model_d = d.get("model", {})
    model = TravelModel(
        road_factor=float(model_d.get("road_factor", TravelModel().road_factor)),
        speeds_kmh={**TravelModel().speeds_kmh, **model_d.get("speeds_kmh", {})},
        conditions=tuple(
            RoadCondition(
                id=str(c["id"]),
                center=_point(c["center"]),
                radius_m=float(c["radius_m"]),
                delay_s=float(c.get("delay_s", 0.0)),
                speed_factor=float(c.get("speed_factor", 1.0)),
                closed=bool(c.get("closed", False)),
            )
            for c in model_d.get("conditions", ())
        ),
    )
    m = d.get("matrices")
    if m is None:
        return model, None
    units = m.get("unit_seconds", {})
    depots = m.get("depot_seconds", {})
    matrices = TravelMatrices(
        incident_ids=tuple(incidents),
        unit_ids=tuple(units),
        unit_seconds=tuple(tuple(float(row[i]) for i in incidents) for row in units.values()),
        depot_ids=tuple(depots),
        depot_seconds=tuple(tuple(float(row[i]) for i in incidents) for row in depots.values()),
    )
    return model, matrices


def _options(d: dict[str, Any]) -> Options:
    defaults = Options()
    return Options(
        strategy=Strategy(d.get("strategy", defaults.strategy)),
        time_limit_s=float(d.get("time_limit_s", defaults.time_limit_s)),
        relative_gap=float(d.get("relative_gap", defaults.relative_gap)),
        num_workers=int(d.get("num_workers", defaults.num_workers)),
        random_seed=int(d.get("random_seed", defaults.random_seed)),
        allow_move_committed=bool(d.get("allow_move_committed", defaults.allow_move_committed)),
        move_penalty_s=float(d.get("move_penalty_s", defaults.move_penalty_s)),
        allow_reserve_dip=bool(d.get("allow_reserve_dip", defaults.allow_reserve_dip)),
        reserve_dip_penalty_s=float(d.get("reserve_dip_penalty_s", defaults.reserve_dip_penalty_s)),
    )


def request_from_dict(d: dict[str, Any]) -> DispatchRequest:
    """Build a request from its plain-dict form (the scenario fixture layout)."""
    incidents = [_incident(x) for x in d.get("incidents", ())]
    model, matrices = _travel(d.get("travel", {}), [i.id for i in incidents])
    return DispatchRequest(
        incidents=tuple(incidents),
        units=tuple(_unit(x) for x in d.get("units", ())),
        stocks=tuple(_stock(x) for x in d.get("stocks", ())),
        parks=tuple(d.get("parks", ())),
        policies=_policies(d.get("policies", {})),
        travel_model=model,
        travel_matrices=matrices,
        options=_options(d.get("options", {})),
        shared_depots=tuple(str(x) for x in d.get("shared_depots", ())),
    )


def plan_from_dict(d: dict[str, Any]) -> Plan:
    """Build a plan from its plain-dict form."""
    return Plan(
        assignments=tuple(Assignment(str(a["unit"]), str(a["incident"]), int(a.get("demand", 0))) for a in d.get("assignments", ())),
        shipments=tuple(Shipment(str(s["depot"]), str(s["incident"]), int(s.get("demand", 0)), s["type"], float(s["amount"])) for s in d.get("shipments", ())),
    )
