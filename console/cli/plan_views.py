"""Rich views of planning at the command line: reports, recommendations, plans beside the greedy score, commits, the situation, drill reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from rich.console import Group
from rich.table import Table
from rich.text import Text

from console.cli.views import demands, level, quantity, state, unit_state
from gateway.quantities import format_quantity


def plain_table(title: str, columns: Sequence[str], style: str = "none") -> Table:
    """A table with its columns."""
    table = Table(title=title, style=style)
    for column in columns:
        table.add_column(column)
    return table


def units_table(title: str, assignments: Iterable[dpb.UnitAssignment]) -> Table:
    """Units with their incident and ETA."""
    table = plain_table(title, ("unit", "type", "incident", "ETA (min)"))
    for a in assignments:
        table.add_row(a.unit_id, a.resource_type, a.incident_id, f"{a.eta_s / 60:.1f}")
    return table


def incident_table(incidents: Sequence[ipb.Incident], title: str = "Incidents") -> Table:
    """Incidents with their level, state and demands."""
    table = plain_table(title, ("incident", "title", "park", "level", "state", "version", "demands"))
    for i in incidents:
        table.add_row(i.name, i.title, i.park_id or "-", level(i.severity), state(i), str(i.version), demands(i.demands, compact=True))
    return table


def similar_cases_table(cases: Sequence[cpb.SimilarCase]) -> Table:
    """Similar past cases with their score and the strongest reason."""
    table = plain_table("Similar cases", ("case", "title", "score", "why"))
    for case in cases:
        best = max(case.parts, key=lambda p: p.weight * p.similarity, default=None)
        table.add_row(case.accident_case.name, case.accident_case.title, f"{case.score:.2f}", best.reason if best else "")
    return table


def recommendations_table(lines: Sequence[cpb.RecommendedDemand]) -> Table:
    """Recommended demands and where each came from."""
    table = plain_table(
        "Recommended demands (a first response: capped per level and hazard class)", ("type", "quantity", "uncapped", "within", "sources", "rationale")
    )
    for line in lines:
        d = line.demand
        uncapped = f"{quantity(d.resource_type, line.uncapped_quantity)} ({line.cap})" if line.cap else "-"
        table.add_row(
            d.resource_type,
            quantity(d.resource_type, d.quantity),
            uncapped,
            f"{d.needed_within_minutes} min" if d.needed_within_minutes else "-",
            ", ".join([*line.cited_cases, *line.cited_rules]),
            line.rationale,
        )
    return table


def objective_table(optimized: dpb.OptimizePlanResponse) -> Table:
    """The optimised plan's score beside the greedy baseline's."""
    table = Table(title="Optimal plan beside the greedy baseline")
    for column in ("", "weighted unmet", "weighted completion (s)", "total travel (s)"):
        table.add_column(column, justify="right")
    for label, o in (("optimal", optimized.objective), ("greedy", optimized.greedy_objective)):
        table.add_row(label, f"{o.weighted_unmet:.3f}", f"{o.weighted_completion_s:.0f}", f"{o.total_travel_s:.0f}")
    solver = optimized.solver
    table.caption = f"solver {dpb.SolverReport.Status.Name(solver.status).removeprefix('STATUS_')}, gap {solver.gap:.1%}, {solver.wall_time_s:.2f} s"
    return table


def plan_tables(plan: dpb.Plan) -> list[Table]:
    """Units, shipments and unmet demand of a plan."""
    tables = [units_table("Units sent", sorted(plan.assignments, key=lambda a: (a.incident_id, a.eta_s)))]
    if plan.shipments:
        supplies = plain_table("Supplies shipped", ("depot", "type", "amount", "incident", "ETA (min)"))
        for s in plan.shipments:
            supplies.add_row(s.depot_id, s.resource_type, quantity(s.resource_type, s.amount), s.incident_id, f"{s.eta_s / 60:.1f}")
        tables.append(supplies)
    if plan.unmet:
        unmet = plain_table("Unmet demand", ("incident", "type", "quantity", "why"), style="red")
        for u in plan.unmet:
            unmet.add_row(u.incident_id, u.resource_type, quantity(u.resource_type, u.quantity), u.reason)
        tables.append(unmet)
    return tables


def explanation_text(optimized: dpb.OptimizePlanResponse) -> Group:
    """The optimiser's explanation per incident."""
    parts: list[Text | Table] = []
    for e in optimized.explanations:
        parts.append(Text(f"{e.incident_id}: {e.summary}", style="bold"))
        if e.binding_constraints:
            parts.append(Text("  bound by: " + "; ".join(e.binding_constraints)))
        for alt in e.alternatives[:5]:
            parts.append(Text(alternative_line(alt)))
    return Group(*parts)


def alternative_line(alt: dpb.Alternative) -> str:
    """A choice and its next-best source: the dispatch service's note, else the alternative and what it adds (never a negative cost)."""
    if alt.note:
        return f"  {alt.chosen_id}: {alt.note}"
    if not alt.alternative_id:
        return f"  {alt.chosen_id}: no alternative"
    return f"  {alt.chosen_id} rather than {alt.alternative_id} (+{max(0.0, alt.added_minutes):.1f} min)"


def proposal_view(proposal: gpb.Proposal) -> Group:
    """A proposal: its score against greedy, its plan and its explanation."""
    optimized = proposal.optimized
    header = Text(f"{proposal.name} for {', '.join(proposal.incidents)} (snapshot {proposal.snapshot_version})", style="bold cyan")
    return Group(header, objective_table(optimized), *plan_tables(optimized.plan), explanation_text(optimized), *proposal_extras(proposal))


