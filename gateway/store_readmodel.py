"""Persistence of the situation read model: each replica's entries and stream positions, saved together so they agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from gateway.tables import ReadModelItemRow, ReadModelPositionRow
from services.common.db import read_only, session_scope
from services.common.outbox import utcnow


@dataclass(frozen=True)
class Item:
    """One entry to save: its kind, key, version and serialised body (None: it left the picture)."""

    kind: str
    key: str
    version: int
    body: bytes | None


@dataclass(frozen=True)
class Checkpoint:
    """What a replica saved last: its entries as (kind, key, body) and its position in each stream."""

    items: list[tuple[str, str, bytes]]
    positions: dict[str, str]


def load(engine: Engine, replica: str) -> Checkpoint | None:
    """The replica's last checkpoint, or None if it never saved one."""
    with Session(read_only(engine)) as session:
        positions = {row.stream: row.position for row in session.exec(select(ReadModelPositionRow).where(ReadModelPositionRow.replica == replica))}
        if not positions:
            return None
        rows = session.exec(select(ReadModelItemRow).where(ReadModelItemRow.replica == replica))
        return Checkpoint(items=[(row.kind, row.key, row.body) for row in rows], positions=positions)


def save(engine: Engine, replica: str, items: Sequence[Item], positions: Mapping[str, str], *, replace: bool = False) -> None:
    """Save changed entries (all of them with replace) and the positions they correspond to, in one transaction."""
    with session_scope(engine) as session:
        if replace:
            session.exec(delete(ReadModelItemRow).where(col(ReadModelItemRow.replica) == replica))
            session.add_all(ReadModelItemRow(replica=replica, kind=i.kind, key=i.key, version=i.version, body=i.body) for i in items if i.body is not None)
        else:
            for item in items:
                if item.body is None:
                    # A statement, not an ORM delete: a save still finishing (cancelled at stop) may have removed it already.
                    entry = (col(ReadModelItemRow.replica) == replica, col(ReadModelItemRow.kind) == item.kind, col(ReadModelItemRow.key) == item.key)
                    session.exec(delete(ReadModelItemRow).where(*entry))
                    continue
                row = session.get(ReadModelItemRow, (replica, item.kind, item.key))
                if row is None:
                    session.add(ReadModelItemRow(replica=replica, kind=item.kind, key=item.key, version=item.version, body=item.body))
                else:
                    row.version, row.body = item.version, item.body
                    session.add(row)
        for stream, position in positions.items():
            current = session.get(ReadModelPositionRow, (replica, stream))
            if current is None:
                session.add(ReadModelPositionRow(replica=replica, stream=stream, position=position))
            else:
                current.position, current.saved_at = position, utcnow()
                session.add(current)


def forget(engine: Engine, replica: str) -> None:
    """Remove a replica's read model (entries and positions)."""
    with session_scope(engine) as session:
        session.exec(delete(ReadModelItemRow).where(col(ReadModelItemRow.replica) == replica))
        session.exec(delete(ReadModelPositionRow).where(col(ReadModelPositionRow.replica) == replica))
