"""The gateway process is killed (SIGKILL) between reserve and confirm; a restarted gateway leaves nothing held and the retry completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.local import free_port
from tests.gateway.conftest import Suite, start_suite
from tests.gateway.helpers import CHLORINE, OPERATOR, demand, eventually, report, rid, units_in

ROOT = Path(__file__).resolve().parents[2]
RESERVED = rpb.Unit.STATE_RESERVED


@pytest_asyncio.fixture(scope="module")
async def backends(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> AsyncIterator[Suite]:
    """The four backends in process; the gateway runs as a separate process in each test."""
    running = await start_suite(tmp_path_factory.mktemp("crash"), redis_url, gateway=False)
    yield running
    await running.stop()


@contextmanager
def gateway_process(suite: Suite, data_dir: Path, port: int, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m gateway.server` against the in-process backends, stopped (SIGTERM) at the end if still alive."""
    environment = {
        **os.environ,
        "HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'gateway.db'}",
        "REDIS_URL": suite.redis_url,
        "LOG_FORMAT": "text",
        "OTEL_TRACES_EXPORTER": "none",
        "GATEWAY_RATE_LIMIT_PER_S": "0",
        "GATEWAY_PLAN_TIME_LIMIT_S": "1",
        "GATEWAY_RESERVATION_TTL_S": "300",
        **{f"{name.upper()}_ADDR": suite.addresses[name] for name in ("incident", "resources", "casebase", "dispatch")},
        **env,
    }
    log = (data_dir / f"gateway-{port}-{len(list(data_dir.glob('gateway-*.log')))}.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "gateway.server"], cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


async def _serving(address: str) -> bool:
    """Whether the gateway answers its health check."""
    async with grpc.aio.insecure_channel(address) as channel:
        try:
            reply = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service="emergency.gateway.v1.CommandCenterService"), timeout=1
            )
        except grpc.aio.AioRpcError:
            return False
    serving: bool = reply.status == health_pb2.HealthCheckResponse.SERVING
    return serving


async def _exited(process: subprocess.Popen[bytes]) -> int | None:
    """The exit code once the process has ended (None while it runs; a clean exit would show as -1000)."""
    code = process.poll()
    return None if code is None else code or -1000


@pytest.mark.parametrize("recover_on_start", [True, False], ids=["recovery-at-start", "recovery-on-retry"])
@pytest.mark.parametrize("fault", ["reserved", "reserve-call"], ids=["after-recording", "before-recording"])
async def test_killed_between_reserve_and_confirm(backends: Suite, tmp_path: Path, recover_on_start: bool, fault: str) -> None:
    """Killed after the reserve was recorded, or after it reached the resources service but before the gateway recorded it."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    request_id = rid()
    with gateway_process(backends, tmp_path, port, GATEWAY_FAULT_AFTER_STEP=fault) as doomed:
        await eventually(lambda: _serving(address), "the gateway to serve")
        async with grpc.aio.insecure_channel(address) as channel:
            stub = gateway_service_pb2_grpc.CommandCenterServiceStub(channel)
            incident = (await report(stub, CHLORINE, accept=False, demands=[demand("HAZMAT_TEAM", 2), demand("GAS_DETECTION_TEAM", 1)])).incident
            proposal = (await stub.ProposePlan(gpb.ProposePlanRequest(incidents=[incident.name]), metadata=OPERATOR)).proposal
            planned = {a.unit_id for a in proposal.optimized.plan.assignments}
            assert planned
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.CommitPlan(gpb.CommitPlanRequest(request_id=request_id, proposal=proposal.name), metadata=OPERATOR)
        code = await eventually(lambda: _exited(doomed), "the gateway to die")
        assert code == -signal.SIGKILL

    # The process died holding the reservation: the units are RESERVED, the incident untouched.
    held = await backends.resources.ListReservations(
        rpb.ListReservationsRequest(incident=incident.name, states=[rpb.Reservation.STATE_ACTIVE]), metadata=OPERATOR
    )
    (orphan,) = held.reservations
    assert {u.name for u in await units_in(backends.resources, [RESERVED])} == planned

    with gateway_process(backends, tmp_path, port, GATEWAY_RECOVER_ON_START=str(recover_on_start).lower()):
        await eventually(lambda: _serving(address), "the restarted gateway to serve")
        async with grpc.aio.insecure_channel(address) as channel:
            stub = gateway_service_pb2_grpc.CommandCenterServiceStub(channel)
            if recover_on_start:

                async def released() -> bool:
                    reservation = (await backends.resources.GetReservation(rpb.GetReservationRequest(name=orphan.name), metadata=OPERATOR)).reservation
                    return reservation.state in (rpb.Reservation.STATE_RELEASED, rpb.Reservation.STATE_EXPIRED)

                await eventually(released, "recovery to release the orphaned reservation")
                assert await units_in(backends.resources, [RESERVED]) == []
                still = (await backends.incident.GetIncident(ipb.GetIncidentRequest(name=incident.name), metadata=OPERATOR)).incident
                assert still.state == ipb.Incident.STATE_REPORTED and still.version == incident.version

            retried = await stub.CommitPlan(gpb.CommitPlanRequest(request_id=request_id, proposal=proposal.name), metadata=OPERATOR)
            assert retried.incidents[0].state == ipb.Incident.STATE_RESPONDING
            assert retried.replans == 1  # the first plan's unit versions moved with the orphaned hold and its release
            assert orphan.name not in retried.reservations
            orphan_now = (await backends.resources.GetReservation(rpb.GetReservationRequest(name=orphan.name), metadata=OPERATOR)).reservation
            assert orphan_now.state == rpb.Reservation.STATE_RELEASED
            assert await units_in(backends.resources, [RESERVED]) == []
            sent = {a.unit_id for a in retried.committed.optimized.plan.assignments}
            assert {u.name for u in await units_in(backends.resources, [rpb.Unit.STATE_EN_ROUTE])} >= sent
            again = await stub.CommitPlan(gpb.CommitPlanRequest(request_id=request_id, proposal=proposal.name), metadata=OPERATOR)
            assert again == retried
