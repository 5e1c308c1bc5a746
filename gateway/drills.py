"""Drills: a scenario's injects released on a (compressed) clock through the live pipeline inside an exercise namespace."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway import store_drills
from gateway.backends import call
from gateway.drill_injects import DrillInjects
from gateway.drill_report import DrillReport
from gateway.identity import act_as, system_principal
from gateway.mapping import DRILL_ABORTED, drill_message, world_message
from gateway.names import derive_id, derive_request_id
from gateway.proposals import AWAITING_DISPATCH, Planner
from gateway.reporting import Reporter
from gateway.saga import CommitSaga
from gateway.situation import below_reserve, reserve_levels
from gateway.tables import DrillInjectRow, DrillRow
from gateway.wiring import Wiring
from services.common.auth import Principal, Role
from services.common.clock import as_utc, utcnow
from services.common.db import run_in_thread
from services.common.errors import ServiceError
from services.common.idempotency import reused_id_error
from services.common.settings import Settings

log = logging.getLogger(__name__)


@dataclass(kw_only=True, eq=False)
class DrillRunner:
    """Starts drills and runs each as a background task: injects released on the scenario clock, then the report."""

    wiring: Wiring
    planner: Planner
    reporter: Reporter
    saga: CommitSaga
    settings: Settings
    _injects: DrillInjects = field(init=False)
    _report: DrillReport = field(init=False)
    _tasks: dict[str, asyncio.Task[None]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._injects = DrillInjects(wiring=self.wiring, reporter=self.reporter)
        self._report = DrillReport(wiring=self.wiring, reporter=self.reporter, planner=self.planner)

    # ---- API ------------------------------------------------------------------------------------------------------

    async def start(self, request: gpb.StartDrillRequest, principal: Principal) -> gpb.Drill:
        """Open the exercise, record the drill and its injects, and start releasing them."""
        existing = await run_in_thread(store_drills.by_request, self.wiring.engine, request.request_id)
        if existing is not None:
            if existing.scenario != request.scenario or existing.auto_dispatch != request.auto_dispatch:
                raise reused_id_error(request.request_id)
            return await self.get(existing.drill_id, show_script=True)
        scenario = (await call(self.wiring.backends.casebase.GetScenario, cpb.GetScenarioRequest(name=request.scenario))).scenario
        drill_id = derive_id("drill", request.request_id)
        await call(
            self.wiring.backends.resources.CreateExercise,
            rpb.CreateExerciseRequest(
                request_id=derive_request_id(request.request_id, "exercise"), exercise_id=drill_id, title=f"Drill: {scenario.title}"[:200]
            ),
        )
        world = await self.planner.fetch_world(drill_id)
        baseline = sorted(f"{lv.park_id}/{lv.resource_type}" for lv in below_reserve(reserve_levels(world)))
        row = DrillRow(
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
            DrillInjectRow(drill_id=drill_id, inject_id=inject.id, position=n, offset_s=inject.offset_s, kind=int(inject.kind))
            for n, inject in enumerate(sorted(scenario.injects, key=lambda i: i.offset_s))
        ]
        payload = {"mode": cpb.Scenario.Mode.Name(row.mode), "clock_speed": row.clock_speed, "auto_dispatch": row.auto_dispatch}
        if row.mode != cpb.Scenario.MODE_UNANNOUNCED:
            payload["scenario"] = row.scenario
        await run_in_thread(store_drills.insert, self.wiring.engine, row, injects, payload)
        self.wiring.on_commit()
        self._spawn(drill_id)
        return await self.get(drill_id, show_script=True)

    async def get(self, drill_id: str, *, show_script: bool) -> gpb.Drill:
        """One drill as the caller may see it."""
        row, injects = await run_in_thread(store_drills.load, self.wiring.engine, drill_id)
        return drill_message(row, injects, show_script=show_script)

    async def report(self, drill_id: str) -> gpb.GetDrillReportResponse:
        """The stored after-action report of a finished drill with the hindsight plan."""
        return await self._report.stored(drill_id)

    async def resume(self) -> list[str]:
        """Restart the runners of drills a previous process left running."""
        ids = await run_in_thread(store_drills.running_ids, self.wiring.engine)
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

    # ---- the runner -----------------------------------------------------------------------------------------------

    def _spawn(self, drill_id: str) -> None:
        """Run the drill in a task of its own context: no caller's principal, deadline or trace leaks into it."""
        if drill_id in self._tasks and not self._tasks[drill_id].done():
            return
        task = asyncio.get_running_loop().create_task(self._run(drill_id), name=f"drill-{drill_id}", context=contextvars.Context())
        self._tasks[drill_id] = task

    async def _run(self, drill_id: str) -> None:
        """Release every inject at its time, handle it, wait for the response, then report and end the exercise."""
        row, injects = await run_in_thread(store_drills.load, self.wiring.engine, drill_id)
        act_as(system_principal(self.settings, subject=row.started_by or "drill-director", role=Role.DRILL_DIRECTOR))
        scenario = cpb.Scenario.FromString(row.scenario_proto)
        by_id = {i.id: i for i in scenario.injects}
        start = as_utc(row.start_time)
        handled: dict[str, asyncio.Task[None]] = {}
        try:
            for inject_row in injects:
                inject = by_id[inject_row.inject_id]
                if inject_row.released_at is None:
                    await self._release(row, inject, start + timedelta(seconds=inject.offset_s / row.clock_speed))
                elif json.loads(inject_row.outcome).get("handled"):
                    continue
                target = handled.get(inject.target_inject_id)
                handled[inject.id] = asyncio.create_task(self._handle(row, inject, target))
            await asyncio.gather(*handled.values(), return_exceptions=True)
            if not row.auto_dispatch:
                last = max((i.offset_s for i in scenario.injects), default=0)
                await self._await_operators(row, start + timedelta(seconds=(last + self.wiring.config.drill_tail_s) / row.clock_speed))
            await self._sample_reserves(row)
            await self._report.write(drill_id)
            self.wiring.on_commit()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("drill %s stopped", drill_id)
            await self._abort(row, str(error))

    async def _release(self, row: DrillRow, inject: cpb.Inject, due: datetime) -> None:
        """Wait until the inject is due on the scenario clock, then record its release."""
        await asyncio.sleep(max((due - utcnow()).total_seconds(), 0.0))
        await run_in_thread(store_drills.update_inject, self.wiring.engine, row.drill_id, inject.id, released_at=utcnow())
        event = ("drill.inject_released", {"inject": inject.id, "kind": cpb.Inject.Kind.Name(inject.kind)})
        await run_in_thread(store_drills.update, self.wiring.engine, row.drill_id, event)
        self.wiring.on_commit()

    async def _handle(self, row: DrillRow, inject: cpb.Inject, before: asyncio.Task[None] | None) -> None:
        """Apply one inject and, in automatic mode, dispatch for it; record what happened."""
        if before is not None:
            await asyncio.gather(before, return_exceptions=True)
        outcome: dict[str, object] = {"handled": True}
        try:
            outcome.update(await self._injects.apply(row, inject))
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
        values = {"outcome": json.dumps(outcome, default=str), "incident": str(outcome.get("incident", ""))}
        await run_in_thread(store_drills.update_inject, self.wiring.engine, row.drill_id, inject.id, **values)
        await self._sample_reserves(row)

    async def _dispatch(self, row: DrillRow, incidents: list[str], key: str) -> dict[str, object]:
        """Propose and commit for the incidents through the same saga as AutoDispatch; note when each happened."""
        request_id = derive_request_id(row.drill_id, "dispatch", key)
        try:
            proposal = await self.planner.propose(
                incident_names=incidents,
                exercise_id=row.exercise_id,
                options=None,
                created_by=row.started_by,
                origin="DRILL",
                proposal_id=derive_id("dprop", row.drill_id, key),
            )
            planned = {"proposal": f"proposals/{proposal.proposal_id}", "planned_at": as_utc(proposal.created_at).isoformat()}
            reply = await self.saga.commit(
                request_id=request_id,
                method="AutoDispatch",
                fingerprint=request_id,
                proposal_id=proposal.proposal_id,
                max_replans=self.wiring.config.default_max_replans,
                subject=row.started_by,
            )
        except ServiceError as error:
            return {"dispatch_error": f"{error.code.name} {error.reason}: {error.message}"}
        return {**planned, "committed_at": utcnow().isoformat(), "reservations": list(reply.reservations), "replans": reply.replans}

    async def _sample_reserves(self, row: DrillRow) -> None:
        """Remember every park and type seen below its reserve in the exercise (beyond what was below at the start)."""
        try:
            world = await self.planner.fetch_world(row.exercise_id)
        except ServiceError as error:
            log.info("reserve sample skipped: %s", error)
            return
        below = {f"{lv.park_id}/{lv.resource_type}" for lv in below_reserve(reserve_levels(world))}
        await run_in_thread(store_drills.note_reserve_breaches, self.wiring.engine, row.drill_id, below)

    async def _await_operators(self, row: DrillRow, deadline: datetime) -> None:
        """With an operator in the loop: wait until every drill incident is dispatched, or until the tail runs out."""
        while utcnow() < deadline:
            waiting = [i for i in await self.planner.open_incidents(row.exercise_id, AWAITING_DISPATCH) if i.demands]
            if not waiting:
                return
            await self._sample_reserves(row)
            await asyncio.sleep(self.wiring.config.drill_poll_s)

    async def _abort(self, row: DrillRow, reason: str) -> None:
        """Stop a drill that cannot go on, ending its exercise so nothing stays held."""
        try:
            await call(
                self.wiring.backends.resources.EndExercise,
                rpb.EndExerciseRequest(request_id=derive_request_id(row.drill_id, "end"), name=f"exercises/{row.exercise_id}"),
            )
        except ServiceError as error:
            log.warning("could not end exercise %s: %s", row.exercise_id, error)
        event = ("drill.aborted", {"reason": reason[:500]})
        await run_in_thread(store_drills.update, self.wiring.engine, row.drill_id, event, state=DRILL_ABORTED, error=reason, end_time=utcnow())
        self.wiring.on_commit()
