"""A drill's after-action report: what happened per inject, the targets scored, and the hindsight-best plan beside it."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway import scoring, store, store_drills
from gateway.backends import call
from gateway.mapping import DRILL_ABORTED, DRILL_FINISHED, DRILL_RUNNING, committed_plan, world_from
from gateway.names import derive_request_id
from gateway.planning import build_request, plan_options
from gateway.proposals import Planner
from gateway.reporting import Reporter
from gateway.tables import CommitRow, DrillInjectRow, DrillRow, ProposalRow
from gateway.wiring import Wiring
from services.common.clock import as_utc, utcnow
from services.common.db import run_in_thread
from services.common.errors import ServiceError, failed_precondition

log = logging.getLogger(__name__)


def response_times(
    outcome: dict[str, object], released: datetime, proposals: list[ProposalRow], commits: list[CommitRow], *, watched: str
) -> tuple[float | None, float | None]:
    """Seconds from release to the plan and to the commit that answered an inject.

    An automatic drill records them as it dispatches; with an operator in the loop they are the first plan and
    commit made after the inject was applied (for its incident, or any when the inject concerns none).
    """
    if "planned_at" in outcome and "committed_at" in outcome:
        planned = datetime.fromisoformat(str(outcome["planned_at"]))
        committed = datetime.fromisoformat(str(outcome["committed_at"]))
        return (planned - released).total_seconds(), (committed - released).total_seconds()
    applied = datetime.fromisoformat(str(outcome["applied_at"])) if "applied_at" in outcome else released
    plans = [as_utc(p.created_at) for p in proposals if as_utc(p.created_at) >= applied and (not watched or watched in json.loads(p.incidents))]
    done = [as_utc(c.committed_at) for c in commits if as_utc(c.committed_at) >= applied and (not watched or c.incident == watched)]
    return ((min(plans) - released).total_seconds() if plans else None, (min(done) - released).total_seconds() if done else None)


def arrivals(incident: str, commits: list[CommitRow], released: datetime, broken: set[object]) -> list[scoring.Arrival]:
    """Every unit and shipment committed to the incident, in minutes after the inject's release."""
    found = []
    seen: set[str] = set()
    for commit in commits:
        if commit.incident != incident:
            continue
        delay = (as_utc(commit.committed_at) - released).total_seconds()
        plan = committed_plan(commit)
        for a in plan.assignments:
            if a.unit_id in seen or a.unit_id in broken:
                continue
            seen.add(a.unit_id)
            found.append(scoring.Arrival(a.resource_type, 1.0, (max(delay, 0.0) + a.eta_s) / 60.0))
        for s in plan.shipments:
            found.append(scoring.Arrival(s.resource_type, s.amount, (max(delay, 0.0) + s.eta_s) / 60.0))
    return found


def broken_units(injects: list[DrillInjectRow]) -> set[object]:
    """The units the drill's breakdown injects took out of service."""
    return {json.loads(i.outcome).get("unit") for i in injects if i.kind == cpb.Inject.KIND_UNIT_BREAKDOWN}


