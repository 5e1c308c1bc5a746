"""Persistence of the gateway: queries in the caller's session, and the transactions of proposals, commits, activity and replays."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from gateway.names import EVENT_STREAM
from gateway.tables import ActivityRow, CommitRow, DrillInjectRow, DrillRow, ProposalClaimRow, ProposalExtrasRow, ProposalRow, SagaRow, SagaStepRow
from services.common.clock import utcnow
from services.common.db import session_scope
from services.common.errors import not_found
from services.common.idempotency import remember, replay
from services.common.outbox import add_event

OPEN_SAGA_STATE = "RUNNING"

# ---- queries in the caller's session -----------------------------------------------------------------------------


def emit(session: Session, event_type: str, subject: str, *, exercise_id: str = "", version: int = 0, payload: dict[str, Any] | None = None) -> None:
    """Write a gateway event to the outbox in the caller's transaction."""
    add_event(session, stream=EVENT_STREAM, event_type=event_type, subject=subject, version=version, exercise_id=exercise_id, payload=payload)


def get_proposal(*, session: Session, proposal_id: str) -> ProposalRow:
    """One proposal, or NOT_FOUND."""
    row = session.get(ProposalRow, proposal_id)
    if row is None:
        raise not_found("proposal", f"proposals/{proposal_id}")
    return row


def proposal_extras(*, session: Session, proposal_id: str) -> bytes:
    """The serialised extras of a proposal (empty for one stored without any)."""
    row = session.get(ProposalExtrasRow, proposal_id)
    return row.extras if row is not None else b""


def claim_proposal(*, session: Session, proposal_id: str, request_id: str) -> SagaRow | None:
    """Make the request the proposal's one commit; return the other saga that owns it instead, if one does.

    A claim held by a compensated saga (nothing sent) passes to the new request. Two first claims racing meet
    the primary key: the loser's transaction fails and its retry finds the winner's claim.
    """
    claim = session.get(ProposalClaimRow, proposal_id, with_for_update=True)
    if claim is None:
        session.add(ProposalClaimRow(proposal_id=proposal_id, request_id=request_id))
        session.flush()
        return None
    if claim.request_id == request_id:
        return None
    owner = session.get(SagaRow, claim.request_id)
    if owner is not None and owner.state != "COMPENSATED":
        return owner
    claim.request_id, claim.claimed_at = request_id, utcnow()
    session.add(claim)
    return None


def commits_since(*, session: Session, incidents: Sequence[str], since: datetime, request_id: str) -> list[CommitRow]:
    """Commits by other requests to any of the incidents at or after a time."""
    query = select(CommitRow).where(col(CommitRow.incident).in_(list(incidents)), col(CommitRow.committed_at) >= since, CommitRow.request_id != request_id)
    return list(session.exec(query).all())


def get_saga(*, session: Session, request_id: str, for_update: bool = False) -> SagaRow | None:
    """The saga of a request id, if any (locked until the transaction ends, with `for_update`)."""
    return session.get(SagaRow, request_id, with_for_update=for_update)


def add_step(*, session: Session, saga: SagaRow, step: str, status: str, detail: dict[str, Any] | None = None) -> None:
    """Append one step record for the saga's current generation and attempt."""
    session.add(
        SagaStepRow(
            request_id=saga.request_id,
            generation=saga.generation,
            attempt=saga.attempt,
            step=step,
            status=status,
            detail=json.dumps(detail or {}, sort_keys=True, default=str),
        )
    )


def steps_of(*, session: Session, request_id: str) -> list[SagaStepRow]:
    """Every step of a saga, in order."""
    return list(session.exec(select(SagaStepRow).where(SagaStepRow.request_id == request_id).order_by(col(SagaStepRow.id))).all())


def commits_for(*, session: Session, exercise_id: str, incidents: Sequence[str] = ()) -> list[CommitRow]:
    """Committed plans in a namespace (for the given incidents, or all), oldest first."""
    query = select(CommitRow).where(CommitRow.exercise_id == exercise_id)
    if incidents:
        query = query.where(col(CommitRow.incident).in_(list(incidents)))
    return list(session.exec(query.order_by(col(CommitRow.id))).all())


def get_drill(*, session: Session, drill_id: str) -> DrillRow:
    """One drill, or NOT_FOUND."""
    row = session.get(DrillRow, drill_id)
    if row is None:
        raise not_found("drill", f"drills/{drill_id}")
    return row


def drill_by_request(*, session: Session, request_id: str) -> DrillRow | None:
    """The drill a StartDrill request id created, if any."""
    return session.exec(select(DrillRow).where(DrillRow.request_id == request_id)).first()


def drill_injects(*, session: Session, drill_id: str) -> list[DrillInjectRow]:
    """A drill's injects in scenario order."""
    return list(session.exec(select(DrillInjectRow).where(DrillInjectRow.drill_id == drill_id).order_by(col(DrillInjectRow.position))).all())


