"""A drill's injects applied inside its exercise, each through the same calls live operations make."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta

from emergency.casebase.v1 import casebase_service_pb2 as cpb
from emergency.common.v1 import common_pb2
from emergency.dispatch.v1 import dispatch_service_pb2 as dpb
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.incident.v1 import incident_service_pb2 as ipb
from emergency.resources.v1 import resources_service_pb2 as rpb

from gateway import store_drills
from gateway.backends import call
from gateway.mapping import restriction_json
from gateway.names import derive_id, derive_request_id
from gateway.reporting import Reporter, merge_demands
from gateway.tables import DrillRow
from gateway.wiring import Wiring
from services.alarms.config import DEFAULT_MQTT_URL
from services.alarms.simulate import Site, publish, release
from services.common.clock import utcnow
from services.common.db import run_in_thread
from services.common.errors import failed_precondition

BUSY_UNIT_STATES = (rpb.Unit.STATE_EN_ROUTE, rpb.Unit.STATE_ON_SCENE)
Outcome = dict[str, object]


def default_title(spec: cpb.IncidentSpec) -> str:
    """A headline for an inject that gives none: its kind and where."""
    kind = common_pb2.IncidentKind.Name(spec.kind).removeprefix("INCIDENT_KIND_").replace("_", " ").capitalize()
    where = spec.location.description or (f"park {spec.park_id}" if spec.park_id else "an unnamed site")
    return f"{kind} at {where}"[:200]


class DrillInjects:
    """Applies each kind of inject and says what it did (the incident it concerns under "affects")."""

    def __init__(self, *, wiring: Wiring, reporter: Reporter) -> None:
        self._wiring = wiring
        self._reporter = reporter
        self._appliers: dict[int, Callable[[DrillRow, cpb.Inject], Awaitable[Outcome]]] = {
            cpb.Inject.KIND_NEW_INCIDENT: self._new_incident,
            cpb.Inject.KIND_ESCALATION: self._escalate,
            cpb.Inject.KIND_UNIT_BREAKDOWN: self._breakdown,
            cpb.Inject.KIND_STOCK_LOSS: self._stock_loss,
            cpb.Inject.KIND_ROAD_RESTRICTION: self._road,
            cpb.Inject.KIND_DETECTOR_ALARMS: self._alarms,
        }

    async def apply(self, row: DrillRow, inject: cpb.Inject) -> Outcome:
        """Apply one inject in the drill's exercise (an inject of a kind not known here does nothing)."""
        applier = self._appliers.get(inject.kind)
        return await applier(row, inject) if applier is not None else {}

    async def _new_incident(self, row: DrillRow, inject: cpb.Inject) -> Outcome:
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
            gpb.ReportIncidentRequest(
                request_id=derive_request_id(row.drill_id, "inject", inject.id), incident=incident, accept_recommendation=not spec.demands
            ),
            incident_id=derive_id("dri", row.drill_id, inject.id),
        )
        name = report.incident.name
        await run_in_thread(store_drills.update_inject, self._wiring.engine, row.drill_id, inject.id, incident=name)
        return {"incident": name, "affects": name}

    async def _incident_of(self, row: DrillRow, inject_id: str) -> str:
        """The incident a NEW_INCIDENT inject of this drill created."""
        _, injects = await run_in_thread(store_drills.load, self._wiring.engine, row.drill_id)
        found = next((i.incident for i in injects if i.inject_id == inject_id and i.incident), "")
        if not found:
            raise failed_precondition("INJECT_TARGET_MISSING", f"inject {inject_id!r} created no incident", {"inject": inject_id})
        return found

    async def _escalate(self, row: DrillRow, inject: cpb.Inject) -> Outcome:
        """Raise the target incident's level, add what the case library now recommends, and re-plan."""
        name = await self._incident_of(row, inject.target_inject_id)
        incident = await self._reporter.get(name)
        if inject.new_severity and inject.new_severity != incident.severity:
            change = ipb.ChangeSeverityRequest(
                request_id=derive_request_id(row.drill_id, "escalate", inject.id),
                name=name,
                version=incident.version,
                severity=inject.new_severity,
                reason=f"drill inject {inject.id}: the incident escalates",
            )
            incident = (await call(self._wiring.backends.incident.ChangeSeverity, change)).incident
        _, lines = await self._reporter.recommend(incident)
        merged = merge_demands(incident.demands, [line.demand for line in lines])
        if [(d.resource_type, d.quantity) for d in merged] != [(d.resource_type, d.quantity) for d in incident.demands]:
            demands = ipb.SetDemandsRequest(
                request_id=derive_request_id(row.drill_id, "escalate-demands", inject.id),
                name=name,
                version=incident.version,
                demands=merged,
                note=f"demands raised after escalation (drill inject {inject.id})",
            )
            await call(self._wiring.backends.incident.SetDemands, demands)
        return {"incident": name, "affects": name}

    async def _pick_unit(self, row: DrillRow, inject: cpb.Inject) -> rpb.Unit:
        """The unit a breakdown names, or a unit of the park and type: one sent to the named inject's incident, else one at work, else a free one."""
        if inject.unit.startswith("parks/"):
            named: rpb.GetUnitResponse = await call(self._wiring.backends.resources.GetUnit, rpb.GetUnitRequest(name=inject.unit, exercise_id=row.exercise_id))
            return named.unit
        park = inject.park_id or inject.unit
        parent = f"parks/{park}" if park else "parks/-"
        request = rpb.ListUnitsRequest(parent=parent, exercise_id=row.exercise_id, resource_type=inject.resource_type, page_size=1000)
        listed: rpb.ListUnitsResponse = await call(self._wiring.backends.resources.ListUnits, request)
        units = listed.units
        wanted = await self._incident_of(row, inject.target_inject_id) if inject.target_inject_id else ""
        busy = [u for u in units if u.state in BUSY_UNIT_STATES and u.incident and (not wanted or u.incident == wanted)]
        free = [u for u in units if u.state == rpb.Unit.STATE_AVAILABLE]
        if not busy and not free:
            raise failed_precondition("NO_UNIT_TO_BREAK", f"no {inject.resource_type or 'unit'} in {parent} can break down", {"park": park})
        return (busy or free)[0]

    async def _breakdown(self, row: DrillRow, inject: cpb.Inject) -> Outcome:
        """Take a unit out of service (turning it back first if it was on its way) and replace it."""
        unit = await self._pick_unit(row, inject)
        committed_to = unit.incident if unit.state in BUSY_UNIT_STATES else ""
        path = [rpb.Unit.STATE_RETURNING, rpb.Unit.STATE_OUT_OF_SERVICE] if committed_to else [rpb.Unit.STATE_OUT_OF_SERVICE]
        for target in path:
            request = rpb.ReportUnitStatusRequest(
                request_id=derive_request_id(row.drill_id, "breakdown", inject.id, target),
                name=unit.name,
                version=unit.version,
                state=target,
                exercise_id=row.exercise_id,
                reason=f"drill inject {inject.id}: breakdown",
            )
            unit = (await call(self._wiring.backends.resources.ReportUnitStatus, request)).unit
        return {"unit": unit.name, "was_committed_to": committed_to, "affects": committed_to}

    async def _stock_loss(self, row: DrillRow, inject: cpb.Inject) -> Outcome:
        """Record the loss in the exercise's ledger (no more than what is free to lose); depot "-" means the park's largest stock."""
        depot, _, resource_type = inject.stock.partition("/stocks/")
        stocks = (
            await call(self._wiring.backends.resources.ListStocks, rpb.ListStocksRequest(parent=depot, exercise_id=row.exercise_id, page_size=1000))
        ).stocks
        candidates = [s for s in stocks if s.resource_type == resource_type]
        if not candidates:
            raise failed_precondition("STOCK_NOT_FOUND", f"{inject.stock} does not exist in the exercise", {"stock": inject.stock})
        stock = max(candidates, key=lambda s: s.on_hand - s.reserved)
        amount = min(inject.amount, max(stock.on_hand - stock.reserved, 0.0))
        if amount > 0:
            await call(
                self._wiring.backends.resources.AdjustStock,
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

    async def _road(self, row: DrillRow, inject: cpb.Inject) -> Outcome:
        """Announce a road restriction: every later plan in the exercise routes around it."""
        restriction = dpb.RoadRestriction(center=inject.road_center, radius_m=inject.road_radius_m, delay_s=inject.road_delay_s, closed=inject.road_closed)
        await run_in_thread(store_drills.add_road_restriction, self._wiring.engine, row.drill_id, restriction_json(restriction))
        return {"road": restriction_json(restriction)}

    async def _alarms(self, row: DrillRow, inject: cpb.Inject) -> Outcome:
        """Publish a release spreading downwind under drills/{exercise}/; the alarm intake opens the incident inside the exercise."""
        park, _, prefix = inject.detectors.removeprefix("parks/").partition("/detectors/")
        listed = await call(self._wiring.backends.resources.ListDetectors, rpb.ListDetectorsRequest(parent=f"parks/{park}", page_size=1000))
        chosen = [d for d in listed.detectors if d.name.rsplit("/", 1)[1].startswith(prefix)]
        if not chosen:
            raise failed_precondition("NO_DETECTORS", f"no detector of parks/{park} has an id starting with {prefix!r}", {"detectors": inject.detectors})
        sites = [Site(d.name, d.position.latitude, d.position.longitude, d.unit, d.pre_alarm_threshold, d.alarm_threshold) for d in chosen]
        source = (sum(s.latitude for s in sites) / len(sites), sum(s.longitude for s in sites) / len(sites))
        readings = inject.readings or 3
        start = utcnow() - timedelta(seconds=readings * 10 + 120)  # the cloud has spread over the last minutes: nothing lies in the future
        tag = derive_id("alm", row.drill_id, inject.id)  # the same inject republished after a restart is the same messages
        burst = release(
            sites,
            source=source,
            wind_to_deg=inject.wind_to_deg,
            wind_mps=inject.wind_mps or 2.0,
            start=start,
            readings=readings,
            exercise_id=row.exercise_id,
            tag=tag,
        )
        url = self._wiring.config.drill_mqtt_url or os.environ.get("MQTT_URL", DEFAULT_MQTT_URL)
        sent = await asyncio.to_thread(publish, url, burst)
        return {"alarms": sent, "detectors": len({m.topic for m in burst})}
