"""Console commands for parks and the drill library: inventory, stock adjustments, units out of service, scenarios, drills."""

from __future__ import annotations

import uuid

import typer
from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.resources.v1 import resources_service_pb2 as rpb
from rich.console import Group

from console.cli import plan_views, views
from console.cli.common import GATEWAY_OPTION, all_pages, choice, console, full_name, metadata, run, unit_name
from gateway.quantities import format_quantity, parse_quantity

LEDGER_KINDS = ("RECEIPT", "CORRECTION", "LOSS")
DRILL_STATES = ("RUNNING", "FINISHED", "ABORTED")

stock_app = typer.Typer(no_args_is_help=True, help="A park's stock: receipts, corrections and losses.")
unit_app = typer.Typer(no_args_is_help=True, help="A park's units: out of service and back.")


def inventory_view(reply: gpb.GetParkInventoryResponse) -> Group:
    """Depots, units with states, stock against its minimum, reserve policies."""
    depots = views.new_table(f"Depots of {reply.park.name} ({reply.park.display_name})", "depot", "name", "kind")
    for d in reply.depots:
        depots.add_row(d.name, d.display_name, rpb.Depot.Kind.Name(d.kind).removeprefix("KIND_"))
    units = views.new_table("Units", "unit", "type", "call sign", "state", "incident", "version")
    for u in reply.units:
        units.add_row(u.name, u.resource_type, u.call_sign, views.unit_state(u.state), u.incident or "-", str(u.version))
    stocks = views.new_table("Stock", "stock", "on hand", "reserved", "minimum")
    for s in reply.stocks:
        style = "red" if s.on_hand <= s.minimum_level else ""
        uom = s.unit_of_measure
        stocks.add_row(s.name, format_quantity(s.on_hand, uom), format_quantity(s.reserved, uom), format_quantity(s.minimum_level, uom), style=style)
    policies = views.new_table("Reserve kept at home", "type", "minimum")
    for p in reply.reserve_policies:
        policies.add_row(p.resource_type, views.quantity(p.resource_type, p.minimum))
    return Group(*(views.whole_ids(t) for t in (depots, units, stocks)), policies)


