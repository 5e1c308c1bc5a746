"""The detector methods of ResourceService: proto mapping and authorization; the rules live in detectors.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import grpc
from emergency.common.v1 import common_pb2
from emergency.resources.v1 import resources_service_pb2 as pb
from sqlmodel import Session

from services.common.auth import Principal, current_principal
from services.common.errors import FieldViolation, ServiceError, invalid_argument
from services.resources import detectors as dt
from services.resources.access import Action, authorize
from services.resources.domain import GeoPoint
from services.resources.names import parse

KIND_PREFIX = "KIND_"
OUTPUT_ONLY = ("park_id", "version")


def detector_to_pb(detector: dt.Detector) -> pb.Detector:
    """The proto view of a detector."""
    position = detector.position or GeoPoint(0.0, 0.0)
    return pb.Detector(
        name=dt.detector_name(detector.park_id, detector.detector_id),
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


def detector_kind(value: int) -> dt.DetectorKind | None:
    """The domain kind of a proto kind; None for unspecified or unknown."""
    if value == pb.Detector.KIND_UNSPECIFIED or value not in pb.Detector.Kind.values():
        return None
    return dt.DetectorKind(pb.Detector.Kind.Name(value).removeprefix(KIND_PREFIX))  # type: ignore[arg-type]


def detector_from_pb(park_id: str, detector_id: str, message: pb.Detector) -> dt.Detector:
    """The domain detector of a proto one (validated by the rules)."""
    has_position = message.HasField("position")
    return dt.Detector(
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


def _rename(error: ServiceError, renames: dict[str, str]) -> ServiceError:
    """Point domain violations at the request's fields."""
    renamed = []
    for violation in error.violations:
        field = violation.field
        for prefix, replacement in renames.items():
            if field == prefix or field.startswith(prefix + "."):
                field = replacement + field[len(prefix) :]
                break
        renamed.append(FieldViolation(field, violation.description))
    error.violations = renamed
    return error


def _caller(action: Action, park: str | None = None) -> Principal:
    """The caller, if they may do this."""
    principal = current_principal()
    authorize(principal, action, park=park)
    return principal


class DetectorRpcs:
    """CreateDetector, GetDetector, ListDetectors, UpdateDetector and ImportDetectors, mixed into the servicer."""

    _mutate: Callable[..., Awaitable[Any]]
    _read: Callable[..., Awaitable[Any]]

    async def CreateDetector(self, request: pb.CreateDetectorRequest, context: grpc.aio.ServicerContext) -> pb.CreateDetectorResponse:
        """Register a detector (the park's officer or an operator)."""
        (park_id,) = parse("park", request.parent, "parent")
        principal = _caller(Action.REGISTER, park_id)
        found = output_only_violations(request.detector, "detector")
        if found:
            raise invalid_argument(found)
        detector = detector_from_pb(park_id, request.detector_id, request.detector)

        def work(session: Session) -> pb.CreateDetectorResponse:
            return pb.CreateDetectorResponse(detector=detector_to_pb(dt.create_detector(session, detector=detector, actor=principal.subject)))

        renames = {"detector.detector_id": "detector_id", "detector.park_id": "parent"}
        return await self._mutate("CreateDetector", request, pb.CreateDetectorResponse, work, renames)  # type: ignore[no-any-return]

    async def GetDetector(self, request: pb.GetDetectorRequest, context: grpc.aio.ServicerContext) -> pb.GetDetectorResponse:
        """One detector."""
        park_id, detector_id = parse("detector", request.name)
        _caller(Action.READ)
        return await self._read(lambda s: pb.GetDetectorResponse(detector=detector_to_pb(dt.get_detector(s, park_id=park_id, detector_id=detector_id))))  # type: ignore[no-any-return]

    async def ListDetectors(self, request: pb.ListDetectorsRequest, context: grpc.aio.ServicerContext) -> pb.ListDetectorsResponse:
        """A page of detectors of one park or of all."""
        park_id = "" if request.parent == "parks/-" else parse("park", request.parent, "parent")[0]
        _caller(Action.READ)
        if request.kind and detector_kind(request.kind) is None:
            raise invalid_argument([FieldViolation("kind", f"unknown detector kind {request.kind}")])
        kind = detector_kind(request.kind)

        def work(session: Session) -> pb.ListDetectorsResponse:
            found, token = dt.list_detectors(session, park_id=park_id, kind=kind, size=request.page_size, token=request.page_token)
            return pb.ListDetectorsResponse(detectors=[detector_to_pb(d) for d in found], next_page_token=token)

        return await self._read(work)  # type: ignore[no-any-return]

    async def UpdateDetector(self, request: pb.UpdateDetectorRequest, context: grpc.aio.ServicerContext) -> pb.UpdateDetectorResponse:
        """Change the masked fields of a detector."""
        park_id, detector_id = parse("detector", request.detector.name, "detector.name")
        principal = _caller(Action.REGISTER, park_id)
        found = output_only_violations(request.detector, "detector", name_allowed=True)
        if found:
            raise invalid_argument(found)
        changes = detector_from_pb(park_id, detector_id, request.detector)
        paths = list(request.update_mask.paths)

        def work(session: Session) -> pb.UpdateDetectorResponse:
            updated = dt.update_detector(
                session, park_id=park_id, detector_id=detector_id, changes=changes, paths=paths, actor=principal.subject, expected_version=request.version
            )
            return pb.UpdateDetectorResponse(detector=detector_to_pb(updated))

        return await self._mutate("UpdateDetector", request, pb.UpdateDetectorResponse, work)  # type: ignore[no-any-return]

    async def ImportDetectors(self, request: pb.ImportDetectorsRequest, context: grpc.aio.ServicerContext) -> pb.ImportDetectorsResponse:
        """Validate a park's detectors as a whole, then apply them in one transaction, or nothing."""
        (park_id,) = parse("park", request.parent, "parent")
        principal = _caller(Action.REGISTER, park_id)
        items, prior = detectors_from_import(park_id, request.detectors)
        renames = {f"detectors[{i}].{f}": f"detectors[{i}].name" for i in range(len(items)) for f in ("park_id", "detector_id")}

        def work(session: Session) -> pb.ImportDetectorsResponse:
            try:
                created, updated = dt.import_detectors(session, park_id=park_id, detectors=items, actor=principal.subject, prior=prior)
            except ServiceError as error:
                raise _rename(error, renames) from None
            return pb.ImportDetectorsResponse(detectors_created=created, detectors_updated=updated)

        return await self._mutate("ImportDetectors", request, pb.ImportDetectorsResponse, work)  # type: ignore[no-any-return]


def detectors_from_import(park_id: str, messages: Sequence[pb.Detector]) -> tuple[list[dt.Detector], list[FieldViolation]]:
    """Domain detectors of an import, and problems only the proto form can have."""
    items: list[dt.Detector] = []
    prior: list[FieldViolation] = []
    for index, message in enumerate(messages):
        ids = message.name.split("/")
        owner, detector_id = (ids[1], ids[3]) if len(ids) == 4 and ids[0] == "parks" and ids[2] == "detectors" else (park_id, message.name)
        prior += output_only_violations(message, f"detectors[{index}]", name_allowed=True)
        items.append(detector_from_pb(owner, detector_id, message))
    return items, prior


def snapshot_detectors(session: Session, park_ids: Sequence[str]) -> list[pb.Detector]:
    """The detectors a snapshot's first page carries."""
    return [detector_to_pb(d) for d in dt.all_detectors(session, park_ids=park_ids)]