class DrillReport:
    """Writes a finished drill's report, stores it in the casebase and ends the exercise; serves the report."""

    def __init__(self, *, wiring: Wiring, reporter: Reporter, planner: Planner) -> None:
        self._wiring = wiring
        self._reporter = reporter
        self._planner = planner

    async def stored(self, drill_id: str) -> gpb.GetDrillReportResponse:
        """The stored after-action report of a finished drill with the hindsight plan."""
        row, _ = await run_in_thread(store_drills.load, self._wiring.engine, drill_id)
        if row.state == DRILL_RUNNING:
            raise failed_precondition(
                "DRILL_RUNNING", f"drills/{drill_id} is still running; its report is written when it finishes", {"drill": f"drills/{drill_id}"}
            )
        if row.state == DRILL_ABORTED or not row.report:
            raise failed_precondition("DRILL_ABORTED", f"drills/{drill_id} stopped before its report was written: {row.error}", {"drill": f"drills/{drill_id}"})
        report = cpb.AfterActionReport.FromString(row.report)
        if row.report_name:
            try:
                report = (await call(self._wiring.backends.casebase.GetAfterActionReport, cpb.GetAfterActionReportRequest(name=row.report_name))).report
            except ServiceError as error:
                log.warning("serving the gateway's copy of %s: %s", row.report_name, error)
        return gpb.GetDrillReportResponse(report=report, hindsight=dpb.OptimizePlanResponse.FromString(row.hindsight))

    async def write(self, drill_id: str) -> None:
        """Write the after-action report, store it in the casebase, and end the exercise."""
        row, injects = await run_in_thread(store_drills.load, self._wiring.engine, drill_id)
        scenario = cpb.Scenario.FromString(row.scenario_proto)
        facts, incidents = await self._facts(row, injects, scenario)
        commits = await run_in_thread(store.committed_plans, self._wiring.engine, row.exercise_id)
        hindsight, executed = await self._hindsight(row, incidents, commits, broken_units(injects))
        facts.executed = executed
        facts.hindsight = hindsight.objective if hindsight.HasField("objective") else None
        positioned = scoring.target_results(facts, scenario)
        results = list(positioned.values())
        report = cpb.AfterActionReport(
            scenario=row.scenario,
            exercise_id=row.exercise_id,
            incidents=sorted(i.name for i in incidents),
            timeline=scoring.timeline(facts),
            target_results=results,
            score=round(scoring.rubric_score(scenario.rubric, positioned, facts), 2),
            lessons=scoring.lessons(results, facts),
            findings=scoring.findings(facts),
            title=f"Drill {scenario.title}"[:200],
        )
        request = cpb.CreateAfterActionReportRequest(request_id=derive_request_id(drill_id, "report"), report=report)
        stored = (await call(self._wiring.backends.casebase.CreateAfterActionReport, request)).report
        await call(
            self._wiring.backends.resources.EndExercise,
            rpb.EndExerciseRequest(request_id=derive_request_id(drill_id, "end"), name=f"exercises/{row.exercise_id}"),
        )
        await run_in_thread(
            store_drills.update,
            self._wiring.engine,
            drill_id,
            ("drill.finished", {"report": stored.name, "score": stored.score}),
            state=DRILL_FINISHED,
            end_time=utcnow(),
            report_name=stored.name,
            report=stored.SerializeToString(),
            hindsight=hindsight.SerializeToString(),
        )

    async def _facts(self, row: DrillRow, injects: list[DrillInjectRow], scenario: cpb.Scenario) -> tuple[scoring.DrillFacts, list[ipb.Incident]]:
        """Measure what happened from the drill's injects, its incidents and the commits in its exercise."""
        names = sorted({i.incident for i in injects if i.incident})
        incidents = {n: await self._reporter.get(n) for n in names}
        proposals = await run_in_thread(store.exercise_proposals, self._wiring.engine, row.exercise_id)
        commits = await run_in_thread(store.committed_plans, self._wiring.engine, row.exercise_id)
        broken = broken_units(injects)
        by_id = {i.id: i for i in scenario.injects}
        records = []
        for item in injects:
            if item.released_at is None:
                continue
            released = as_utc(item.released_at)
            outcome = json.loads(item.outcome)
            inject = by_id[item.inject_id]
            is_incident = item.kind in (cpb.Inject.KIND_NEW_INCIDENT, cpb.Inject.KIND_ESCALATION)
            record = scoring.InjectRecord(inject=inject, released_s=float(inject.offset_s), incident=item.incident if is_incident else "")
            record.note = str(outcome.get("error") or outcome.get("dispatch_error") or "")
            record.plan_s, record.commit_s = response_times(outcome, released, proposals, commits, watched=str(outcome.get("affects", "")))
            if item.kind == cpb.Inject.KIND_UNIT_BREAKDOWN:
                record.response_s = record.commit_s if outcome.get("affects") else 0.0  # nothing waited for an idle unit
            elif item.kind == cpb.Inject.KIND_ROAD_RESTRICTION:
                record.response_s = record.plan_s if record.plan_s is not None else 0.0  # no later plan: nothing to re-route
            elif item.kind == cpb.Inject.KIND_STOCK_LOSS:
                record.response_s = record.commit_s if record.commit_s is not None else 0.0
            if item.kind == cpb.Inject.KIND_NEW_INCIDENT and item.incident in incidents:
                incident = incidents[item.incident]
                record.demands = list(incident.demands)
                record.severity_weight = incident.severity_weight
                record.arrivals = arrivals(item.incident, commits, released, broken)
            records.append(record)
        facts = scoring.DrillFacts(injects=records, reserve_breaches=json.loads(row.reserve_breaches)["seen"])
        return facts, list(incidents.values())

    async def _hindsight(
        self, row: DrillRow, incidents: list[ipb.Incident], commits: list[CommitRow], broken: set[object]
    ) -> tuple[dpb.OptimizePlanResponse, dpb.Objective | None]:
        """The optimiser on the whole scenario at once (the world at the start, every incident known), and the executed plan's score on it."""
        planned = [i for i in incidents if i.demands]
        if not planned:
            return dpb.OptimizePlanResponse(), None
        options = plan_options(None, time_limit_s=self._wiring.config.plan_time_limit_s, workers=self._wiring.config.plan_workers)
        restrictions = await self._planner.road_restrictions(row.exercise_id)
        request = build_request(world_from(row.base_world), planned, options, restrictions)
        hindsight = await call(self._wiring.backends.dispatch.OptimizePlan, request, timeout=options.time_limit_s + 30)
        known_units = {u.id for u in request.units}
        known_depots = {s.depot_id for s in request.stocks}
        names = {i.name for i in planned}
        executed = dpb.Plan()
        seen: set[str] = set()
        for commit in commits:
            if commit.incident not in names:
                continue
            plan = committed_plan(commit)
            for a in plan.assignments:
                if a.unit_id in known_units and a.unit_id not in seen and a.unit_id not in broken:
                    seen.add(a.unit_id)
                    executed.assignments.append(a)
            executed.shipments.extend(s for s in plan.shipments if s.depot_id in known_depots)
        try:
            evaluated = await call(self._wiring.backends.dispatch.EvaluatePlan, dpb.EvaluatePlanRequest(request=request, plan=executed))
        except ServiceError as error:
            log.warning("executed plan of %s not evaluated: %s", row.drill_id, error)
            return hindsight, None
        return hindsight, evaluated.objective