def running_drills(*, session: Session) -> list[DrillRow]:
    """Drills not finished or aborted."""
    return list(session.exec(select(DrillRow).where(DrillRow.state == "RUNNING")).all())


# ---- proposals and committed plans -------------------------------------------------------------------------------


def load_proposal(engine: Engine, proposal_id: str) -> ProposalRow:
    """A stored proposal, or NOT_FOUND."""
    with Session(engine) as session:
        return get_proposal(session=session, proposal_id=proposal_id)


def load_proposal_with_extras(engine: Engine, proposal_id: str) -> tuple[ProposalRow, bytes]:
    """A stored proposal and its serialised extras, or NOT_FOUND."""
    with Session(engine) as session:
        return get_proposal(session=session, proposal_id=proposal_id), proposal_extras(session=session, proposal_id=proposal_id)


def save_proposal(engine: Engine, row: ProposalRow, extras: bytes = b"") -> tuple[ProposalRow, bool]:
    """Store a proposal and its extras with its event; a proposal id that exists already gives the stored one (and False)."""
    with session_scope(engine) as session:
        existing = session.get(ProposalRow, row.proposal_id)
        if existing is not None:
            return existing, False
        session.add(row)
        session.add(ProposalExtrasRow(proposal_id=row.proposal_id, extras=extras))
        emit(
            session,
            "proposal.created",
            f"proposals/{row.proposal_id}",
            exercise_id=row.exercise_id,
            payload={"incidents": json.loads(row.incidents), "origin": row.origin, "parent": row.parent, "snapshot_version": row.snapshot_version},
        )
    return row, True


def exercise_proposals(engine: Engine, exercise_id: str) -> list[ProposalRow]:
    """Every proposal made in a namespace, oldest first."""
    with Session(engine) as session:
        query = select(ProposalRow).where(ProposalRow.exercise_id == exercise_id).order_by(col(ProposalRow.created_at))
        return list(session.exec(query).all())


def committed_plans(engine: Engine, exercise_id: str, incidents: Sequence[str] = ()) -> list[CommitRow]:
    """Committed plans in a namespace (for the given incidents, or all), oldest first."""
    with Session(engine) as session:
        return commits_for(session=session, exercise_id=exercise_id, incidents=incidents)


def saga_subject(engine: Engine, request_id: str) -> str:
    """Who made the commit of a request id ("" if unknown)."""
    with Session(engine) as session:
        saga = get_saga(session=session, request_id=request_id)
        return saga.subject if saga is not None else ""


def saga_releases(engine: Engine, reservations: Sequence[str]) -> list[tuple[datetime, str, str]]:
    """(time, reservation, who) for each of the reservations a commit released when it was compensated."""
    wanted = set(reservations)
    if not wanted:
        return []
    with Session(engine) as session:
        steps = session.exec(
            select(SagaStepRow, SagaRow.subject)
            .join(SagaRow, col(SagaRow.request_id) == col(SagaStepRow.request_id))
            .where(SagaStepRow.step == "RELEASE", SagaStepRow.status == "done")
        ).all()
    found = []
    for step, subject in steps:
        reservation = str(json.loads(step.detail).get("reservation", ""))
        if reservation in wanted:
            found.append((step.time, reservation, subject))
    return found


# ---- incident activity and request replays -----------------------------------------------------------------------


def record_activity(engine: Engine, rows: Sequence[ActivityRow]) -> None:
    """Append activity rows, with an event each, in one transaction."""
    with session_scope(engine) as session:
        for row in rows:
            session.add(row)
            payload = {"incident": row.incident, "action": row.action, "actor": row.actor, "note": row.note[:500]}
            emit(session, f"incident.{row.action.lower()}", row.subject or row.incident, exercise_id=row.exercise_id, payload=payload)


def activity_of(engine: Engine, incident: str) -> list[ActivityRow]:
    """Every activity row of an incident, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(ActivityRow).where(ActivityRow.incident == incident).order_by(col(ActivityRow.id))).all())


def replayed(engine: Engine, method: str, request_id: str, fingerprint: str) -> bytes | None:
    """The stored answer of a request id, None if it has none; a reused id with other content is refused."""
    with Session(engine) as session:
        return replay(session, method, request_id, fingerprint)


def remember_answer(engine: Engine, method: str, request_id: str, fingerprint: str, response: Message) -> bytes | None:
    """Store an answer under its request id; if another try stored one first, return that one instead."""
    try:
        with session_scope(engine) as session:
            remember(session, method, request_id, fingerprint, response)
    except IntegrityError:
        first = replayed(engine, method, request_id, fingerprint)
        if first is None:
            raise
        return first
    return None


def remember_stage(engine: Engine, method: str, request_id: str, fingerprint: str, partial: Message) -> None:
    """Store what a call has done up to a stage; an earlier try that reached the stage keeps its record."""
    try:
        with session_scope(engine) as session:
            remember(session, method, request_id, fingerprint, partial)
    except IntegrityError:
        pass