def inventory(
    park: str = typer.Argument(..., help="The park: ligang or parks/ligang."),
    exercise: str = typer.Option("", help="Exercise id (empty for live)."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """A park's depots, units with their states, stock with its minimums, and reserves."""
    auth = metadata()
    reply = run(gateway, lambda stub: stub.GetParkInventory(gpb.GetParkInventoryRequest(park=full_name(park, "parks"), exercise_id=exercise), metadata=auth))
    console.print(inventory_view(reply))


@stock_app.command()
def adjust(
    stock: str = typer.Argument(..., help="parks/{park}/depots/{depot}/stocks/{TYPE}"),
    kind: str = typer.Option(..., help="RECEIPT, CORRECTION or LOSS."),
    delta: str = typer.Option(..., help="Signed amount as you write it: 1,000 or -40 (L, kg ... as the type counts)."),
    reason: str = typer.Option(..., help="The ledger reason: delivery note, stock count, what was lost."),
    request_id: str = typer.Option("", help="Request id."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Book a receipt, correction or loss to a stock's ledger."""
    value = choice(rpb.StockLedgerEntry.Kind, kind, "--kind", prefix="KIND_", allowed=LEDGER_KINDS)
    try:
        amount = parse_quantity(delta)
    except ValueError as exc:
        console.print(f"[red]--delta: {exc}[/red]")
        raise typer.Exit(2) from exc
    request = gpb.AdjustStockRequest(request_id=request_id or str(uuid.uuid4()), stock=stock, kind=value, delta=amount, reason=reason)  # type: ignore[arg-type]
    auth = metadata()
    reply = run(gateway, lambda stub: stub.AdjustStock(request, metadata=auth))
    uom = reply.stock.unit_of_measure
    console.print(
        f"{reply.stock.name}: {format_quantity(reply.entry.delta, uom)} booked ({reason}); on hand {format_quantity(reply.stock.on_hand, uom)}", soft_wrap=True
    )


def _set_unit(unit: str, state: int, reason: str, request_id: str, gateway: str) -> None:
    """Move one unit and say what happened."""
    request = gpb.UpdateUnitStatusRequest(request_id=request_id or str(uuid.uuid4()), units=[unit_name(unit)], state=state, reason=reason)  # type: ignore[arg-type]
    auth = metadata()
    reply = run(gateway, lambda stub: stub.UpdateUnitStatus(request, metadata=auth))
    console.print(views.moves(reply.moves))
    if not reply.moved:
        raise typer.Exit(1)


@unit_app.command(name="out-of-service")
def out_of_service(
    unit: str = typer.Argument(..., help="parks/{park}/units/{unit} or {park}/{unit}"),
    reason: str = typer.Option(..., help="Why: breakdown, maintenance, crew off duty."),
    request_id: str = typer.Option("", help="Request id."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Take a unit out of service (a park officer, for their own park)."""
    _set_unit(unit, rpb.Unit.STATE_OUT_OF_SERVICE, reason, request_id, gateway)


@unit_app.command(name="in-service")
def in_service(
    unit: str = typer.Argument(..., help="parks/{park}/units/{unit} or {park}/{unit}"),
    request_id: str = typer.Option("", help="Request id."),
    gateway: str = GATEWAY_OPTION,
) -> None:
    """Put a unit back in service, available at its home depot."""
    _set_unit(unit, rpb.Unit.STATE_AVAILABLE, "", request_id, gateway)


def scenarios(gateway: str = GATEWAY_OPTION) -> None:
    """The drill scenarios of the case library."""
    auth = metadata()
    found = run(gateway, lambda stub: all_pages(stub.ListScenarios, gpb.ListScenariosRequest(page_size=500), "scenarios", auth))
    table = views.new_table("Scenarios", "scenario", "title", "mode", "parks", "injects")
    for s in found:
        table.add_row(
            s.name, s.title, cpb.Scenario.Mode.Name(s.mode).removeprefix("MODE_"), ", ".join(s.park_ids), str(len(s.injects)) if s.injects else "hidden"
        )
    console.print(views.whole_ids(table))
    console.print("run one with: emergency drill scenarios/{scenario}")


def drills(
    state: list[str] = typer.Option(None, "--state", help="Only these states (repeatable): RUNNING, FINISHED, ABORTED."), gateway: str = GATEWAY_OPTION
) -> None:
    """Drills, newest first."""
    states = [choice(gpb.Drill.State, s, "--state", prefix="STATE_", allowed=DRILL_STATES) for s in state or []]
    auth = metadata()
    request = gpb.ListDrillsRequest(states=states, page_size=500)  # type: ignore[arg-type]
    found = run(gateway, lambda stub: all_pages(stub.ListDrills, request, "drills", auth))
    table = views.new_table("Drills", "drill", "scenario", "exercise", "state", "started", "injects released", "report")
    for d in found:
        table.add_row(
            d.name,
            d.scenario,
            d.exercise_id,
            gpb.Drill.State.Name(d.state).removeprefix("STATE_"),
            d.start_time.ToDatetime().strftime("%Y-%m-%d %H:%M"),
            str(len(d.released_injects)),
            d.report or "-",
        )
    console.print(views.whole_ids(table))


def drill_report(drill: str = typer.Argument(..., help="The drill: drill-... or drills/drill-..."), gateway: str = GATEWAY_OPTION) -> None:
    """A finished drill's after-action report beside the plan hindsight says was best."""
    auth = metadata()
    reply = run(gateway, lambda stub: stub.GetDrillReport(gpb.GetDrillReportRequest(name=full_name(drill, "drills")), metadata=auth))
    console.print(plan_views.report_view(reply))


def register(app: typer.Typer) -> None:
    """Add the park and drill-library commands to the console."""
    app.command()(inventory)
    app.command()(scenarios)
    app.command()(drills)
    app.command(name="drill-report")(drill_report)
    app.add_typer(stock_app, name="stock")
    app.add_typer(unit_app, name="unit")
