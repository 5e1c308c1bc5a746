"""Persistence of the alarm intake: every session and query of this service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.alarms.correlation import Decision, Group
from services.alarms.payload import Message
from services.alarms.tables import AlarmRow, GroupRow, StreamPositionRow, SuppressionRow
from services.common.clock import as_utc
from services.common.transactions import Transactions

ALARMS = AlarmRow.__table__  # type: ignore[attr-defined]
R = TypeVar("R", bound=SQLModel)


def _tx(engine: Engine) -> Transactions:
    """The transactions of the engine (writers of one SQLite database queue on one lock; transient conflicts are retried)."""
    return Transactions(engine)


def _rows(session: Session, statement: SelectOfScalar[R]) -> list[R]:
    """The rows a statement selects, detached so they stay readable after the read transaction ends."""
    rows = list(session.exec(statement).all())
    session.expunge_all()
    return rows


def record(engine: Engine, messages: Sequence[tuple[Message, datetime]]) -> int:
    """Insert received messages in one transaction, skipping (topic, message id) pairs already recorded; return how many were new."""
    if not messages:
        return 0
    rows = [
        {
            "topic": m.topic[:300],
            "message_id": m.message_id,
            "exercise_id": m.exercise_id,
            "detector": m.detector,
            "level": m.level,
            "reading": m.reading,
            "unit": m.unit,
            "measured_at": m.time,
            "received_at": received,
            "text": m.text[:500],
            "state": "REJECTED" if m.reason else "PENDING",
            "reason": m.reason,
            "detail": m.detail,
            "decided_at": received if m.reason else None,
        }
        for m, received in messages
    ]

    def insert(session: Session) -> int:
        dialect = session.get_bind().dialect.name
        stmt = (postgresql.insert(ALARMS) if dialect == "postgresql" else sqlite.insert(ALARMS)).on_conflict_do_nothing(index_elements=["topic", "message_id"])
        result = session.connection().execute(stmt, rows)
        return max(int(result.rowcount or 0), 0)

    return _tx(engine).write(insert)


def pending(engine: Engine, limit: int) -> list[AlarmRow]:
    """The oldest undecided alarms."""
    return _tx(engine).read(_rows, select(AlarmRow).where(AlarmRow.state == "PENDING").order_by(col(AlarmRow.seq)).limit(limit))


def save(engine: Engine, decisions: Sequence[Decision], groups: Sequence[Group], now: datetime) -> None:
    """Store decisions and the groups they changed in one transaction."""

    def write(session: Session) -> None:
        if decisions:
            stmt = (
                update(ALARMS)
                .where(ALARMS.c.seq == bindparam("b_seq"))
                .values(
                    state=bindparam("b_state"), reason=bindparam("b_reason"), detail=bindparam("b_detail"), incident=bindparam("b_incident"), decided_at=now
                )
            )
            params = [{"b_seq": d.seq, "b_state": d.state, "b_reason": d.reason, "b_detail": d.detail[:500], "b_incident": d.incident} for d in decisions]
            session.connection().execute(stmt, params)
        for g in groups:
            values = group_values(g)
            if session.get(GroupRow, g.incident) is None:
                session.add(GroupRow(**values))
            else:
                session.execute(update(GroupRow).where(col(GroupRow.incident) == g.incident).values(**values))

    _tx(engine).write(write)


# A group's fields that are columns of its row (the rises not yet applied live only in memory).
GROUP_COLUMNS = tuple(f.name for f in fields(Group) if f.name != "rises")


def group_values(g: Group) -> dict[str, Any]:
    """Column values of a group."""
    return {**{name: getattr(g, name) for name in GROUP_COLUMNS}, "members": dict(g.members)}


def group_from_row(row: GroupRow) -> Group:
    """A group from its row."""
    values = {name: getattr(row, name) for name in GROUP_COLUMNS}
    return Group(**{**values, "members": dict(row.members), "first_alarm_at": as_utc(row.first_alarm_at), "last_alarm_at": as_utc(row.last_alarm_at)})


def live_groups(engine: Engine) -> list[Group]:
    """Groups that can still take alarms."""
    statement = select(GroupRow).where(col(GroupRow.status).in_(["OPEN", "RESPONDING"]))
    return _tx(engine).read(lambda session: [group_from_row(r) for r in session.exec(statement).all()])


def alarms_page(session: Session, exercise_id: str, *, state: str, incident: str, before_seq: int | None, limit: int) -> list[AlarmRow]:
    """At most `limit` alarms of a namespace, newest first, optionally of one state and one incident, below `before_seq`."""
    stmt = select(AlarmRow).where(AlarmRow.exercise_id == exercise_id)
    if state:
        stmt = stmt.where(AlarmRow.state == state)
    if incident:
        stmt = stmt.where(AlarmRow.incident == incident)
    if before_seq is not None:
        stmt = stmt.where(col(AlarmRow.seq) < before_seq)
    return list(session.exec(stmt.order_by(col(AlarmRow.seq).desc()).limit(limit)).all())


def groups_page(session: Session, exercise_id: str, *, after_incident: str | None, limit: int) -> list[GroupRow]:
    """At most `limit` incidents alarms went into, of a namespace, in name order after `after_incident`."""
    stmt = select(GroupRow).where(GroupRow.exercise_id == exercise_id)
    if after_incident is not None:
        stmt = stmt.where(col(GroupRow.incident) > after_incident)
    return list(session.exec(stmt.order_by(col(GroupRow.incident)).limit(limit)).all())


def group_row(session: Session, incident: str) -> GroupRow | None:
    """One incident's alarm record as stored."""
    return session.get(GroupRow, incident)


