"""Persistence of the commit saga: its row, its step records, its claim on the proposal, and the commit it ends with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from gateway import store
from gateway.saga_records import COMPENSATED, DONE, RUNNING, AlreadyCommitted, SagaBusy
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


@dataclass(frozen=True)
class Lease:
    """Who claims a saga and for how long: the replica running it renews the claim while it works."""

    owner: str
    seconds: float

    def until(self) -> datetime:
        """When a claim made now ends unless renewed."""
        return utcnow() + timedelta(seconds=self.seconds)

    def holds_off(self, saga: SagaRow) -> bool:
        """True when another replica's claim on a running saga is still live."""
        return saga.state == RUNNING and saga.lease_owner not in ("", self.owner) and _aware(saga.lease_until) > utcnow()


def _aware(moment: datetime | None) -> datetime:
    """A stored time as UTC-aware (SQLite gives naive ones back); the distant past for none."""
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def claim_orphans(engine: Engine, lease: Lease, *, own_too: bool, limit: int = 100) -> list[SagaRow]:
    """Claim running sagas whose replica stopped renewing (and this replica's own from an earlier life, with `own_too`).

    Rows another replica is claiming at this moment are skipped (FOR UPDATE SKIP LOCKED), so each saga goes to one replica.
    """
    stale = or_(col(SagaRow.lease_until).is_(None), col(SagaRow.lease_until) < utcnow())
    claimable = or_(stale, col(SagaRow.lease_owner) == lease.owner) if own_too else stale
    where = (col(SagaRow.state) == RUNNING, claimable)
    with Session(read_only(engine)) as session:
        if session.exec(select(SagaRow.request_id).where(*where).limit(1)).first() is None:
            return []  # the usual answer, without a write transaction
    with session_scope(engine) as session:
        query = select(SagaRow).where(*where).order_by(col(SagaRow.created_at)).limit(limit).with_for_update(skip_locked=True)
        rows = list(session.exec(query).all())
        for row in rows:
            store.add_step(session=session, saga=row, step="RECOVERING", status="done", detail={"replica": lease.owner, "from": row.lease_owner})
            row.lease_owner, row.lease_until = lease.owner, lease.until()
            session.add(row)
        return rows


def renew(engine: Engine, request_id: str, lease: Lease) -> bool:
    """Extend this replica's claim on a saga; False when it holds none (not yet made, or taken over after it lapsed)."""
    with session_scope(engine) as session:
        done = session.execute(
            update(SagaRow).where(col(SagaRow.request_id) == request_id, col(SagaRow.lease_owner) == lease.owner).values(lease_until=lease.until())
        )
        return bool(getattr(done, "rowcount", 0))


@dataclass(frozen=True)
class SagaStart:
    """What a commit saga starts from: the request (its id, method and fingerprint), the proposal, the re-plan bound and the caller."""

    request_id: str
    method: str
    fingerprint: str
    proposal_id: str
    max_replans: int
    subject: str


def begin(engine: Engine, lease: Lease, start: SagaStart) -> SagaRow:
    """Create the saga and claim its proposal, or load it (a compensated one starts a new generation), under this replica's lease.

    AlreadyCommitted if another request owns the proposal; SagaBusy while another replica's lease on the saga is live.
    """

    def write() -> SagaRow:
        with session_scope(engine) as session:
            saga = store.get_saga(session=session, request_id=start.request_id, for_update=True)
            if saga is not None and (saga.method != start.method or saga.fingerprint != start.fingerprint):
                raise reused_id_error(start.request_id)  # refused as such even while another replica runs the first
            if saga is not None and lease.holds_off(saga):
                raise SagaBusy(saga.lease_owner)
            if saga is None or saga.state == COMPENSATED:
                claimed = saga.first_proposal_id if saga else start.proposal_id
                owner = store.claim_proposal(session=session, proposal_id=claimed, request_id=start.request_id)
                if owner is not None:
                    raise AlreadyCommitted(owner)
            if saga is None:
                proposal = store.get_proposal(session=session, proposal_id=start.proposal_id)
                saga = SagaRow(**asdict(start), first_proposal_id=start.proposal_id, exercise_id=proposal.exercise_id)
                session.add(saga)
                session.flush()
                store.add_step(session=session, saga=saga, step="STARTED", status="done", detail={"proposal": start.proposal_id})
            elif saga.state == COMPENSATED:
                saga.generation += 1
                saga.attempt = 0
                saga.state, saga.step, saga.error = RUNNING, "STARTED", ""
                saga.reservations = "[]"
                saga.updated_at = utcnow()
                session.add(saga)
                store.add_step(session=session, saga=saga, step="STARTED", status="done", detail={"proposal": saga.proposal_id, "retry": True})
            if saga.state == RUNNING:
                saga.lease_owner, saga.lease_until = lease.owner, lease.until()
                session.add(saga)
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
