"""Copy-on-write namespaces: live rows have namespace '', an exercise overlays copies of only what it changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, Subquery, and_, exists, select, union_all
from sqlmodel import Session

from services.common.errors import failed_precondition, not_found
from services.common.names import EXERCISE
from services.resources.domain import LIVE, ExerciseState
from services.resources.events import dialect_insert
from services.resources.sql import all_rows
from services.resources.tables import EXERCISES, STOCKS, UNITS


def require_namespace(session: Session, namespace: str, *, lock: bool = False) -> None:
    """Refuse an unknown or ended exercise; with lock, hold a share lock so the exercise cannot end mid-call."""
    if namespace == LIVE:
        return
    stmt = select(EXERCISES.c.state).where(EXERCISES.c.exercise_id == namespace)
    if lock:
        stmt = stmt.with_for_update(read=True)
    state = session.connection().execute(stmt).scalar()
    if state is None:
        raise not_found("exercise", EXERCISE.format(namespace))
    if state != ExerciseState.ACTIVE:
        raise failed_precondition(
            "EXERCISE_ENDED",
            f"{EXERCISE.format(namespace)} has ended; its namespace is read-only and empty",
            {"exercise": EXERCISE.format(namespace), "current_state": str(state)},
        )


def _key_filter(table: Any, key: Mapping[str, str]) -> Any:
    """WHERE clause matching a row's natural key (without namespace)."""
    return and_(*(table.c[column] == value for column, value in key.items()))


def _lookup(session: Session, table: Any, namespace: str, key: Mapping[str, str]) -> Mapping[str, Any] | None:
    """The row visible in the namespace: the exercise's copy if it has one, else the live row."""
    namespaces = [LIVE] if namespace == LIVE else [LIVE, namespace]
    rows = all_rows(session, select(table).where(table.c.namespace.in_(namespaces), _key_filter(table, key)))
    by_ns = {row["namespace"]: row for row in rows}
    return by_ns.get(namespace) or by_ns.get(LIVE)


def unit_key(park_id: str, unit_id: str) -> dict[str, str]:
    """The natural key of a unit."""
    return {"park_id": park_id, "unit_id": unit_id}


def stock_key(park_id: str, depot_id: str, type_code: str) -> dict[str, str]:
    """The natural key of a stock."""
    return {"park_id": park_id, "depot_id": depot_id, "type": type_code}


def find_unit(session: Session, namespace: str, park_id: str, unit_id: str) -> Mapping[str, Any] | None:
    """The unit row visible in the namespace, or None."""
    return _lookup(session, UNITS, namespace, unit_key(park_id, unit_id))


def find_stock(session: Session, namespace: str, park_id: str, depot_id: str, type_code: str) -> Mapping[str, Any] | None:
    """The stock row visible in the namespace, or None."""
    return _lookup(session, STOCKS, namespace, stock_key(park_id, depot_id, type_code))


def _materialise(session: Session, table: Any, namespace: str, key: Mapping[str, str]) -> bool:
    """Make sure the namespace has its own row for the key (copying live on first write); False if none exists."""
    if namespace == LIVE:
        live = session.connection().execute(select(table.c.namespace).where(table.c.namespace == LIVE, _key_filter(table, key)))
        return live.first() is not None
    row = _lookup(session, table, namespace, key)
    if row is None:
        return False
    if row["namespace"] == namespace:
        return True
    values = dict(row)
    values["namespace"] = namespace
    if table is STOCKS:
        # The drill inherits what was available live; live holds count as already spent, so the copy's
        # reserved total is only ever the drill's own holds.
        values["on_hand"] = row["on_hand"] - row["reserved"]
        values["reserved"] = 0
    session.connection().execute(dialect_insert(session, table).values(**values).on_conflict_do_nothing())
    return True


def materialise_unit(session: Session, namespace: str, park_id: str, unit_id: str) -> bool:
    """Give the namespace its own copy of a unit before changing it."""
    return _materialise(session, UNITS, namespace, unit_key(park_id, unit_id))


def materialise_stock(session: Session, namespace: str, park_id: str, depot_id: str, type_code: str) -> bool:
    """Give the namespace its own copy of a stock before changing it."""
    return _materialise(session, STOCKS, namespace, stock_key(park_id, depot_id, type_code))


def _view(table: Any, namespace: str, key_columns: tuple[str, ...], name: str) -> Subquery:
    """All rows visible in a namespace: its own rows, plus live rows it has no copy of."""
    if namespace == LIVE:
        return select(table).where(table.c.namespace == LIVE).subquery(name)
    overlay = table.alias("overlay")
    shadowed = exists().where(overlay.c.namespace == namespace, *(overlay.c[column] == table.c[column] for column in key_columns))
    own: Select[Any] = select(table).where(table.c.namespace == namespace)
    live: Select[Any] = select(table).where(table.c.namespace == LIVE, ~shadowed)
    return union_all(own, live).subquery(name)


def units_view(namespace: str) -> Subquery:
    """Units as seen from a namespace."""
    return _view(UNITS, namespace, ("park_id", "unit_id"), "units_view")


def stocks_view(namespace: str) -> Subquery:
    """Stocks as seen from a namespace."""
    return _view(STOCKS, namespace, ("park_id", "depot_id", "type"), "stocks_view")
