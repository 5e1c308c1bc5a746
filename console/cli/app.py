"""The operator console: `emergency` commands against the gateway (127.0.0.1:50050 unless --gateway or EMERGENCY_GATEWAY)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import typer
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc
from emergency.incident.v1 import incident_service_pb2 as ipb
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

from console.cli import credentials, plan_views
from console.cli import demo as demo_commands
from console.cli import incidents as incident_commands
from console.cli import parks as park_commands
from console.cli.alarms import alarms_app
from console.cli.common import GATEWAY_OPTION, INCIDENT_KINDS, LEVELS, choice, console
from console.cli.common import metadata as _metadata
from console.cli.common import run as _run
from console.cli.inventory_file import InventoryFileError, count_rows, read_inventory
from console.cli.override_args import parse_overrides
from gateway.reporting import merge_demands
from services.common.auth import Role
from services.common.settings import load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Command-centre console for the emergency command and resource dispatch suite.")


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


def _incident_message(
    title: str,
    park: str,
    lat: float,
    lon: float,
    place: str,
    kind: str,
    severity: str,
    substance: str,
    un_number: str,
    hazard_class: str,
    reporter: str,
    description: str,
    exercise: str,
) -> ipb.Incident:
    """An incident report from command-line values."""
    return ipb.Incident(
        title=title,
        park_id=park,
        location=common_pb2.Location(point=common_pb2.GeoPoint(latitude=lat, longitude=lon), description=place),
        kind=choice(common_pb2.IncidentKind, kind, "--kind", prefix="INCIDENT_KIND_", allowed=INCIDENT_KINDS),  # type: ignore[arg-type]
        substance=common_pb2.Substance(name=substance, un_number=un_number, hazard_class=hazard_class),
        severity=choice(common_pb2.Severity, severity, "--severity", prefix="SEVERITY_", allowed=LEVELS),  # type: ignore[arg-type]
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
    accept: bool = typer.Option(False, "--accept-recommendation", help="Set the recommended demands without asking."),
    exercise: str = typer.Option("", help="Exercise id (empty for live)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Report an incident; shows similar cases and recommended demands, and asks before setting them (or --accept-recommendation)."""
    metadata = _metadata()
    incident = _incident_message(title, park, lat, lon, place, kind, severity, substance, un_number, hazard_class, reporter, description, exercise)
    request = gpb.ReportIncidentRequest(request_id=str(uuid.uuid4()), incident=incident, accept_recommendation=accept)
    reply = _run(gateway, lambda stub: stub.ReportIncident(request, metadata=metadata))
    console.print(plan_views.incident_table([reply.incident], "Reported"))
    console.print(plan_views.similar_cases_table(reply.similar_cases))
    console.print(plan_views.recommendations_table(reply.recommended_demands))
    if accept or not reply.recommended_demands:
        return
    if not typer.confirm(f"Set these {len(reply.recommended_demands)} recommended demand line(s) on {reply.incident.name}?", default=False):
        console.print(f"demands not set; set them with: emergency demands {reply.incident.name} --version {reply.incident.version} -d TYPE=QUANTITY ...")
        return
    change = gpb.SetDemandsRequest(
        request_id=str(uuid.uuid4()),
        incident=reply.incident.name,
        version=reply.incident.version,
        demands=merge_demands(reply.incident.demands, [line.demand for line in reply.recommended_demands]),
        note="accepted recommendation at the console",
    )
    accepted = _run(gateway, lambda stub: stub.SetDemands(change, metadata=metadata))
    console.print(plan_views.incident_table([accepted.incident], "Demands set"))


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
    console.print(plan_views.incident_table([reply.incident], "Demands set"))


@app.command()
def situation(exercise: str = typer.Option("", help="Exercise id (empty for live)."), gateway: str = GATEWAY_OPTION) -> None:
    """Show open incidents, units away from home, reserve levels and low stock."""
    metadata = _metadata()
    reply = _run(gateway, lambda stub: stub.GetSituation(gpb.GetSituationRequest(exercise_id=exercise), metadata=metadata))
    console.print(plan_views.situation_view(reply))