def proposal_extras(proposal: gpb.Proposal) -> list[Text | Table]:
    """What the plan took as already there, the incidents it left out, and what each override cost."""
    parts: list[Text | Table] = [Text(f"  {note}", style="dim") for note in proposal.notes]
    for skipped in proposal.skipped:
        parts.append(Text(f"skipped {skipped.incident} ({skipped.code}): {skipped.reason}", style="yellow"))
    if proposal.override_costs:
        costs = plain_table(
            "Operator overrides and what they cost (against the plan without them)",
            ("override", "what and why", "+ weighted min", "+ units below reserve", "+ weighted unmet"),
        )
        for c in proposal.override_costs:
            costs.add_row(c.override, c.description, f"{c.added_minutes:+.1f}", f"{c.reserve_units:+g}", f"{c.added_unmet:+.3f}")
        parts.append(costs)
    return parts


def commit_view(reply: gpb.CommitPlanResponse) -> Group:
    """What a commit really dispatched, and what the committed proposal planned that was not sent."""
    already = reply.outcome == gpb.CommitPlanResponse.OUTCOME_ALREADY_COMMITTED
    headline = (
        f"ALREADY COMMITTED by request {reply.commit_request_id}: nothing more was sent"
        if already
        else f"committed {reply.committed.name}: {len(reply.reservations)} reservation(s), re-planned {reply.replans} time(s)"
    )
    parts: list[Text | Table] = [Text(headline, style="bold yellow" if already else "bold green")]
    parts += [Text(f"  {name}") for name in reply.reservations]
    parts.append(units_table("Dispatched units", reply.dispatched_units))
    if reply.dispatched_shipments:
        supplies = plain_table("Dispatched supplies", ("depot", "type", "amount", "incident", "ETA (min)"))
        for sh in reply.dispatched_shipments:
            supplies.add_row(sh.depot_id, sh.resource_type, f"{sh.amount:,g}", sh.incident_id, f"{sh.eta_s / 60:.1f}")
        parts.append(supplies)
    if reply.not_dispatched:
        missing = plain_table("Planned but not dispatched", ("incident", "unit or depot", "type", "amount", "why"), style="red")
        for n in reply.not_dispatched:
            missing.add_row(n.incident, n.unit or n.depot, n.resource_type, f"{n.amount:,g}" if n.amount else "-", n.reason)
        parts.append(missing)
    return Group(*parts)


def situation_view(situation: gpb.GetSituationResponse) -> Group:
    """The whole screen."""
    incidents = plain_table("Open incidents", ("incident", "title", "park", "level", "state", "units", "last ETA (min)", "unmet"))
    for s in situation.incidents:
        i = s.incident
        last = max((a.eta_s for a in s.assignments), default=0.0)
        unmet = ", ".join(f"{u.resource_type} x{quantity(u.resource_type, u.quantity)}" for u in s.unmet) or "-"
        incidents.add_row(
            i.name, i.title, i.park_id or "-", level(i.severity), state(i), str(len(s.assignments)), f"{last / 60:.1f}" if s.assignments else "-", unmet
        )
    units = plain_table(f"Units away from home ({situation.available_units} available at home)", ("unit", "type", "state", "incident"))
    for u in situation.units:
        units.add_row(u.name, u.resource_type, unit_state(u.state), u.incident or "-")
    reserves = plain_table("Reserve levels", ("park", "type", "available", "minimum"))
    for r in situation.reserve_levels:
        style = "red" if r.available < r.minimum else ""
        reserves.add_row(r.park_id, r.resource_type, quantity(r.resource_type, r.available), quantity(r.resource_type, r.minimum), style=style)
    stocks = plain_table("Stock at or below minimum", ("stock", "on hand", "reserved", "minimum"))
    for stock in situation.low_stocks:
        stocks.add_row(stock.name, *(format_quantity(v, stock.unit_of_measure) for v in (stock.on_hand, stock.reserved, stock.minimum_level)))
    return Group(incidents, units, reserves, stocks)


def report_view(report: gpb.GetDrillReportResponse) -> Group:
    """A drill's after-action report with the hindsight score."""
    aar = report.report
    header = Text(f"{aar.name or 'report'}: {aar.title} — score {aar.score:.1f}/100", style="bold cyan")
    targets = plain_table("Targets", ("inject", "metric", "type", "threshold", "measured", "met"))
    for r in aar.target_results:
        sign = "<=" if r.target.comparator == cpb.Target.COMPARATOR_AT_MOST else ">="
        measured = "never" if r.measured == -1 else f"{r.measured:.1f}"
        targets.add_row(
            r.inject_id,
            r.target.metric,
            r.target.resource_type or "-",
            f"{sign} {r.target.threshold:g}",
            measured,
            "yes" if r.met else "no",
            style="" if r.met else "red",
        )
    parts: list[Text | Table] = [header, targets, Text("Findings", style="bold"), Text(aar.findings), Text("Lessons", style="bold")]
    parts += [Text(f"- {lesson}") for lesson in aar.lessons]
    if report.hindsight.HasField("objective"):
        o = report.hindsight.objective
        parts.append(Text(f"hindsight plan: weighted unmet {o.weighted_unmet:.3f}, weighted completion {o.weighted_completion_s:.0f} s"))
    return Group(*parts)
