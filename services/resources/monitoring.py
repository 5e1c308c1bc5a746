"""The resources service's metrics, read from its store: units by state, reservations, reserve levels and low stock (live only)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from services.common.db import read_only
from services.common.metrics import Figure, Reading, observe_figures
from services.resources.domain import LIVE, UnitState
from services.resources.tables import ReservationRow, ReservePolicyRow, StockRow, UnitRow

SERVICE = "resources"


def _rows(engine: Engine, stmt: Any) -> list[Any]:
    """All rows of a read-only query."""
    with Session(read_only(engine)) as session:
        return list(session.exec(stmt).all())


def units_by_state(engine: Engine) -> list[Reading]:
    """Live units in service, by park, type and state."""
    stmt = (
        select(UnitRow.park_id, UnitRow.type, UnitRow.state, func.count())
        .where(UnitRow.namespace == LIVE, col(UnitRow.retired).is_(False))
        .group_by(UnitRow.park_id, UnitRow.type, UnitRow.state)
    )
    return [(float(n), {"park": park, "type": kind, "state": state}) for park, kind, state, n in _rows(engine, stmt)]


def reservations_by_state(engine: Engine) -> list[Reading]:
    """Reservations by state (EXPIRED counts the holds that ran out), live and in drills."""
    drill = (col(ReservationRow.namespace) != LIVE).label("drill")
    stmt = select(ReservationRow.state, drill, func.count()).group_by(ReservationRow.state, drill)
    return [(float(n), {"state": state, "namespace": "drill" if is_drill else "live"}) for state, is_drill, n in _rows(engine, stmt)]


def reserve_levels(engine: Engine) -> list[tuple[str, str, float, int]]:
    """(park, type, available at home, minimum) for every reserve policy: units available, or stock on hand less reserved."""
    units: Counter[tuple[str, str]] = Counter()
    for park, kind, n in _rows(
        engine,
        select(UnitRow.park_id, UnitRow.type, func.count())
        .where(UnitRow.namespace == LIVE, col(UnitRow.retired).is_(False), UnitRow.state == UnitState.AVAILABLE.value)
        .group_by(UnitRow.park_id, UnitRow.type),
    ):
        units[(park, kind)] = int(n)
    unit_types = {(park, kind) for park, kind in _rows(engine, select(UnitRow.park_id, UnitRow.type).where(UnitRow.namespace == LIVE).distinct())}
    stock: defaultdict[tuple[str, str], float] = defaultdict(float)
    for park, kind, amount in _rows(
        engine,
        select(StockRow.park_id, StockRow.type, func.sum(StockRow.on_hand - StockRow.reserved))
        .where(StockRow.namespace == LIVE)
        .group_by(StockRow.park_id, StockRow.type),
    ):
        stock[(park, kind)] = float(amount or 0)
    levels = []
    for park, kind, minimum in _rows(engine, select(ReservePolicyRow.park_id, ReservePolicyRow.type, ReservePolicyRow.min_available)):
        key = (park, kind)
        available = float(units[key]) if key in unit_types or key not in stock else stock[key]
        levels.append((park, kind, available, int(minimum)))
    return levels


def reserve_shortfall(engine: Engine) -> list[Reading]:
    """How far each park and type is under its reserve minimum (0 when it is not)."""
    return [(max(0.0, minimum - available), {"park": park, "type": kind}) for park, kind, available, minimum in reserve_levels(engine)]


def parks_below_reserve(engine: Engine) -> list[Reading]:
    """The number of parks with at least one type under its reserve minimum."""
    return [(float(len({park for park, _kind, available, minimum in reserve_levels(engine) if available < minimum})), {})]


def low_stock_depots(engine: Engine) -> list[Reading]:
    """Per park, the depots holding at least one stock under its minimum level (on hand less reserved)."""
    stmt = (
        select(StockRow.park_id, func.count(func.distinct(StockRow.depot_id)))
        .where(StockRow.namespace == LIVE, StockRow.minimum_level > 0, StockRow.on_hand - StockRow.reserved < StockRow.minimum_level)
        .group_by(StockRow.park_id)
    )
    return [(float(n), {"park": park}) for park, n in _rows(engine, stmt)]


FIGURES = (
    Figure("emergency.units", "{unit}", "Live units in service by park, type and state", units_by_state),
    Figure("emergency.reservations", "{reservation}", "Reservations by state", reservations_by_state),
    Figure("emergency.reserve.shortfall", "{amount}", "How far a park is under its reserve minimum, by type", reserve_shortfall),
    Figure("emergency.parks.below_reserve", "{park}", "Parks under a reserve minimum", parks_below_reserve),
    Figure("emergency.depots.low_stock", "{depot}", "Depots with a stock under its minimum level, by park", low_stock_depots),
)


def observe(engine: Engine) -> Callable[[], None]:
    """Report the resources gauges from this engine until the returned function is called."""
    return observe_figures(SERVICE, engine, FIGURES)
