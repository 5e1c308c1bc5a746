"""Correlation rules: which open incident an alarm joins, and what severity a group of alarming detectors calls for.

Rules (documented in services/alarms/README.md):
1. An alarm joins a group when both are in the same namespace (live or one exercise), watch the same substance
   (same UN number, or same name, or same hazard class) -- or, for detectors without a substance, the same family
   (fire: flame, smoke, temperature; process: pressure, level) -- and the detector is within `distance_m` of a
   detector already in the group (single linkage: a plume spreading downwind stays one incident).
2. An OPEN group takes alarms measured within `window_s` of its last alarm; a RESPONDING group takes them at any
   time (new information for the responders); ENDED and CANCELLED groups take none.
3. The nearest matching group wins; with none, a RESPONDING incident reported by people nearby is adopted;
   with none either, the alarm opens a new incident. Flapping (a detector clearing and re-alarming) joins the
   group it is already in, so it never opens a second incident.
4. Severity counts each detector once at its highest level: a detector in ALARM scores 2, in PRE_ALARM 1.
   Score >= 40 (20 detectors in alarm) is level I, >= 16 level II, >= 6 level III, else level IV. It only rises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from services.common.geo import great_circle_m

LEVEL_SCORE = {"pre_alarm": 1, "alarm": 2}
SEVERITY_STEPS = ((40, "I"), (16, "II"), (6, "III"), (0, "IV"))
SEVERITY_ORDER = {"IV": 0, "III": 1, "II": 2, "I": 3}
FAMILIES = {"FLAME": "fire", "SMOKE": "fire", "TEMPERATURE": "fire", "PRESSURE": "process", "LEVEL": "process", "TOXIC_GAS": "gas", "FLAMMABLE_GAS": "gas"}
JOINING = ("OPEN", "RESPONDING")


@dataclass(frozen=True, slots=True)
class Sensor:
    """What correlation needs to know about a detector."""

    name: str
    park_id: str
    kind: str
    latitude: float
    longitude: float
    substance_name: str = ""
    un_number: str = ""
    hazard_class: str = ""
    unit: str = ""
    display_name: str = ""
    area: str = ""

    @property
    def family(self) -> str:
        """fire, process or gas."""
        return FAMILIES.get(self.kind, "other")


@dataclass
class Group:
    """Alarming detectors gathered into one incident."""

    incident: str
    exercise_id: str
    park_id: str
    substance_name: str
    un_number: str
    hazard_class: str
    family: str
    members: dict[str, list[float | str]] = field(default_factory=dict)
    alarm_count: int = 0
    first_alarm_at: datetime | None = None
    last_alarm_at: datetime | None = None
    severity: str = "IV"
    opened_by_alarms: bool = True
    status: str = "OPEN"
    rises: list[tuple[str, str]] = field(default_factory=list)  # (level, why) not yet applied to the incident


@dataclass(frozen=True, slots=True)
class Decision:
    """What the correlator decided for one pending alarm."""

    seq: int
    state: str
    reason: str = ""
    detail: str = ""
    incident: str = ""


def same_hazard(sensor: Sensor, substance_name: str, un_number: str, hazard_class: str, family: str) -> bool:
    """Same substance (UN number, name) or hazard class; detectors without a substance match by family."""
    if sensor.un_number and sensor.un_number == un_number:
        return True
    if sensor.substance_name and sensor.substance_name.lower() == substance_name.lower():
        return True
    if sensor.hazard_class and sensor.hazard_class == hazard_class:
        return True
    return not sensor.substance_name and not substance_name and sensor.family == family


def nearest_member_m(group: Group, sensor: Sensor) -> float:
    """Distance from the sensor to the group's nearest detector."""
    if sensor.name in group.members:
        return 0.0
    if not group.members:
        return math.inf
    lats, lons = np.array([(float(m[0]), float(m[1])) for m in group.members.values()]).T
    return float(np.min(great_circle_m(np.full_like(lats, sensor.latitude), np.full_like(lons, sensor.longitude), lats, lons)))


def choose_group(groups: list[Group], sensor: Sensor, exercise_id: str, measured: datetime, *, distance_limit_m: float, window_s: float) -> Group | None:
    """The group the alarm joins under rules 1-3, or None."""
    best: tuple[float, Group] | None = None
    for group in groups:
        if group.exercise_id != exercise_id or group.status not in JOINING:
            continue
        if not same_hazard(sensor, group.substance_name, group.un_number, group.hazard_class, group.family):
            continue
        if group.status == "OPEN" and group.last_alarm_at is not None and (measured - group.last_alarm_at).total_seconds() > window_s:
            continue
        gap = nearest_member_m(group, sensor)
        if gap <= distance_limit_m and (best is None or gap < best[0]):
            best = (gap, group)
    return best[1] if best else None


def score(group: Group) -> int:
    """Each detector once, at its highest level."""
    return sum(LEVEL_SCORE.get(str(m[2]), 0) for m in group.members.values())


def severity_for(points: int) -> str:
    """The response level a score calls for."""
    return next(level for threshold, level in SEVERITY_STEPS if points >= threshold)


def add_alarm(group: Group, sensor: Sensor, level: str, measured: datetime) -> None:
    """Count an alarm in its group; the detector keeps its highest level."""
    current = group.members.get(sensor.name)
    highest = level if current is None or LEVEL_SCORE[level] > LEVEL_SCORE.get(str(current[2]), 0) else str(current[2])
    group.members[sensor.name] = [sensor.latitude, sensor.longitude, highest]
    group.alarm_count += 1
    group.first_alarm_at = measured if group.first_alarm_at is None else min(group.first_alarm_at, measured)
    group.last_alarm_at = measured if group.last_alarm_at is None else max(group.last_alarm_at, measured)
    wanted = severity_for(score(group))
    if SEVERITY_ORDER[wanted] > SEVERITY_ORDER[group.severity]:
        group.severity = wanted
        in_alarm = sum(1 for m in group.members.values() if m[2] == "alarm")
        why = f"at {measured.isoformat()} {len(group.members)} detectors alarming ({in_alarm} at alarm level, score {score(group)}): level {wanted} by the alarm severity rule"
        group.rises.append((wanted, why))


def centre(group: Group) -> tuple[float, float]:
    """Mean position of the group's detectors."""
    points = list(group.members.values())
    return sum(float(p[0]) for p in points) / len(points), sum(float(p[1]) for p in points) / len(points)
