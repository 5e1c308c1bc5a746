"""Statement helpers of the store: Core statements inside a session's transaction, row decoding, keyset pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Executable, Select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import KeyedColumnElement
from sqlmodel import Session

from services.common.clock import as_utc
from services.common.errors import ServiceError, not_found
from services.common.pagination import open_page

T = TypeVar("T")


def run(session: Session, stmt: Executable) -> CursorResult[Any]:
    """Execute a statement on the session's connection (same transaction, no ORM identity map)."""
    return session.connection().execute(stmt)


def one(session: Session, stmt: Executable) -> Mapping[str, Any] | None:
    """The first row of a query as a mapping, or None."""
    return cast(Mapping[str, Any] | None, run(session, stmt).mappings().first())


def all_rows(session: Session, stmt: Executable) -> Sequence[Mapping[str, Any]]:
    """Every row of a query as mappings."""
    return cast(Sequence[Mapping[str, Any]], run(session, stmt).mappings().all())


def found(row: Mapping[str, Any] | None, decode_row: Callable[[Mapping[str, Any]], T], kind: str, name: str) -> T:
    """The decoded row, or NOT_FOUND naming the resource when there is none."""
    if row is None:
        raise not_found(kind, name)
    return decode_row(row)


def insert_or_raise(session: Session, stmt: Executable, error: ServiceError) -> None:
    """Insert, turning a key collision (e.g. a concurrent create) into the given error."""
    try:
        session.connection().execute(stmt)
    except IntegrityError as exc:
        raise error from exc


_LAYOUTS: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}


def _layout(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
    """The field names of a dataclass, and those that hold timestamps."""
    layout = _LAYOUTS.get(cls)
    if layout is None:
        declared = fields(cls)
        layout = _LAYOUTS[cls] = (tuple(f.name for f in declared), frozenset(f.name for f in declared if "datetime" in str(f.type)))
    return layout


def decode(cls: type[T], row: Mapping[str, Any], **derived: Any) -> T:
    """A domain record from a row: fields named like a column take its value (timestamps in UTC), the others are given."""
    names, times = _layout(cls)
    values = {name: row[name] for name in names if name not in derived and name in row}
    for name in times & values.keys():
        if values[name] is not None:
            values[name] = as_utc(values[name])
    return cls(**values, **derived)


def where_equal(stmt: Select[Any], **values: object) -> Select[Any]:
    """A query narrowed to the rows whose column equals each value given; an empty value narrows nothing."""
    for column, value in values.items():
        if value:
            stmt = stmt.where(stmt.selected_columns[column] == value)
    return stmt


def keyset_page(
    session: Session,
    stmt: Select[Any],
    keys: Sequence[KeyedColumnElement[Any]],
    decode_row: Callable[[Mapping[str, Any]], T],
    *,
    filters: Mapping[str, Any],
    size: int,
    token: str,
) -> tuple[list[T], str]:
    """One page of a query in key order, after the key in the token; the next page's token, or "" after the last."""
    names = [key.key for key in keys]
    page = open_page(token, size, filters, keys=names)
    stmt = stmt.order_by(*keys).limit(page.limit)
    if page.after is not None:
        after = [page.after[name] for name in names]
        stmt = stmt.where(tuple_(*keys) > tuple_(*after) if len(keys) > 1 else keys[0] > after[0])
    rows, next_token = page.cut(all_rows(session, stmt), lambda row: {name: row[name] for name in names})
    return [decode_row(r) for r in rows], next_token
