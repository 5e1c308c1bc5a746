"""The operator console: `emergency` commands against the gateway (127.0.0.1:50050 unless --gateway or EMERGENCY_GATEWAY)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import grpc
import typer
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.incident.v1 import incident_service_pb2_grpc as ipb_grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

from gateway import credentials, render
from gateway.cli_alarms import alarms_app
from gateway.inventory_file import InventoryFileError, count_rows, read_inventory
from services.common.auth import Role
from services.common.client import bearer
from services.common.settings import load_settings

T = TypeVar("T")
DEFAULT_GATEWAY = "127.0.0.1:50050"
GATEWAY_OPTION = typer.Option(DEFAULT_GATEWAY, "--gateway", envvar="EMERGENCY_GATEWAY", help="Gateway address, host:port.")

console = Console()
app = typer.Typer(add_completion=False, no_args_is_help=True, help="Command-centre console for the emergency command and resource dispatch suite.")


def _metadata() -> tuple[tuple[str, str], ...]:
    """The saved token as call metadata, or a hint to log in."""
    saved = credentials.load()
    if saved is None:
        console.print("[red]no token saved[/red]: run `emergency login` (embedded run) or `emergency token --set <jwt>`")
        raise typer.Exit(2)
    return bearer(saved.token)


def _explain(error: grpc.aio.AioRpcError) -> None:
    """Print a failed call's code, message and rich details."""
    console.print(f"[red]{error.code().name}[/red]: {error.details()}")
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            for violation in bad.field_violations:
                console.print(f"  {violation.field}: {violation.description}")
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            extra = ", ".join(f"{k}={v}" for k, v in sorted(info.metadata.items()))
            console.print(f"  reason {info.reason}" + (f" ({extra})" if extra else ""))


def _run(gateway: str, work: Callable[[gpb_grpc.CommandCenterServiceStub], Awaitable[T]]) -> T:
    """Open a channel, run the work, and turn a failed call into a readable error and exit code 1."""

    async def main() -> T:
        async with grpc.aio.insecure_channel(gateway) as channel:
            return await work(gpb_grpc.CommandCenterServiceStub(channel))

    try:
        return asyncio.run(main())
    except grpc.aio.AioRpcError as error:
        _explain(error)
        raise typer.Exit(1) from error


def _demand(text: str) -> common_pb2.ResourceDemand:
    """TYPE=QUANTITY[@MINUTES] as a demand."""
    kind, sep, rest = text.partition("=")
    quantity, _, minutes = rest.partition("@")
    if not sep or not kind:
        raise typer.BadParameter(f"{text!r}: use TYPE=QUANTITY[@MINUTES], e.g. HAZMAT_TEAM=2@15")
    try:
        return common_pb2.ResourceDemand(resource_type=kind.strip().upper(), quantity=float(quantity), needed_within_minutes=int(minutes or 0))
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: quantity and minutes must be numbers") from exc


@app.command()
def login(
    role: Role = typer.Option(Role.OPERATOR, help="operator, park_officer, drill_director or viewer."),
    subject: str = typer.Option("operator", help="Who you are, as audit trails will show it."),
    park: str = typer.Option("", help="Your park (park officers)."),
    ttl_hours: float = typer.Option(12.0, help="Hours the token stays valid."),
) -> None:
    """Mint a development token (embedded run only) and save it for later commands."""
    try:
        token = credentials.mint_development_token(load_settings(), subject=subject, role=role, park_id=park, ttl_s=int(ttl_hours * 3600))
    except (PermissionError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    saved = credentials.save(token)
    console.print(f"logged in as {saved.subject} ({saved.role}{', park ' + saved.park_id if saved.park_id else ''}); token saved to {credentials.token_path()}")


@app.command()
def token(set_token: str = typer.Option("", "--set", help="Store this bearer token."), show: bool = typer.Option(False, help="Print the raw token.")) -> None:
    """Show who the saved token says you are, or store a token you were issued."""
    if set_token:
        try:
            saved = credentials.save(set_token)
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        console.print(f"token for {saved.subject} ({saved.role}) saved to {credentials.token_path()}")
        return
    current = credentials.load()
    if current is None:
        console.print("no token saved; run `emergency login`")
        raise typer.Exit(1)
    console.print(f"{current.subject} ({current.role}{', park ' + current.park_id if current.park_id else ''}) — {credentials.token_path()}")
    if show:
        console.print(current.token)


def _incident_message(title: str, park: str, lat: float, lon: float, place: str, kind: str, severity: str, substance: str, un_number: str, hazard_class: str, reporter: str, description: str, exercise: str) -> ipb.Incident:
    """An incident report from command-line values."""
    return ipb.Incident(
        title=title,
        park_id=park,
        location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=lat, longitude=lon), description=place),
        kind=f"INCIDENT_KIND_{kind.upper()}",  # type: ignore[arg-type]
        substance=common_pb2.Substance(name=substance, un_number=un_number, hazard_class=hazard_class),
        severity=f"SEVERITY_{severity.upper()}",  # type: ignore[arg-type]
        reporter=reporter,
        description=description,
        exercise_id=exercise,
    )


