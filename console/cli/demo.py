"""`emergency demo`: a whole day against a running suite, through the gateway alone, ending with one JSON line."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import typer
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.resources.v1 import resources_service_pb2 as rpb
from rich.console import Console

from console.cli import credentials
from console.cli.common import GATEWAY_OPTION, Metadata, run
from fixtures.demo_day import ALARM, FIRE, LEAK
from services.common.auth import Role
from services.common.client import bearer
from services.common.settings import load_settings

Stub = gpb_grpc.CommandCenterServiceStub
log = Console(stderr=True)


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
        reply: gpb.GetSituationResponse = await stub.GetSituation(gpb.GetSituationRequest(), metadata=auth)
        return reply.available_units

    async def commit(names: list[str]) -> gpb.CommitPlanResponse:
        options = dpb.PlanOptions(time_limit_s=time_limit)
        proposal = (await stub.ProposePlan(gpb.ProposePlanRequest(incidents=names, options=options), metadata=auth)).proposal
        committed: gpb.CommitPlanResponse = await stub.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=auth)
        return committed

    async def move(name: str, state: int) -> None:
        reply = await stub.UpdateUnitStatus(gpb.UpdateUnitStatusRequest(request_id=rid(), incident=name, state=state), metadata=auth)  # type: ignore[arg-type]
        log.print(f"  {name}: {reply.moved} unit(s) {rpb.Unit.State.Name(state).removeprefix('STATE_')}")

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
