"""ResourceService methods of units: registration, reads and status reports."""

from __future__ import annotations

from emergency.resources.v1 import resources_service_pb2 as pb
from sqlmodel import Session

from services.common.errors import FieldViolation, raise_if
from services.common.interceptors import Context
from services.common.names import PARK, UNIT
from services.resources import mapping as mp
from services.resources import mapping_requests as mq
from services.resources import movements, registry, store_registry
from services.resources.access import Action
from services.resources.servicer_base import ServicerBase, caller


class UnitRpcs(ServicerBase):
    """CreateUnit, GetUnit, ListUnits, UpdateUnit, RetireUnit and ReportUnitStatus."""

    async def CreateUnit(self, request: pb.CreateUnitRequest, context: Context) -> pb.CreateUnitResponse:
        """Register a unit; it starts AVAILABLE at its home depot."""
        park_id = PARK.parse_one(request.parent, "parent")
        principal = caller(Action.REGISTER, park=park_id)
        raise_if(mp.unit_output_only_violations(request.unit, "unit", park_id))
        unit = mp.unit_from_pb(park_id, request.unit_id, request.unit)

        def work(session: Session) -> pb.CreateUnitResponse:
            return pb.CreateUnitResponse(unit=mp.unit_to_pb(registry.create_unit(session, unit=unit, actor=principal.subject)))

        return await self._mutate("CreateUnit", request, pb.CreateUnitResponse, work)

    async def GetUnit(self, request: pb.GetUnitRequest, context: Context) -> pb.GetUnitResponse:
        """One unit as seen from a namespace."""
        park_id, unit_id = UNIT.parse(request.name)
        namespace = mq.namespace(request.exercise_id)
        caller(Action.READ)

        return await self._read_in(
            namespace, lambda s: pb.GetUnitResponse(unit=mp.unit_to_pb(store_registry.get_unit(s, park_id=park_id, unit_id=unit_id, namespace=namespace)))
        )

    async def ListUnits(self, request: pb.ListUnitsRequest, context: Context) -> pb.ListUnitsResponse:
        """A page of units, by park, state and type, as seen from a namespace."""
        park_id = mq.park_parent(request.parent)
        namespace = mq.namespace(request.exercise_id)
        caller(Action.READ)
        violations: list[FieldViolation] = []
        states, retired = mq.unit_filter(request.states, violations)
        raise_if(violations)

        def work(session: Session) -> pb.ListUnitsResponse:
            units, token = store_registry.list_units(
                session,
                namespace=namespace,
                park_id=park_id,
                type_code=request.resource_type,
                states=states,
                retired=retired,
                size=request.page_size,
                token=request.page_token,
            )
            return pb.ListUnitsResponse(units=[mp.unit_to_pb(u) for u in units], next_page_token=token)

        return await self._read_in(namespace, work)

    async def UpdateUnit(self, request: pb.UpdateUnitRequest, context: Context) -> pb.UpdateUnitResponse:
        """Change the masked descriptive fields of a unit; state, version, position and park are refused by name."""
        park_id, unit_id = UNIT.parse(request.unit.name, "unit.name")
        principal = caller(Action.REGISTER, park=park_id)
        paths = mq.mask("unit", request.update_mask.paths)
        changes = mp.unit_from_pb(park_id, unit_id, request.unit)

        def work(session: Session) -> pb.UpdateUnitResponse:
            unit = registry.update_unit(
                session, park_id=park_id, unit_id=unit_id, changes=changes, paths=paths, actor=principal.subject, expected_version=request.version
            )
            return pb.UpdateUnitResponse(unit=mp.unit_to_pb(unit))

        return await self._mutate("UpdateUnit", request, pb.UpdateUnitResponse, work)

    async def RetireUnit(self, request: pb.RetireUnitRequest, context: Context) -> pb.RetireUnitResponse:
        """Take a unit off the register."""
        park_id, unit_id = UNIT.parse(request.name)
        principal = caller(Action.REGISTER, park=park_id)

        def work(session: Session) -> pb.RetireUnitResponse:
            unit = registry.retire_unit(
                session, park_id=park_id, unit_id=unit_id, actor=principal.subject, expected_version=request.version, reason=request.reason
            )
            return pb.RetireUnitResponse(unit=mp.unit_to_pb(unit))

        return await self._mutate("RetireUnit", request, pb.RetireUnitResponse, work)

    async def ReportUnitStatus(self, request: pb.ReportUnitStatusRequest, context: Context) -> pb.ReportUnitStatusResponse:
        """Move a unit to its next state (or report its position)."""
        park_id, unit_id = UNIT.parse(request.name)
        namespace = mq.namespace(request.exercise_id)
        principal = caller(Action.MOVE_UNIT, park=park_id, exercise_id=namespace)
        violations: list[FieldViolation] = []
        target = mq.reported_state(request.state, violations)
        raise_if(violations)
        assert target is not None
        position = mp.geo(request.position) if request.HasField("position") else None

        def work(session: Session) -> pb.ReportUnitStatusResponse:
            unit = movements.move_unit(
                session,
                namespace=namespace,
                park_id=park_id,
                unit_id=unit_id,
                target=target,
                position=position,
                actor=principal.subject,
                expected_version=request.version,
                reason=request.reason,
            )
            return pb.ReportUnitStatusResponse(unit=mp.unit_to_pb(unit))

        return await self._mutate("ReportUnitStatus", request, pb.ReportUnitStatusResponse, work)
