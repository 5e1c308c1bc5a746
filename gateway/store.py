"""The gateway's own tables: proposals, commit sagas and their steps, committed plans, drills (nothing else)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from gateway.names import EVENT_STREAM
from services.common.errors import not_found
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent, add_event, utcnow


def as_utc(value: datetime) -> datetime:
    """Attach UTC to naive timestamps read back from SQLite."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class ProposalRow(SQLModel, table=True):
    """A plan proposed for some incidents, with the world it was made for and the unit versions it saw."""

    __tablename__ = "gateway_proposals"

    proposal_id: str = Field(primary_key=True, max_length=64)
    exercise_id: str = Field(default="", max_length=100, index=True)
    incidents: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    optimized: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    request: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    snapshot_version: int = 0
    unit_versions: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    origin: str = Field(default="PROPOSED", max_length=20)
    parent: str = Field(default="", max_length=64)
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class ProposalExtrasRow(SQLModel, table=True):
    """What a proposal carries besides its plan: overrides and their costs, skipped incidents, notes (a partial Proposal)."""

    __tablename__ = "gateway_proposal_extras"

    proposal_id: str = Field(primary_key=True, max_length=64)
    extras: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))


class ProposalClaimRow(SQLModel, table=True):
    """The one commit (request id) that owns a proposal; a second commit of it answers ALREADY_COMMITTED."""

    __tablename__ = "gateway_proposal_claims"

    proposal_id: str = Field(primary_key=True, max_length=64)
    request_id: str = Field(max_length=128)
    claimed_at: datetime = Field(default_factory=utcnow)


class SagaRow(SQLModel, table=True):
    """One commit (CommitPlan or AutoDispatch) and how far it got; the record a restarted gateway continues from."""

    __tablename__ = "gateway_sagas"

    request_id: str = Field(primary_key=True, max_length=128)
    method: str = Field(max_length=40)
    fingerprint: str = Field(max_length=64)
    proposal_id: str = Field(default="", max_length=64)
    first_proposal_id: str = Field(default="", max_length=64)
    exercise_id: str = Field(default="", max_length=100)
    state: str = Field(default="RUNNING", max_length=20, index=True)
    step: str = Field(default="STARTED", max_length=20)
    generation: int = 0
    attempt: int = 0
    replans: int = 0
    max_replans: int = 3
    reservations: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    response: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    subject: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SagaStepRow(SQLModel, table=True):
    """One step of a saga, written before and after each backend call."""

    __tablename__ = "gateway_saga_steps"

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(max_length=128, index=True)
    generation: int = 0
    attempt: int = 0
    step: str = Field(max_length=40)
    status: str = Field(max_length=20)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    time: datetime = Field(default_factory=utcnow)


class CommitRow(SQLModel, table=True):
    """What one commit sent to one incident: the units with ETAs, shipments and demand left unmet."""

    __tablename__ = "gateway_commits"
    __table_args__ = (UniqueConstraint("request_id", "generation", "incident", name="uq_commit_request_incident"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(max_length=128)
    generation: int = 0
    exercise_id: str = Field(default="", max_length=100, index=True)
    incident: str = Field(max_length=100, index=True)
    reservation: str = Field(default="", max_length=100)
    proposal_id: str = Field(max_length=64)
    plan: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    committed_at: datetime = Field(default_factory=utcnow)


class DrillRow(SQLModel, table=True):
    """A drill: its scenario as started, its namespace, the world at its start, and its report once finished."""

    __tablename__ = "gateway_drills"

    drill_id: str = Field(primary_key=True, max_length=64)
    request_id: str = Field(max_length=128, unique=True)
    scenario: str = Field(max_length=200)
    scenario_proto: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    exercise_id: str = Field(max_length=100)
    mode: int = 0
    clock_speed: float = 1.0
    auto_dispatch: bool = False
    state: str = Field(default="RUNNING", max_length=20, index=True)
    started_by: str = Field(default="", max_length=200)
    start_time: datetime = Field(default_factory=utcnow)
    end_time: datetime | None = None
    base_world: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    road_restrictions: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    reserve_breaches: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    report_name: str = Field(default="", max_length=200)
    report: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    hindsight: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    error: str = Field(default="", sa_column=Column(Text, nullable=False))


class DrillInjectRow(SQLModel, table=True):
    """One inject of a drill: when it was released, what it became, and how the response went."""

    __tablename__ = "gateway_drill_injects"
    __table_args__ = (UniqueConstraint("drill_id", "inject_id", name="uq_drill_inject"),)

    id: int | None = Field(default=None, primary_key=True)
    drill_id: str = Field(max_length=64, index=True)
    inject_id: str = Field(max_length=100)
    position: int = 0
    offset_s: int = 0
    kind: int = 0
    released_at: datetime | None = None
    incident: str = Field(default="", max_length=100)
    planned_at: datetime | None = None
    committed_at: datetime | None = None
    outcome: str = Field(default="{}", sa_column=Column(Text, nullable=False))


TABLES: Sequence[type[SQLModel]] = (ProposalRow, ProposalExtrasRow, ProposalClaimRow, SagaRow, SagaStepRow, CommitRow, DrillRow, DrillInjectRow, OutboxEvent, IdempotencyRecord)

OPEN_SAGA_STATE = "RUNNING"


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


def get_saga(*, session: Session, request_id: str) -> SagaRow | None:
    """The saga of a request id, if any."""
    return session.get(SagaRow, request_id)


def open_sagas(*, session: Session) -> list[SagaRow]:
    """Sagas a previous process left unfinished."""
    return list(session.exec(select(SagaRow).where(SagaRow.state == OPEN_SAGA_STATE).order_by(col(SagaRow.created_at))).all())


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
