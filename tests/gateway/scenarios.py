"""Small drill scenarios over the test parks (shengang, xiagang, chengxi), uploaded through the casebase API."""

from __future__ import annotations

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2

AT_MOST, AT_LEAST = cpb.Target.COMPARATOR_AT_MOST, cpb.Target.COMPARATOR_AT_LEAST


def _target(metric: str, threshold: float, resource_type: str = "", comparator: int = AT_MOST, description: str = "") -> cpb.Target:
    return cpb.Target(metric=metric, threshold=threshold, resource_type=resource_type, comparator=comparator, description=description)  # type: ignore[arg-type]


def _incident(
    title: str,
    park: str,
    lat: float,
    lon: float,
    kind: int,
    substance: common_pb2.Substance,
    severity: int,
    demands: list[common_pb2.ResourceDemand] | None = None,
) -> cpb.IncidentSpec:
    return cpb.IncidentSpec(
        title=title,
        park_id=park,
        location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=lat, longitude=lon), description=f"{title} site"),
        kind=kind,  # type: ignore[arg-type]
        substance=substance,
        severity=severity,  # type: ignore[arg-type]
        description=f"{title}: drill inject for the gateway tests",
        demands=demands or [],
    )


CHLORINE = common_pb2.Substance(name="chlorine", un_number="1017", hazard_class="2.3")
NAPHTHA = common_pb2.Substance(name="naphtha", un_number="1268", hazard_class="3")


def full_scenario() -> cpb.Scenario:
    """Every kind of inject: two incidents, a road closure, an escalation, a breakdown and a stock loss."""
    leak = cpb.Inject(
        id="leak",
        offset_s=0,
        kind=cpb.Inject.KIND_NEW_INCIDENT,
        incident=_incident(
            "Chlorine leak at the loading bay",
            "xiagang",
            31.9352,
            120.2268,
            common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
            CHLORINE,
            common_pb2.SEVERITY_III,
            [
                common_pb2.ResourceDemand(resource_type="HAZMAT_TEAM", quantity=2, needed_within_minutes=30),
                common_pb2.ResourceDemand(resource_type="GAS_DETECTION_TEAM", quantity=1),
            ],
        ),
        targets=[_target("FIRST_ARRIVAL_MIN", 20, "HAZMAT_TEAM"), _target("PLAN_ISSUED_S", 600), _target("PARKS_BELOW_RESERVE", 0)],
    )
    fire = cpb.Inject(
        id="fire",
        offset_s=600,
        kind=cpb.Inject.KIND_NEW_INCIDENT,
        incident=_incident("Naphtha tank fire", "shengang", 31.9262, 120.1771, common_pb2.INCIDENT_KIND_FIRE, NAPHTHA, common_pb2.SEVERITY_III),
        targets=[_target("FIRST_ARRIVAL_MIN", 20, "FOAM_TENDER")],
    )
    road = cpb.Inject(
        id="road",
        offset_s=900,
        kind=cpb.Inject.KIND_ROAD_RESTRICTION,
        road_center=common_pb2.GeoPoint(latitude=31.926, longitude=120.19),
        road_radius_m=800,
        road_delay_s=300,
    )
    escalation = cpb.Inject(
        id="escalation",
        offset_s=1200,
        kind=cpb.Inject.KIND_ESCALATION,
        target_inject_id="leak",
        new_severity=common_pb2.SEVERITY_II,
        targets=[_target("PLAN_ISSUED_S", 300)],
    )
    breakdown = cpb.Inject(
        id="breakdown",
        offset_s=1500,
        kind=cpb.Inject.KIND_UNIT_BREAKDOWN,
        park_id="xiagang",
        resource_type="HAZMAT_TEAM",
        targets=[_target("REPLACEMENT_DISPATCHED_MIN", 10)],
    )
    loss = cpb.Inject(
        id="loss",
        offset_s=1800,
        kind=cpb.Inject.KIND_STOCK_LOSS,
        stock="parks/xiagang/depots/-/stocks/FOAM_AFFF",
        amount=1000,
        targets=[_target("RESUPPLY_MIN", 45)],
    )
    return cpb.Scenario(
        title="Gateway test: leak and fire in neighbouring parks",
        objectives=["Send hazmat teams to the leak while foam goes to the fire"],
        mode=cpb.Scenario.MODE_SCRIPTED,
        park_ids=["xiagang", "shengang", "chengxi"],
        injects=[leak, fire, road, escalation, breakdown, loss],
        rubric=[
            cpb.RubricItem(criterion="targets_met", weight=0.5, description="units on time"),
            cpb.RubricItem(criterion="time_to_plan", weight=0.3, description="plans issued quickly"),
            cpb.RubricItem(criterion="reserve_kept", weight=0.2, description="home cover kept"),
        ],
    )


def two_incident_scenario(late_offset_s: int) -> cpb.Scenario:
    """Two incidents far apart in time, for an operator in the loop."""
    first = cpb.Inject(
        id="first-leak",
        offset_s=0,
        kind=cpb.Inject.KIND_NEW_INCIDENT,
        incident=_incident(
            "Chlorine leak",
            "xiagang",
            31.9352,
            120.2268,
            common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
            CHLORINE,
            common_pb2.SEVERITY_III,
            [common_pb2.ResourceDemand(resource_type="GAS_DETECTION_TEAM", quantity=1)],
        ),
        targets=[_target("FIRST_ARRIVAL_MIN", 30, "GAS_DETECTION_TEAM")],
    )
    second = cpb.Inject(
        id="second-fire",
        offset_s=late_offset_s,
        kind=cpb.Inject.KIND_NEW_INCIDENT,
        incident=_incident(
            "Tank fire",
            "shengang",
            31.9262,
            120.1771,
            common_pb2.INCIDENT_KIND_FIRE,
            NAPHTHA,
            common_pb2.SEVERITY_III,
            [common_pb2.ResourceDemand(resource_type="FOAM_TENDER", quantity=1)],
        ),
        targets=[_target("FIRST_ARRIVAL_MIN", 30, "FOAM_TENDER")],
    )
    return cpb.Scenario(
        title="Gateway test: unannounced pair",
        objectives=["Dispatch each incident as it is reported"],
        mode=cpb.Scenario.MODE_UNANNOUNCED,
        park_ids=["xiagang", "shengang"],
        injects=[first, second],
        rubric=[cpb.RubricItem(criterion="targets_met", weight=1.0, description="units on time")],
    )
