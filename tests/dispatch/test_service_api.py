"""DispatchService through a real in-process server: optimise, evaluate, stream, deadlines, auth."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace

import grpc
from emergency.dispatch.v1 import dispatch_service_pb2 as pb
from grpc_health.v1 import health_pb2, health_pb2_grpc

from fixtures.dispatch.instances import InstanceSpec, generate
from services.dispatch.domain import optimise
from services.dispatch.mapping import to_request
from services.dispatch.model import Strategy
from tests.dispatch.conftest import DispatchHarness, with_options
from tests.dispatch.protos import request_message, small_request
from tests.dispatch.rpc import OPERATOR, VIEWER
from tests.grpc_assertions import expect_error

OPTIMAL = pb.SolverReport.STATUS_OPTIMAL
FEASIBLE = pb.SolverReport.STATUS_FEASIBLE


def _key(o: pb.Objective) -> tuple[float, float, float]:
    return (round(o.weighted_unmet, 9), round(o.weighted_completion_s, 6), round(o.total_travel_s, 6))


async def test_optimise_small_world(dispatch: DispatchHarness) -> None:
    response = await dispatch.stub.OptimizePlan(small_request(), metadata=OPERATOR)
    assert response.solver.status == OPTIMAL
    sent = {a.unit_id: (a.incident_id, a.resource_type) for a in response.plan.assignments}
    # Both pumpers go to I1; A's only hazmat team stays home for its reserve, B's own team goes to I2.
    assert sent == {"P1": ("I1", "PUMPER_ENGINE"), "P2": ("I1", "PUMPER_ENGINE"), "H2": ("I2", "HAZMAT_TEAM")}
    assert [(s.depot_id, s.incident_id, s.resource_type, s.amount) for s in response.plan.shipments] == [("D1", "I1", "FOAM_AFFF", 500.0)]
    assert all(a.eta_s > 0 for a in response.plan.assignments)
    assert not response.plan.unmet
    assert response.objective.weighted_unmet == 0
    assert response.objective.weighted_completion_s > 0
    assert response.solver.best_bound == response.objective.weighted_completion_s
    assert response.solver.plan_source in {"cpsat", "mip", "flow", "greedy", "lp"}
    assert response.solver.bound_source in {"lp", "flow", "cpsat", "mip", "parts"}
    assert response.solver.gap == 0
    assert response.solver.variables > 0 and response.solver.constraints > 0
    assert [e.incident_id for e in response.explanations] == ["I1", "I2"]
    i2 = response.explanations[1]
    assert any("park A keeps 1 HAZMAT_TEAM at home" in text for text in i2.binding_constraints), i2
    # The nearer team H1 is the next-best alternative: it would have been faster, but the reserve holds it.
    assert [(a.chosen_id, a.alternative_id) for a in i2.alternatives] == [("H2", "H1")]
    assert i2.alternatives[0].added_minutes == 0
    assert "nearer but idle, held by the reserve of park A" in i2.alternatives[0].note
    assert {a.chosen_id for a in response.explanations[0].alternatives} == {"P1", "P2", "D1"}
    assert _key(response.objective) <= _key(response.greedy_objective)


async def test_evaluate_the_returned_plan_and_an_edited_one(dispatch: DispatchHarness) -> None:
    world = small_request()
    response = await dispatch.stub.OptimizePlan(world, metadata=OPERATOR)
    scored = await dispatch.stub.EvaluatePlan(pb.EvaluatePlanRequest(request=world, plan=response.plan), metadata=OPERATOR)
    # Entries carry no demand line: the curtain pumper must be placed on the line that needs it.
    assert not scored.violations
    assert _key(scored.objective) == _key(response.objective)
    assert not scored.unmet

    edited = pb.Plan()
    edited.CopyFrom(response.plan)
    del edited.assignments[:]
    edited.assignments.extend(
        [
            pb.UnitAssignment(unit_id="P1", incident_id="I1", resource_type="PUMPER_ENGINE"),
            pb.UnitAssignment(unit_id="P1", incident_id="I1", resource_type="PUMPER_ENGINE"),
            pb.UnitAssignment(unit_id="H1", incident_id="I2", resource_type="HAZMAT_TEAM"),
            pb.UnitAssignment(unit_id="GHOST", incident_id="I1", resource_type="PUMPER_ENGINE"),
        ]
    )
    edited.shipments[0].amount = 900
    scored = await dispatch.stub.EvaluatePlan(pb.EvaluatePlanRequest(request=world, plan=edited), metadata=OPERATOR)
    codes = sorted(v.code for v in scored.violations)
    assert codes == ["RESERVE_BREACHED", "STOCK_EXCEEDED", "UNIT_ASSIGNED_TWICE", "UNKNOWN_UNIT"], scored.violations
    assert all(v.message for v in scored.violations)
    unmet = {(u.incident_id, u.resource_type): u for u in scored.unmet}
    # P1 lacks the curtain, so one pumper line stays short, with a reason.
    assert unmet[("I1", "PUMPER_ENGINE")].quantity == 1
    assert unmet[("I1", "PUMPER_ENGINE")].reason
    assert scored.objective.weighted_unmet == 4.0


async def test_generated_world_through_the_api_matches_the_domain(dispatch: DispatchHarness) -> None:
    request = generate(InstanceSpec("api", incidents=6, units=300, seed=7, load=0.95, reserve_fraction=0.1, response_standard_min=20, time_limit_s=2.0))
    message = request_message(request)
    mapped, violations = to_request(message)
    assert not violations
    assert mapped.units == request.units and mapped.stocks == request.stocks and mapped.policies == request.policies
    assert [replace(i, reported_at_s=0) for i in mapped.incidents] == [replace(i, reported_at_s=0) for i in request.incidents]
    response = await dispatch.stub.OptimizePlan(message, metadata=OPERATOR)
    greedy = optimise(with_options(mapped, strategy=Strategy.GREEDY))
    assert response.greedy_objective.weighted_unmet == greedy.objective.weighted_unmet
    assert response.greedy_objective.weighted_completion_s == greedy.objective.weighted_completion_s
    assert response.solver.status in (OPTIMAL, FEASIBLE)
    assert _key(response.objective) <= _key(response.greedy_objective)
    assert response.objective.weighted_unmet > 0, "the world is meant to be contended"
    assert {u.reason != "" for u in response.plan.unmet} == {True}
    scored = await dispatch.stub.EvaluatePlan(pb.EvaluatePlanRequest(request=message, plan=response.plan), metadata=OPERATOR)
    assert not scored.violations
    assert _key(scored.objective) == _key(response.objective)

    message.options.strategy = pb.PlanOptions.STRATEGY_GREEDY
    baseline = await dispatch.stub.OptimizePlan(message, metadata=OPERATOR)
    assert baseline.solver.status == pb.SolverReport.STATUS_GREEDY
    assert _key(baseline.objective) == _key(baseline.greedy_objective) == _key(response.greedy_objective)


async def test_stream_improves_and_ends_with_the_final_plan(dispatch: DispatchHarness) -> None:
    request = generate(InstanceSpec("stream", incidents=8, units=300, seed=4, load=1.0, time_limit_s=2.0))
    call = dispatch.stub.StreamPlans(pb.StreamPlansRequest(request=request_message(request)), metadata=OPERATOR)
    items = [item async for item in call]
    assert len(items) >= 2
    assert [item.final for item in items] == [False] * (len(items) - 1) + [True]
    keys = [_key(item.result.objective) for item in items[:-1]]
    assert all(later < earlier for earlier, later in itertools.pairwise(keys))
    final = items[-1].result
    assert _key(final.objective) <= keys[-1]
    assert final.explanations and final.solver.status in (OPTIMAL, FEASIBLE)
    assert all(_key(item.result.greedy_objective) == _key(final.greedy_objective) for item in items)


async def test_health_answers_while_a_solve_runs(dispatch: DispatchHarness) -> None:
    request = generate(InstanceSpec("busy", incidents=20, units=1000, seed=3, load=0.95, reserve_fraction=0.2, time_limit_s=4.0))
    solving = asyncio.ensure_future(dispatch.stub.OptimizePlan(request_message(request), metadata=OPERATOR))
    await asyncio.sleep(0.5)
    health = health_pb2_grpc.HealthStub(dispatch.channel)
    for _ in range(3):
        answer = await health.Check(health_pb2.HealthCheckRequest(service="emergency.dispatch.v1.DispatchService"))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
    # The solve is still running: the health checks did not wait for it.
    assert not solving.done()
    response = await solving
    assert response.solver.status in (OPTIMAL, FEASIBLE)


async def test_the_deadline_caps_the_time_limit(dispatch: DispatchHarness) -> None:
    request = generate(InstanceSpec("deadline", incidents=20, units=1000, seed=3, load=0.95, reserve_fraction=0.2, time_limit_s=60.0))
    # A 60 s limit would outlive the 20 s deadline; the service solves for what the deadline leaves
    # (the deadline is generous so a loaded machine still answers in time; without the cap it would take 60 s).
    response = await dispatch.stub.OptimizePlan(request_message(request), metadata=OPERATOR, timeout=20.0)
    assert response.solver.status in (OPTIMAL, FEASIBLE, pb.SolverReport.STATUS_FALLBACK)
    assert response.solver.wall_time_s < 20.0


async def test_reads_need_an_authenticated_caller(dispatch: DispatchHarness) -> None:
    world = small_request()
    for call in (
        dispatch.stub.OptimizePlan(world),
        dispatch.stub.EvaluatePlan(pb.EvaluatePlanRequest(request=world)),
        dispatch.stub.StreamPlans(pb.StreamPlansRequest(request=world)).read(),
    ):
        await expect_error(call, grpc.StatusCode.UNAUTHENTICATED)
    bad_token = (("authorization", "Bearer not-a-token"),)
    await expect_error(dispatch.stub.OptimizePlan(world, metadata=bad_token), grpc.StatusCode.UNAUTHENTICATED)
    world.options.strategy = pb.PlanOptions.STRATEGY_GREEDY
    for metadata in (OPERATOR, VIEWER):
        response = await dispatch.stub.OptimizePlan(world, metadata=metadata)
        assert response.solver.status == pb.SolverReport.STATUS_GREEDY
    scored = await dispatch.stub.EvaluatePlan(pb.EvaluatePlanRequest(request=world, plan=response.plan), metadata=VIEWER)
    assert not scored.violations
