"""Detectors of park monitoring systems: the rules and the table functions (register, update, list, import)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlmodel import Session

from services.common.clock import utcnow
from services.common.errors import FieldViolation, already_exists, raise_if
from services.common.names import DETECTOR, PARK, id_violations
from services.resources import validation as v
from services.resources.domain import GAS_KINDS, LIVE, Detector, DetectorKind, GeoPoint, check_version
from services.resources.events import bump_version, emit
from services.resources.sql import all_rows, insert_or_raise, run
from services.resources.store_detectors import detector_key, detector_values, get_detector
from services.resources.store_registry import require_park
from services.resources.tables import DETECTORS

UNITS_OF_READING = frozenset({"ppm", "%LEL", "%VOL", "mg/m3", "degC", "kPa", "MPa", "m", "%", "state"})
HAZARD_CLASS = re.compile(r"^[1-9](\.[1-6])?$")
UN_NUMBER = re.compile(r"^[0-9]{4}$")
MAX_IMPORT = 5000


def violations(detector: Detector, prefix: str = "detector") -> list[FieldViolation]:
    """Every problem of a detector, each naming its field."""
    out = id_violations(f"{prefix}.park_id", detector.park_id) + id_violations(f"{prefix}.detector_id", detector.detector_id)
    out += v.text_violations(detector.display_name, f"{prefix}.display_name", maximum=200, required=True)
    out += v.text_violations(detector.area, f"{prefix}.area", maximum=200, required=False)
    if detector.kind is None:
        out.append(FieldViolation(f"{prefix}.kind", "required: " + ", ".join(k.value for k in DetectorKind)))
    out += v.point_violations(detector.position, f"{prefix}.position")
    if detector.unit not in UNITS_OF_READING:
        out.append(FieldViolation(f"{prefix}.unit", "must be one of " + ", ".join(sorted(UNITS_OF_READING))))
    for field, value in (("pre_alarm_threshold", detector.pre_alarm_threshold), ("alarm_threshold", detector.alarm_threshold)):
        if not math.isfinite(value) or value < 0:
            out.append(FieldViolation(f"{prefix}.{field}", "must be a finite reading >= 0"))
    if math.isfinite(detector.pre_alarm_threshold) and detector.pre_alarm_threshold > detector.alarm_threshold:
        out.append(FieldViolation(f"{prefix}.pre_alarm_threshold", "must not exceed the alarm threshold"))
    if detector.kind in GAS_KINDS and not detector.substance_name.strip():
        out.append(FieldViolation(f"{prefix}.substance.name", "required for a gas detector"))
    out += v.text_violations(detector.substance_name, f"{prefix}.substance.name", maximum=100, required=False)
    if detector.un_number and not UN_NUMBER.match(detector.un_number):
        out.append(FieldViolation(f"{prefix}.substance.un_number", "four digits, e.g. 1017"))
    if detector.hazard_class and not HAZARD_CLASS.match(detector.hazard_class):
        out.append(FieldViolation(f"{prefix}.substance.hazard_class", "a UN class or division, e.g. 2.3 or 8"))
    return out


def _changed(session: Session, event_type: str, detector: Detector, actor: str) -> None:
    """Emit the change's event and bump the live counter (detectors are in the snapshot)."""
    payload = {"actor": actor, "kind": detector.kind.value if detector.kind else "", "substance": detector.substance_name}
    emit(session, event_type, DETECTOR.format(detector.park_id, detector.detector_id), namespace=LIVE, version=detector.version, payload=payload)
    bump_version(session, LIVE)


def create_detector(session: Session, *, detector: Detector, actor: str, now: datetime | None = None) -> Detector:
    """Register a detector in an existing park."""
    raise_if(violations(detector))
    require_park(session, detector.park_id)
    now = now or utcnow()
    values = {
        "park_id": detector.park_id,
        "detector_id": detector.detector_id,
        **detector_values(detector),
        "version": 1,
        "create_time": now,
        "update_time": now,
    }
    insert_or_raise(session, insert(DETECTORS).values(**values), already_exists("detector", DETECTOR.format(detector.park_id, detector.detector_id)))
    created = get_detector(session, park_id=detector.park_id, detector_id=detector.detector_id)
    _changed(session, "detector.created", created, actor)
    return created


