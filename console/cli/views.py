"""Rich views for the lifecycle commands: ids printed whole, quantities as people write them, versions shown."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from rich.console import Group
from rich.table import Table
from rich.text import Text

from gateway.quantities import format_quantity
from services.common.catalogue import load_catalogue

ID_COLUMNS = frozenset(
    {"incident", "unit", "reservation", "stock", "depot", "drill", "scenario", "subject", "report", "what", "who", "by", "state", "from", "to"}
)


def new_table(title: str, *columns: str) -> Table:
    """A table whose cells fold rather than cut."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def whole_ids(table: Table) -> Table:
    """Give every id column the width of its longest id, so an id is never cut or folded, however narrow the terminal."""
    for column in table.columns:
        if str(column.header) in ID_COLUMNS:
            column.min_width = max((len(str(cell)) for cell in column.cells), default=0) or None
    return table


@functools.cache
def unit_of_measure(resource_type: str) -> str:
    """The catalogue's unit of measure of a consumable ("" for unit types)."""
    catalogue = load_catalogue()
    entry = catalogue.get(resource_type)
    return entry.unit_of_measure if entry is not None and catalogue.is_consumable(resource_type) else ""


def quantity(resource_type: str, value: float) -> str:
    """1,000,000 L for a consumable, 3 for units."""
    return format_quantity(value, unit_of_measure(resource_type))


def state(incident: ipb.Incident) -> str:
    """RESPONDING for STATE_RESPONDING."""
    return ipb.Incident.State.Name(incident.state).removeprefix("STATE_")


def unit_state(value: int) -> str:
    """ON_SCENE for STATE_ON_SCENE."""
    return rpb.Unit.State.Name(value).removeprefix("STATE_")


def level(value: int) -> str:
    """II for SEVERITY_II."""
    return common_pb2.Severity.Name(value).removeprefix("SEVERITY_")


