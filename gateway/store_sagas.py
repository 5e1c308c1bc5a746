"""Persistence of the commit saga: its row, its step records, its claim on the proposal, and the commit it ends with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from gateway import store
from gateway.saga_records import COMPENSATED, DONE, RUNNING, AlreadyCommitted
from gateway.tables import CommitRow, SagaRow, SagaStepRow
from services.common.clock import utcnow
from services.common.db import read_only, session_scope
from services.common.idempotency import reused_id_error


def load(engine: Engine, request_id: str) -> SagaRow | None:
    """The saga of a request id, if any."""
    with Session(engine) as session:
        return store.get_saga(session=session, request_id=request_id)


def reload(engine: Engine, saga: SagaRow) -> SagaRow:
    """The saga as stored now."""
    row = load(engine, saga.request_id)
    assert row is not None
    return row


def unfinished(engine: Engine) -> list[SagaRow]:
    """Sagas a previous process left running."""
    with Session(engine) as session:
        return store.open_sagas(session=session)


def begin(engine: Engine, *, request_id: str, method: str, fingerprint: str, proposal_id: str, max_replans: int, subject: str) -> SagaRow:
    """Create the saga and claim its proposal, or load it (a compensated one starts a new generation); AlreadyCommitted if another request owns it."""

    def write() -> SagaRow:
        with session_scope(engine) as session:
            saga = store.get_saga(session=session, request_id=request_id)
            if saga is None or saga.state == COMPENSATED:
                owner = store.claim_proposal(session=session, proposal_id=saga.first_proposal_id if saga else proposal_id, request_id=request_id)
                if owner is not None:
                    raise AlreadyCommitted(owner)
            if saga is None:
                proposal = store.get_proposal(session=session, proposal_id=proposal_id)
                saga = SagaRow(
                    request_id=request_id,
                    method=method,
                    fingerprint=fingerprint,
                    proposal_id=proposal_id,
                    first_proposal_id=proposal_id,
                    exercise_id=proposal.exercise_id,
                    max_replans=max_replans,
                    subject=subject,
                )
                session.add(saga)
                session.flush()
                store.add_step(session=session, saga=saga, step="STARTED", status="done", detail={"proposal": proposal_id})
            elif saga.method != method or saga.fingerprint != fingerprint:
                raise reused_id_error(request_id)
            elif saga.state == COMPENSATED:
                saga.generation += 1
                saga.attempt = 0
                saga.state, saga.step, saga.error = RUNNING, "STARTED", ""
                saga.reservations = "[]"
                saga.updated_at = utcnow()
                session.add(saga)
                store.add_step(session=session, saga=saga, step="STARTED", status="done", detail={"proposal": saga.proposal_id, "retry": True})
            return saga

    try:
        return write()
    except IntegrityError:  # another request claimed the proposal in the same instant: its claim now answers
        return write()


def record(engine: Engine, saga: SagaRow, entry: str, status: str, detail: dict[str, Any] | None, changes: dict[str, Any]) -> SagaRow:
    """Persist a step entry and any saga changes (such as the step reached) in one transaction; return the saga as stored."""
    with session_scope(engine) as session:
        row = store.get_saga(session=session, request_id=saga.request_id)
        assert row is not None
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        session.add(row)
        store.add_step(session=session, saga=row, step=entry, status=status, detail=detail)
        return row


def committed_since(engine: Engine, saga: SagaRow, incidents: Sequence[str], since: datetime) -> bool:
    """Whether a commit of another request reached any of the incidents at or after a time."""
    with Session(engine) as session:
        return bool(store.commits_since(session=session, incidents=incidents, since=since, request_id=saga.request_id))


def reserve_steps(engine: Engine, saga: SagaRow) -> list[SagaStepRow]:
    """The reserve step records of the saga's current generation, in order."""
    with Session(engine) as session:
        return [s for s in store.steps_of(session=session, request_id=saga.request_id) if s.generation == saga.generation and s.step == "RESERVE"]


def compensated(engine: Engine, saga: SagaRow, reason: str, reservations: str, released: list[str]) -> SagaRow:
    """Mark the saga compensated (what it held released) with its event."""
    with session_scope(engine) as session:
        row = store.get_saga(session=session, request_id=saga.request_id)
        assert row is not None
        row.state, row.error, row.reservations, row.updated_at = COMPENSATED, reason, reservations, utcnow()
        session.add(row)
        store.add_step(session=session, saga=row, step="COMPENSATED", status="done", detail={"reason": reason})
        store.emit(
            session,
            "commit.compensated",
            f"proposals/{row.proposal_id}",
            exercise_id=row.exercise_id,
            payload={"request_id": row.request_id, "reason": reason, "released": released},
        )
        return row


def finished(engine: Engine, saga: SagaRow, commits: Sequence[CommitRow], response: bytes, reservations: list[str], payload: dict[str, Any]) -> SagaRow:
    """Store the committed plans, the answer and the plan.committed event in one transaction."""
    with session_scope(engine) as session:
        row = store.get_saga(session=session, request_id=saga.request_id)
        assert row is not None
        session.add_all(commits)
        row.state, row.step, row.response, row.updated_at = DONE, "TRANSITIONED", response, utcnow()
        session.add(row)
        store.add_step(session=session, saga=row, step="DONE", status="done", detail={"reservations": reservations})
        store.emit(session, "plan.committed", f"proposals/{saga.proposal_id}", exercise_id=saga.exercise_id, payload=payload)
        return row


def count_by_state(engine: Engine) -> list[tuple[str, int]]:
    """How many sagas are in each state (read on the read-only engine, for metrics)."""
    with Session(read_only(engine)) as session:
        return [(state, n) for state, n in session.exec(select(SagaRow.state, func.count()).group_by(SagaRow.state)).all()]


def count_steps(engine: Engine) -> list[tuple[str, str, int]]:
    """How many saga steps were taken, by step and status (read on the read-only engine, for metrics)."""
    with Session(read_only(engine)) as session:
        query = select(SagaStepRow.step, SagaStepRow.status, func.count()).group_by(SagaStepRow.step, SagaStepRow.status)
        return [(step, status, n) for step, status, n in session.exec(query).all()]
