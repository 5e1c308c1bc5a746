"""ResourceService methods of park detectors: register, read, list, update and import."""

from __future__ import annotations

from emergency.resources.v1 import resources_service_pb2 as pb
from sqlmodel import Session

from services.common.errors import raise_if
from services.common.interceptors import Context
from services.common.names import DETECTOR, PARK
from services.resources import detectors, store_detectors
from services.resources import mapping_requests as mq
from services.resources.access import Action
from services.resources.mapping_detectors import detector_from_pb, detector_to_pb, detectors_from_import, kind_filter, output_only_violations
from services.resources.servicer_base import ServicerBase, caller


class DetectorRpcs(ServicerBase):
    """CreateDetector, GetDetector, ListDetectors, UpdateDetector and ImportDetectors."""

    async def CreateDetector(self, request: pb.CreateDetectorRequest, context: Context) -> pb.CreateDetectorResponse:
        """Register a detector (the park's officer or an operator)."""
        park_id = PARK.parse_one(request.parent, "parent")
        principal = caller(Action.REGISTER, park=park_id)
        raise_if(output_only_violations(request.detector, "detector"))
        detector = detector_from_pb(park_id, request.detector_id, request.detector)

        def work(session: Session) -> pb.CreateDetectorResponse:
            return pb.CreateDetectorResponse(detector=detector_to_pb(detectors.create_detector(session, detector=detector, actor=principal.subject)))

        return await self._mutate("CreateDetector", request, pb.CreateDetectorResponse, work)

    async def GetDetector(self, request: pb.GetDetectorRequest, context: Context) -> pb.GetDetectorResponse:
        """One detector."""
        park_id, detector_id = DETECTOR.parse(request.name)
        caller(Action.READ)
        return await self._read(
            lambda s: pb.GetDetectorResponse(detector=detector_to_pb(store_detectors.get_detector(s, park_id=park_id, detector_id=detector_id)))
        )

    async def ListDetectors(self, request: pb.ListDetectorsRequest, context: Context) -> pb.ListDetectorsResponse:
        """A page of detectors of one park or of all."""
        park_id = mq.park_parent(request.parent)
        caller(Action.READ)
        kind = kind_filter(request.kind)

        def work(session: Session) -> pb.ListDetectorsResponse:
            found, token = store_detectors.list_detectors(session, park_id=park_id, kind=kind, size=request.page_size, token=request.page_token)
            return pb.ListDetectorsResponse(detectors=[detector_to_pb(d) for d in found], next_page_token=token)

        return await self._read(work)

    async def UpdateDetector(self, request: pb.UpdateDetectorRequest, context: Context) -> pb.UpdateDetectorResponse:
        """Change the masked fields of a detector."""
        park_id, detector_id = DETECTOR.parse(request.detector.name, "detector.name")
        principal = caller(Action.REGISTER, park=park_id)
        raise_if(output_only_violations(request.detector, "detector", name_allowed=True))
        changes = detector_from_pb(park_id, detector_id, request.detector)
        paths = list(request.update_mask.paths)

        def work(session: Session) -> pb.UpdateDetectorResponse:
            updated = detectors.update_detector(
                session, park_id=park_id, detector_id=detector_id, changes=changes, paths=paths, actor=principal.subject, expected_version=request.version
            )
            return pb.UpdateDetectorResponse(detector=detector_to_pb(updated))

        return await self._mutate("UpdateDetector", request, pb.UpdateDetectorResponse, work)

    async def ImportDetectors(self, request: pb.ImportDetectorsRequest, context: Context) -> pb.ImportDetectorsResponse:
        """Validate a park's detectors as a whole, then apply them in one transaction, or nothing."""
        park_id = PARK.parse_one(request.parent, "parent")
        principal = caller(Action.REGISTER, park=park_id)
        items, prior = detectors_from_import(park_id, request.detectors)

        def work(session: Session) -> pb.ImportDetectorsResponse:
            created, updated = detectors.import_detectors(session, park_id=park_id, detectors=items, actor=principal.subject, prior=prior)
            return pb.ImportDetectorsResponse(detectors_created=created, detectors_updated=updated)

        return await self._mutate("ImportDetectors", request, pb.ImportDetectorsResponse, work)
