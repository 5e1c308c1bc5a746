"""The gateway's own tables: proposals, commit sagas and their steps, committed plans, drills, incident activity, the read model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.clock import utcnow
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent


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
    lease_owner: str = Field(default="", max_length=80)  # the replica running it; another takes it over once the lease ends
    lease_until: datetime | None = None


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


class ActivityRow(SQLModel, table=True):
    """One step the gateway took for an incident: a unit moved, a hold released, a report stored."""

    __tablename__ = "gateway_incident_activity"

    id: int | None = Field(default=None, primary_key=True)
    incident: str = Field(max_length=100, index=True)
    exercise_id: str = Field(default="", max_length=100)
    action: str = Field(max_length=40)
    subject: str = Field(default="", max_length=200)
    actor: str = Field(default="", max_length=200)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    time: datetime = Field(default_factory=utcnow)


class ReadModelItemRow(SQLModel, table=True):
    """One entry of a replica's situation read model (a unit, a stock, an open incident, the depots or the rules) as a proto."""

    __tablename__ = "gateway_readmodel_items"

    replica: str = Field(primary_key=True, max_length=100)
    kind: str = Field(primary_key=True, max_length=20)
    key: str = Field(primary_key=True, max_length=300)
    version: int = 0
    body: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))


class ReadModelPositionRow(SQLModel, table=True):
    """The last entry of one event stream a replica's read model has applied (saved with the entries it changed)."""

    __tablename__ = "gateway_readmodel_positions"

    replica: str = Field(primary_key=True, max_length=100)
    stream: str = Field(primary_key=True, max_length=200)
    position: str = Field(default="0-0", max_length=40)
    saved_at: datetime = Field(default_factory=utcnow)


TABLES: Sequence[type[SQLModel]] = (
    ProposalRow,
    ProposalExtrasRow,
    ProposalClaimRow,
    SagaRow,
    SagaStepRow,
    CommitRow,
    DrillRow,
    DrillInjectRow,
    ActivityRow,
    ReadModelItemRow,
    ReadModelPositionRow,
    OutboxEvent,
    IdempotencyRecord,
)