def get_group(engine: Engine, incident: str) -> Group | None:
    """One group."""

    def read(session: Session) -> Group | None:
        row = session.get(GroupRow, incident)
        return group_from_row(row) if row else None

    return _tx(engine).read(read)


def set_status(engine: Engine, incident: str, status: str) -> Group | None:
    """Change a group's status; None if the incident is not one of ours."""

    def write(session: Session) -> Group | None:
        row = session.get(GroupRow, incident)
        if row is None:
            return None
        row.status = status
        session.add(row)
        return group_from_row(row)

    return _tx(engine).write(write)


def suppress(engine: Engine, exercise_id: str, detectors: Sequence[str], until: datetime, incident: str) -> None:
    """Suppress detectors until a time (replacing an earlier suppression)."""

    def write(session: Session) -> None:
        for detector in detectors:
            row = session.get(SuppressionRow, (exercise_id, detector))
            if row is None:
                session.add(SuppressionRow(exercise_id=exercise_id, detector=detector, until=until, incident=incident))
            else:
                row.until, row.incident = until, incident
                session.add(row)

    _tx(engine).write(write)


def suppressions(engine: Engine, now: datetime) -> dict[tuple[str, str], datetime]:
    """Suppressions still running."""
    found = _tx(engine).read(lambda session: {(r.exercise_id, r.detector): as_utc(r.until) for r in session.exec(select(SuppressionRow)).all()})
    return {k: v for k, v in found.items() if v > now}


def unnoted(engine: Engine, limit: int) -> list[AlarmRow]:
    """Accepted alarms not yet on their incident's timeline, oldest first."""
    stmt = select(AlarmRow).where(AlarmRow.state == "ACCEPTED", AlarmRow.noted == False).order_by(col(AlarmRow.seq)).limit(limit)  # noqa: E712
    return _tx(engine).read(_rows, stmt)


def mark_noted(engine: Engine, seqs: Sequence[int]) -> None:
    """Alarms now on their incident's timeline."""
    _tx(engine).write(lambda session: session.connection().execute(update(ALARMS).where(ALARMS.c.seq.in_(list(seqs))).values(noted=True)))


def stream_position(engine: Engine, stream: str) -> str:
    """Last entry id read from a stream ("" for none)."""

    def read(session: Session) -> str:
        row = session.get(StreamPositionRow, stream)
        return row.last_id if row else ""

    return _tx(engine).read(read)


def save_stream_position(engine: Engine, stream: str, last_id: str) -> None:
    """Remember how far a stream was read."""

    def write(session: Session) -> None:
        row = session.get(StreamPositionRow, stream)
        if row is None:
            session.add(StreamPositionRow(stream=stream, last_id=last_id))
        else:
            row.last_id = last_id
            session.add(row)

    _tx(engine).write(write)
