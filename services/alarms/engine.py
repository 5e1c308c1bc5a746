"""The correlator: decides every stored alarm in arrival order, opens or feeds incidents, and keeps their timelines current."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import grpc
from emergency.resources.v1 import resources_service_pb2 as rpb
from sqlalchemy import Engine

from services.alarms import store
from services.alarms.config import AlarmConfig
from services.alarms.correlation import Decision, Group, Sensor, add_alarm, choose_group, same_hazard
from services.alarms.incidents import Outbound
from services.alarms.tables import AlarmRow
from services.common.clock import as_utc, utcnow
from services.common.db import run_in_thread
from services.common.errors import ServiceError
from services.common.geo import great_circle_m

log = logging.getLogger(__name__)
TRANSIENT = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.INTERNAL,
)
NOTE_CHUNK = 200
UNKNOWN_REFRESH_S = 2.0


class Retry(Exception):
    """A downstream service is unavailable: leave the alarm pending and try again later."""


async def _forever(what: str, round_: Callable[[], Awaitable[None]]) -> None:
    """Run rounds until cancelled; a round that fails is logged and the next one starts a second later."""
    while True:
        try:
            await round_()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; retrying", what)
            await asyncio.sleep(1.0)


def sensor_of(detector: rpb.Detector) -> Sensor:
    """What correlation needs from a registered detector."""
    return Sensor(
        name=detector.name,
        park_id=detector.park_id,
        kind=rpb.Detector.Kind.Name(detector.kind).removeprefix("KIND_"),
        latitude=detector.position.latitude,
        longitude=detector.position.longitude,
        substance_name=detector.substance.name,
        un_number=detector.substance.un_number,
        hazard_class=detector.substance.hazard_class,
        unit=detector.unit,
        display_name=detector.display_name,
        area=detector.area,
    )


class Correlator:
    """One task that turns pending alarms into decisions, in order, so two alarms never open two incidents for one release."""

    def __init__(self, engine: Engine, outbound: Outbound, config: AlarmConfig, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._out = outbound
        self._config = config
        self._clock = clock
        self._wake = asyncio.Event()
        self._groups: list[Group] = []
        self._sensors: dict[str, Sensor] = {}
        self._sensors_at = -1e9
        self._sensors_read_at: datetime | None = None  # wall-clock time of the last detector read
        self._applied: dict[str, str] = {}
        self._suppressed: dict[tuple[str, str], datetime] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._loaded = asyncio.Event()
        self._decided = asyncio.Event()

    def wake(self) -> None:
        """New alarms were stored."""
        self._wake.set()

    def start(self) -> None:
        """Run in the background: decisions in one task, timeline notes and severity changes in another."""
        self._tasks = [asyncio.create_task(self.run(), name="alarm-correlator"), asyncio.create_task(self.follow_up(), name="alarm-follow-up")]

    async def stop(self) -> None:
        """Stop after the current step."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def run(self) -> None:
        """Decide until cancelled; a failing downstream only delays."""
        self._groups = await run_in_thread(store.live_groups, self._engine)
        self._applied = {g.incident: "IV" for g in self._groups}
        self._loaded.set()
        await self._warm()
        await _forever("alarm correlation step", self._decide_round)

    async def follow_up(self) -> None:
        """Keep incidents current: severity first (it is what responders act on), then the alarms on the timeline."""
        await self._loaded.wait()
        await _forever("alarm follow-up", self._follow_up_round)

    async def _decide_round(self) -> None:
        """Wait for alarms, decide a batch; go on at once when more may be waiting."""
        await self._wait()
        if await self.step():
            self._wake.set()

    async def _follow_up_round(self) -> None:
        """After decisions (or the note interval), raise severities, then note the alarms of a burst together."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._decided.wait(), timeout=self._config.note_interval_s)
        self._decided.clear()
        await self._escalate()
        await asyncio.sleep(self._config.note_interval_s)  # gather a burst's alarms into few notes, off the decision path
        await self._flush_notes()

    async def _warm(self) -> None:
        """Load the detectors and connect to the services before the first alarm needs them."""
        await self._out.connect(timeout_s=5.0)
        with contextlib.suppress(Retry):
            await self._sensor("", None)

    async def _wait(self) -> None:
        """Until woken, or the note interval passes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._config.note_interval_s)
        self._wake.clear()

    async def step(self) -> bool:
        """Decide one batch of pending alarms; True if more may be waiting."""
        rows = await run_in_thread(store.pending, self._engine, self._config.batch)
        self._suppressed = await run_in_thread(store.suppressions, self._engine, self._clock()) if rows else {}
        decisions: list[Decision] = []
        changed: dict[str, Group] = {}
        try:
            for row in rows:
                decision = await self._decide(row, changed)
                decisions.append(decision)
        except Retry as reason:
            log.warning("alarm correlation paused: %s", reason)
        if decisions or changed:
            await run_in_thread(store.save, self._engine, decisions, list(changed.values()), self._clock())
            self._decided.set()
        return len(decisions) == len(rows) == self._config.batch

    async def _sensor(self, name: str, received_at: datetime | None) -> Sensor | None:
        """The registered detector, refreshing the cache when it is stale or the name is new to a cache read before the alarm came."""
        age = time.monotonic() - self._sensors_at
        read_before = self._sensors_read_at is None or received_at is None or self._sensors_read_at <= received_at
        # A detector registered just before its first alarm is in no cache read before that alarm: read again, once per batch at most.
        if age > self._config.detector_refresh_s or (name not in self._sensors and (age > UNKNOWN_REFRESH_S or read_before)):
            try:
                read_at = utcnow()
                self._sensors = {d.name: sensor_of(d) for d in await self._out.detectors()}
                self._sensors_at = time.monotonic()
                self._sensors_read_at = read_at
            except ServiceError as error:
                if not self._sensors:
                    raise Retry(f"detectors unavailable: {error.message}") from error
        return self._sensors.get(name)

    async def _decide(self, row: AlarmRow, changed: dict[str, Group]) -> Decision:
        """One alarm: rejected, cleared, suppressed, or accepted into an incident."""
        seq = int(row.seq or 0)
        sensor = await self._sensor(row.detector, as_utc(row.received_at))
        if sensor is None:
            return Decision(seq, "REJECTED", "UNKNOWN_DETECTOR", f"{row.detector} is not registered")
        if row.unit != sensor.unit:
            return Decision(seq, "REJECTED", "UNIT_MISMATCH", f"{row.detector} reports in {sensor.unit}, the message in {row.unit}")
        if row.level == "normal":
            return Decision(seq, "CLEARED")
        measured = as_utc(row.measured_at) or self._clock()
        until = self._suppressed.get((row.exercise_id, row.detector))
        if until is not None:
            return Decision(seq, "SUPPRESSED", "DETECTOR_SUPPRESSED", f"after a false alarm, until {until.isoformat()}")
        group = choose_group(self._groups, sensor, row.exercise_id, measured, distance_limit_m=self._config.distance_m, window_s=self._config.window_s)
        if group is None:
            group = await self._adopt(sensor, row.exercise_id)
        if group is None:
            group = Group("", row.exercise_id, sensor.park_id, sensor.substance_name, sensor.un_number, sensor.hazard_class, sensor.family)
            add_alarm(group, sensor, row.level, measured)
            text = f"{sensor.display_name or sensor.name}: {row.level} {row.reading:g} {row.unit} at {measured.isoformat()}. {row.text}".strip()
            try:
                group.incident = await self._out.report(group, sensor, f"{row.topic}|{row.message_id}", text)
            except ServiceError as error:
                if error.code in TRANSIENT:
                    raise Retry(f"the gateway could not report: {error.message}") from error
                return Decision(seq, "REJECTED", "REPORT_REFUSED", f"{error.code.name}: {error.message}")
            self._applied[group.incident] = group.severity
            self._groups.append(group)
        else:
            add_alarm(group, sensor, row.level, measured)
        changed[group.incident] = group
        return Decision(seq, "ACCEPTED", incident=group.incident)

    async def _adopt(self, sensor: Sensor, exercise_id: str) -> Group | None:
        """A RESPONDING incident reported by people near the detector, watching the same hazard, as a group."""
        try:
            nearby = await self._out.responding_nearby(exercise_id)
        except ServiceError as error:
            raise Retry(f"incidents unavailable: {error.message}") from error
        known = {g.incident for g in self._groups}
        best: tuple[float, Group] | None = None
        for incident in nearby:
            if incident.name in known:
                continue
            s = incident.substance
            if (s.name or s.un_number or s.hazard_class) and not same_hazard(sensor, s.name, s.un_number, s.hazard_class, sensor.family):
                continue
            gap = great_circle_m(sensor.latitude, sensor.longitude, incident.latitude, incident.longitude)
            if gap <= self._config.distance_m and (best is None or gap < best[0]):
                group = Group(incident.name, exercise_id, sensor.park_id, s.name or sensor.substance_name, s.un_number or sensor.un_number,
                              s.hazard_class or sensor.hazard_class, sensor.family, opened_by_alarms=False, status="RESPONDING")  # fmt: skip
                best = (gap, group)
        if best is None:
            return None
        self._groups.append(best[1])
        self._applied[best[1].incident] = "I"  # people set its level; alarms attached as information never change it
        return best[1]

    async def _escalate(self) -> None:
        """Raise each alarm-opened incident through every level its alarms crossed, in the order they crossed them."""
        for group in self._groups:
            if not group.opened_by_alarms or group.status not in ("OPEN", "RESPONDING"):
                group.rises.clear()
                continue
            if not group.rises and self._applied.get(group.incident) != group.severity:
                group.rises.append((group.severity, f"{len(group.members)} detectors alarming: level {group.severity} by the alarm severity rule"))
            while group.rises:
                level, why = group.rises[0]
                try:
                    await self._out.raise_severity(group.incident, level, why)
                except ServiceError as error:
                    if error.code in TRANSIENT:
                        return
                    log.warning("could not raise %s: %s", group.incident, error)
                group.rises.pop(0)
                self._applied[group.incident] = level

    async def _flush_notes(self) -> None:
        """Put accepted alarms on their incidents' timelines, a chunk per note."""
        rows = await run_in_thread(store.unnoted, self._engine, 5000)
        by_incident: dict[str, list[AlarmRow]] = defaultdict(list)
        for row in rows:
            by_incident[row.incident].append(row)
        for incident, items in by_incident.items():
            group = next((g for g in self._groups if g.incident == incident), None) or await run_in_thread(store.get_group, self._engine, incident)
            for start in range(0, len(items), NOTE_CHUNK):
                chunk = items[start : start + NOTE_CHUNK]
                seqs = [int(r.seq or 0) for r in chunk]
                try:
                    await self._out.note(incident, seqs, note_text(chunk, group), note_details(chunk, group))
                except ServiceError as error:
                    if error.code in TRANSIENT:
                        return
                    log.warning("alarms not added to %s: %s", incident, error)
                await run_in_thread(store.mark_noted, self._engine, seqs)

    def on_incident(self, incident: str, state: str) -> Group | None:
        """Follow an incident's state: RESPONDING takes alarms at any time, ENDED and CANCELLED none."""
        status = {"RESPONDING": "RESPONDING", "CONTAINED": "ENDED", "CLOSED": "ENDED", "CANCELLED": "CANCELLED"}.get(state, "OPEN")
        for group in self._groups:
            if group.incident == incident:
                group.status = status
                return group
        return None

    def suppress_until(self) -> datetime:
        """When a suppression that starts now ends."""
        return self._clock() + timedelta(seconds=self._config.suppress_s)


def note_text(rows: list[AlarmRow], group: Group | None) -> str:
    """One line for the timeline."""
    detectors = {r.detector for r in rows}
    alarms = sum(1 for r in rows if r.level == "alarm")
    total = f"; {group.alarm_count} alarms from {len(group.members)} detectors in all, level {group.severity} called for" if group else ""
    return f"{len(rows)} detector alarms ({alarms} at alarm level) from {len(detectors)} detectors{total}"


def note_details(rows: list[AlarmRow], group: Group | None) -> dict[str, object]:
    """The alarms of a note, and the incident's counts."""
    details: dict[str, object] = {
        "alarms": [
            {
                "detector": r.detector,
                "level": r.level,
                "reading": r.reading,
                "unit": r.unit,
                "time": (as_utc(r.measured_at) or r.received_at).isoformat(),
                "message_id": r.message_id,
                "message": r.text,
            }
            for r in rows
        ]
    }
    if group is not None:
        details.update(
            alarm_count=group.alarm_count,
            detector_count=len(group.members),
            first_alarm_time=group.first_alarm_at.isoformat() if group.first_alarm_at else "",
            last_alarm_time=group.last_alarm_at.isoformat() if group.last_alarm_at else "",
            severity_called_for=group.severity,
        )
    return details
