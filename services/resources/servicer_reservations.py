"""ResourceService methods of availability and reservations: the snapshot, reserve, confirm, release, read."""

from __future__ import annotations

from emergency.resources.v1 import resources_service_pb2 as pb
from sqlmodel import Session

from services.common.auth import Principal
from services.common.errors import FieldViolation, raise_if
from services.common.interceptors import Context
from services.common.names import STOCK, UNIT
from services.resources import mapping as mp
from services.resources import mapping_requests as mq
from services.resources import reservations, store_detectors, store_reservations, store_snapshot
from services.resources.access import Action, authorize
from services.resources.domain import Reservation, ReservationState
from services.resources.events import snapshot_version
from services.resources.mapping_snapshot import snapshot_to_pb
from services.resources.names import RESERVATION
from services.resources.servicer_base import ServicerBase, caller


def _reservation_namespace(session: Session, principal: Principal, reservation_id: str) -> str:
    """The namespace a reservation was made in, once the caller is allowed to act on reservations there."""
    namespace = store_reservations.get_reservation(session, reservation_id=reservation_id, namespace=None).namespace
    authorize(principal, Action.RESERVE, exercise_id=namespace)
    return namespace


class ReservationRpcs(ServicerBase):
    """GetAvailabilitySnapshot, ReserveResources, ConfirmReservation, ReleaseReservation, GetReservation, ListReservations."""

    async def GetAvailabilitySnapshot(self, request: pb.GetAvailabilitySnapshotRequest, context: Context) -> pb.GetAvailabilitySnapshotResponse:
        """Available units, committed units, available stock, policies and agreements of a namespace."""
        namespace = mq.namespace(request.exercise_id)
        caller(Action.READ)
        park_ids = mq.id_list(request.park_ids, "park_ids")

        def work(session: Session) -> pb.GetAvailabilitySnapshotResponse:
            snap = store_snapshot.availability(
                session, namespace=namespace, park_ids=park_ids, types=list(request.resource_types), size=request.page_size, token=request.page_token
            )
            detectors = [] if request.page_token else store_detectors.all_detectors(session, park_ids=park_ids)
            return snapshot_to_pb(snap, detectors)

        return await self._read(work)

    async def ReserveResources(self, request: pb.ReserveResourcesRequest, context: Context) -> pb.ReserveResourcesResponse:
        """Hold every requested unit and amount, or nothing (ABORTED listing every conflict)."""
        namespace = mq.namespace(request.exercise_id)
        principal = caller(Action.RESERVE, exercise_id=namespace)
        violations: list[FieldViolation] = []
        units = mq.unit_requests(request.units, violations)
        stocks = mq.stock_requests(request.stocks, violations)
        raise_if(violations)

        def work(session: Session) -> pb.ReserveResourcesResponse:
            held = reservations.reserve(
                session,
                namespace=namespace,
                incident=request.incident,
                units=units,
                stocks=stocks,
                actor=principal.subject,
                ttl_seconds=request.ttl_seconds or reservations.DEFAULT_TTL_SECONDS,
            )
            return pb.ReserveResourcesResponse(
                reservation=mp.reservation_to_pb(held), snapshot_version=snapshot_version(session, namespace), units=_units_now(session, held)
            )

        return await self._mutate("ReserveResources", request, pb.ReserveResourcesResponse, work)

    async def ConfirmReservation(self, request: pb.ConfirmReservationRequest, context: Context) -> pb.ConfirmReservationResponse:
        """Commit a reservation: units en route, stock issued."""
        reservation_id = RESERVATION.parse_one(request.name)
        principal = caller(Action.READ)

        def work(session: Session) -> pb.ConfirmReservationResponse:
            namespace = _reservation_namespace(session, principal, reservation_id)
            confirmed = reservations.confirm(session, reservation_id=reservation_id, namespace=namespace, actor=principal.subject)
            return pb.ConfirmReservationResponse(reservation=mp.reservation_to_pb(confirmed), units=_units_now(session, confirmed))

        return await self._mutate("ConfirmReservation", request, pb.ConfirmReservationResponse, work)

    async def ReleaseReservation(self, request: pb.ReleaseReservationRequest, context: Context) -> pb.ReleaseReservationResponse:
        """Give back the listed held items, or all of them."""
        reservation_id = RESERVATION.parse_one(request.name)
        principal = caller(Action.READ)
        violations: list[FieldViolation] = []
        units = [(u[0], u[1]) for u in mq.names(UNIT, request.units, "units", violations)]
        stocks = [(s[0], s[1], s[2]) for s in mq.names(STOCK, request.stocks, "stocks", violations)]
        raise_if(violations)

        def work(session: Session) -> pb.ReleaseReservationResponse:
            namespace = _reservation_namespace(session, principal, reservation_id)
            released = reservations.release(
                session, reservation_id=reservation_id, namespace=namespace, units=units, stocks=stocks, reason=request.reason, actor=principal.subject
            )
            return pb.ReleaseReservationResponse(reservation=mp.reservation_to_pb(released), units=_units_now(session, released))

        return await self._mutate("ReleaseReservation", request, pb.ReleaseReservationResponse, work)

    async def GetReservation(self, request: pb.GetReservationRequest, context: Context) -> pb.GetReservationResponse:
        """One reservation, whatever its namespace."""
        reservation_id = RESERVATION.parse_one(request.name)
        caller(Action.READ)
        return await self._read(
            lambda s: pb.GetReservationResponse(
                reservation=mp.reservation_to_pb(store_reservations.get_reservation(s, reservation_id=reservation_id, namespace=None))
            )
        )

    async def ListReservations(self, request: pb.ListReservationsRequest, context: Context) -> pb.ListReservationsResponse:
        """A page of a namespace's reservations, newest first."""
        namespace = mq.namespace(request.exercise_id)
        caller(Action.READ)
        violations: list[FieldViolation] = []
        states: list[ReservationState] = [s for i, value in enumerate(request.states) if (s := mp.reservation_state(value, f"states[{i}]", violations))]
        raise_if(violations)

        def work(session: Session) -> pb.ListReservationsResponse:
            page, token = store_reservations.list_reservations(
                session, namespace=namespace, incident=request.incident, states=states, size=request.page_size, token=request.page_token
            )
            return pb.ListReservationsResponse(reservations=[mp.reservation_to_pb(r) for r in page], next_page_token=token)

        return await self._read(work)


def _units_now(session: Session, reservation: Reservation) -> list[pb.Unit]:
    """The reservation's units as they stand after the call, for the answer."""
    return [mp.unit_to_pb(unit) for unit in store_reservations.units_now(session, reservation)]
