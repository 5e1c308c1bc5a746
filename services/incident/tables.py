"""Tables of the incident service (this service's database only): incidents and their timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.clock import utcnow
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent


class IncidentRow(SQLModel, table=True):
    """One incident, with its demands, substance and weather as JSON."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_namespace_seq", "exercise_id", "seq"),)

    seq: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(max_length=63, unique=True)
    exercise_id: str = Field(default="", max_length=63)
    title: str = Field(max_length=200)
    park_id: str = Field(default="", max_length=63, index=True)
    latitude: float
    longitude: float
    place: str = Field(default="", max_length=500)
    kind: str = Field(max_length=40)
    substance: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    severity: str = Field(max_length=4)
    reporter: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    demands: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    weather: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    state: str = Field(max_length=20, index=True)
    version: int = 1
    outcome_summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    cancel_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class TimelineRow(SQLModel, table=True):
    """One append-only timeline entry: sequences count entries, version is the incident's version after it."""

    __tablename__ = "incident_timeline"
    __table_args__ = (UniqueConstraint("incident_id", "sequence", name="uq_timeline_incident_sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(max_length=63, index=True)
    sequence: int
    time: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=40)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    before: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    after: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    version: int


TABLES: Sequence[type[SQLModel]] = (IncidentRow, TimelineRow, OutboxEvent, IdempotencyRecord)
