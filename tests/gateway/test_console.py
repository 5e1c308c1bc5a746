"""Console-facing calls through the real servers: the live event stream, park imports, and the rate limit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import grpc
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.common.auth import Role
from tests.conftest import auth
from tests.gateway.conftest import Suite, gateway_config
from tests.gateway.helpers import CHLORINE, OPERATOR, TANK_FIRE, demand, officer, report, rid
from tests.grpc_assertions import expect_error


async def _events(suite: Suite, request: gpb.WatchEventsRequest, metadata: tuple[tuple[str, str], ...], stop: Callable[[gpb.Event], bool]) -> list[gpb.Event]:
    """Events from the gateway's stream up to (and with) the first that `stop` accepts."""
    seen: list[gpb.Event] = []

    async def read() -> None:
        async for item in suite.gateway.WatchEvents(request, metadata=metadata):
            seen.append(item.event)
            if stop(item.event):
                return

    await asyncio.wait_for(read(), timeout=60)
    return seen


def _committed(event: gpb.Event) -> bool:
    return event.type == "plan.committed"


async def test_events_stream_in_scope_live_and_resumable(suite: Suite) -> None:
    wanted = ["incident.created", "plan.committed"]
    # Reading from the start of each stream, the watcher then waits for what comes next (no timing assumed).
    watching = asyncio.create_task(_events(suite, gpb.WatchEventsRequest(types=wanted, from_start=True), officer("shengang"), _committed))
    leak = (await report(suite.gateway, CHLORINE, accept=False, demands=[demand("COMMAND_VEHICLE", 1)])).incident  # in xiagang
    fire = (await report(suite.gateway, TANK_FIRE, accept=False, demands=[demand("COMMAND_VEHICLE", 1)])).incident  # in shengang
    await suite.gateway.AutoDispatch(gpb.AutoDispatchRequest(request_id=rid(), incidents=[fire.name]), metadata=OPERATOR)
    seen = await watching
    subjects = [e.subject for e in seen]
    assert fire.name in subjects and leak.name not in subjects  # a shengang officer sees shengang's incident only
    assert seen[-1].type == "plan.committed" and not seen[-1].exercise_id  # the commit names no park: everyone sees it
    assert len({e.event_id for e in seen}) == len(seen)

    everything = await _events(suite, gpb.WatchEventsRequest(types=wanted, from_start=True), OPERATOR, _committed)
    assert {leak.name, fire.name} <= {e.subject for e in everything}
    created = next(e for e in everything if e.subject == fire.name)
    resumed = await _events(suite, gpb.WatchEventsRequest(types=wanted, from_start=True, after_ids=[f"{created.stream}={created.id}"]), OPERATOR, _committed)
    assert not {leak.name, fire.name} & {e.subject for e in resumed}  # resumed after the fire's creation
    assert resumed[-1].type == "plan.committed"


async def test_park_officer_imports_own_inventory_only(suite: Suite) -> None:
    point = common_pb2.GeoPoint(latitude=31.93, longitude=120.22)
    rows = [
        rpb.InventoryRow(depot=rpb.Depot(name="parks/xiagang/depots/xg-annex", display_name="Xiagang annex", kind=rpb.Depot.KIND_FIRE_STATION, location=point)),
        rpb.InventoryRow(
            unit=rpb.Unit(name="parks/xiagang/units/xg-annex-pe-01", resource_type="PUMPER_ENGINE", call_sign="XGA-PE01", home_depot_id="xg-annex", crew_size=6)
        ),
    ]
    inventory = rpb.ImportInventoryRequest(request_id=rid(), parent="parks/xiagang", rows=rows)
    reply = await suite.gateway.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=inventory), metadata=officer("xiagang"))
    assert reply.result.depots_created == 1 and reply.result.units_created == 1
    again = await suite.gateway.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=inventory), metadata=officer("xiagang"))
    assert again == reply  # the same request id changes nothing
    unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name="parks/xiagang/units/xg-annex-pe-01"), metadata=OPERATOR)).unit
    assert unit.state == rpb.Unit.STATE_AVAILABLE
    other = rpb.ImportInventoryRequest(request_id=rid(), parent="parks/shengang", rows=[])
    await expect_error(
        suite.gateway.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=other), metadata=officer("xiagang")), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(
        suite.gateway.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=rpb.ImportInventoryRequest(parent="fields/x")), metadata=OPERATOR),
        grpc.StatusCode.INVALID_ARGUMENT,
    )


