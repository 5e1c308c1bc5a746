"""The situation read model: equal to a fresh rebuild after a day of changes, resumed after a restart, rebuilt after a gap, blind to drills."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway import store_readmodel
from gateway.readmodel_consumer import entry_id
from gateway.readmodel_events import RESOURCES_STREAM, STREAMS
from gateway.server import build_server as build_gateway
from services.common.db import make_engine
from tests.gateway.conftest import Suite, gateway_config, start_suite
from tests.gateway.helpers import CHLORINE, DIRECTOR, OPERATOR, TANK_FIRE, demand, eventually, report, rid
from tests.gateway.readmodel_helpers import converged, entries_between, gateway_model, last_id, read_model_of, screen

REPLICA = "gateway-under-test"
ON_SCENE = rpb.Unit.STATE_ON_SCENE


async def _commit(suite: Suite, incidents: list[str], exercise_id: str = "") -> gpb.CommitPlanResponse:
    """Propose for the incidents and commit the proposal."""
    request = gpb.ProposePlanRequest(incidents=incidents, exercise_id=exercise_id)
    proposal = (await suite.gateway.ProposePlan(request, metadata=OPERATOR)).proposal
    reply: gpb.CommitPlanResponse = await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
    return reply


async def _move_directly(suite: Suite, name: str, state: int) -> None:
    """Move a unit at the resources service itself: the gateway learns it only from the event."""
    unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name=name), metadata=OPERATOR)).unit
    request = rpb.ReportUnitStatusRequest(request_id=rid(), name=name, version=unit.version, state=state)  # type: ignore[arg-type]
    await suite.resources.ReportUnitStatus(request, metadata=OPERATOR)


async def test_the_read_model_equals_a_fresh_rebuild_after_a_day_of_changes(database_suite: Suite) -> None:
    suite, gateway = database_suite, database_suite.gateway
    model = gateway_model(suite)
    await converged(suite, model)
    leak = (await report(gateway, CHLORINE, accept=False, demands=[demand("GAS_DETECTION_TEAM", 1), demand("SCBA_CYLINDER", 4)])).incident
    fire = (await report(gateway, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 1)])).incident
    false_alarm = (await report(gateway, TANK_FIRE, accept=False, demands=[demand("COMMAND_VEHICLE", 1)])).incident
    committed = await _commit(suite, [leak.name, fire.name])
    assert committed.outcome == gpb.CommitPlanResponse.OUTCOME_COMMITTED

    # Through the gateway: the leak's units on scene, the leak contained and closed with its units sent home.
    await gateway.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), incident=leak.name, state=ON_SCENE), metadata=OPERATOR)
    await gateway.ContainIncident(gpb.ContainIncidentRequest(request_id=rid(), incident=leak.name, note="valve closed"), metadata=OPERATOR)
    await gateway.CloseIncident(gpb.CloseIncidentRequest(request_id=rid(), incident=leak.name, outcome_summary="No injuries."), metadata=OPERATOR)
    # Straight to the services, so only their events tell: a fire unit on scene, a stock receipt, a report cancelled.
    fire_unit = next(a.unit_id for a in committed.dispatched_units if a.incident_id == fire.name)
    await _move_directly(suite, fire_unit, ON_SCENE)
    leak_unit = next(a.unit_id for a in committed.dispatched_units if a.incident_id == leak.name)
    await _move_directly(suite, leak_unit, rpb.Unit.STATE_AVAILABLE)  # returning after the close: home, its hold ended
    assert model.picture is not None
    stock = sorted(model.picture.stocks)[0]
    on_hand = model.picture.stocks[stock].stock.on_hand
    receipt = rpb.AdjustStockRequest(request_id=rid(), stock=stock, kind=rpb.StockLedgerEntry.KIND_RECEIPT, delta=5)
    await suite.resources.AdjustStock(receipt, metadata=OPERATOR)
    cancel = ipb.CancelIncidentRequest(request_id=rid(), name=false_alarm.name, version=false_alarm.version, reason="steam, not smoke")
    await suite.incident.CancelIncident(cancel, metadata=OPERATOR)

    picture = await converged(suite, model)
    assert fire.name in picture.incidents and leak.name not in picture.incidents and false_alarm.name not in picture.incidents
    assert picture.units[fire_unit].unit.state == ON_SCENE
    assert picture.units[leak_unit].unit.state == rpb.Unit.STATE_AVAILABLE and not picture.units[leak_unit].unit.incident
    assert picture.stocks[stock].stock.on_hand == on_hand + 5

    # The screen from the read model is the screen the services give (a second gateway without a read model).
    assert await model.fresh() is picture
    live, port = await build_gateway(suite.backend_settings(), port=0, config=gateway_config(readmodel_enabled=False))
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            direct = gateway_service_pb2_grpc.CommandCenterServiceStub(channel)
            from_services = await direct.GetSituation(gpb.GetSituationRequest(), metadata=OPERATOR)
        from_model = await gateway.GetSituation(gpb.GetSituationRequest(), metadata=OPERATOR)
    finally:
        await live.stop(1.0)
    assert screen(from_model) == screen(from_services)
    assert from_model.available_units == len([u for u in picture.units.values() if u.unit.state == rpb.Unit.STATE_AVAILABLE])


@pytest_asyncio.fixture(scope="module")
async def suite(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> AsyncIterator[Suite]:
    """The suite with a named read model, so that a restarted gateway is the same replica."""
    running = await start_suite(tmp_path_factory.mktemp("readmodel"), redis_url, config=gateway_config(readmodel_replica=REPLICA))
    yield running
    await running.stop()


async def _restart(suite: Suite, **config: object) -> None:
    """Start the gateway again as the same replica."""
    await suite.start_gateway(gateway_config(readmodel_replica=REPLICA, **config))


async def test_a_restarted_gateway_resumes_from_its_saved_position(suite: Suite) -> None:
    leak = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("GAS_DETECTION_TEAM", 1)])).incident
    committed = await _commit(suite, [leak.name])
    await converged(suite, gateway_model(suite))
    await suite.servers.pop("gateway").stop(1.0)
    engine = make_engine(suite.backend_settings().database_url_for("gateway"))
    saved = store_readmodel.load(engine, REPLICA)
    engine.dispose()
    assert saved is not None and set(saved.positions) == set(STREAMS) and saved.items

    # While the gateway is down, a unit reports itself on scene.
    await _move_directly(suite, committed.dispatched_units[0].unit_id, ON_SCENE)
    await _restart(suite)
    model = gateway_model(suite)
    picture = await converged(suite, model)
    assert model.rebuilds == [], "a restart with a saved picture and no gap must not rebuild"
    assert picture.units[committed.dispatched_units[0].unit_id].unit.state == ON_SCENE
    missed = await entries_between(suite.redis_url, saved.positions, model.positions)
    assert missed > 0 and model.applied == missed, "every entry after the saved position applied once, none before it"


async def test_a_trimmed_stream_makes_the_restarted_gateway_rebuild(suite: Suite) -> None:
    fire = (await report(suite.gateway, TANK_FIRE, accept=False, demands=[demand("PUMPER_ENGINE", 1)])).incident
    committed = await _commit(suite, [fire.name])
    stopped = gateway_model(suite)
    await converged(suite, stopped)
    await suite.servers.pop("gateway").stop(1.0)
    await _move_directly(suite, committed.dispatched_units[0].unit_id, ON_SCENE)
    client = aioredis.Redis.from_url(suite.redis_url)
    saved = entry_id(stopped.positions[RESOURCES_STREAM])

    async def relayed() -> bool:
        return entry_id(await last_id(client, RESOURCES_STREAM)) > saved

    try:
        await eventually(relayed, "the move's event")
        await client.xtrim(RESOURCES_STREAM, maxlen=0)  # the move's event is gone before the gateway reads it
    finally:
        await client.aclose()
    await _restart(suite)
    model = gateway_model(suite)
    picture = await converged(suite, model)
    assert len(model.rebuilds) == 1 and "trimmed" in model.rebuilds[0], model.rebuilds
    assert picture.units[committed.dispatched_units[0].unit_id].unit.state == ON_SCENE


async def test_an_event_it_cannot_apply_makes_it_rebuild(suite: Suite) -> None:
    model = gateway_model(suite)
    await converged(suite, model)
    before = len(model.rebuilds)
    client = aioredis.Redis.from_url(suite.redis_url)
    try:
        fields = {"event_id": rid(), "type": "fleet.reorganised", "subject": "parks/xiagang", "version": "1", "exercise_id": "", "payload": "{}"}
        await client.xadd(RESOURCES_STREAM, fields)  # type: ignore[arg-type]
    finally:
        await client.aclose()

    async def rebuilt() -> bool:
        return len(model.rebuilds) > before

    await eventually(rebuilt, "a rebuild")
    assert "fleet.reorganised" in model.rebuilds[-1]
    await converged(suite, model)


async def test_drills_stay_out_of_the_live_picture(suite: Suite) -> None:
    model = gateway_model(suite)
    exercise = "readmodel-drill"
    await suite.resources.CreateExercise(rpb.CreateExerciseRequest(request_id=rid(), exercise_id=exercise, title="read model drill"), metadata=DIRECTOR)
    drill = (await report(suite.gateway, CHLORINE, accept=False, exercise_id=exercise, demands=[demand("GAS_DETECTION_TEAM", 1)])).incident
    committed = await _commit(suite, [drill.name], exercise_id=exercise)
    assert committed.outcome == gpb.CommitPlanResponse.OUTCOME_COMMITTED
    picture = await converged(suite, model)
    assert drill.name not in picture.incidents
    assert all(u.unit.incident != drill.name for u in picture.units.values())
    live = await suite.gateway.GetSituation(gpb.GetSituationRequest(), metadata=OPERATOR)
    assert drill.name not in {s.incident.name for s in live.incidents}
    in_drill = await suite.gateway.GetSituation(gpb.GetSituationRequest(exercise_id=exercise), metadata=OPERATOR)
    assert drill.name in {s.incident.name for s in in_drill.incidents}


async def test_lag_and_health_are_reported(suite: Suite) -> None:
    model = gateway_model(suite)
    await report(suite.gateway, CHLORINE, accept=False, demands=[demand("AMBULANCE", 1)])
    await converged(suite, model)
    figures = model.figures()
    assert figures["ready"] and figures["applied"] > 0 and 0 < figures["lag_p95_s"] < 30 and figures["replica"] == REPLICA

    async def serving() -> bool:
        async with grpc.aio.insecure_channel(suite.addresses["gateway"]) as channel:
            reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="readmodel"))
        return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)

    assert await eventually(serving, "the readmodel health component")


async def test_a_stale_picture_costs_a_replan_never_a_double_booking(suite: Suite) -> None:
    await _restart(suite, readmodel_max_staleness_s=600.0)
    model = gateway_model(suite)
    await converged(suite, model)
    leak = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("HAZMAT_TEAM", 1)])).incident
    first = (await suite.gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[leak.name]), metadata=OPERATOR)).proposal
    (chosen,) = [a.unit_id for a in first.optimized.plan.assignments]
    await model.stop()  # the picture stays as it is and, within its staleness limit, is still read

    unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name=chosen), metadata=OPERATOR)).unit
    hold = rpb.ReserveResourcesRequest(request_id=rid(), incident="incidents/someone-else", units=[rpb.UnitHold(unit=chosen, version=unit.version)])
    await suite.resources.ReserveResources(hold, metadata=OPERATOR)
    pin = gpb.PlanOverrides(pins=[gpb.UnitPin(unit=chosen, incident=leak.name, reason="crew knows the plant")])
    stale = (await suite.gateway.ProposePlan(gpb.ProposePlanRequest(incidents=[leak.name], overrides=pin), metadata=OPERATOR)).proposal
    assert [a.unit_id for a in stale.optimized.plan.assignments] == [chosen], "planned on the stale picture"
    committed = await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=stale.name), metadata=OPERATOR)
    assert committed.replans == 1 and committed.outcome == gpb.CommitPlanResponse.OUTCOME_COMMITTED
    sent = [a.unit_id for a in committed.dispatched_units]
    assert len(sent) == 1 and chosen not in sent
    holders = (await suite.resources.GetUnit(rpb.GetUnitRequest(name=chosen), metadata=OPERATOR)).unit
    assert holders.incident == "incidents/someone-else"
    await _restart(suite)
    assert read_model_of(suite.servers["gateway"]) is not model