def elapsed(seconds: int) -> str:
    """1h05m, 12m, 40s."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else (f"{minutes}m" if minutes else f"{secs}s")


def demands(lines: Sequence[common_pb2.ResourceDemand], *, compact: bool = False) -> str:
    """HAZMAT_TEAM 2 (15 min), FOAM_AFFF 1,000,000 L; compact: HAZMAT_TEAM x2 <15m, FOAM_AFFF x1,000,000 L."""

    def line(d: common_pb2.ResourceDemand) -> str:
        amount = quantity(d.resource_type, d.quantity)
        if compact:
            return f"{d.resource_type} x{amount}" + (f" <{d.needed_within_minutes}m" if d.needed_within_minutes else "")
        return f"{d.resource_type} {amount}" + (f" ({d.needed_within_minutes} min)" if d.needed_within_minutes else "")

    return ", ".join(line(d) for d in lines) or "-"


def incident_line(incident: ipb.Incident, what: str) -> Text:
    """One line after a change: the name whole, the state and the new version."""
    return Text(f"{incident.name} {what}: {state(incident)}, level {level(incident.severity)}, version {incident.version}")


def incident_list(rows: Sequence[gpb.IncidentSummary]) -> Table:
    """The incident list."""
    table = new_table("Incidents", "incident", "title", "park", "level", "state", "version", "elapsed", "units", "unmet")
    for row in rows:
        i = row.incident
        unmet = ", ".join(f"{u.resource_type} {quantity(u.resource_type, u.quantity)}" for u in row.unmet) or "-"
        table.add_row(
            i.name, i.title, i.park_id or "-", level(i.severity), state(i), str(i.version), elapsed(row.elapsed_s), str(len(row.committed_units)), unmet
        )
    return whole_ids(table)


def incident_detail(got: gpb.GetIncidentResponse) -> Group:
    """One incident with its units, supplies, holds and unmet demand."""
    i = got.incident
    head = Text(f"{i.name}  {i.title}\n", style="bold")
    head.append(f"park {i.park_id or '-'}, level {level(i.severity)}, {state(i)}, version {i.version}, {elapsed(got.elapsed_s)} since the report\n", style="")
    head.append(f"demands: {demands(i.demands)}")
    if i.outcome_summary:
        head.append(f"\noutcome: {i.outcome_summary}")
    if i.cancel_reason:
        head.append(f"\ncancelled: {i.cancel_reason}")
    units = new_table("Units committed", "unit", "type", "call sign", "state", "eta", "reservation")
    for u in got.units:
        units.add_row(u.unit.name, u.unit.resource_type, u.unit.call_sign, unit_state(u.unit.state), f"{u.eta_s / 60:.0f} min", u.reservation)
    supplies = new_table("Supplies issued", "type", "amount", "from depot", "eta")
    for s in got.shipments:
        supplies.add_row(s.resource_type, quantity(s.resource_type, s.amount), s.depot_id, f"{s.eta_s / 60:.0f} min")
    holds = new_table("Reservations", "reservation", "state", "units held", "by")
    for r in got.reservations:
        holds.add_row(r.name, rpb.Reservation.State.Name(r.state).removeprefix("STATE_"), str(len(r.units)), r.actor)
    parts: list[Any] = [head, whole_ids(units), supplies, whole_ids(holds)]
    if got.unmet:
        parts.append(
            Text(
                "unmet: " + ", ".join(f"{u.resource_type} {quantity(u.resource_type, u.quantity)}" + (f" ({u.reason})" if u.reason else "") for u in got.unmet),
                style="red",
            )
        )
    return Group(*parts)


def timeline(name: str, entries: Sequence[gpb.IncidentTimelineEntry]) -> Table:
    """The merged timeline, oldest first."""
    table = new_table(f"Timeline of {name}", "time", "what", "subject", "who", "note")
    for e in entries:
        subject = "" if e.subject == name else e.subject
        table.add_row(e.time.ToDatetime().strftime("%H:%M:%S"), e.action + (f" v{e.version}" if e.version else ""), subject, e.actor or "-", e.note)
    return whole_ids(table)


def moves(items: Sequence[gpb.UnitMove]) -> Table:
    """What happened to each unit."""
    table = new_table("Units", "unit", "from", "to", "moved", "why not")
    for m in items:
        table.add_row(m.unit, unit_state(m.from_state), unit_state(m.to_state), "yes" if m.moved else "no", f"{m.reason}: {m.detail}" if m.reason else "")
    return whole_ids(table)


def after_action(report: cpb.AfterActionReport) -> Group:
    """An after-action report: targets met and missed, findings and lessons."""
    head = Text(f"{report.name}: {report.title} — score {report.score:.1f}/100", style="bold cyan")
    targets = new_table("Response standards", "target", "measured", "met")
    for r in report.target_results:
        measured = "never" if r.measured < 0 else f"{r.measured:.1f} min"
        targets.add_row(r.target.description or r.target.metric, measured, "yes" if r.met else "[red]no[/red]")
    return Group(head, targets, Text(report.findings), Text("lessons: " + "; ".join(report.lessons)))


def event_line(event: gpb.Event, payload: dict[str, Any], incident: ipb.Incident | None) -> str:
    """time  what  incident title  park  new state  (subject)."""
    when = event.time.ToDatetime().strftime("%H:%M:%S") if event.HasField("time") else "--:--:--"
    what = event.type
    title = f"“{incident.title}”" if incident is not None else (str(payload.get("incident", "")) or "-")
    subject_park = event.subject.split("/")[1] if event.subject.startswith("parks/") else ""
    park = (incident.park_id if incident is not None else "") or str(payload.get("park_id", "")) or subject_park
    new_state = str(payload.get("to") or payload.get("state") or payload.get("action") or "")
    if event.subject.startswith("incidents/") and incident is not None and not new_state:
        new_state = state(incident)
    scope = f" [{event.exercise_id}]" if event.exercise_id else ""
    subject = "" if event.subject.startswith("incidents/") else f"  {event.subject}"
    return f"{when}  {what:<26} {title}  {park or '-'}  -> {new_state or '-'}{subject}{scope}"
