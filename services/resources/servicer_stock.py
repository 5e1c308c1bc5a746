"""ResourceService methods of depot stock and its ledger."""

from __future__ import annotations

from emergency.resources.v1 import resources_service_pb2 as pb
from sqlmodel import Session

from services.common.errors import FieldViolation, raise_if
from services.common.interceptors import Context
from services.common.names import STOCK
from services.resources import mapping as mp
from services.resources import mapping_requests as mq
from services.resources import stock, store_registry, store_stock
from services.resources.access import Action
from services.resources.servicer_base import ServicerBase, caller
from services.resources.validation import adjustment_violations


class StockRpcs(ServicerBase):
    """AdjustStock, UpdateStock, ListStocks and ListStockLedgerEntries."""

    async def AdjustStock(self, request: pb.AdjustStockRequest, context: Context) -> pb.AdjustStockResponse:
        """Book a receipt, correction or loss to a stock's ledger (a live receipt opens a new stock)."""
        park_id, depot_id, type_code = STOCK.parse(request.stock, "stock")
        namespace = mq.namespace(request.exercise_id)
        principal = caller(Action.ADJUST_STOCK, park=park_id, exercise_id=namespace)
        violations: list[FieldViolation] = []
        kind = mp.ledger_kind(request.kind, "kind", violations)
        violations += adjustment_violations(kind)
        delta = mp.whole(request.delta, "delta", violations)
        raise_if(violations)
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
            depot = store_registry.get_depot(session, park_id=park_id, depot_id=depot_id)
            return pb.AdjustStockResponse(stock=mp.stock_to_pb(after, depot.location), entry=mp.ledger_to_pb(entry))

        return await self._mutate("AdjustStock", request, pb.AdjustStockResponse, work)

    async def UpdateStock(self, request: pb.UpdateStockRequest, context: Context) -> pb.UpdateStockResponse:
        """Change a stock's minimum level."""
        park_id, depot_id, type_code = STOCK.parse(request.stock.name, "stock.name")
        principal = caller(Action.REGISTER, park=park_id)
        violations: list[FieldViolation] = []
        changes = mp.stock_changes_from_pb(park_id, depot_id, type_code, request.stock, violations)
        raise_if(violations)
        paths = mq.mask("stock", request.update_mask.paths)

        def work(session: Session) -> pb.UpdateStockResponse:
            after = stock.update_stock(session, park_id=park_id, depot_id=depot_id, type_code=type_code, changes=changes, paths=paths, actor=principal.subject)
            depot = store_registry.get_depot(session, park_id=park_id, depot_id=depot_id)
            return pb.UpdateStockResponse(stock=mp.stock_to_pb(after, depot.location))

        return await self._mutate("UpdateStock", request, pb.UpdateStockResponse, work)

    async def ListStocks(self, request: pb.ListStocksRequest, context: Context) -> pb.ListStocksResponse:
        """A page of stocks of one depot, one park or all, as seen from a namespace."""
        park_id, depot_id = mq.stock_parent(request.parent)
        namespace = mq.namespace(request.exercise_id)
        caller(Action.READ)

        def work(session: Session) -> pb.ListStocksResponse:
            stocks, token = store_stock.list_stocks(
                session,
                namespace=namespace,
                park_id=park_id,
                depot_id=depot_id,
                below_minimum_only=request.below_minimum_only,
                size=request.page_size,
                token=request.page_token,
            )
            depots = store_registry.depots_by_key(session)
            located = [(s, depots.get((s.park_id, s.depot_id))) for s in stocks]
            return pb.ListStocksResponse(stocks=[mp.stock_to_pb(s, depot.location if depot else None) for s, depot in located], next_page_token=token)

        return await self._read_in(namespace, work)

    async def ListStockLedgerEntries(self, request: pb.ListStockLedgerEntriesRequest, context: Context) -> pb.ListStockLedgerEntriesResponse:
        """A page of one stock's live ledger, oldest first."""
        park_id, depot_id, type_code = STOCK.parse(request.parent, "parent")
        caller(Action.READ)

        def work(session: Session) -> pb.ListStockLedgerEntriesResponse:
            store_stock.get_stock(session, park_id=park_id, depot_id=depot_id, type_code=type_code)
            entries, token = store_stock.list_ledger(
                session, park_id=park_id, depot_id=depot_id, type_code=type_code, size=request.page_size, token=request.page_token
            )
            return pb.ListStockLedgerEntriesResponse(entries=[mp.ledger_to_pb(e) for e in entries], next_page_token=token)

        return await self._read(work)
