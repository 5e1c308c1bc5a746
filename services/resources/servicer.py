"""ResourceService: proto <-> domain mapping, authorization calls and status codes; rules live in the store modules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

import grpc
from emergency.resources.v1 import resources_service_pb2 as pb
from emergency.resources.v1 import resources_service_pb2_grpc as pb_grpc
from sqlalchemy import Engine
from sqlmodel import Session

from services.common.auth import Principal, current_principal
from services.common.catalogue import load_catalogue
from services.common.db import run_in_thread
from services.common.errors import FieldViolation, ServiceError, invalid_argument
from services.common.idempotency import M, request_id_violations, run_idempotent
from services.resources import exercises, importing, movements, policies, registry, reservations, snapshot, stock
from services.resources import mapping as mp
from services.resources.access import Action, authorize
from services.resources.detector_rpcs import DetectorRpcs, snapshot_detectors
from services.resources.domain import (
    LIVE,
    Depot,
    LedgerKind,
    MutualAid,
    ReservationState,
    ReservePolicy,
    Stock,
    StockRequest,
    UnitRequest,
)
from services.resources.events import snapshot_version
from services.resources.names import parse
from services.resources.namespaces import require_namespace
from services.resources.store import ResourceStore
from services.resources.validation import id_violations

T = TypeVar("T")
UNIT_PATHS = {"resource_type": "type", "home_depot_id": "home_depot"}
ALL_PARKS = "parks/-"


def _raise_if(violations: Sequence[FieldViolation]) -> None:
    """INVALID_ARGUMENT if anything is wrong."""
    if violations:
        raise invalid_argument(violations)


def _namespace(exercise_id: str, field: str = "exercise_id") -> str:
    """The namespace of a request: live for empty, else a well-formed exercise id."""
    if exercise_id:
        _raise_if(id_violations(exercise_id, field))
    return exercise_id


def _optional_id(value: str, field: str) -> str:
    """An optional id filter."""
    if value:
        _raise_if(id_violations(value, field))
    return value


def _park_parent(parent: str) -> str:
    """The park of "parks/{park}", or "" for "parks/-" (every park)."""
    return "" if parent == ALL_PARKS else parse("park", parent, "parent")[0]


def _reservation_namespace(session: Session, principal: Principal, reservation_id: str) -> str:
    """The namespace a reservation was made in, once the caller is allowed to act on reservations there."""
    namespace = reservations.get_reservation(session, reservation_id=reservation_id, namespace=None).namespace
    authorize(principal, Action.RESERVE, exercise_id=namespace)
    return namespace


def _authorize(action: Action, *, park: str | None = None, exercise_id: str = LIVE) -> Principal:
    """The caller, if they may do this."""
    principal = current_principal()
    authorize(principal, action, park=park, exercise_id=exercise_id)
    return principal


class ResourceServicer(DetectorRpcs, pb_grpc.ResourceServiceServicer):
    """Serves the emergency-resource library from this service's database."""

    def __init__(self, engine: Engine, on_commit: Callable[[], None] = lambda: None) -> None:
        self._engine = engine
        self._store = ResourceStore(engine)
        self._on_commit = on_commit

    async def _mutate(
        self,
        method: str,
        request: Any,
        response_type: type[M],
        work: Callable[[Session], M],
        renames: dict[str, str] | None = None,
    ) -> M:
        """Run one idempotent change in a transaction off the event loop, then wake the outbox relay."""
        _raise_if(request_id_violations(request.request_id))

        def attempt() -> M:
            return run_idempotent(self._engine, method=method, request=request, request_id=request.request_id, response_type=response_type, work=work)

        try:
            result = await run_in_thread(self._store.transaction, attempt)
        except ServiceError as error:
            raise mp.with_proto_fields(error, renames) from None
        self._on_commit()
        return result

    async def _read(self, work: Callable[[Session], T], renames: dict[str, str] | None = None) -> T:
        """Run a read in one snapshot off the event loop."""
        try:
            return await run_in_thread(self._store.read, work)
        except ServiceError as error:
            raise mp.with_proto_fields(error, renames) from None

    # ------------------------------------------------------------ catalogue and parks

    async def ListResourceTypes(self, request: pb.ListResourceTypesRequest, context: grpc.aio.ServicerContext) -> pb.ListResourceTypesResponse:
        """The catalogue, optionally of one kind."""
        _authorize(Action.READ)
        kind = mp.resource_kind(request.kind)
        entries = [t for t in load_catalogue().types.values() if kind is None or t.kind is kind]
        return pb.ListResourceTypesResponse(resource_types=[mp.resource_type_to_pb(t) for t in entries])

    async def CreatePark(self, request: pb.CreateParkRequest, context: grpc.aio.ServicerContext) -> pb.CreateParkResponse:
        """Register a park (operators)."""
        principal = _authorize(Action.CREATE_PARK)
        violations = id_violations(request.park_id, "park_id")
        if request.park.version:
            violations.append(FieldViolation("park.version", "output only; must not be set"))
        park = mp.park_from_pb(request.park_id, request.park, violations)
        _raise_if(violations)

        def work(session: Session) -> pb.CreateParkResponse:
            return pb.CreateParkResponse(park=mp.park_to_pb(registry.create_park(session, park=park, actor=principal.subject)))

        return await self._mutate(
            "CreatePark", request, pb.CreateParkResponse, work, {"park.park_id": "park_id", "park.duty_contact.name": "park.duty_contact"}
        )

    async def GetPark(self, request: pb.GetParkRequest, context: grpc.aio.ServicerContext) -> pb.GetParkResponse:
        """One park."""
        (park_id,) = parse("park", request.name)
        _authorize(Action.READ)
        return await self._read(lambda s: pb.GetParkResponse(park=mp.park_to_pb(registry.get_park(s, park_id=park_id))))

    async def ListParks(self, request: pb.ListParksRequest, context: grpc.aio.ServicerContext) -> pb.ListParksResponse:
        """A page of parks."""
        _authorize(Action.READ)

        def work(session: Session) -> pb.ListParksResponse:
            parks, token = registry.list_parks(session, size=request.page_size, token=request.page_token)
            return pb.ListParksResponse(parks=[mp.park_to_pb(p) for p in parks], next_page_token=token)

        return await self._read(work)

    async def UpdatePark(self, request: pb.UpdateParkRequest, context: grpc.aio.ServicerContext) -> pb.UpdateParkResponse:
        """Change the masked fields of a park (its officer or an operator)."""
        (park_id,) = parse("park", request.park.name, "park.name")
        principal = _authorize(Action.REGISTER, park=park_id)
        paths = list(request.update_mask.paths)
        violations: list[FieldViolation] = []
        changes = mp.park_from_pb(park_id, request.park, violations, kind_required="kind" in paths)
        _raise_if(violations)

        def work(session: Session) -> pb.UpdateParkResponse:
            park = registry.update_park(session, park_id=park_id, changes=changes, paths=paths, actor=principal.subject)
            return pb.UpdateParkResponse(park=mp.park_to_pb(park))

        return await self._mutate("UpdatePark", request, pb.UpdateParkResponse, work, {"park.duty_contact.name": "park.duty_contact"})

    # ------------------------------------------------------------ depots

    async def CreateDepot(self, request: pb.CreateDepotRequest, context: grpc.aio.ServicerContext) -> pb.CreateDepotResponse:
        """Register a depot in a park."""
        (park_id,) = parse("park", request.parent, "parent")
        principal = _authorize(Action.REGISTER, park=park_id)
        violations: list[FieldViolation] = []
        depot = mp.depot_from_pb(park_id, request.depot_id, request.depot, violations)
        _raise_if(violations)

        def work(session: Session) -> pb.CreateDepotResponse:
            return pb.CreateDepotResponse(depot=mp.depot_to_pb(registry.create_depot(session, depot=depot, actor=principal.subject)))

        return await self._mutate("CreateDepot", request, pb.CreateDepotResponse, work, {"depot.depot_id": "depot_id"})

    async def ListDepots(self, request: pb.ListDepotsRequest, context: grpc.aio.ServicerContext) -> pb.ListDepotsResponse:
        """A page of depots of one park or of all."""
        park_id = _park_parent(request.parent)
        _authorize(Action.READ)

        def work(session: Session) -> pb.ListDepotsResponse:
            depots, token = registry.list_depots(session, park_id=park_id, size=request.page_size, token=request.page_token)
            return pb.ListDepotsResponse(depots=[mp.depot_to_pb(d) for d in depots], next_page_token=token)

        return await self._read(work)

    async def UpdateDepot(self, request: pb.UpdateDepotRequest, context: grpc.aio.ServicerContext) -> pb.UpdateDepotResponse:
        """Change the masked fields of a depot."""
        park_id, depot_id = parse("depot", request.depot.name, "depot.name")
        principal = _authorize(Action.REGISTER, park=park_id)
        paths = list(request.update_mask.paths)
        violations: list[FieldViolation] = []
        changes = mp.depot_from_pb(park_id, depot_id, request.depot, [], kind_required="kind" in paths)
        if "kind" in paths:
            mp.depot_kind(request.depot.kind, "depot.kind", violations)
        _raise_if(violations)

        def work(session: Session) -> pb.UpdateDepotResponse:
            depot = registry.update_depot(session, park_id=park_id, depot_id=depot_id, changes=changes, paths=paths, actor=principal.subject)
            return pb.UpdateDepotResponse(depot=mp.depot_to_pb(depot))

        return await self._mutate("UpdateDepot", request, pb.UpdateDepotResponse, work)

    async def DeleteDepot(self, request: pb.DeleteDepotRequest, context: grpc.aio.ServicerContext) -> pb.DeleteDepotResponse:
        """Retire an empty depot."""
        park_id, depot_id = parse("depot", request.name)
        principal = _authorize(Action.REGISTER, park=park_id)

        def work(session: Session) -> pb.DeleteDepotResponse:
            depot = registry.retire_depot(session, park_id=park_id, depot_id=depot_id, actor=principal.subject)
            return pb.DeleteDepotResponse(depot=mp.depot_to_pb(depot))

        return await self._mutate("DeleteDepot", request, pb.DeleteDepotResponse, work)

    # ------------------------------------------------------------ units

    async def CreateUnit(self, request: pb.CreateUnitRequest, context: grpc.aio.ServicerContext) -> pb.CreateUnitResponse:
        """Register a unit; it starts AVAILABLE at its home depot."""
        (park_id,) = parse("park", request.parent, "parent")
        principal = _authorize(Action.REGISTER, park=park_id)
        _raise_if(mp.unit_output_only_violations(request.unit, "unit", park_id))
        unit = mp.unit_from_pb(park_id, request.unit_id, request.unit)

        def work(session: Session) -> pb.CreateUnitResponse:
            return pb.CreateUnitResponse(unit=mp.unit_to_pb(registry.create_unit(session, unit=unit, actor=principal.subject)))

        return await self._mutate("CreateUnit", request, pb.CreateUnitResponse, work, {"unit.unit_id": "unit_id"})

    async def GetUnit(self, request: pb.GetUnitRequest, context: grpc.aio.ServicerContext) -> pb.GetUnitResponse:
        """One unit as seen from a namespace."""
        park_id, unit_id = parse("unit", request.name)
        namespace = _namespace(request.exercise_id)
        _authorize(Action.READ)

        def work(session: Session) -> pb.GetUnitResponse:
            require_namespace(session, namespace)
            return pb.GetUnitResponse(unit=mp.unit_to_pb(registry.get_unit(session, park_id=park_id, unit_id=unit_id, namespace=namespace)))

        return await self._read(work)

    async def ListUnits(self, request: pb.ListUnitsRequest, context: grpc.aio.ServicerContext) -> pb.ListUnitsResponse:
        """A page of units, by park, state and type, as seen from a namespace."""
        park_id = _park_parent(request.parent)
        namespace = _namespace(request.exercise_id)
        _authorize(Action.READ)
        violations: list[FieldViolation] = []
        wants_retired = pb.Unit.STATE_RETIRED in request.states
        states = [s for i, value in enumerate(request.states) if value != pb.Unit.STATE_RETIRED if (s := mp.unit_state(value, f"states[{i}]", violations))]
        _raise_if(violations)
        retired: Literal["exclude", "include", "only"] = "exclude" if not wants_retired else "only" if not states else "include"

        def work(session: Session) -> pb.ListUnitsResponse:
            require_namespace(session, namespace)
            units, token = registry.list_units(
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

        return await self._read(work)

    async def UpdateUnit(self, request: pb.UpdateUnitRequest, context: grpc.aio.ServicerContext) -> pb.UpdateUnitResponse:
        """Change the masked descriptive fields of a unit; state, version, position and park are refused by name."""
        park_id, unit_id = parse("unit", request.unit.name, "unit.name")
        principal = _authorize(Action.REGISTER, park=park_id)
        paths = [UNIT_PATHS.get(p, p) for p in request.update_mask.paths]
        changes = mp.unit_from_pb(park_id, unit_id, request.unit)

        def work(session: Session) -> pb.UpdateUnitResponse:
            unit = registry.update_unit(
                session, park_id=park_id, unit_id=unit_id, changes=changes, paths=paths, actor=principal.subject, expected_version=request.version
            )
            return pb.UpdateUnitResponse(unit=mp.unit_to_pb(unit))

        return await self._mutate("UpdateUnit", request, pb.UpdateUnitResponse, work)

    async def RetireUnit(self, request: pb.RetireUnitRequest, context: grpc.aio.ServicerContext) -> pb.RetireUnitResponse:
        """Take a unit off the register."""
        park_id, unit_id = parse("unit", request.name)
        principal = _authorize(Action.REGISTER, park=park_id)

        def work(session: Session) -> pb.RetireUnitResponse:
            unit = registry.retire_unit(
                session, park_id=park_id, unit_id=unit_id, actor=principal.subject, expected_version=request.version, reason=request.reason
            )
            return pb.RetireUnitResponse(unit=mp.unit_to_pb(unit))

        return await self._mutate("RetireUnit", request, pb.RetireUnitResponse, work)

    async def ReportUnitStatus(self, request: pb.ReportUnitStatusRequest, context: grpc.aio.ServicerContext) -> pb.ReportUnitStatusResponse:
        """Move a unit to its next state (or report its position)."""
        park_id, unit_id = parse("unit", request.name)
        namespace = _namespace(request.exercise_id)
        principal = _authorize(Action.MOVE_UNIT, park=park_id, exercise_id=namespace)
        violations: list[FieldViolation] = []
        if request.state == pb.Unit.STATE_RETIRED:
            violations.append(FieldViolation("state", "use RetireUnit to retire a unit"))
        target = mp.unit_state(request.state, "state", violations) if request.state != pb.Unit.STATE_RETIRED else None
        _raise_if(violations)
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

    # ------------------------------------------------------------ stock

    async def AdjustStock(self, request: pb.AdjustStockRequest, context: grpc.aio.ServicerContext) -> pb.AdjustStockResponse:
        """Book a receipt, correction or loss to a stock's ledger (a live receipt opens a new stock)."""
        park_id, depot_id, type_code = parse("stock", request.stock, "stock")
        namespace = _namespace(request.exercise_id)
        principal = _authorize(Action.ADJUST_STOCK, park=park_id, exercise_id=namespace)
        violations: list[FieldViolation] = []
        kind = mp.ledger_kind(request.kind, "kind", violations)
        if kind is LedgerKind.ISSUE:
            violations.append(FieldViolation("kind", "issues are booked by confirming a reservation"))
        delta = mp.whole(request.delta, "delta", violations)
        _raise_if(violations)
        assert kind is not None

        def work(session: Session) -> pb.AdjustStockResponse:
            after, entry = stock.record_movement(
                session,
                namespace=namespace,
                park_id=park_id,
                depot_id=depot_id,
                type_code=type_code,
                kind=kind,
                delta=delta,
                reason=request.reference,
                actor=principal.subject,
            )
            depot = registry.get_depot(session, park_id=park_id, depot_id=depot_id)
            return pb.AdjustStockResponse(stock=mp.stock_to_pb(after, depot.location), entry=mp.ledger_to_pb(entry))

        return await self._mutate(
            "AdjustStock", request, pb.AdjustStockResponse, work, {"stock.type": "stock", "stock.depot_id": "stock", "reason": "reference"}
        )

    async def UpdateStock(self, request: pb.UpdateStockRequest, context: grpc.aio.ServicerContext) -> pb.UpdateStockResponse:
        """Change a stock's minimum level."""
        park_id, depot_id, type_code = parse("stock", request.stock.name, "stock.name")
        principal = _authorize(Action.REGISTER, park=park_id)
        violations: list[FieldViolation] = []
        minimum = mp.whole(request.stock.minimum_level, "stock.minimum_level", violations)
        _raise_if(violations)
        paths = [{"resource_type": "type"}.get(p, p) for p in request.update_mask.paths]

        def work(session: Session) -> pb.UpdateStockResponse:
            after = stock.update_stock(
                session,
                park_id=park_id,
                depot_id=depot_id,
                type_code=type_code,
                changes=Stock(park_id, depot_id, type_code, minimum_level=minimum),
                paths=paths,
                actor=principal.subject,
            )
            depot = registry.get_depot(session, park_id=park_id, depot_id=depot_id)
            return pb.UpdateStockResponse(stock=mp.stock_to_pb(after, depot.location))

        return await self._mutate("UpdateStock", request, pb.UpdateStockResponse, work)

    async def ListStocks(self, request: pb.ListStocksRequest, context: grpc.aio.ServicerContext) -> pb.ListStocksResponse:
        """A page of stocks of one depot, one park or all, as seen from a namespace."""
        park_id, depot_id = self._stock_parent(request.parent)
        namespace = _namespace(request.exercise_id)
        _authorize(Action.READ)

        def work(session: Session) -> pb.ListStocksResponse:
            require_namespace(session, namespace)
            stocks, token = stock.list_stocks(
                session,
                namespace=namespace,
                park_id=park_id,
                depot_id=depot_id,
                below_minimum_only=request.below_minimum_only,
                size=request.page_size,
                token=request.page_token,
            )
            depots = self._depots(session)
            return pb.ListStocksResponse(
                stocks=[mp.stock_to_pb(s, depots[(s.park_id, s.depot_id)].location if (s.park_id, s.depot_id) in depots else None) for s in stocks],
                next_page_token=token,
            )

        return await self._read(work)

    @staticmethod
    def _stock_parent(parent: str) -> tuple[str, str]:
        """(park, depot) of a stock list parent; "-" stands for every park or depot."""
        parts = parent.split("/")
        if len(parts) != 4 or parts[0] != "parks" or parts[2] != "depots" or (parts[1] == "-" and parts[3] != "-"):
            raise invalid_argument([FieldViolation("parent", "expected parks/{park}/depots/{depot}, parks/{park}/depots/- or parks/-/depots/-")])
        park_id = "" if parts[1] == "-" else _optional_id(parts[1], "parent")
        depot_id = "" if parts[3] == "-" else _optional_id(parts[3], "parent")
        return park_id, depot_id

    @staticmethod
    def _depots(session: Session) -> dict[tuple[str, str], Depot]:
        """Every depot (retired too) by key, for stock and unit positions."""
        found: dict[tuple[str, str], Depot] = {}
        token = ""
        while True:
            page, token = registry.list_depots(session, include_retired=True, size=1000, token=token)
            found.update({(d.park_id, d.depot_id): d for d in page})
            if not token:
                return found

    async def ListStockLedgerEntries(self, request: pb.ListStockLedgerEntriesRequest, context: grpc.aio.ServicerContext) -> pb.ListStockLedgerEntriesResponse:
        """A page of one stock's live ledger, oldest first."""
        park_id, depot_id, type_code = parse("stock", request.parent, "parent")
        _authorize(Action.READ)

        def work(session: Session) -> pb.ListStockLedgerEntriesResponse:
            stock.get_stock(session, park_id=park_id, depot_id=depot_id, type_code=type_code)
            entries, token = stock.list_ledger(
                session, park_id=park_id, depot_id=depot_id, type_code=type_code, size=request.page_size, token=request.page_token
            )
            return pb.ListStockLedgerEntriesResponse(entries=[mp.ledger_to_pb(e) for e in entries], next_page_token=token)

        return await self._read(work)

    # ------------------------------------------------------------ policies and agreements

    async def SetReservePolicy(self, request: pb.SetReservePolicyRequest, context: grpc.aio.ServicerContext) -> pb.SetReservePolicyResponse:
        """Create or replace a park's home reserve of one type."""
        park_id = request.policy.park_id
        _raise_if(id_violations(park_id, "policy.park_id"))
        principal = _authorize(Action.REGISTER, park=park_id)
        violations: list[FieldViolation] = []
        minimum = mp.whole(request.policy.minimum, "policy.minimum", violations)
        _raise_if(violations)
        policy = ReservePolicy(park_id, request.policy.resource_type, minimum)

        def work(session: Session) -> pb.SetReservePolicyResponse:
            stored = policies.set_reserve_policy(session, policy=policy, actor=principal.subject)
            return pb.SetReservePolicyResponse(policy=mp.policy_to_pb(stored))

        return await self._mutate("SetReservePolicy", request, pb.SetReservePolicyResponse, work, {"reserve_policy": "policy"})

    async def ListReservePolicies(self, request: pb.ListReservePoliciesRequest, context: grpc.aio.ServicerContext) -> pb.ListReservePoliciesResponse:
        """Reserve policies of one park or all."""
        park_id = _optional_id(request.park_id, "park_id")
        _authorize(Action.READ)
        return await self._read(
            lambda s: pb.ListReservePoliciesResponse(policies=[mp.policy_to_pb(p) for p in policies.list_reserve_policies(s, park_id=park_id)])
        )

    async def CreateMutualAidAgreement(
        self, request: pb.CreateMutualAidAgreementRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateMutualAidAgreementResponse:
        """Record an agreement (the lender park's officer or an operator)."""
        message = request.agreement
        _raise_if(id_violations(message.lender_park_id, "agreement.lender_park_id"))
        principal = _authorize(Action.REGISTER, park=message.lender_park_id)
        agreement = MutualAid(message.lender_park_id, message.borrower_park_id, tuple(message.resource_types), message.max_travel_minutes)

        def work(session: Session) -> pb.CreateMutualAidAgreementResponse:
            stored = policies.set_mutual_aid(session, agreement=agreement, actor=principal.subject, replace=False)
            return pb.CreateMutualAidAgreementResponse(agreement=mp.agreement_to_pb(stored))

        return await self._mutate("CreateMutualAidAgreement", request, pb.CreateMutualAidAgreementResponse, work, {"mutual_aid": "agreement"})

    async def ListMutualAidAgreements(
        self, request: pb.ListMutualAidAgreementsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListMutualAidAgreementsResponse:
        """Agreements a park lends or borrows under, or all."""
        park_id = _optional_id(request.park_id, "park_id")
        _authorize(Action.READ)
        return await self._read(
            lambda s: pb.ListMutualAidAgreementsResponse(agreements=[mp.agreement_to_pb(a) for a in policies.list_mutual_aid(s, park_id=park_id)])
        )

    async def DeleteMutualAidAgreement(
        self, request: pb.DeleteMutualAidAgreementRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteMutualAidAgreementResponse:
        """End an agreement."""
        violations: list[FieldViolation] = []
        parties = mp.parse_agreement(request.name, "name", violations)
        _raise_if(violations)
        assert parties is not None
        lender, borrower = parties
        principal = _authorize(Action.REGISTER, park=lender)

        def work(session: Session) -> pb.DeleteMutualAidAgreementResponse:
            ended = policies.delete_mutual_aid(session, lender_park=lender, borrower_park=borrower, actor=principal.subject)
            return pb.DeleteMutualAidAgreementResponse(agreement=mp.agreement_to_pb(ended))

        return await self._mutate("DeleteMutualAidAgreement", request, pb.DeleteMutualAidAgreementResponse, work)

    # ------------------------------------------------------------ bulk import

    async def ImportInventory(self, request: pb.ImportInventoryRequest, context: grpc.aio.ServicerContext) -> pb.ImportInventoryResponse:
        """Validate a park's whole inventory outside the write lock, then apply it in one transaction, or nothing."""
        (park_id,) = parse("park", request.parent, "parent")
        principal = _authorize(Action.REGISTER, park=park_id)
        _raise_if(request_id_violations(request.request_id))
        prepared = await run_in_thread(importing.prepare, self._store, request, park_id)
        if request.validate_only:
            return prepared.preview()

        def work(session: Session) -> pb.ImportInventoryResponse:
            return importing.apply(session, prepared, principal.subject)

        return await self._mutate("ImportInventory", request, pb.ImportInventoryResponse, work)

    # ------------------------------------------------------------ availability and reservations

    async def GetAvailabilitySnapshot(
        self, request: pb.GetAvailabilitySnapshotRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetAvailabilitySnapshotResponse:
        """Available units, committed units, available stock, policies and agreements of a namespace."""
        namespace = _namespace(request.exercise_id)
        _authorize(Action.READ)
        violations: list[FieldViolation] = []
        for i, park_id in enumerate(request.park_ids):
            violations += id_violations(park_id, f"park_ids[{i}]")
        _raise_if(violations)

        def work(session: Session) -> pb.GetAvailabilitySnapshotResponse:
            snap = snapshot.availability(
                session,
                namespace=namespace,
                park_ids=list(request.park_ids),
                types=list(request.resource_types),
                size=request.page_size,
                token=request.page_token,
            )
            depots = {(d.park_id, d.depot_id): d for d in snap.depots}
            return pb.GetAvailabilitySnapshotResponse(
                snapshot_version=snap.version,
                units=[mp.available_unit_to_pb(u, depots) for u in snap.units],
                committed_units=[mp.available_unit_to_pb(u, depots) for u in snap.committed_units],
                stocks=[mp.available_stock_to_pb(s, depots) for s in snap.stocks],
                reserve_policies=[mp.policy_to_pb(p) for p in snap.reserve_policies],
                agreements=[mp.agreement_to_pb(a) for a in snap.mutual_aid],
                parks=[mp.park_to_pb(p) for p in snap.parks],
                next_page_token=snap.next_page_token,
                detectors=[] if request.page_token else snapshot_detectors(session, list(request.park_ids)),
            )

        return await self._read(work)

    async def ReserveResources(self, request: pb.ReserveResourcesRequest, context: grpc.aio.ServicerContext) -> pb.ReserveResourcesResponse:
        """Hold every requested unit and amount, or nothing (ABORTED listing every conflict)."""
        namespace = _namespace(request.exercise_id)
        principal = _authorize(Action.RESERVE, exercise_id=namespace)
        violations: list[FieldViolation] = []
        units = [UnitRequest(park, unit, version) for park, unit, version in mp.unit_holds(request.units, violations)]
        stocks = []
        for i, hold in enumerate(request.stocks):
            ids = mp.parse_name("stock", hold.stock, f"stocks[{i}].stock", violations)
            amount = mp.whole(hold.amount, f"stocks[{i}].amount", violations)
            park, depot, type_code = ids or ("", "", "")
            stocks.append(StockRequest(park, depot, type_code, amount=amount, expected_version=hold.version))
        _raise_if(violations)
        renames: dict[str, str] = {}
        for i in range(len(units)):
            renames |= {f"units[{i}].park_id": f"units[{i}].unit", f"units[{i}].unit_id": f"units[{i}].unit"}
        for i in range(len(stocks)):
            renames |= {f"stocks[{i}].park_id": f"stocks[{i}].stock", f"stocks[{i}].depot_id": f"stocks[{i}].stock"}

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
            return pb.ReserveResourcesResponse(reservation=mp.reservation_to_pb(held), snapshot_version=snapshot_version(session, namespace))

        return await self._mutate("ReserveResources", request, pb.ReserveResourcesResponse, work, renames)

    async def ConfirmReservation(self, request: pb.ConfirmReservationRequest, context: grpc.aio.ServicerContext) -> pb.ConfirmReservationResponse:
        """Commit a reservation: units en route, stock issued."""
        (reservation_id,) = parse("reservation", request.name)
        principal = _authorize(Action.READ)

        def work(session: Session) -> pb.ConfirmReservationResponse:
            namespace = _reservation_namespace(session, principal, reservation_id)
            confirmed = reservations.confirm(session, reservation_id=reservation_id, namespace=namespace, actor=principal.subject)
            return pb.ConfirmReservationResponse(reservation=mp.reservation_to_pb(confirmed))

        return await self._mutate("ConfirmReservation", request, pb.ConfirmReservationResponse, work)

    async def ReleaseReservation(self, request: pb.ReleaseReservationRequest, context: grpc.aio.ServicerContext) -> pb.ReleaseReservationResponse:
        """Give back the listed held items, or all of them."""
        (reservation_id,) = parse("reservation", request.name)
        principal = _authorize(Action.READ)
        violations: list[FieldViolation] = []
        units = [ids for i, n in enumerate(request.units) if (ids := mp.parse_name("unit", n, f"units[{i}]", violations))]
        stocks = [ids for i, n in enumerate(request.stocks) if (ids := mp.parse_name("stock", n, f"stocks[{i}]", violations))]
        _raise_if(violations)

        def work(session: Session) -> pb.ReleaseReservationResponse:
            namespace = _reservation_namespace(session, principal, reservation_id)
            released = reservations.release(
                session,
                reservation_id=reservation_id,
                namespace=namespace,
                units=[(u[0], u[1]) for u in units],
                stocks=[(s[0], s[1], s[2]) for s in stocks],
                reason=request.reason,
                actor=principal.subject,
            )
            return pb.ReleaseReservationResponse(reservation=mp.reservation_to_pb(released))

        return await self._mutate("ReleaseReservation", request, pb.ReleaseReservationResponse, work)

    async def GetReservation(self, request: pb.GetReservationRequest, context: grpc.aio.ServicerContext) -> pb.GetReservationResponse:
        """One reservation, whatever its namespace."""
        (reservation_id,) = parse("reservation", request.name)
        _authorize(Action.READ)
        return await self._read(
            lambda s: pb.GetReservationResponse(
                reservation=mp.reservation_to_pb(reservations.get_reservation(s, reservation_id=reservation_id, namespace=None))
            )
        )

    async def ListReservations(self, request: pb.ListReservationsRequest, context: grpc.aio.ServicerContext) -> pb.ListReservationsResponse:
        """A page of a namespace's reservations, newest first."""
        namespace = _namespace(request.exercise_id)
        _authorize(Action.READ)
        violations: list[FieldViolation] = []
        states: list[ReservationState] = [s for i, value in enumerate(request.states) if (s := mp.reservation_state(value, f"states[{i}]", violations))]
        _raise_if(violations)

        def work(session: Session) -> pb.ListReservationsResponse:
            page, token = reservations.list_reservations(
                session, namespace=namespace, incident=request.incident, states=states, size=request.page_size, token=request.page_token
            )
            return pb.ListReservationsResponse(reservations=[mp.reservation_to_pb(r) for r in page], next_page_token=token)

        return await self._read(work)

    # ------------------------------------------------------------ exercises

    async def CreateExercise(self, request: pb.CreateExerciseRequest, context: grpc.aio.ServicerContext) -> pb.CreateExerciseResponse:
        """Open an exercise namespace."""
        principal = _authorize(Action.MANAGE_EXERCISE)

        def work(session: Session) -> pb.CreateExerciseResponse:
            started = exercises.start_exercise(session, exercise_id=request.exercise_id, name=request.title, actor=principal.subject)
            return pb.CreateExerciseResponse(exercise=mp.exercise_to_pb(started))

        return await self._mutate("CreateExercise", request, pb.CreateExerciseResponse, work, {"display_name": "title"})

    async def GetExercise(self, request: pb.GetExerciseRequest, context: grpc.aio.ServicerContext) -> pb.GetExerciseResponse:
        """One exercise."""
        (exercise_id,) = parse("exercise", request.name)
        _authorize(Action.READ)
        return await self._read(lambda s: pb.GetExerciseResponse(exercise=mp.exercise_to_pb(exercises.get_exercise(s, exercise_id=exercise_id))))

    async def EndExercise(self, request: pb.EndExerciseRequest, context: grpc.aio.ServicerContext) -> pb.EndExerciseResponse:
        """End an exercise, discarding everything it changed."""
        (exercise_id,) = parse("exercise", request.name)
        principal = _authorize(Action.MANAGE_EXERCISE)

        def work(session: Session) -> pb.EndExerciseResponse:
            return pb.EndExerciseResponse(exercise=mp.exercise_to_pb(exercises.end_exercise(session, exercise_id=exercise_id, actor=principal.subject)))

        return await self._mutate("EndExercise", request, pb.EndExerciseResponse, work)


def _dedupe(error: ServiceError) -> ServiceError:
    """Keep the first violation per field path."""
    seen: dict[str, FieldViolation] = {}
    for violation in error.violations:
        seen.setdefault(violation.field, violation)
    error.violations = list(seen.values())
    return error
