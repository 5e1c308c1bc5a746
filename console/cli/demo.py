"""`emergency demo`: a whole day against a running suite, through the gateway alone, ending with one JSON line."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import typer
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from rich.console import Console

from console.cli import credentials
from console.cli.common import GATEWAY_OPTION, Metadata, run
from services.common.auth import Role
from services.common.client import bearer
from services.common.settings import load_settings

Stub = gpb_grpc.CommandCenterServiceStub
log = Console(stderr=True)

LEAK = ipb.Incident(
    title="Chlorine leak at the liquid-chlorine loading bay",
    park_id="xiagang",
    location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=31.9352, longitude=120.2268), description="loading bay 3, chlor-alkali plant"),
    kind=common_pb2.INCIDENT_KIND_TOXIC_GAS_LEAK,
    substance=common_pb2.Substance(name="chlorine", un_number="1017", hazard_class="2.3"),
    severity=common_pb2.SEVERITY_II,
    reporter="demo console",
    description="Flange failure on a tanker loading arm; yellow-green cloud drifting south-east.",
)
FIRE = ipb.Incident(
    title="Naphtha tank fire in the tank farm",
    park_id="shengang",
    location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=31.9262, longitude=120.1771), description="tank T-12, north tank farm"),
    kind=common_pb2.INCIDENT_KIND_FIRE,
    substance=common_pb2.Substance(name="naphtha", un_number="1268", hazard_class="3"),
    severity=common_pb2.SEVERITY_II,
    reporter="demo console",
    description="Rim-seal fire spreading on a floating-roof tank; neighbouring tanks being cooled.",
)
ALARM = ipb.Incident(
    title="Smoke reported over the jetty pipe rack",
    park_id="xiagang",
    location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=31.9330, longitude=120.2240), description="jetty pipe rack"),
    kind=common_pb2.INCIDENT_KIND_FIRE,
    severity=common_pb2.SEVERITY_IV,
    reporter="passing driver",
    description="Smoke seen from the road over the pipe rack.",
    demands=[common_pb2.ResourceDemand(resource_type="COMMAND_VEHICLE", quantity=1)],
)


def operator_metadata() -> Metadata:
    """A development operator token in the embedded run (the saved token is left alone), else the saved token."""
    try:
        return bearer(credentials.mint_development_token(load_settings(), subject="demo-operator", role=Role.OPERATOR, ttl_s=3600))
    except (PermissionError, ValueError):
        saved = credentials.load()
        if saved is None:
            log.print("[red]no token[/red]: run `emergency token --set <jwt>` with an operator's token")
            raise typer.Exit(2) from None
        return bearer(saved.token)


async def the_day(stub: Stub, auth: Metadata, time_limit: float) -> dict[str, int]:
    """Two incidents from report to close and a false alarm cancelled; the counts the demo ends with."""

    def rid() -> str:
        return str(uuid.uuid4())

    async def available() -> int:
        return (await stub.GetSituation(gpb.GetSituationRequest(), metadata=auth)).available_units

    async def commit(names: list[str]) -> gpb.CommitPlanResponse:
        options = dpb.PlanOptions(time_limit_s=time_limit)
        proposal = (await stub.ProposePlan(gpb.ProposePlanRequest(incidents=names, options=options), metadata=auth)).proposal
        return await stub.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=auth)

    async def move(name: str, state: int) -> None:
        reply = await stub.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), incident=name, state=state), metadata=auth)  # type: ignore[arg-type]
        log.print(f"  {name}: {reply.moved} unit(s) {rpb.Unit.State.Name(state).removeprefix('STATE_')}")  # type: ignore[arg-type]

    started = time.perf_counter()
    before = await available()
    log.print(f"units available at home: {before}")
    reports = await asyncio.gather(
        *(stub.ReportIncident(gpb.ReportIncidentRequest(request_id=rid(), incident=spec, accept_recommendation=True), metadata=auth) for spec in (LEAK, FIRE))
    )
    leak, fire = (r.incident for r in reports)
    alarm = (await stub.ReportIncident(gpb.ReportIncidentRequest(request_id=rid(), incident=ALARM), metadata=auth)).incident
    for incident in (leak, fire, alarm):
        log.print(f"reported {incident.name}: {incident.title}")
    committed = await commit([leak.name, fire.name])
    log.print(f"committed {committed.committed.name}: {len(committed.reservations)} reservation(s), {committed.replans} re-plan(s)")
    await commit([alarm.name])
    log.print(f"committed the false alarm {alarm.name}; units dispatched: {before - await available()}")

    cancelled = await stub.CancelIncident(
        gpb.CancelIncidentRequest(request_id=rid(), incident=alarm.name, reason="false alarm: steam from a relief valve"), metadata=auth
    )
    log.print(f"cancelled {alarm.name}: {len(cancelled.released_reservations)} hold(s) released, {sum(m.moved for m in cancelled.units)} unit(s) turned back")
    await move(alarm.name, rpb.Unit.STATE_AVAILABLE)

    for name in (leak.name, fire.name):
        await move(name, rpb.Unit.STATE_ON_SCENE)
        await stub.ContainIncident(gpb.ContainIncidentRequest(request_id=rid(), incident=name, note="hazard under control"), metadata=auth)
        log.print(f"contained {name}")
    closed_leak = await stub.CloseIncident(
        gpb.CloseIncidentRequest(
            request_id=rid(), incident=leak.name, outcome_summary="Loading arm isolated and flange replaced; no casualties.", create_case=True
        ),
        metadata=auth,
    )
    log.print(f"closed {leak.name}: report {closed_leak.report.name} (score {closed_leak.report.score:.0f}), case {closed_leak.accident_case.name}")
    await move(leak.name, rpb.Unit.STATE_AVAILABLE)
    closed_fire = await stub.CloseIncident(
        gpb.CloseIncidentRequest(request_id=rid(), incident=fire.name, outcome_summary="Rim-seal fire out; tank cooled and blanketed.", units_available=True),
        metadata=auth,
    )
    log.print(f"closed {fire.name}: report {closed_fire.report.name} (score {closed_fire.report.score:.0f}), units back at once")
    after = await available()
    log.print(f"units available at home: {after}; the day took {time.perf_counter() - started:.1f} s")
    reports_stored = sum(1 for c in (closed_leak, closed_fire) if c.report.name)
    return {"closed": 2, "cancelled": 1, "units_available_before": before, "units_available_after": after, "after_action_reports": reports_stored}


def demo(gateway: str = GATEWAY_OPTION, time_limit: float = typer.Option(3.0, help="Solver seconds per plan.")) -> None:
    """A whole day against a running suite: two incidents reported, planned, committed, on scene, contained and closed; a false alarm cancelled."""
    auth = operator_metadata()
    counts = run(gateway, lambda stub: the_day(stub, auth, time_limit))
    print(json.dumps({"demo": counts}))
    if counts["units_available_before"] != counts["units_available_after"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the demo to the console."""
    app.command()(demo)
