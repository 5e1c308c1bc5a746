"""Persistence of the alarm intake: every session and query of this service."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from services.alarms.correlation import Decision, Group
from services.alarms.payload import Message
from services.alarms.tables import AlarmRow, GroupRow, StreamPositionRow, SuppressionRow
from services.common.db import read_only, session_scope

ALARMS = AlarmRow.__table__  # type: ignore[attr-defined]
# Writers of this process queue on a lock rather than on SQLite's busy handler, which sleeps up to 100 ms between tries.
_WRITER = threading.Lock()


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """One write transaction at a time in this process."""
    with _WRITER, session_scope(engine) as session:
        yield session


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


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
    with writing(engine) as session:
        dialect = session.get_bind().dialect.name
        stmt = (postgresql.insert(ALARMS) if dialect == "postgresql" else sqlite.insert(ALARMS)).on_conflict_do_nothing(index_elements=["topic", "message_id"])
        result = session.connection().execute(stmt, rows)
        return max(int(result.rowcount or 0), 0)


def pending(engine: Engine, limit: int) -> list[AlarmRow]:
    """The oldest undecided alarms."""
    with Session(read_only(engine), expire_on_commit=False) as session:
        return list(session.exec(select(AlarmRow).where(AlarmRow.state == "PENDING").order_by(col(AlarmRow.seq)).limit(limit)).all())


def save(engine: Engine, decisions: Sequence[Decision], groups: Sequence[Group], now: datetime) -> None:
    """Store decisions and the groups they changed in one transaction."""
    with writing(engine) as session:
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


def group_values(g: Group) -> dict[str, Any]:
    """Column values of a group."""
    return {
        "incident": g.incident,
        "exercise_id": g.exercise_id,
        "park_id": g.park_id,
        "substance_name": g.substance_name,
        "un_number": g.un_number,
        "hazard_class": g.hazard_class,
        "family": g.family,
        "members": dict(g.members),
        "alarm_count": g.alarm_count,
        "first_alarm_at": g.first_alarm_at,
        "last_alarm_at": g.last_alarm_at,
        "severity": g.severity,
        "opened_by_alarms": g.opened_by_alarms,
        "status": g.status,
    }


def group_from_row(row: GroupRow) -> Group:
    """A group from its row."""
    return Group(
        incident=row.incident,
        exercise_id=row.exercise_id,
        park_id=row.park_id,
        substance_name=row.substance_name,
        un_number=row.un_number,
        hazard_class=row.hazard_class,
        family=row.family,
        members=dict(row.members),
        alarm_count=row.alarm_count,
        first_alarm_at=aware(row.first_alarm_at),
        last_alarm_at=aware(row.last_alarm_at),
        severity=row.severity,
        opened_by_alarms=row.opened_by_alarms,
        status=row.status,
    )


def live_groups(engine: Engine) -> list[Group]:
    """Groups that can still take alarms."""
    with Session(read_only(engine)) as session:
        rows = session.exec(select(GroupRow).where(col(GroupRow.status).in_(["OPEN", "RESPONDING"]))).all()
        return [group_from_row(r) for r in rows]


def alarms_page(engine: Engine, exercise_id: str, *, state: str, incident: str, before_seq: int | None, limit: int) -> list[AlarmRow]:
    """Alarms of a namespace, newest first, optionally of one state and one incident, below `before_seq`; one more than `limit` tells if another page exists."""
    stmt = select(AlarmRow).where(AlarmRow.exercise_id == exercise_id)
    if state:
        stmt = stmt.where(AlarmRow.state == state)
    if incident:
        stmt = stmt.where(AlarmRow.incident == incident)
    if before_seq is not None:
        stmt = stmt.where(col(AlarmRow.seq) < before_seq)
    with Session(read_only(engine), expire_on_commit=False) as session:
        return list(session.exec(stmt.order_by(col(AlarmRow.seq).desc()).limit(limit + 1)).all())


def groups_page(engine: Engine, exercise_id: str, *, after_incident: str | None, limit: int) -> list[GroupRow]:
    """Incidents alarms went into, of a namespace, in name order after `after_incident`; one more than `limit` tells if another page exists."""
    stmt = select(GroupRow).where(GroupRow.exercise_id == exercise_id)
    if after_incident is not None:
        stmt = stmt.where(col(GroupRow.incident) > after_incident)
    with Session(read_only(engine), expire_on_commit=False) as session:
        return list(session.exec(stmt.order_by(col(GroupRow.incident)).limit(limit + 1)).all())


def group_row(engine: Engine, incident: str) -> GroupRow | None:
    """One incident's alarm record as stored."""
    with Session(read_only(engine), expire_on_commit=False) as session:
        return session.get(GroupRow, incident)


def get_group(engine: Engine, incident: str) -> Group | None:
    """One group."""
    with Session(read_only(engine)) as session:
        row = session.get(GroupRow, incident)
        return group_from_row(row) if row else None


def set_status(engine: Engine, incident: str, status: str) -> Group | None:
    """Change a group's status; None if the incident is not one of ours."""
    with writing(engine) as session:
        row = session.get(GroupRow, incident)
        if row is None:
            return None
        row.status = status
        session.add(row)
        return group_from_row(row)


def suppress(engine: Engine, exercise_id: str, detectors: Sequence[str], until: datetime, incident: str) -> None:
    """Suppress detectors until a time (replacing an earlier suppression)."""
    with writing(engine) as session:
        for detector in detectors:
            row = session.get(SuppressionRow, (exercise_id, detector))
            if row is None:
                session.add(SuppressionRow(exercise_id=exercise_id, detector=detector, until=until, incident=incident))
            else:
                row.until, row.incident = until, incident
                session.add(row)


def suppressions(engine: Engine, now: datetime) -> dict[tuple[str, str], datetime]:
    """Suppressions still running."""
    with Session(read_only(engine)) as session:
        rows = session.exec(select(SuppressionRow)).all()
        found = {(r.exercise_id, r.detector): aware(r.until) for r in rows}
    return {k: v for k, v in found.items() if v is not None and v > now}


def unnoted(engine: Engine, limit: int) -> list[AlarmRow]:
    """Accepted alarms not yet on their incident's timeline, oldest first."""
    with Session(read_only(engine), expire_on_commit=False) as session:
        stmt = select(AlarmRow).where(AlarmRow.state == "ACCEPTED", AlarmRow.noted == False).order_by(col(AlarmRow.seq)).limit(limit)  # noqa: E712
        return list(session.exec(stmt).all())


def mark_noted(engine: Engine, seqs: Sequence[int]) -> None:
    """Alarms now on their incident's timeline."""
    with writing(engine) as session:
        session.connection().execute(update(ALARMS).where(ALARMS.c.seq.in_(list(seqs))).values(noted=True))


def stream_position(engine: Engine, stream: str) -> str:
    """Last entry id read from a stream ("" for none)."""
    with Session(read_only(engine)) as session:
        row = session.get(StreamPositionRow, stream)
        return row.last_id if row else ""


def save_stream_position(engine: Engine, stream: str, last_id: str) -> None:
    """Remember how far a stream was read."""
    with writing(engine) as session:
        row = session.get(StreamPositionRow, stream)
        if row is None:
            session.add(StreamPositionRow(stream=stream, last_id=last_id))
        else:
            row.last_id = last_id
            session.add(row)
