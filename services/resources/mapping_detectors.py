"""Detectors: proto <-> domain, and the detector fields a request may not set."""

from __future__ import annotations

from collections.abc import Sequence

from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as pb

from services.common.errors import FieldViolation, invalid_argument
from services.common.names import DETECTOR
from services.resources.domain import Detector, DetectorKind, GeoPoint

KIND_PREFIX = "KIND_"
OUTPUT_ONLY = ("park_id", "version")


def detector_to_pb(detector: Detector) -> pb.Detector:
    """The proto view of a detector."""
    position = detector.position or GeoPoint(0.0, 0.0)
    return pb.Detector(
        name=DETECTOR.format(detector.park_id, detector.detector_id),
        display_name=detector.display_name,
        kind=pb.Detector.Kind.Value(KIND_PREFIX + detector.kind.value) if detector.kind else pb.Detector.KIND_UNSPECIFIED,  # type: ignore[arg-type]
        substance=common_pb2.Substance(name=detector.substance_name, un_number=detector.un_number, hazard_class=detector.hazard_class),
        position=common_pb2.GeoPoint(latitude=position.latitude, longitude=position.longitude),
        pre_alarm_threshold=detector.pre_alarm_threshold,
        alarm_threshold=detector.alarm_threshold,
        unit=detector.unit,
        area=detector.area,
        park_id=detector.park_id,
        version=detector.version,
    )


def detector_kind(value: int) -> DetectorKind | None:
    """The domain kind of a proto kind; None for unspecified or unknown."""
    if value == pb.Detector.KIND_UNSPECIFIED or value not in pb.Detector.Kind.values():
        return None
    return DetectorKind(pb.Detector.Kind.Name(value).removeprefix(KIND_PREFIX))


def detector_from_pb(park_id: str, detector_id: str, message: pb.Detector) -> Detector:
    """The domain detector of a proto one (validated by the rules)."""
    has_position = message.HasField("position")
    return Detector(
        park_id=park_id,
        detector_id=detector_id,
        display_name=message.display_name,
        kind=detector_kind(message.kind),
        position=GeoPoint(message.position.latitude, message.position.longitude) if has_position else None,
        pre_alarm_threshold=message.pre_alarm_threshold,
        alarm_threshold=message.alarm_threshold,
        unit=message.unit,
        substance_name=message.substance.name,
        un_number=message.substance.un_number,
        hazard_class=message.substance.hazard_class,
        area=message.area,
    )


def output_only_violations(message: pb.Detector, prefix: str, *, name_allowed: bool = False) -> list[FieldViolation]:
    """Output-only fields must be empty (the name too, where the request names the detector elsewhere)."""
    found = [FieldViolation(f"{prefix}.{f}", "output only; must not be set") for f in OUTPUT_ONLY if getattr(message, f)]
    if message.name and not name_allowed:
        found.append(FieldViolation(f"{prefix}.name", "output only; must not be set"))
    return found


def detectors_from_import(park_id: str, messages: Sequence[pb.Detector]) -> tuple[list[Detector], list[FieldViolation]]:
    """Domain detectors of an import, and problems only the proto form can have."""
    items: list[Detector] = []
    prior: list[FieldViolation] = []
    for index, message in enumerate(messages):
        owner, detector_id = DETECTOR.match(message.name) or (park_id, message.name)
        prior += output_only_violations(message, f"detectors[{index}]", name_allowed=True)
        items.append(detector_from_pb(owner, detector_id, message))
    return items, prior


def kind_filter(value: int) -> DetectorKind | None:
    """The kind a detector list asks for (None for every kind); an unknown kind is INVALID_ARGUMENT."""
    if value and detector_kind(value) is None:
        raise invalid_argument([FieldViolation("kind", f"unknown detector kind {value}")])
    return detector_kind(value)