@app.command()
def propose(
    incidents: list[str] = typer.Argument(None, help="incidents/{incident} ...; none for every incident awaiting dispatch."),
    exercise: str = typer.Option("", help="Exercise id (empty for live)."),
    time_limit: float = typer.Option(0.0, help="Solver seconds (0 for the gateway's default)."),
    pin: list[str] = typer.Option(None, "--pin", help="UNIT=INCIDENT[#reason]: send this unit to this incident (repeatable)."),
    exclude: list[str] = typer.Option(None, "--exclude", help="UNIT[#reason]: leave this unit out (repeatable)."),
    reserve_dip: list[str] = typer.Option(None, "--reserve-dip", help="PARK:TYPE[=MINIMUM][#reason]: let the park go below its reserve (repeatable)."),
    mutual_aid: list[str] = typer.Option(None, "--mutual-aid", help="LENDER:BORROWER[:TYPE,TYPE][#reason]: allow aid between parks (repeatable)."),
    reason: str = typer.Option("", help="Why, for every override that gives no #reason of its own (goes on the incidents' timelines)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Propose a plan, with its explanation and the greedy plan's score beside it; overrides show what they cost."""
    metadata = _metadata()
    request = gpb.ProposePlanRequest(incidents=incidents or [], exercise_id=exercise, options=dpb.PlanOptions(time_limit_s=time_limit))
    overrides = parse_overrides(pin or [], exclude or [], reserve_dip or [], mutual_aid or [], reason)
    if overrides.ByteSize():
        request.overrides.CopyFrom(overrides)
    reply = _run(gateway, lambda stub: stub.ProposePlan(request, metadata=metadata))
    console.print(plan_views.proposal_view(reply.proposal))
    console.print(f"commit it with: emergency commit {reply.proposal.name}")


def _print_commit(reply: gpb.CommitPlanResponse) -> None:
    """What a commit really dispatched, what it did not, and the incidents after it."""
    console.print(plan_views.commit_view(reply))
    console.print(plan_views.incident_table(list(reply.incidents), "Incidents after the commit"))


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
    console.print(plan_views.proposal_view(reply.commit.committed))
    _print_commit(reply.commit)


IMPORT_HELP = """Import a park's inventory (all rows or none) from a CSV or JSON file.

\b
CSV: a header line, then one row per line; the `kind` column says which columns a row uses:
  depot           id, name, depot_kind (FIRE_STATION, RESCUE_BASE, SUPPLY_WAREHOUSE), latitude, longitude, shared
  unit            id, resource_type, call_sign, home_depot, crew_size, capabilities (separated by ; or spaces)
  stock           depot, resource_type, on_hand, minimum_level
  reserve_policy  resource_type, minimum
JSON: a list of InventoryRow objects in proto JSON, or {"rows": [...]}.
Example: examples/inventory-ligang.csv. Every bad row is reported (file problems first, then the service's checks).
--upsert updates what exists (a unit or depot by id, a stock by depot and type, a policy by type) and creates the rest;
--dry-run prints what would be created and changed, and every bad row, without changing anything.
"""


@app.command(name="import", help=IMPORT_HELP)
def import_inventory(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or JSON inventory file."),
    park: str = typer.Option(..., help="The park the inventory belongs to."),
    request_id: str = typer.Option("", help="Request id (a retry with the same id changes nothing)."),
    upsert: bool = typer.Option(False, "--upsert", help="Update existing depots, units, stocks and policies by code instead of refusing them."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only show what would change (and every bad row)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Import a park's inventory from a CSV or JSON file (the format is in IMPORT_HELP)."""
    metadata = _metadata()
    try:
        total = count_rows(file)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), console=console) as progress:
            reading = progress.add_task(f"reading {file.name}", total=total)
            request = read_inventory(file, park, request_id or str(uuid.uuid4()), on_row=lambda: progress.advance(reading))
            request.upsert, request.validate_only = upsert, dry_run
            sending = progress.add_task(f"{'checking' if dry_run else 'importing into'} parks/{park}", total=None)
            reply = _run(gateway, lambda stub: stub.ImportParkInventory(gpb.ImportParkInventoryRequest(inventory=request), metadata=metadata))
            progress.update(sending, total=1, completed=1)
    except (InventoryFileError, ValueError) as exc:
        for problem in getattr(exc, "problems", [str(exc)]):
            console.print(f"[red]{problem}[/red]", soft_wrap=True)
        if isinstance(exc, InventoryFileError) and len(exc.problems) > 1:
            console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(2) from exc
    _print_import(reply.result)


def _print_import(r: Any) -> None:
    """Counts, then each change (and with a dry run every bad row)."""
    for problem in r.problems:
        console.print(f"[red]{problem.field}[/red]: {problem.description}")
    if r.problems:
        console.print(f"[red]{len(r.problems)} problem(s); nothing would be imported[/red]")
        raise typer.Exit(1)
    verb = "would create" if r.validate_only else "created"
    console.print(
        f"{verb}: {r.depots_created} depots, {r.units_created} units, {r.stocks_received} stocks, {r.policies_set} reserve policies; "
        f"{'would update' if r.validate_only else 'updated'} {r.updated}; unchanged {r.unchanged}"
    )
    for change in r.changes:
        if change.action == "update" or r.validate_only:
            console.print(f"  row {change.row}: {change.action} {change.target}" + (f" ({'; '.join(change.fields)})" if change.fields else ""))


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
        request_id=str(uuid.uuid4()), scenario=scenario, mode=f"MODE_{mode.upper()}" if mode else "MODE_UNSPECIFIED", clock_speed=speed, auto_dispatch=auto
    )

    async def run(stub: gpb_grpc.CommandCenterServiceStub) -> gpb.GetDrillReportResponse:
        started = (await stub.StartDrill(request, metadata=metadata)).drill
        console.print(f"{started.name} running in exercise {started.exercise_id}")
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console) as progress:
            task = progress.add_task("starting", total=None)
            while True:
                current = (await stub.GetDrill(gpb.GetDrillRequest(name=started.name), metadata=metadata)).drill
                progress.update(
                    task, description=f"{gpb.Drill.State.Name(current.state).removeprefix('STATE_')}: {len(current.released_injects)} inject(s) released"
                )
                if current.state != gpb.Drill.STATE_RUNNING:
                    break
                await asyncio.sleep(poll_s)
        report: gpb.GetDrillReportResponse = await stub.GetDrillReport(gpb.GetDrillReportRequest(name=started.name), metadata=metadata)
        return report

    console.print(plan_views.report_view(_run(gateway, run)))


for _register in (incident_commands.register, park_commands.register, demo_commands.register):
    _register(app)
app.add_typer(alarms_app, name="alarms")
