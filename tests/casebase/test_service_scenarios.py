"""Drill scenarios through the API: the library's message view, uploads validated as a whole, replay and removal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import grpc
from emergency.casebase.v1 import casebase_service_pb2 as pb
from emergency.casebase.v1 import casebase_service_pb2_grpc as pb_grpc
from emergency.common.v1 import common_pb2

from tests.casebase.conftest import CasebaseHarness
from tests.casebase.service_helpers import DIRECTOR, OPERATOR, VIEWER, all_scenario_names, outbox_events, rid
from tests.grpc_assertions import error_info, expect_error, field_violations

BASE = "scenarios/chlorine-ammonia-twin-release"
Mutation = Callable[[pb.Scenario], None]


def _clear_road(s: pb.Scenario) -> None:
    s.injects[4].road_delay_s = 0


def _drop_jetty_park(s: pb.Scenario) -> None:
    del s.park_ids[:]
    s.park_ids.extend(["shengang", "xiagang", "ligang"])


def _fractional_units(s: pb.Scenario) -> None:
    s.injects[0].incident.demands.append(common_pb2.ResourceDemand(resource_type="HAZMAT_TEAM", quantity=1.5))


def _stray_stock(s: pb.Scenario) -> None:
    s.injects[3].stock = "parks/xiagang/depots/-/stocks/FOAM_AFFF"


def _set(path: str, value: object) -> Mutation:
    """A mutation setting one field given as a dotted path with [i] indexes."""

    def apply(s: pb.Scenario) -> None:
        node: object = s
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else getattr(node, part)  # type: ignore[index]
        setattr(node, parts[-1], value)

    return apply


BAD_UPLOADS: list[tuple[str, Mutation, str]] = [
    ("offset out of order", _set("injects[2].offset_s", 300), "scenario.injects[2].offset_s"),
    ("negative offset", _set("injects[0].offset_s", -5), "scenario.injects[0].offset_s"),
    ("unknown park", _set("injects[1].incident.park_id", "atlantis"), "scenario.injects[1].incident.park_id"),
    ("park not taking part", _drop_jetty_park, "scenario.injects[1].incident.park_id"),
    ("unknown resource type", _set("injects[0].targets[0].resource_type", "LASER_TEAM"), "scenario.injects[0].targets[0].resource_type"),
    ("unmeasurable metric", _set("injects[0].targets[1].metric", "GOOD_TEAMWORK"), "scenario.injects[0].targets[1].metric"),
    ("wrong comparator", _set("injects[0].targets[0].comparator", pb.Target.COMPARATOR_AT_LEAST), "scenario.injects[0].targets[0].comparator"),
    ("threshold out of range", _set("injects[3].targets[0].threshold", -2), "scenario.injects[3].targets[0].threshold"),
    ("weights do not sum to one", _set("rubric[0].weight", 0.5), "scenario.rubric"),
    ("negative weight", _set("rubric[1].weight", -0.2), "scenario.rubric[1].weight"),
    ("unknown criterion", _set("rubric[0].criterion", "good_vibes"), "scenario.rubric[0].criterion"),
    ("escalation of an unknown incident", _set("injects[2].target_inject_id", "fire-elsewhere"), "scenario.injects[2].target_inject_id"),
    ("escalation without a change", _set("injects[2].new_severity", common_pb2.SEVERITY_II), "scenario.injects[2].new_severity"),
    ("breakdown of a consumable", _set("injects[3].resource_type", "FOAM_AFFF"), "scenario.injects[3].resource_type"),
    ("slowed road without delay", _clear_road, "scenario.injects[4].road_delay_s"),
    ("incident far from its park", _set("injects[0].incident.location.point.latitude", 32.5), "scenario.injects[0].incident.location.point.latitude"),
    ("duplicate inject id", _set("injects[1].id", "chlorine-shengang"), "scenario.injects[1].id"),
    ("missing severity", _set("injects[0].incident.severity", common_pb2.SEVERITY_UNSPECIFIED), "scenario.injects[0].incident.severity"),
    ("unknown hazard class", _set("injects[1].incident.substance.hazard_class", "2.7"), "scenario.injects[1].incident.substance.hazard_class"),
    ("inject kind missing", _set("injects[4].kind", pb.Inject.KIND_UNSPECIFIED), "scenario.injects[4].kind"),
    ("metric on the wrong inject", _set("injects[0].targets[2].metric", "REROUTE_MIN"), "scenario.injects[0].targets[2].metric"),
    ("field the inject kind does not use", _stray_stock, "scenario.injects[3].stock"),
    ("fractional units demanded", _fractional_units, "scenario.injects[0].incident.demands[0].quantity"),
    ("mode missing", _set("mode", pb.Scenario.MODE_UNSPECIFIED), "scenario.mode"),
    ("output-only name set", _set("name", "scenarios/mine"), "scenario.name"),
]


async def _base(stub: pb_grpc.CaseBaseServiceStub) -> pb.Scenario:
    """The message view of a shipped scenario, without its output-only fields."""
    scenario: pb.Scenario = (await stub.GetScenario(pb.GetScenarioRequest(name=BASE), metadata=VIEWER)).scenario
    scenario.ClearField("name")
    scenario.ClearField("create_time")
    return scenario


async def test_bad_uploads_are_refused_with_every_field_and_store_nothing(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    base = await _base(stub)
    accepted = await stub.CreateScenario(pb.CreateScenarioRequest(scenario=base, scenario_id="probe", validate_only=True), metadata=DIRECTOR)
    assert accepted.scenario.name == "scenarios/probe"
    mismatches: list[str] = []
    for label, mutate, field in BAD_UPLOADS:
        upload = pb.Scenario()
        upload.CopyFrom(base)
        mutate(upload)
        request = pb.CreateScenarioRequest(request_id=rid(), scenario_id=f"bad-{len(mismatches)}", scenario=upload)
        try:
            await stub.CreateScenario(request, metadata=DIRECTOR)
            mismatches.append(f"{label}: accepted")
            continue
        except grpc.aio.AioRpcError as error:
            fields = field_violations(error) if error.code() == grpc.StatusCode.INVALID_ARGUMENT else []
            if field not in fields or len(fields) != len(set(fields)):
                mismatches.append(f"{label}: {error.code().name} {fields}")
    assert not mismatches, mismatches

    upload = await _base(stub)
    for mutate in (_set("injects[1].incident.park_id", "atlantis"), _set("injects[3].resource_type", "FOAM_AFFF"), _set("rubric[0].weight", 0.9)):
        mutate(upload)
    refused = await expect_error(
        stub.CreateScenario(pb.CreateScenarioRequest(request_id="", scenario=upload), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(field_violations(refused)) == {"request_id", "scenario.injects[1].incident.park_id", "scenario.injects[3].resource_type", "scenario.rubric"}
    assert len(await all_scenario_names(stub)) == 12
    assert not [e for e in outbox_events(casebase.database_url) if e[0].startswith("scenario.")]


async def test_library_view_uploads_round_trip_and_delete(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    names = await all_scenario_names(stub)
    assert len(names) == 12 and BASE in names
    tank = (await stub.GetScenario(pb.GetScenarioRequest(name="scenarios/three-park-hazmat-contention"), metadata=VIEWER)).scenario
    assert "parks/ligang/depots/riverside-base/stocks/GAS_TIGHT_SUIT_A" in {i.stock for i in tank.injects}
    base = await _base(stub)
    assert sum(item.weight for item in base.rubric) == 1.0 or abs(sum(item.weight for item in base.rubric) - 1.0) < 1e-9
    assert all(item.criterion.startswith("injects[") for item in base.rubric)

    request = pb.CreateScenarioRequest(request_id=rid(), scenario_id="twin-release-copy", scenario=base)
    created = (await stub.CreateScenario(request, metadata=DIRECTOR)).scenario
    assert created.name == "scenarios/twin-release-copy" and created.HasField("create_time")
    assert (await stub.CreateScenario(request, metadata=DIRECTOR)).scenario == created
    fetched = (await stub.GetScenario(pb.GetScenarioRequest(name=created.name), metadata=VIEWER)).scenario
    assert fetched == created
    for message in (created, base):
        message.ClearField("name")
        message.ClearField("create_time")
    assert created == base
    duplicate = pb.CreateScenarioRequest(request_id=rid(), scenario_id="twin-release-copy", scenario=base)
    error = await expect_error(stub.CreateScenario(duplicate, metadata=OPERATOR), grpc.StatusCode.ALREADY_EXISTS)
    assert error_info(error).reason == "SCENARIO_ALREADY_EXISTS"

    removed = await stub.DeleteScenario(pb.DeleteScenarioRequest(request_id=rid(), name="scenarios/twin-release-copy"), metadata=DIRECTOR)
    assert removed.scenario.name == "scenarios/twin-release-copy"
    await expect_error(stub.GetScenario(pb.GetScenarioRequest(name="scenarios/twin-release-copy"), metadata=VIEWER), grpc.StatusCode.NOT_FOUND)
    subjects = [e for e in outbox_events(casebase.database_url) if e[1] == "scenarios/twin-release-copy"]
    assert subjects == [("scenario.created", "scenarios/twin-release-copy"), ("scenario.deleted", "scenarios/twin-release-copy")]


def _two_park_drill() -> pb.Scenario:
    """A small drill written from scratch with criterion-named rubric items."""

    def incident(inject_id: str, offset: int, park: str, lat: float, lon: float) -> pb.Inject:
        spec = pb.IncidentSpec(
            title=f"Chlorine release at {park}",
            park_id=park,
            location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=lat, longitude=lon), description="cylinder store"),
            kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
            substance=common_pb2.Substance(name="chlorine", un_number="1017", hazard_class="2.3"),
            severity=common_pb2.SEVERITY_III,
            description="A cylinder valve leaks.",
            demands=[common_pb2.ResourceDemand(resource_type="HAZMAT_TEAM", quantity=1, needed_within_minutes=15, required_capabilities=["gas-tight-a"])],
        )
        arrival = pb.Target(metric="FIRST_ARRIVAL_MIN", resource_type="HAZMAT_TEAM", comparator=pb.Target.COMPARATOR_AT_MOST, threshold=15)
        return pb.Inject(id=inject_id, offset_s=offset, kind=pb.Inject.KIND_NEW_INCIDENT, incident=spec, targets=[arrival])

    loss = pb.Inject(
        id="suits-lost",
        offset_s=900,
        kind=pb.Inject.KIND_STOCK_LOSS,
        stock="parks/ligang/depots/riverside-base/stocks/GAS_TIGHT_SUIT_A",
        amount=4,
        targets=[pb.Target(metric="RESUPPLY_MIN", comparator=pb.Target.COMPARATOR_AT_MOST, threshold=60)],
    )
    reserve = pb.Target(metric="PARKS_BELOW_RESERVE", comparator=pb.Target.COMPARATOR_AT_MOST, threshold=0)
    first = incident("leak-ligang", 0, "ligang", 31.956, 120.091)
    first.targets.append(reserve)
    return pb.Scenario(
        title="Two chlorine leaks, one set of suits",
        objectives=["Gas-tight entry on both leaks within fifteen minutes."],
        mode=pb.Scenario.MODE_UNANNOUNCED,
        park_ids=["ligang", "shengang"],
        injects=[first, incident("leak-shengang", 300, "shengang", 31.926, 120.176), loss],
        rubric=[
            pb.RubricItem(criterion="targets_met", weight=0.6, description="Entry teams in time"),
            pb.RubricItem(criterion="time_to_plan", weight=0.2, description="Suits replaced"),
            pb.RubricItem(criterion="reserve_kept", weight=0.2, description="No park uncovered"),
        ],
    )


async def test_criterion_rubric_and_shared_depot_upload(casebase: CasebaseHarness) -> None:
    stub = casebase.stub
    drill = _two_park_drill()
    created = (
        await stub.CreateScenario(pb.CreateScenarioRequest(request_id=rid(), scenario_id="two-chlorine-leaks", scenario=drill), metadata=OPERATOR)
    ).scenario
    assert [(r.criterion, r.weight) for r in created.rubric] == [("targets_met", 0.6), ("time_to_plan", 0.2), ("reserve_kept", 0.2)]
    assert created.injects[2].stock == drill.injects[2].stock
    assert created.injects[0].incident.demands == drill.injects[0].incident.demands

    elsewhere = pb.Scenario()
    elsewhere.CopyFrom(drill)
    elsewhere.injects[2].stock = "parks/shengang/depots/riverside-base/stocks/GAS_TIGHT_SUIT_A"
    elsewhere.rubric.append(pb.RubricItem(criterion="plan_quality", weight=0.0))
    error = await expect_error(
        stub.CreateScenario(pb.CreateScenarioRequest(scenario=elsewhere, validate_only=True), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(field_violations(error)) == {"scenario.injects[2].stock", "scenario.rubric[3].criterion", "scenario.rubric[3].weight"}
    assert len(await all_scenario_names(stub)) == 13


async def test_every_shipped_scenario_carries_its_chinese_title(casebase: CasebaseHarness) -> None:
    shipped = sorted(path.stem for path in (Path(__file__).resolve().parents[2] / "services" / "casebase" / "data" / "scenarios").glob("*.yaml"))
    assert len(shipped) == 12
    for scenario_id in shipped:
        scenario = (await casebase.stub.GetScenario(pb.GetScenarioRequest(name=f"scenarios/{scenario_id}"), metadata=VIEWER)).scenario
        assert scenario.title_zh and scenario.title_zh != scenario.title, scenario_id