@app.command()
def report(
    title: str = typer.Option(..., help="Headline."),
    park: str = typer.Option("", help="Park id the incident is in."),
    lat: float = typer.Option(..., help="Latitude."),
    lon: float = typer.Option(..., help="Longitude."),
    place: str = typer.Option("", help="Where, in words."),
    kind: str = typer.Option(..., help="FIRE, EXPLOSION, TOXIC_GAS_LEAK, ..."),
    severity: str = typer.Option("III", help="I, II, III or IV."),
    substance: str = typer.Option("", help="Substance name."),
    un_number: str = typer.Option("", "--un", help="UN number."),
    hazard_class: str = typer.Option("", "--class", help="UN hazard class, e.g. 2.3."),
    reporter: str = typer.Option("console operator", help="Who reports."),
    description: str = typer.Option("", help="What is happening."),
    accept: bool = typer.Option(True, help="Accept the recommended demands."),
    exercise: str = typer.Option("", help="Exercise id (empty for live)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Report an incident; shows similar cases and recommended demands."""
    metadata = _metadata()
    incident = _incident_message(title, park, lat, lon, place, kind, severity, substance, un_number, hazard_class, reporter, description, exercise)
    request = gpb.ReportIncidentRequest(request_id=str(uuid.uuid4()), incident=incident, accept_recommendation=accept)
    reply = _run(gateway, lambda stub: stub.ReportIncident(request, metadata=metadata))
    console.print(render.incident_table([reply.incident], "Reported"))
    console.print(render.similar_cases_table(reply.similar_cases))
    console.print(render.recommendations_table(reply.recommended_demands))


@app.command()
def demands(
    incident: str = typer.Argument(..., help="incidents/{incident}"),
    demand: list[str] = typer.Option(..., "--demand", "-d", help="TYPE=QUANTITY[@MINUTES], repeatable."),
    version: int = typer.Option(..., help="The incident version you saw."),
    note: str = typer.Option("", help="A note for the timeline."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Set an incident's demands."""
    metadata = _metadata()
    request = gpb.SetDemandsRequest(request_id=str(uuid.uuid4()), incident=incident, version=version, demands=[_demand(d) for d in demand], note=note)
    reply = _run(gateway, lambda stub: stub.SetDemands(request, metadata=metadata))
    console.print(render.incident_table([reply.incident], "Demands set"))


@app.command()
def situation(exercise: str = typer.Option("", help="Exercise id (empty for live)."), gateway: str = GATEWAY_OPTION) -> None:
    """Show open incidents, units away from home, reserve levels and low stock."""
    metadata = _metadata()
    reply = _run(gateway, lambda stub: stub.GetSituation(gpb.GetSituationRequest(exercise_id=exercise), metadata=metadata))
    console.print(render.situation_view(reply))


@app.command()
def propose(
    incidents: list[str] = typer.Argument(None, help="incidents/{incident} ...; none for every incident awaiting dispatch."),
    exercise: str = typer.Option("", help="Exercise id (empty for live)."),
    time_limit: float = typer.Option(0.0, help="Solver seconds (0 for the gateway's default)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Propose a plan, with its explanation and the greedy plan's score beside it."""
    metadata = _metadata()
    request = gpb.ProposePlanRequest(incidents=incidents or [], exercise_id=exercise, options=dpb.PlanOptions(time_limit_s=time_limit))
    reply = _run(gateway, lambda stub: stub.ProposePlan(request, metadata=metadata))
    console.print(render.proposal_view(reply.proposal))
    console.print(f"commit it with: emergency commit {reply.proposal.name}")


def _print_commit(reply: gpb.CommitPlanResponse) -> None:
    """What a commit did."""
    console.print(f"committed {reply.committed.name}: {len(reply.reservations)} reservation(s), re-planned {reply.replans} time(s)")
    for name in reply.reservations:
        console.print(f"  {name}")
    console.print(render.incident_table(list(reply.incidents), "Incidents after the commit"))


@app.command()
def commit(
    proposal: str = typer.Argument(..., help="proposals/{proposal}"),
    request_id: str = typer.Option("", help="Request id (a retry with the same id returns the first answer)."),
    max_replans: int = typer.Option(0, help="Re-plans allowed if availability moved on (0 for the default)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Commit a proposal: reserve, confirm, and move the incidents to RESPONDING."""
    metadata = _metadata()
    request = gpb.CommitPlanRequest(request_id=request_id or str(uuid.uuid4()), proposal=proposal, max_replans=max_replans)
    _print_commit(_run(gateway, lambda stub: stub.CommitPlan(request, metadata=metadata)))


@app.command()
def dispatch(
    incidents: list[str] = typer.Argument(None, help="incidents/{incident} ...; none for every incident awaiting dispatch."),
    exercise: str = typer.Option("", help="Exercise id (empty for live)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Propose and commit at once, for the urgent case."""
    metadata = _metadata()
    request = gpb.AutoDispatchRequest(request_id=str(uuid.uuid4()), incidents=incidents or [], exercise_id=exercise)
    reply = _run(gateway, lambda stub: stub.AutoDispatch(request, metadata=metadata))
    console.print(render.proposal_view(reply.commit.committed))
    _print_commit(reply.commit)


@app.command()
def watch(
    exercise: str = typer.Option("", help="Exercise id (empty for live)."),
    event_type: list[str] = typer.Option(None, "--type", help="Only these event types (repeatable)."),
    from_start: bool = typer.Option(False, help="Replay each stream from its beginning."),
    after: list[str] = typer.Option(None, help="Resume after stream=id (repeatable)."),
    limit: int = typer.Option(0, help="Stop after this many events (0: until Ctrl-C)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Print domain events as they happen; Ctrl-C stops and prints where to resume."""
    metadata = _metadata()
    request = gpb.WatchEventsRequest(exercise_id=exercise, types=event_type or [], from_start=from_start, after_ids=after or [])
    last: dict[str, str] = {}

    async def stream(stub: gpb_grpc.CommandCenterServiceStub) -> None:
        seen = 0
        async for item in stub.WatchEvents(request, metadata=metadata):
            last[item.event.stream] = item.event.id
            console.print(render.event_line(item.event))
            seen += 1
            if limit and seen >= limit:
                return

    with contextlib.suppress(KeyboardInterrupt):
        _run(gateway, stream)
    if last:
        console.print("resume with: " + " ".join(f"--after {s}={i}" for s, i in sorted(last.items())))


@app.command(name="import")
def import_inventory(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or JSON inventory file."),
    park: str = typer.Option(..., help="The park the inventory belongs to."),
    request_id: str = typer.Option("", help="Request id (a retry with the same id changes nothing)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Import a park's whole inventory (all or nothing) from a CSV or JSON file."""
    metadata = _metadata()
    try:
        total = count_rows(file)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), console=console) as progress:
            reading = progress.add_task(f"reading {file.name}", total=total)
            request = read_inventory(file, park, request_id or str(uuid.uuid4()), on_row=lambda: progress.advance(reading))
            sending = progress.add_task(f"importing into parks/{park}", total=None)
            reply = _run(gateway, lambda stub: stub.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=request), metadata=metadata))
            progress.update(sending, total=1, completed=1)
    except InventoryFileError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    r = reply.result
    console.print(f"imported: {r.depots_created} depots, {r.units_created} units, {r.stocks_received} stocks, {r.policies_set} reserve policies")


@app.command()
def drill(
    scenario: str = typer.Argument(..., help="scenarios/{scenario}"),
    mode: str = typer.Option("", help="SCRIPTED or UNANNOUNCED (default: the scenario's)."),
    speed: float = typer.Option(60.0, help="Scenario seconds per wall-clock second."),
    auto: bool = typer.Option(True, help="Commit plans automatically (--no-auto for an operator in the loop)."),
    poll_s: float = typer.Option(1.0, help="Seconds between progress checks."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Run a drill to its end and print its after-action report."""
    metadata = _metadata()
    request = gpb.StartDrillRequest(
        request_id=str(uuid.uuid4()),
        scenario=scenario,
        mode=f"MODE_{mode.upper()}" if mode else "MODE_UNSPECIFIED",  # type: ignore[arg-type]
        clock_speed=speed,
        auto_dispatch=auto,
    )

    async def run(stub: gpb_grpc.CommandCenterServiceStub) -> gpb.GetDrillReportResponse:
        started = (await stub.StartDrill(request, metadata=metadata)).drill
        console.print(f"{started.name} running in exercise {started.exercise_id}")
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console) as progress:
            task = progress.add_task("starting", total=None)
            while True:
                current = (await stub.GetDrill(gpb.GetDrillRequest(name=started.name), metadata=metadata)).drill
                progress.update(task, description=f"{gpb.Drill.State.Name(current.state).removeprefix('STATE_')}: {len(current.released_injects)} inject(s) released")
                if current.state != gpb.Drill.STATE_RUNNING:
                    break
                await asyncio.sleep(poll_s)
        return await stub.GetDrillReport(gpb.GetDrillReportRequest(name=started.name), metadata=metadata)

    console.print(render.report_view(_run(gateway, run)))


DEMO_INCIDENTS = (
    dict(
        title="Chlorine leak at the liquid-chlorine loading bay",
        park="xiagang", lat=31.9352, lon=120.2268, place="loading bay 3, chlor-alkali plant", kind="TOXIC_GAS_LEAK", severity="II",
        substance="chlorine", un_number="1017", hazard_class="2.3", description="Flange failure on a tanker loading arm; yellow-green cloud drifting south-east.",
    ),
    dict(
        title="Naphtha tank fire in the tank farm",
        park="shengang", lat=31.9262, lon=120.1771, place="tank T-12, north tank farm", kind="FIRE", severity="II",
        substance="naphtha", un_number="1268", hazard_class="3", description="Rim-seal fire spreading on a floating-roof tank; neighbouring tanks being cooled.",
    ),
)  # fmt: skip


def _ensure_demo_token() -> tuple[tuple[str, str], ...]:
    """The saved token, or a development operator token in the embedded run."""
    saved = credentials.load()
    if saved is not None:
        return bearer(saved.token)
    token_text = credentials.mint_development_token(load_settings(), subject="demo-operator", role=Role.OPERATOR)
    credentials.save(token_text)
    return bearer(token_text)


@app.command()
def demo(
    gateway: str = GATEWAY_OPTION,
    incident_addr: str = typer.Option("", envvar="INCIDENT_ADDR", help="Incident service address for the timelines (default: the configured one)."),
    time_limit: float = typer.Option(3.0, help="Solver seconds."),
) -> None:
    """Two simultaneous incidents in different parks: the optimal plan beside the greedy one, committed, with timelines."""
    metadata = _ensure_demo_token()

    async def run(stub: gpb_grpc.CommandCenterServiceStub) -> None:
        started = time.perf_counter()
        reports = await asyncio.gather(
            *(
                stub.ReportIncident(
                    gpb.ReportIncidentRequest(
                        request_id=str(uuid.uuid4()),
                        incident=_incident_message(
                            spec["title"], spec["park"], float(spec["lat"]), float(spec["lon"]), spec["place"], spec["kind"], spec["severity"],
                            spec["substance"], spec["un_number"], spec["hazard_class"], "demo console", spec["description"], "",
                        ),
                        accept_recommendation=True,
                    ),
                    metadata=metadata,
                )
                for spec in (dict[str, Any](s) for s in DEMO_INCIDENTS)
            )
        )
        incidents = [r.incident for r in reports]
        console.print(render.incident_table(incidents, "Two simultaneous incidents"))
        for r in reports:
            console.print(render.recommendations_table(r.recommended_demands))
        proposal = (
            await stub.ProposePlan(gpb.ProposePlanRequest(incidents=[i.name for i in incidents], options=dpb.PlanOptions(time_limit_s=time_limit)), metadata=metadata)
        ).proposal
        console.print(render.proposal_view(proposal))
        committed = await stub.CommitPlan(gpb.CommitPlanRequest(request_id=str(uuid.uuid4()), proposal=proposal.name), metadata=metadata)
        _print_commit(committed)
        console.print(f"report to committed plan: {time.perf_counter() - started:.2f} s")
        address = incident_addr or load_settings().address_of("incident")
        async with grpc.aio.insecure_channel(address) as channel:
            incident_stub = ipb_grpc.IncidentServiceStub(channel)
            for incident in committed.incidents:
                entries = await incident_stub.ListTimelineEntries(ipb.ListTimelineEntriesRequest(parent=incident.name), metadata=metadata)
                console.print(render.timeline_table(incident.name, entries.timeline_entries))

    _run(gateway, run)


app.add_typer(alarms_app, name="alarms")
