"""The gateway process is killed (SIGKILL) between reserve and confirm; a restarted gateway leaves nothing held and the retry completes."""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from services.common.local import free_port
from tests.gateway.conftest import Suite, start_suite
from tests.gateway.helpers import CHLORINE, OPERATOR, demand, eventually, report, rid, units_in
from tests.gateway.processes import exited, gateway_process, serving

RESERVED = rpb.Unit.STATE_RESERVED


@pytest_asyncio.fixture(scope="module")
async def backends(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> AsyncIterator[Suite]:
    """The four backends in process; the gateway runs as a separate process in each test."""
    running = await start_suite(tmp_path_factory.mktemp("crash"), redis_url, gateway=False)
    yield running
    await running.stop()


@pytest.mark.parametrize("recover_on_start", [True, False], ids=["recovery-at-start", "recovery-on-retry"])
@pytest.mark.parametrize("fault", ["reserved", "reserve-call"], ids=["after-recording", "before-recording"])
async def test_killed_between_reserve_and_confirm(backends: Suite, tmp_path: Path, recover_on_start: bool, fault: str) -> None:
    """Killed after the reserve was recorded, or after it reached the resources service but before the gateway recorded it."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    request_id = rid()
    with gateway_process(backends, tmp_path, port, GATEWAY_FAULT_AFTER_STEP=fault) as doomed:
        await eventually(lambda: serving(address), "the gateway to serve")
        async with grpc.aio.insecure_channel(address) as channel:
            stub = gateway_service_pb2_grpc.CommandCenterServiceStub(channel)
            incident = (await report(stub, CHLORINE, accept=False, demands=[demand("HAZMAT_TEAM", 2), demand("GAS_DETECTION_TEAM", 1)])).incident
            proposal = (await stub.ProposePlan(gpb.ProposePlanRequest(incidents=[incident.name]), metadata=OPERATOR)).proposal
            planned = {a.unit_id for a in proposal.optimized.plan.assignments}
            assert planned
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.CommitPlan(gpb.CommitPlanRequest(request_id=request_id, proposal=proposal.name), metadata=OPERATOR)
        code = await eventually(lambda: exited(doomed), "the gateway to die")
        assert code == -signal.SIGKILL

    # The process died holding the reservation: the units are RESERVED, the incident untouched.
    held = await backends.resources.ListReservations(
        rpb.ListReservationsRequest(incident=incident.name, states=[rpb.Reservation.STATE_ACTIVE]), metadata=OPERATOR
    )
    (orphan,) = held.reservations
    assert {u.name for u in await units_in(backends.resources, [RESERVED])} == planned

    with gateway_process(backends, tmp_path, port, GATEWAY_RECOVER_ON_START=str(recover_on_start).lower()):
        await eventually(lambda: serving(address), "the restarted gateway to serve")
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
