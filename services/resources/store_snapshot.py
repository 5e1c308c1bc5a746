"""The availability snapshot of a namespace in the store: units by page; stocks, depots, parks and policies on the first page."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, literal, or_, select, tuple_
from sqlmodel import Session

from services.common.pagination import open_page
from services.resources.domain import LIVE, Snapshot, UnitState
from services.resources.events import snapshot_version
from services.resources.namespaces import require_namespace, stocks_view, units_view
from services.resources.sql import all_rows, run
from services.resources.store_policies import mutual_aid_from_row, policy_from_row
from services.resources.store_registry import depot_from_row, park_from_row, unit_from_row
from services.resources.store_stock import stock_from_row
from services.resources.tables import AID, DEPOTS, PARKS, POLICIES

DEFAULT_SNAPSHOT_PAGE = 1000
MAX_SNAPSHOT_PAGE = 10000
# Units committed to incidents, which a planner may count as already there (or move at a cost).
COMMITTED_IN_SNAPSHOT = (UnitState.RESERVED.value, UnitState.EN_ROUTE.value, UnitState.ON_SCENE.value)


def availability(
    session: Session,
    *,
    namespace: str = LIVE,
    park_ids: Sequence[str] = (),
    types: Sequence[str] = (),
    states: Sequence[UnitState] = (UnitState.AVAILABLE,),
    size: int = 0,
    token: str = "",
) -> Snapshot:
    """Units (AVAILABLE by default) with positions and capabilities, plus available stock and policies, with a version.

    Pages follow (park_id, unit_id) and carry the version of the first page, so one snapshot's pages share it.
    Reading the pages is not one transaction: a client may restart when it sees a newer version elsewhere,
    and reservations are checked against unit versions anyway. Depots come with every page (units need their
    home positions); stocks, parks, policies, agreements and committed units with the first page only.
    """
    require_namespace(session, namespace)
    state_values = sorted(s.value for s in (states or (UnitState.AVAILABLE,)))
    filters = {"list": "snapshot", "namespace": namespace, "parks": sorted(park_ids), "types": sorted(types), "states": state_values}
    page = open_page(token, size, filters, default=DEFAULT_SNAPSHOT_PAGE, maximum=MAX_SNAPSHOT_PAGE, keys=("park_id", "unit_id", "version"))
    after = page.after
    version = int(after["version"]) if after is not None else snapshot_version(session, namespace)
    view = units_view(namespace)
    conditions = [view.c.retired.is_(False)]
    if park_ids:
        conditions.append(view.c.park_id.in_(list(park_ids)))
    if types:
        conditions.append(view.c.type.in_(list(types)))
    page_conditions = [*conditions, view.c.state.in_(state_values)]
    stmt = select(view).where(*page_conditions).order_by(view.c.park_id, view.c.unit_id).limit(page.limit)
    if after is not None:
        stmt = stmt.where(tuple_(view.c.park_id, view.c.unit_id) > tuple_(literal(after["park_id"]), literal(after["unit_id"])))
    rows, next_token = page.cut(all_rows(session, stmt), lambda row: {"park_id": row["park_id"], "unit_id": row["unit_id"], "version": version})
    units = tuple(unit_from_row(r) for r in rows)
    depot_stmt = select(DEPOTS).where(DEPOTS.c.retired.is_(False)).order_by(DEPOTS.c.park_id, DEPOTS.c.depot_id)
    if park_ids:
        depot_stmt = depot_stmt.where(DEPOTS.c.park_id.in_(list(park_ids)))
    depots = tuple(depot_from_row(r) for r in all_rows(session, depot_stmt))
    if after is not None:
        return Snapshot(namespace=namespace, version=version, units=units, depots=depots, next_page_token=next_token)
    total = run(session, select(func.count()).select_from(view).where(*page_conditions)).scalar_one()
    committed_stmt = select(view).where(*conditions, view.c.state.in_(COMMITTED_IN_SNAPSHOT)).order_by(view.c.park_id, view.c.unit_id)
    stocks = stocks_view(namespace)
    stock_stmt = select(stocks).order_by(stocks.c.park_id, stocks.c.depot_id, stocks.c.type)
    park_stmt = select(PARKS).order_by(PARKS.c.park_id)
    policy_stmt = select(POLICIES).order_by(POLICIES.c.park_id, POLICIES.c.type)
    aid_stmt = select(AID).order_by(AID.c.lender_park, AID.c.borrower_park)
    if park_ids:
        wanted = list(park_ids)
        stock_stmt = stock_stmt.where(stocks.c.park_id.in_(wanted))
        park_stmt = park_stmt.where(PARKS.c.park_id.in_(wanted))
        policy_stmt = policy_stmt.where(POLICIES.c.park_id.in_(wanted))
        aid_stmt = aid_stmt.where(or_(AID.c.lender_park.in_(wanted), AID.c.borrower_park.in_(wanted)))
    if types:
        stock_stmt = stock_stmt.where(stocks.c.type.in_(list(types)))
        policy_stmt = policy_stmt.where(POLICIES.c.type.in_(list(types)))
    return Snapshot(
        namespace=namespace,
        version=version,
        units=units,
        next_page_token=next_token,
        total_units=int(total),
        committed_units=tuple(unit_from_row(r) for r in all_rows(session, committed_stmt)),
        stocks=tuple(stock_from_row(r) for r in all_rows(session, stock_stmt)),
        depots=depots,
        parks=tuple(park_from_row(r) for r in all_rows(session, park_stmt)),
        reserve_policies=tuple(policy_from_row(r) for r in all_rows(session, policy_stmt)),
        mutual_aid=tuple(mutual_aid_from_row(r) for r in all_rows(session, aid_stmt)),
    )
