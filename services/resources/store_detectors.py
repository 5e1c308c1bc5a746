"""Detectors in the store: column values, row decoding, reads and pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import Session

from services.common.names import DETECTOR
from services.resources.domain import Detector, DetectorKind, GeoPoint
from services.resources.sql import all_rows, decode, found, keyset_page, one, where_equal
from services.resources.tables import DETECTORS


def detector_values(detector: Detector) -> dict[str, Any]:
    """Column values of a detector's mutable fields."""
    position = detector.position or GeoPoint(0.0, 0.0)
    return {
        "display_name": detector.display_name.strip(),
        "kind": detector.kind.value if detector.kind else "",
        "substance_name": detector.substance_name.strip(),
        "un_number": detector.un_number,
        "hazard_class": detector.hazard_class,
        "latitude": position.latitude,
        "longitude": position.longitude,
        "pre_alarm_threshold": detector.pre_alarm_threshold,
        "alarm_threshold": detector.alarm_threshold,
        "unit": detector.unit,
        "area": detector.area,
    }


def detector_from_row(row: Mapping[str, Any]) -> Detector:
    """A detector from its row."""
    return decode(Detector, row, kind=DetectorKind(row["kind"]), position=GeoPoint(row["latitude"], row["longitude"]))


def detector_key(park_id: str, detector_id: str) -> ColumnElement[bool]:
    """WHERE clause of one detector."""
    return (DETECTORS.c.park_id == park_id) & (DETECTORS.c.detector_id == detector_id)


def get_detector(session: Session, *, park_id: str, detector_id: str) -> Detector:
    """One detector or NOT_FOUND."""
    row = one(session, select(DETECTORS).where(detector_key(park_id, detector_id)))
    return found(row, detector_from_row, "detector", DETECTOR.format(park_id, detector_id))


def list_detectors(session: Session, *, park_id: str = "", kind: DetectorKind | None = None, size: int = 0, token: str = "") -> tuple[list[Detector], str]:
    """A page of detectors in (park, id) order, of one park ("" for all) and kind."""
    stmt = where_equal(select(DETECTORS), park_id=park_id, kind=kind.value if kind else "")
    filters = {"list": "detectors", "park": park_id, "kind": kind.value if kind else ""}
    return keyset_page(session, stmt, [DETECTORS.c.park_id, DETECTORS.c.detector_id], detector_from_row, filters=filters, size=size, token=token)


def all_detectors(session: Session, *, park_ids: Sequence[str] = ()) -> list[Detector]:
    """Every detector (of the given parks), for the snapshot."""
    stmt = select(DETECTORS).order_by(DETECTORS.c.park_id, DETECTORS.c.detector_id)
    if park_ids:
        stmt = stmt.where(DETECTORS.c.park_id.in_(list(park_ids)))
    return [detector_from_row(r) for r in all_rows(session, stmt)]
