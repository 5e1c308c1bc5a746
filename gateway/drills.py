"""Drills: a scenario's injects released on a (compressed) clock through the live pipeline inside an exercise namespace."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb
from google.protobuf import json_format
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from gateway import drill_alarms, scoring, store
from gateway.backends import Backends, call
from gateway.config import GatewayConfig
from gateway.identity import act_as, system_principal
from gateway.names import derive_id, derive_request_id
from gateway.planning import World, build_request, plan_options
from gateway.proposals import Planner
from gateway.reporting import Reporter, merge_demands
from gateway.saga import CommitSaga
from gateway.situation import below_reserve, reserve_levels
from services.common.auth import Principal, Role
from services.common.db import run_in_thread, session_scope
from services.common.errors import FieldViolation, ServiceError, failed_precondition, invalid_argument
from services.common.idempotency import reused_id_error
from services.common.outbox import utcnow
from services.common.settings import Settings

log = logging.getLogger(__name__)

MAX_CLOCK_SPEED = 3600.0
RUNNING, FINISHED, ABORTED = "RUNNING", "FINISHED", "ABORTED"
STATE_OF = {RUNNING: gpb.Drill.STATE_RUNNING, FINISHED: gpb.Drill.STATE_FINISHED, ABORTED: gpb.Drill.STATE_ABORTED}
AWAITING = (ipb.Incident.STATE_REPORTED, ipb.Incident.STATE_VERIFIED, ipb.Incident.STATE_DISPATCHING)
BUSY_UNIT_STATES = (rpb.Unit.STATE_EN_ROUTE, rpb.Unit.STATE_ON_SCENE)


def world_message(world: World) -> rpb.GetAvailabilitySnapshotResponse:
    """A whole snapshot as one message, for storage."""
    return rpb.GetAvailabilitySnapshotResponse(
        snapshot_version=world.snapshot_version,
        units=world.units,
        committed_units=world.committed,
        stocks=world.stocks,
        reserve_policies=world.policies,
        agreements=world.agreements,
        parks=world.parks,
    )


def world_from(data: bytes) -> World:
    """The snapshot stored by world_message."""
    world = World()
    world.add_page(rpb.GetAvailabilitySnapshotResponse.FromString(data))
    return world


def drill_message(row: store.DrillRow, injects: list[store.DrillInjectRow], *, show_script: bool) -> gpb.Drill:
    """The proto view of a drill; the scenario stays hidden from operators in an unannounced drill."""
    message = gpb.Drill(
        name=f"drills/{row.drill_id}",
        scenario=row.scenario if show_script or row.mode != cpb.Scenario.MODE_UNANNOUNCED else "",
        exercise_id=row.exercise_id,
        mode=row.mode,  # type: ignore[arg-type]
        clock_speed=row.clock_speed,
        auto_dispatch=row.auto_dispatch,
        state=STATE_OF[row.state],
        released_injects=[i.inject_id for i in injects if i.released_at is not None],
        report=row.report_name,
    )
    message.start_time.FromDatetime(store.as_utc(row.start_time))
    return message


def default_title(spec: cpb.IncidentSpec) -> str:
    """A headline for an inject that gives none: its kind and where."""
    kind = common_pb2.IncidentKind.Name(spec.kind).removeprefix("INCIDENT_KIND_").replace("_", " ").capitalize()
    where = spec.location.description or (f"park {spec.park_id}" if spec.park_id else "an unnamed site")
    return f"{kind} at {where}"[:200]


def validate_start(request: gpb.StartDrillRequest) -> None:
    """INVALID_ARGUMENT for a malformed StartDrill."""
    violations = []
    if not request.request_id or len(request.request_id) > 128:
        violations.append(FieldViolation("request_id", "required, at most 128 characters"))
    if not request.scenario.startswith("scenarios/") or len(request.scenario) <= len("scenarios/"):
        violations.append(FieldViolation("scenario", "must be scenarios/{scenario}"))
    if request.clock_speed < 0 or request.clock_speed > MAX_CLOCK_SPEED:
        violations.append(FieldViolation("clock_speed", f"must be between 0 (for 1) and {MAX_CLOCK_SPEED:g}"))
    if request.mode not in cpb.Scenario.Mode.values():
        violations.append(FieldViolation("mode", f"unknown mode {request.mode}"))
    if violations:
        raise invalid_argument(violations)


class DrillRunner:
    """Starts drills, runs each as a background task, and writes their after-action reports."""

    def __init__(
        self,
        *,
        backends: Backends,
        engine: Engine,
        reporter: Reporter,
        planner: Planner,
        saga: CommitSaga,
        config: GatewayConfig,
        settings: Settings,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._backends = backends
        self._engine = engine
        self._reporter = reporter
        self._planner = planner
        self._saga = saga
        self._config = config
        self._settings = settings
        self._on_commit = on_commit
        self._tasks: dict[str, asyncio.Task[None]] = {}

    # ---- API ------------------------------------------------------------------------------------------------------

    async def start(self, request: gpb.StartDrillRequest, principal: Principal) -> gpb.Drill:
        """Open the exercise, record the drill and its injects, and start releasing them."""
        validate_start(request)
        existing = await run_in_thread(self._by_request, request.request_id)
        if existing is not None:
            if existing.scenario != request.scenario or existing.auto_dispatch != request.auto_dispatch:
                error = reused_id_error(request.request_id)
                error.reason = "REQUEST_ID_REUSED"
                raise error
            return await self.get(existing.drill_id, show_script=True)
        scenario = (await call(self._backends.casebase.GetScenario, cpb.GetScenarioRequest(name=request.scenario))).scenario
        drill_id = derive_id("drill", request.request_id)
        await call(
            self._backends.resources.CreateExercise,
            rpb.CreateExerciseRequest(request_id=derive_request_id(request.request_id, "exercise"), exercise_id=drill_id, title=f"Drill: {scenario.title}"[:200]),
        )
        world = await self._planner.fetch_world(drill_id)
        baseline = sorted(f"{lv.park_id}/{lv.resource_type}" for lv in below_reserve(reserve_levels(world)))
        row = store.DrillRow(
            drill_id=drill_id,
            request_id=request.request_id,
            scenario=request.scenario,
            scenario_proto=scenario.SerializeToString(),
            exercise_id=drill_id,
            mode=request.mode or scenario.mode or cpb.Scenario.MODE_SCRIPTED,
            clock_speed=request.clock_speed or 1.0,
            auto_dispatch=request.auto_dispatch,
            started_by=principal.subject,
            base_world=world_message(world).SerializeToString(),
            reserve_breaches=json.dumps({"baseline": baseline, "seen": []}),
        )
        injects = [
            store.DrillInjectRow(drill_id=drill_id, inject_id=inject.id, position=n, offset_s=inject.offset_s, kind=int(inject.kind))
            for n, inject in enumerate(sorted(scenario.injects, key=lambda i: i.offset_s))
        ]
        await run_in_thread(self._insert, row, injects)
        self._on_commit()
        self._spawn(drill_id)
        return await self.get(drill_id, show_script=True)

    async def get(self, drill_id: str, *, show_script: bool) -> gpb.Drill:
        """One drill as the caller may see it."""
        row, injects = await run_in_thread(self._load, drill_id)
        return drill_message(row, injects, show_script=show_script)

    async def report(self, drill_id: str) -> gpb.GetDrillReportResponse:
        """The stored after-action report of a finished drill with the hindsight plan."""
        row, _ = await run_in_thread(self._load, drill_id)
        if row.state == RUNNING:
            raise failed_precondition("DRILL_RUNNING", f"drills/{drill_id} is still running; its report is written when it finishes", {"drill": f"drills/{drill_id}"})
        if row.state == ABORTED or not row.report:
            raise failed_precondition("DRILL_ABORTED", f"drills/{drill_id} stopped before its report was written: {row.error}", {"drill": f"drills/{drill_id}"})
        report = cpb.AfterActionReport.FromString(row.report)
        if row.report_name:
            try:
                report = (await call(self._backends.casebase.GetAfterActionReport, cpb.GetAfterActionReportRequest(name=row.report_name))).report
            except ServiceError as error:
                log.warning("serving the gateway's copy of %s: %s", row.report_name, error)
        return gpb.GetDrillReportResponse(report=report, hindsight=dpb.OptimizePlanResponse.FromString(row.hindsight))

    async def resume(self) -> list[str]:
        """Restart the runners of drills a previous process left running."""

        def read() -> list[str]:
            with Session(self._engine) as session:
                return [d.drill_id for d in store.running_drills(session=session)]

        ids = await run_in_thread(read)
        for drill_id in ids:
            self._spawn(drill_id)
        return ids

    async def wait(self, drill_id: str) -> None:
        """Wait for a drill's runner in this process to end."""
        task = self._tasks.get(drill_id)
        if task is not None:
            await asyncio.shield(task)

    async def close(self) -> None:
        """Stop every runner (a restarted process resumes them)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ---- storage --------------------------------------------------------------------------------------------------

    def _by_request(self, request_id: str) -> store.DrillRow | None:
        with Session(self._engine) as session:
            return store.drill_by_request(session=session, request_id=request_id)

    def _insert(self, row: store.DrillRow, injects: list[store.DrillInjectRow]) -> None:
        with session_scope(self._engine) as session:
            if session.get(store.DrillRow, row.drill_id) is not None:
                return
            session.add(row)
            session.add_all(injects)
            payload = {"mode": cpb.Scenario.Mode.Name(row.mode), "clock_speed": row.clock_speed, "auto_dispatch": row.auto_dispatch}
            if row.mode != cpb.Scenario.MODE_UNANNOUNCED:
                payload["scenario"] = row.scenario
            store.emit(session, "drill.started", f"drills/{row.drill_id}", exercise_id=row.exercise_id, payload=payload)

    def _load(self, drill_id: str) -> tuple[store.DrillRow, list[store.DrillInjectRow]]:
        with Session(self._engine) as session:
            row = store.get_drill(session=session, drill_id=drill_id)
            return row, store.drill_injects(session=session, drill_id=drill_id)

    def _update_inject(self, drill_id: str, inject_id: str, **values: object) -> None:
        with session_scope(self._engine) as session:
            for row in store.drill_injects(session=session, drill_id=drill_id):
                if row.inject_id == inject_id:
                    for key, value in values.items():
                        setattr(row, key, value)
                    session.add(row)

    def _update_drill(self, drill_id: str, event: tuple[str, dict[str, object]] | None = None, **values: object) -> None:
        with session_scope(self._engine) as session:
            row = store.get_drill(session=session, drill_id=drill_id)
            for key, value in values.items():
                setattr(row, key, value)
            session.add(row)
            if event is not None:
                store.emit(session, event[0], f"drills/{drill_id}", exercise_id=row.exercise_id, payload=event[1])

    # ---- the runner -----------------------------------------------------------------------------------------------

    def _spawn(self, drill_id: str) -> None:
        """Run the drill in a task of its own context: no caller's principal, deadline or trace leaks into it."""
        if drill_id in self._tasks and not self._tasks[drill_id].done():
            return
        task = asyncio.get_running_loop().create_task(self._run(drill_id), name=f"drill-{drill_id}", context=contextvars.Context())
        self._tasks[drill_id] = task

    async def _run(self, drill_id: str) -> None:
        """Release every inject at its time, handle it, wait for the response, then report and end the exercise."""
        row, injects = await run_in_thread(self._load, drill_id)
        act_as(system_principal(self._settings, subject=row.started_by or "drill-director", role=Role.DRILL_DIRECTOR))
        scenario = cpb.Scenario.FromString(row.scenario_proto)
        by_id = {i.id: i for i in scenario.injects}
        start = store.as_utc(row.start_time)
        handled: dict[str, asyncio.Task[None]] = {}
        try:
            for inject_row in injects:
                inject = by_id[inject_row.inject_id]
                if inject_row.released_at is None:
                    due = start + timedelta(seconds=inject.offset_s / row.clock_speed)
                    await asyncio.sleep(max((due - utcnow()).total_seconds(), 0.0))
                    await run_in_thread(self._update_inject, drill_id, inject.id, released_at=utcnow())
                    await run_in_thread(self._update_drill, drill_id, ("drill.inject_released", {"inject": inject.id, "kind": cpb.Inject.Kind.Name(inject.kind)}))
                    self._on_commit()
                elif json.loads(inject_row.outcome).get("handled"):
                    continue
                target = handled.get(inject.target_inject_id)
                handled[inject.id] = asyncio.create_task(self._handle(row, inject, target))
            await asyncio.gather(*handled.values(), return_exceptions=True)
            if not row.auto_dispatch:
                last = max((i.offset_s for i in scenario.injects), default=0)
                await self._await_operators(row, start + timedelta(seconds=(last + self._config.drill_tail_s) / row.clock_speed))
            await self._sample_reserves(row)
            await self._finish(drill_id)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("drill %s stopped", drill_id)
            await self._abort(row, str(error))

    async def _handle(self, row: store.DrillRow, inject: cpb.Inject, before: asyncio.Task[None] | None) -> None:
        """Apply one inject and, in automatic mode, dispatch for it; record what happened."""
        if before is not None:
            await asyncio.gather(before, return_exceptions=True)
        outcome: dict[str, object] = {"handled": True}
        appliers = {
            cpb.Inject.KIND_NEW_INCIDENT: self._new_incident,
            cpb.Inject.KIND_ESCALATION: self._escalate,
            cpb.Inject.KIND_UNIT_BREAKDOWN: self._breakdown,
            cpb.Inject.KIND_STOCK_LOSS: self._stock_loss,
            cpb.Inject.KIND_ROAD_RESTRICTION: self._road,
            cpb.Inject.KIND_DETECTOR_ALARMS: lambda row, inject: drill_alarms.publish_burst(self._backends, self._config, row, inject),
        }
        try:
            applier = appliers.get(inject.kind)
            if applier is not None:
                outcome.update(await applier(row, inject))
            outcome["applied_at"] = utcnow().isoformat()
            affected = outcome.get("affects", "")
            if row.auto_dispatch and isinstance(affected, str) and affected:
                outcome.update(await self._dispatch(row, [affected], inject.id))
        except ServiceError as error:
            log.warning("drill %s inject %s: %s", row.drill_id, inject.id, error)
            outcome["error"] = f"{error.code.name} {error.reason}: {error.message}"
        except Exception as error:  # one broken inject must not stop the drill; it is reported
            log.exception("drill %s inject %s failed", row.drill_id, inject.id)
            outcome["error"] = f"INTERNAL: {error}"
        await run_in_thread(self._update_inject, row.drill_id, inject.id, outcome=json.dumps(outcome, default=str), incident=str(outcome.get("incident", "")))
        await self._sample_reserves(row)

    async def _dispatch(self, row: store.DrillRow, incidents: list[str], key: str) -> dict[str, object]:
        """Propose and commit for the incidents through the same saga as AutoDispatch; note when each happened."""
        request_id = derive_request_id(row.drill_id, "dispatch", key)
        try:
            proposal = await self._planner.propose(
                incident_names=incidents, exercise_id=row.exercise_id, options=None, created_by=row.started_by, origin="DRILL", proposal_id=derive_id("dprop", row.drill_id, key)
            )
            planned = {"proposal": f"proposals/{proposal.proposal_id}", "planned_at": store.as_utc(proposal.created_at).isoformat()}
            reply = await self._saga.commit(
                request_id=request_id, method="AutoDispatch", fingerprint=request_id, proposal_id=proposal.proposal_id, max_replans=self._config.default_max_replans, subject=row.started_by
            )
        except ServiceError as error:
            return {"dispatch_error": f"{error.code.name} {error.reason}: {error.message}"}
        return {**planned, "committed_at": utcnow().isoformat(), "reservations": list(reply.reservations), "replans": reply.replans}

    async def _new_incident(self, row: store.DrillRow, inject: cpb.Inject) -> dict[str, object]:
        """Report the inject's incident in the exercise (recommendation accepted unless the script fixes demands)."""
        spec = inject.incident
        incident = ipb.Incident(
            title=spec.title or default_title(spec),
            park_id=spec.park_id,
            location=spec.location,
            kind=spec.kind,
            substance=spec.substance,
            severity=spec.severity,
            description=spec.description,
            reporter=f"drills/{row.drill_id}",
            exercise_id=row.exercise_id,
            demands=list(spec.demands),
        )
        report = await self._reporter.report(
            gpb.ReportIncidentRequest(request_id=derive_request_id(row.drill_id, "inject", inject.id), incident=incident, accept_recommendation=not spec.demands),
            incident_id=derive_id("dri", row.drill_id, inject.id),
        )
        name = report.incident.name
        await run_in_thread(self._update_inject, row.drill_id, inject.id, incident=name)
        return {"incident": name, "affects": name}

    async def _incident_of(self, row: store.DrillRow, inject_id: str) -> str:
        """The incident a NEW_INCIDENT inject of this drill created."""
        _, injects = await run_in_thread(self._load, row.drill_id)
        found = next((i.incident for i in injects if i.inject_id == inject_id and i.incident), "")
        if not found:
            raise failed_precondition("INJECT_TARGET_MISSING", f"inject {inject_id!r} created no incident", {"inject": inject_id})
        return found

    async def _escalate(self, row: store.DrillRow, inject: cpb.Inject) -> dict[str, object]:
        """Raise the target incident's level, add what the case library now recommends, and re-plan."""
        name = await self._incident_of(row, inject.target_inject_id)
        incident = await self._reporter.get(name)
        if inject.new_severity and inject.new_severity != incident.severity:
            incident = (
                await call(
                    self._backends.incident.ChangeSeverity,
                    ipb.ChangeSeverityRequest(
                        request_id=derive_request_id(row.drill_id, "escalate", inject.id),
                        name=name,
                        version=incident.version,
                        severity=inject.new_severity,
                        reason=f"drill inject {inject.id}: the incident escalates",
                    ),
                )
            ).incident
        _, lines = await self._reporter.recommend(incident)
        merged = merge_demands(incident.demands, [line.demand for line in lines])
        if [(d.resource_type, d.quantity) for d in merged] != [(d.resource_type, d.quantity) for d in incident.demands]:
            incident = (
                await call(
                    self._backends.incident.SetDemands,
                    ipb.SetDemandsRequest(
                        request_id=derive_request_id(row.drill_id, "escalate-demands", inject.id),
                        name=name,
                        version=incident.version,
                        demands=merged,
                        note=f"demands raised after escalation (drill inject {inject.id})",
                    ),
                )
            ).incident
        return {"incident": name, "affects": name}

    async def _pick_unit(self, row: store.DrillRow, inject: cpb.Inject) -> rpb.Unit:
        """The unit a breakdown names, or a unit of the park and type: one sent to the named inject's incident, else one at work, else a free one."""
        if inject.unit.startswith("parks/"):
            return (await call(self._backends.resources.GetUnit, rpb.GetUnitRequest(name=inject.unit, exercise_id=row.exercise_id))).unit
        park = inject.park_id or inject.unit
        parent = f"parks/{park}" if park else "parks/-"
        units = (
            await call(
                self._backends.resources.ListUnits,
                rpb.ListUnitsRequest(parent=parent, exercise_id=row.exercise_id, resource_type=inject.resource_type, page_size=1000),
            )
        ).units
        wanted = await self._incident_of(row, inject.target_inject_id) if inject.target_inject_id else ""
        busy = [u for u in units if u.state in BUSY_UNIT_STATES and u.incident and (not wanted or u.incident == wanted)]
        free = [u for u in units if u.state == rpb.Unit.STATE_AVAILABLE]
        if not busy and not free:
            raise failed_precondition("NO_UNIT_TO_BREAK", f"no {inject.resource_type or 'unit'} in {parent} can break down", {"park": park})
        return (busy or free)[0]

    async def _breakdown(self, row: store.DrillRow, inject: cpb.Inject) -> dict[str, object]:
        """Take a unit out of service (turning it back first if it was on its way) and replace it."""
        unit = await self._pick_unit(row, inject)
        committed_to = unit.incident if unit.state in BUSY_UNIT_STATES else ""
        path = [rpb.Unit.STATE_RETURNING, rpb.Unit.STATE_OUT_OF_SERVICE] if committed_to else [rpb.Unit.STATE_OUT_OF_SERVICE]
        for target in path:
            unit = (
                await call(
                    self._backends.resources.ReportUnitStatus,
                    rpb.ReportUnitStatusRequest(
                        request_id=derive_request_id(row.drill_id, "breakdown", inject.id, target),
                        name=unit.name,
                        version=unit.version,
                        state=target,
                        exercise_id=row.exercise_id,
                        reason=f"drill inject {inject.id}: breakdown",
                    ),
                )
            ).unit
        return {"unit": unit.name, "was_committed_to": committed_to, "affects": committed_to}

    async def _stock_loss(self, row: store.DrillRow, inject: cpb.Inject) -> dict[str, object]:
        """Record the loss in the exercise's ledger (no more than what is free to lose); depot "-" means the park's largest stock."""
        depot, _, resource_type = inject.stock.partition("/stocks/")
        stocks = (await call(self._backends.resources.ListStocks, rpb.ListStocksRequest(parent=depot, exercise_id=row.exercise_id, page_size=1000))).stocks
        candidates = [s for s in stocks if s.resource_type == resource_type]
        if not candidates:
            raise failed_precondition("STOCK_NOT_FOUND", f"{inject.stock} does not exist in the exercise", {"stock": inject.stock})
        stock = max(candidates, key=lambda s: s.on_hand - s.reserved)
        amount = min(inject.amount, max(stock.on_hand - stock.reserved, 0.0))
        if amount > 0:
            await call(
                self._backends.resources.AdjustStock,
                rpb.AdjustStockRequest(
                    request_id=derive_request_id(row.drill_id, "stock-loss", inject.id),
                    stock=stock.name,
                    kind=rpb.StockLedgerEntry.KIND_LOSS,
                    delta=-amount,
                    reference=f"drills/{row.drill_id} inject {inject.id}",
                    exercise_id=row.exercise_id,
                ),
            )
        return {"stock": stock.name, "lost": amount}

    async def _road(self, row: store.DrillRow, inject: cpb.Inject) -> dict[str, object]:
        """Announce a road restriction: every later plan in the exercise routes around it."""
        restriction = dpb.RoadRestriction(center=inject.road_center, radius_m=inject.road_radius_m, delay_s=inject.road_delay_s, closed=inject.road_closed)

        def write() -> None:
            with session_scope(self._engine) as session:
                drill = store.get_drill(session=session, drill_id=row.drill_id)
                items = json.loads(drill.road_restrictions)
                items.append(json_format.MessageToDict(restriction, preserving_proto_field_name=True))
                drill.road_restrictions = json.dumps(items)
                session.add(drill)

        await run_in_thread(write)
        return {"road": json_format.MessageToDict(restriction, preserving_proto_field_name=True)}

    async def _sample_reserves(self, row: store.DrillRow) -> None:
        """Remember every park and type seen below its reserve in the exercise (beyond what was below at the start)."""
        try:
            world = await self._planner.fetch_world(row.exercise_id)
        except ServiceError as error:
            log.info("reserve sample skipped: %s", error)
            return
        below = {f"{lv.park_id}/{lv.resource_type}" for lv in below_reserve(reserve_levels(world))}

        def write() -> None:
            with session_scope(self._engine) as session:
                drill = store.get_drill(session=session, drill_id=row.drill_id)
                record = json.loads(drill.reserve_breaches)
                record["seen"] = sorted(set(record["seen"]) | (below - set(record["baseline"])))
                drill.reserve_breaches = json.dumps(record)
                session.add(drill)

        await run_in_thread(write)

    async def _await_operators(self, row: store.DrillRow, deadline: datetime) -> None:
        """With an operator in the loop: wait until every drill incident is dispatched, or until the tail runs out."""
        while utcnow() < deadline:
            waiting = [i for i in await self._planner.open_incidents(row.exercise_id, AWAITING) if i.demands]
            if not waiting:
                return
            await self._sample_reserves(row)
            await asyncio.sleep(self._config.drill_poll_s)

    async def _abort(self, row: store.DrillRow, reason: str) -> None:
        """Stop a drill that cannot go on, ending its exercise so nothing stays held."""
        try:
            await call(self._backends.resources.EndExercise, rpb.EndExerciseRequest(request_id=derive_request_id(row.drill_id, "end"), name=f"exercises/{row.exercise_id}"))
        except ServiceError as error:
            log.warning("could not end exercise %s: %s", row.exercise_id, error)
        await run_in_thread(self._update_drill, row.drill_id, ("drill.aborted", {"reason": reason[:500]}), state=ABORTED, error=reason, end_time=utcnow())
        self._on_commit()

    # ---- the report -----------------------------------------------------------------------------------------------

    async def _facts(self, row: store.DrillRow, injects: list[store.DrillInjectRow], scenario: cpb.Scenario) -> tuple[scoring.DrillFacts, list[ipb.Incident]]:
        """Measure what happened from the drill's injects, its incidents and the commits in its exercise."""
        names = sorted({i.incident for i in injects if i.incident})
        incidents = {n: await self._reporter.get(n) for n in names}

        def read() -> tuple[list[store.ProposalRow], list[store.CommitRow]]:
            with Session(self._engine) as session:
                proposals = list(session.exec(select(store.ProposalRow).where(store.ProposalRow.exercise_id == row.exercise_id).order_by(col(store.ProposalRow.created_at))).all())
                return proposals, store.commits_for(session=session, exercise_id=row.exercise_id)

        proposals, commits = await run_in_thread(read)
        broken = {json.loads(i.outcome).get("unit") for i in injects if i.kind == cpb.Inject.KIND_UNIT_BREAKDOWN}
        by_id = {i.id: i for i in scenario.injects}
        records = []
        for item in injects:
            if item.released_at is None:
                continue
            released = store.as_utc(item.released_at)
            outcome = json.loads(item.outcome)
            inject = by_id[item.inject_id]
            is_incident = item.kind in (cpb.Inject.KIND_NEW_INCIDENT, cpb.Inject.KIND_ESCALATION)
            record = scoring.InjectRecord(inject=inject, released_s=float(inject.offset_s), incident=item.incident if is_incident else "")
            record.note = str(outcome.get("error") or outcome.get("dispatch_error") or "")
            record.plan_s, record.commit_s = self._response_times(outcome, released, proposals, commits, watched=str(outcome.get("affects", "")))
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
                record.arrivals = self._arrivals(item.incident, commits, released, broken)
            records.append(record)
        facts = scoring.DrillFacts(injects=records, reserve_breaches=json.loads(row.reserve_breaches)["seen"])
        return facts, list(incidents.values())

    @staticmethod
    def _response_times(
        outcome: dict[str, object], released: datetime, proposals: list[store.ProposalRow], commits: list[store.CommitRow], *, watched: str
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
        plans = [store.as_utc(p.created_at) for p in proposals if store.as_utc(p.created_at) >= applied and (not watched or watched in json.loads(p.incidents))]
        done = [store.as_utc(c.committed_at) for c in commits if store.as_utc(c.committed_at) >= applied and (not watched or c.incident == watched)]
        return ((min(plans) - released).total_seconds() if plans else None, (min(done) - released).total_seconds() if done else None)

    @staticmethod
    def _arrivals(incident: str, commits: list[store.CommitRow], released: datetime, broken: set[object]) -> list[scoring.Arrival]:
        """Every unit and shipment committed to the incident, in minutes after the inject's release."""
        arrivals = []
        seen: set[str] = set()
        for commit in commits:
            if commit.incident != incident:
                continue
            delay = (store.as_utc(commit.committed_at) - released).total_seconds()
            plan = json_format.Parse(commit.plan, dpb.Plan())
            for a in plan.assignments:
                if a.unit_id in seen or a.unit_id in broken:
                    continue
                seen.add(a.unit_id)
                arrivals.append(scoring.Arrival(a.resource_type, 1.0, (max(delay, 0.0) + a.eta_s) / 60.0))
            for s in plan.shipments:
                arrivals.append(scoring.Arrival(s.resource_type, s.amount, (max(delay, 0.0) + s.eta_s) / 60.0))
        return arrivals

    async def _hindsight(self, row: store.DrillRow, incidents: list[ipb.Incident], commits: list[store.CommitRow], broken: set[object]) -> tuple[dpb.OptimizePlanResponse, dpb.Objective | None]:
        """The optimiser on the whole scenario at once (the world at the start, every incident known), and the executed plan's score on it."""
        planned = [i for i in incidents if i.demands]
        if not planned:
            return dpb.OptimizePlanResponse(), None
        options = plan_options(None, time_limit_s=self._config.plan_time_limit_s, workers=self._config.plan_workers)
        restrictions = await self._planner.road_restrictions(row.exercise_id)
        request = build_request(world_from(row.base_world), planned, options, restrictions)
        hindsight = await call(self._backends.dispatch.OptimizePlan, request, timeout=options.time_limit_s + 30)
        known_units = {u.id for u in request.units}
        known_depots = {s.depot_id for s in request.stocks}
        names = {i.name for i in planned}
        executed = dpb.Plan()
        seen: set[str] = set()
        for commit in commits:
            if commit.incident not in names:
                continue
            plan = json_format.Parse(commit.plan, dpb.Plan())
            for a in plan.assignments:
                if a.unit_id in known_units and a.unit_id not in seen and a.unit_id not in broken:
                    seen.add(a.unit_id)
                    executed.assignments.append(a)
            executed.shipments.extend(s for s in plan.shipments if s.depot_id in known_depots)
        try:
            evaluated = await call(self._backends.dispatch.EvaluatePlan, dpb.EvaluatePlanRequest(request=request, plan=executed))
        except ServiceError as error:
            log.warning("executed plan of %s not evaluated: %s", row.drill_id, error)
            return hindsight, None
        return hindsight, evaluated.objective

    async def _finish(self, drill_id: str) -> None:
        """Write the after-action report, store it in the casebase, and end the exercise."""
        row, injects = await run_in_thread(self._load, drill_id)
        scenario = cpb.Scenario.FromString(row.scenario_proto)
        facts, incidents = await self._facts(row, injects, scenario)

        def read_commits() -> list[store.CommitRow]:
            with Session(self._engine) as session:
                return store.commits_for(session=session, exercise_id=row.exercise_id)

        commits = await run_in_thread(read_commits)
        broken = {json.loads(i.outcome).get("unit") for i in injects if i.kind == cpb.Inject.KIND_UNIT_BREAKDOWN}
        hindsight, executed = await self._hindsight(row, incidents, commits, broken)
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
        stored = (await call(self._backends.casebase.CreateAfterActionReport, cpb.CreateAfterActionReportRequest(request_id=derive_request_id(drill_id, "report"), report=report))).report
        await call(self._backends.resources.EndExercise, rpb.EndExerciseRequest(request_id=derive_request_id(drill_id, "end"), name=f"exercises/{row.exercise_id}"))
        await run_in_thread(
            self._update_drill,
            drill_id,
            ("drill.finished", {"report": stored.name, "score": stored.score}),
            state=FINISHED,
            end_time=utcnow(),
            report_name=stored.name,
            report=stored.SerializeToString(),
            hindsight=hindsight.SerializeToString(),
        )
        self._on_commit()