async def test_rate_limit_names_the_limit(suite: Suite) -> None:
    await suite.start_gateway(gateway_config(rate_limit_per_s=0.0001, rate_limit_burst=2))
    try:
        busy = auth(Role.VIEWER, subject="viewer-busy")
        for _ in range(2):
            await suite.gateway.GetSituation(gpb.GetSituationRequest(), metadata=busy)
        error = await expect_error(suite.gateway.GetSituation(gpb.GetSituationRequest(), metadata=busy), grpc.StatusCode.RESOURCE_EXHAUSTED)
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
        assert status is not None
        info = error_details_pb2.ErrorInfo()
        next(d for d in status.details if d.Is(error_details_pb2.ErrorInfo.DESCRIPTOR)).Unpack(info)
        assert info.reason == "RATE_LIMITED" and info.metadata["limit"] == "GATEWAY_RATE_LIMIT_PER_S" and info.metadata["principal"] == "viewer-busy"
        await suite.gateway.GetSituation(gpb.GetSituationRequest(), metadata=auth(Role.VIEWER, subject="viewer-calm"))
    finally:
        await suite.start_gateway(gateway_config())


async def test_the_shipped_example_file_imports_after_a_dry_run_and_upserts(suite: Suite) -> None:
    from pathlib import Path

    from console.cli.inventory_file import read_inventory

    example = Path(__file__).resolve().parents[2] / "examples" / "inventory-ligang.csv"
    metadata = officer("xiagang")
    dry = read_inventory(example, "xiagang", rid())
    dry.validate_only = True
    plain = (await suite.gateway.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=dry), metadata=metadata)).result
    assert [p.field for p in plain.problems] == ["rows[7].reserve_policy.resource_type"]  # the park has a pumper policy already
    dry.upsert = True
    preview = (await suite.gateway.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=dry), metadata=metadata)).result
    assert preview.validate_only and not preview.problems
    assert (preview.depots_created, preview.units_created, preview.stocks_received, preview.policies_set) == (2, 3, 2, 0)
    assert preview.updated + preview.unchanged == 1
    await expect_error(suite.resources.GetUnit(rpb.GetUnitRequest(name="parks/xiagang/units/lg-east-pe-01"), metadata=OPERATOR), grpc.StatusCode.NOT_FOUND)
    real = read_inventory(example, "xiagang", rid())
    refused = await expect_error(
        suite.gateway.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=real), metadata=metadata), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert "already exists" in (refused.details() or "")
    real.upsert = True
    done = (await suite.gateway.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=real), metadata=metadata)).result
    assert (done.units_created, done.updated, done.unchanged) == (3, preview.updated, preview.unchanged)
    unit = (await suite.resources.GetUnit(rpb.GetUnitRequest(name="parks/xiagang/units/lg-east-pe-01"), metadata=OPERATOR)).unit
    assert unit.call_sign == "LGE-PE01" and unit.state == rpb.Unit.STATE_AVAILABLE


async def test_oversized_requests_stop_at_the_gateway(suite: Suite) -> None:
    from tests.gateway.helpers import incident
    from tests.grpc_assertions import error_info, field_violations

    before = len((await suite.incident.ListIncidents(ipb.ListIncidentsRequest(page_size=500), metadata=OPERATOR)).incidents)
    long_title = incident(CHLORINE, title="t" * 5000)
    error = await expect_error(
        suite.gateway.ReportIncident(gpb.ReportIncidentRequest(request_id=rid(), incident=long_title), metadata=OPERATOR), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert field_violations(error) == ["incident.title"]
    huge = incident(CHLORINE, description="d" * (5 * 1024 * 1024))
    error = await expect_error(
        suite.gateway.ReportIncident(gpb.ReportIncidentRequest(request_id=rid(), incident=huge), metadata=OPERATOR), grpc.StatusCode.RESOURCE_EXHAUSTED
    )
    assert error_info(error).reason == "REQUEST_TOO_LARGE"
    direct = ipb.CreateIncidentRequest(request_id=rid(), incident=huge)
    await expect_error(suite.incident.CreateIncident(direct, metadata=OPERATOR), grpc.StatusCode.RESOURCE_EXHAUSTED)
    after = len((await suite.incident.ListIncidents(ipb.ListIncidentsRequest(page_size=500), metadata=OPERATOR)).incidents)
    assert after == before
