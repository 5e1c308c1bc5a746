"""Tables of the case base (this service's database only): cases and their hazard classes, the library revision,
scenarios, after-action reports and the shipped files loaded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from services.common.clock import utcnow
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent


class CaseRow(SQLModel, table=True):
    """One accident case: the whole record as JSON, with the columns lists filter on."""

    __tablename__ = "cases"

    seq: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(max_length=63, unique=True)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=40, index=True)
    primary_hazard_class: str = Field(max_length=8, index=True)
    severity: str = Field(max_length=4, index=True)
    synthetic: bool = False
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CaseHazardRow(SQLModel, table=True):
    """A hazard class of one of a case's substances (a case is found by any of them)."""

    __tablename__ = "case_hazard_classes"
    __table_args__ = (Index("ix_case_hazard_classes_class", "hazard_class", "case_id"),)

    case_id: str = Field(max_length=63, primary_key=True)
    hazard_class: str = Field(max_length=8, primary_key=True)


class LibraryRevisionRow(SQLModel, table=True):
    """A counter moved by every change of the case library, so each replica knows when to rebuild its index."""

    __tablename__ = "case_library_revision"

    id: int = Field(primary_key=True)
    revision: int = 0


class ScenarioRow(SQLModel, table=True):
    """One drill scenario as JSON."""

    __tablename__ = "scenarios"

    seq: int | None = Field(default=None, primary_key=True)
    scenario_id: str = Field(max_length=63, unique=True)
    title: str = Field(max_length=300)
    mode: str = Field(max_length=20)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ReportRow(SQLModel, table=True):
    """One after-action report as JSON, with the scenario it belongs to and the case made from it."""

    __tablename__ = "after_action_reports"

    seq: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(max_length=63, unique=True)
    scenario_id: str = Field(default="", max_length=63, index=True)
    exercise_id: str = Field(default="", max_length=63)
    live: bool = False
    score: float = 0.0
    case_id: str = Field(default="", max_length=63)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ShippedEntryRow(SQLModel, table=True):
    """A shipped library file loaded once; a later start does not load it again, even if it was deleted since."""

    __tablename__ = "shipped_library_entries"

    kind: str = Field(max_length=16, primary_key=True)
    entry_id: str = Field(max_length=63, primary_key=True)
    loaded_at: datetime = Field(default_factory=utcnow)


TABLES: Sequence[type[SQLModel]] = (
    CaseRow, CaseHazardRow, LibraryRevisionRow, ScenarioRow, ReportRow, ShippedEntryRow, OutboxEvent, IdempotencyRecord,
)  # fmt: skip
