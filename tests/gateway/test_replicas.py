"""Two gateway replicas and two dispatch replicas on PostgreSQL: concurrent commits through both gateways, one gateway
killed (SIGKILL) mid-commit, its commits taken over by exactly one replica, no unit booked twice, the picture exact."""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc
from emergency.resources.v1 import resources_service_pb2 as rpb
from sqlmodel import Session, select

from gateway.saga_records import RUNNING
from gateway.server import build_server as build_gateway
from gateway.tables import SagaRow, SagaStepRow
from services.common.db import make_engine
from services.common.local import free_port
from services.common.server import RunningServer
from services.dispatch.server import build_server as build_dispatch
from tests.conftest import _create_postgres_database, _drop_postgres_database
from tests.gateway.conftest import BACKENDS, Suite, gateway_config, start_suite
from tests.gateway.helpers import CHLORINE, OPERATOR, TANK_FIRE, demand, eventually, report, rid, units_in
from tests.gateway.processes import exited, gateway_process, serving
from tests.gateway.readmodel_helpers import screen

COMMITS_PER_GATEWAY = 4
LEASE = {"GATEWAY_SAGA_LEASE_S": "3", "GATEWAY_SAGA_SWEEP_S": "0.5"}


@pytest_asyncio.fixture(scope="module")
async def replicated(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> AsyncIterator[tuple[Suite, RunningServer]]:
    """The backends on PostgreSQL, each on a database of its own, with a second dispatch replica."""
    databases = {service: _create_postgres_database() for service in (*BACKENDS, "gateway")}
    suite = await start_suite(
        tmp_path_factory.mktemp("replicas"), redis_url, gateway=False, database_urls={service: url for service, (_, url) in databases.items()}
    )
    second, port = await build_dispatch(suite.backend_settings("dispatch"), port=0)
    suite.addresses["dispatch"] = f"{suite.addresses['dispatch']},127.0.0.1:{port}"
    try:
        yield suite, second
    finally:
        await second.stop(1.0)
        await suite.stop()
        for name, _ in databases.values():
            _drop_postgres_database(name)


async def _commit(stub: gateway_service_pb2_grpc.CommandCenterServiceStub, proposal: str, request_id: str) -> gpb.CommitPlanResponse | grpc.aio.AioRpcError:
    """CommitPlan, or the error it ended with (the doomed replica's calls end when it dies)."""
    try:
        reply: gpb.CommitPlanResponse = await stub.CommitPlan(gpb.CommitPlanRequest(request_id=request_id, proposal=proposal), metadata=OPERATOR, timeout=120)
        return reply
    except grpc.aio.AioRpcError as error:
        return error


async def _confirmed_units(suite: Suite, incidents: list[str]) -> Counter[str]:
    """How many confirmed reservations hold each unit."""
    held: Counter[str] = Counter()
    for name in incidents:
        page = await suite.resources.ListReservations(rpb.ListReservationsRequest(incident=name, states=[rpb.Reservation.STATE_CONFIRMED]), metadata=OPERATOR)
        for reservation in page.reservations:
            held.update(u.unit for u in reservation.units)
    return held


@pytest.mark.timeout(600)
async def test_two_gateways_one_killed_mid_commit(replicated: tuple[Suite, RunningServer], tmp_path: Path) -> None:
    suite, _second_dispatch = replicated
    gateway_db = suite.database_urls["gateway"]
    common = {"DATABASE_URL": gateway_db, "DISPATCH_ADDR": suite.addresses["dispatch"], **LEASE}
    port_a, port_b = free_port(), free_port()
    with (
        gateway_process(suite, tmp_path, port_a, GATEWAY_REPLICA="gateway-a", **common),
        gateway_process(suite, tmp_path, port_b, GATEWAY_REPLICA="gateway-b", GATEWAY_FAULT_AFTER_STEP="reserved", **common) as doomed,
    ):
        await eventually(lambda: serving(f"127.0.0.1:{port_a}"), "gateway-a to serve")
        await eventually(lambda: serving(f"127.0.0.1:{port_b}"), "gateway-b to serve")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port_a}") as channel_a, grpc.aio.insecure_channel(f"127.0.0.1:{port_b}") as channel_b:
            a, b = gateway_service_pb2_grpc.CommandCenterServiceStub(channel_a), gateway_service_pb2_grpc.CommandCenterServiceStub(channel_b)
            # Every incident wants the same teams, and every plan is made on one snapshot: the commits collide.
            wants = [[demand("HAZMAT_TEAM", 2), demand("GAS_DETECTION_TEAM", 1)], [demand("PUMPER_ENGINE", 2), demand("FOAM_TENDER", 1)]]
            incidents = [
                (await report(a if n % 2 else b, CHLORINE if n % 2 else TANK_FIRE, accept=False, demands=wants[n % 2], title=f"Replica test {n}")).incident
                for n in range(2 * COMMITS_PER_GATEWAY)
            ]
            proposals = [
                (await (a if n % 2 else b).ProposePlan(gpb.ProposePlanRequest(incidents=[i.name]), metadata=OPERATOR)).proposal for n, i in enumerate(incidents)
            ]
            request_ids = [rid() for _ in proposals]
            results = await asyncio.gather(*(_commit(a if n % 2 else b, p.name, request_ids[n]) for n, p in enumerate(proposals)))

            assert await eventually(lambda: exited(doomed), "gateway-b to kill itself mid-commit") == -signal.SIGKILL
            through_a = [r for n, r in enumerate(results) if n % 2]
            assert all(isinstance(r, gpb.CommitPlanResponse) for r in through_a), [str(r)[:300] for r in through_a]
            orphaned = [request_ids[n] for n, r in enumerate(results) if n % 2 == 0 and isinstance(r, grpc.aio.AioRpcError)]
            assert orphaned, "no commit was in flight on gateway-b when it died"

            # gateway-a takes over every saga gateway-b left running once its lease lapses, each once.
            engine = make_engine(gateway_db)

            def left_running() -> list[str]:
                with Session(engine) as session:
                    return list(session.exec(select(SagaRow.request_id).where(SagaRow.state == RUNNING)).all())

            async def none_running() -> bool:
                return not await asyncio.to_thread(left_running)

            await eventually(none_running, "gateway-a to take over gateway-b's commits", limit_s=120)
            with Session(engine) as session:
                takeovers = [json.loads(s.detail) for s in session.exec(select(SagaStepRow).where(SagaStepRow.step == "RECOVERING")).all()]
                states = {s.request_id: s.state for s in session.exec(select(SagaRow)).all()}
            engine.dispose()
            b_sagas = [r for r in orphaned if r in states]
            assert sorted(t["from"] for t in takeovers) == ["gateway-b"] * len(b_sagas)
            assert {t["replica"] for t in takeovers} == {"gateway-a"}
            assert all(states[r] == "COMPENSATED" for r in b_sagas)  # killed before confirming: every hold released

            # The operators retry what failed on gateway-b, through gateway-a: every commit lands, none twice.
            retried = await asyncio.gather(*(_commit(a, proposals[n].name, request_ids[n]) for n, r in enumerate(results) if request_ids[n] in orphaned))
            assert all(isinstance(r, gpb.CommitPlanResponse) for r in retried), [str(r)[:300] for r in retried]
            assert await units_in(suite.resources, [rpb.Unit.STATE_RESERVED]) == []
            held = await _confirmed_units(suite, [i.name for i in incidents])
            assert held and max(held.values()) == 1, "a unit is in two confirmed reservations"
            active = await suite.resources.ListReservations(rpb.ListReservationsRequest(states=[rpb.Reservation.STATE_ACTIVE]), metadata=OPERATOR)
            assert list(active.reservations) == []

            # gateway-a's read model shows what a fresh read of the services shows.
            live, live_port = await build_gateway(
                suite.backend_settings(), port=0, config=gateway_config(readmodel_enabled=False, recover_on_start=False, saga_sweep_s=0)
            )
            try:
                async with grpc.aio.insecure_channel(f"127.0.0.1:{live_port}") as channel:
                    direct = gateway_service_pb2_grpc.CommandCenterServiceStub(channel)

                    async def same_picture() -> bool:
                        from_services = await direct.GetSituation(gpb.GetSituationRequest(), metadata=OPERATOR)
                        from_model = await a.GetSituation(gpb.GetSituationRequest(), metadata=OPERATOR)
                        return bool(screen(from_model) == screen(from_services))

                    await eventually(same_picture, "gateway-a's read model to equal a fresh read")
            finally:
                await live.stop(1.0)