MASKABLE = {
    "display_name": ("display_name",),
    "kind": ("kind",),
    "substance": ("substance_name", "un_number", "hazard_class"),
    "substance.name": ("substance_name",),
    "substance.un_number": ("un_number",),
    "substance.hazard_class": ("hazard_class",),
    "position": ("latitude", "longitude"),
    "pre_alarm_threshold": ("pre_alarm_threshold",),
    "alarm_threshold": ("alarm_threshold",),
    "unit": ("unit",),
    "area": ("area",),
}


def update_detector(
    session: Session, *, park_id: str, detector_id: str, changes: Detector, paths: Sequence[str], actor: str, expected_version: int = 0
) -> Detector:
    """Change the masked fields; the result must still be a valid detector."""
    unknown = [FieldViolation(f"update_mask.paths[{i}]", f"{p!r} cannot be updated") for i, p in enumerate(paths) if p not in MASKABLE]
    if not paths:
        unknown.append(FieldViolation("update_mask", "name at least one field to change"))
    raise_if(unknown)
    current = get_detector(session, park_id=park_id, detector_id=detector_id)
    check_version(current.version, expected_version, DETECTOR.format(park_id, detector_id))
    wanted = {column for path in paths for column in MASKABLE[path]}
    merged_values = {**detector_values(current), **{k: val for k, val in detector_values(changes).items() if k in wanted}}
    merged = replace(
        current,
        display_name=merged_values["display_name"],
        kind=DetectorKind(merged_values["kind"]) if merged_values["kind"] else None,
        substance_name=merged_values["substance_name"],
        un_number=merged_values["un_number"],
        hazard_class=merged_values["hazard_class"],
        position=GeoPoint(merged_values["latitude"], merged_values["longitude"]),
        pre_alarm_threshold=merged_values["pre_alarm_threshold"],
        alarm_threshold=merged_values["alarm_threshold"],
        unit=merged_values["unit"],
        area=merged_values["area"],
    )
    raise_if(violations(merged))
    run(session, update(DETECTORS).where(detector_key(park_id, detector_id)).values(**merged_values, version=current.version + 1, update_time=utcnow()))
    updated = get_detector(session, park_id=park_id, detector_id=detector_id)
    _changed(session, "detector.updated", updated, actor)
    return updated


def import_detectors(session: Session, *, park_id: str, detectors: Sequence[Detector], actor: str, prior: Sequence[FieldViolation] = ()) -> tuple[int, int]:
    """Validate every detector of a park's import, then create new ones and replace known ones; (created, updated)."""
    found = list(prior)
    if len(detectors) > MAX_IMPORT:
        found.append(FieldViolation("detectors", f"at most {MAX_IMPORT} detectors per import"))
    seen: dict[str, int] = {}
    for index, detector in enumerate(detectors):
        prefix = f"detectors[{index}]"
        if detector.park_id != park_id:
            found.append(FieldViolation(f"{prefix}.name", f"must be in parks/{park_id}, the park being imported"))
        found += violations(detector, prefix)
        if detector.detector_id in seen:
            found.append(FieldViolation(f"{prefix}.name", f"repeats detectors[{seen[detector.detector_id]}]"))
        seen.setdefault(detector.detector_id, index)
    raise_if(found)
    require_park(session, park_id)
    existing = {
        r["detector_id"]: r["version"] for r in all_rows(session, select(DETECTORS.c.detector_id, DETECTORS.c.version).where(DETECTORS.c.park_id == park_id))
    }
    now = utcnow()
    created = updated = 0
    for detector in detectors:
        if detector.detector_id in existing:
            version = existing[detector.detector_id] + 1
            run(
                session,
                update(DETECTORS).where(detector_key(park_id, detector.detector_id)).values(**detector_values(detector), version=version, update_time=now),
            )
            updated += 1
        else:
            run(
                session,
                insert(DETECTORS).values(
                    park_id=park_id, detector_id=detector.detector_id, **detector_values(detector), version=1, create_time=now, update_time=now
                ),
            )
            created += 1
    emit(session, "detectors.imported", PARK.format(park_id), namespace=LIVE, payload={"actor": actor, "created": created, "updated": updated})
    bump_version(session, LIVE)
    return created, updated
