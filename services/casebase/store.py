"""Case-base tables and queries (this service's database only): cases, scenarios, after-action reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text, delete, update
from sqlmodel import Field, Session, SQLModel, col, select

from services.casebase.models import Case, Scenario
from services.common.errors import not_found
from services.common.idempotency import IdempotencyRecord
from services.common.outbox import OutboxEvent, add_event, utcnow

EVENT_STREAM = "emergency.casebase.events"
REVISION_KEY = 1


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


# --- cases ----------------------------------------------------------------------------------


def case_of(row: CaseRow) -> Case:
    """The domain case of a row."""
    return Case.model_validate_json(row.body)


def get_case(*, session: Session, case_id: str, for_update: bool = False) -> CaseRow:
    """One case (locked for the transaction when asked), or NOT_FOUND."""
    statement = select(CaseRow).where(CaseRow.case_id == case_id)
    row = session.exec(statement.with_for_update() if for_update else statement).first()
    if row is None:
        raise not_found("case", f"cases/{case_id}")
    return row


def case_exists(*, session: Session, case_id: str) -> bool:
    """Tell whether a case id is taken."""
    return session.exec(select(CaseRow.seq).where(CaseRow.case_id == case_id)).first() is not None


def _search_text(case: Case) -> str:
    """Every text of a case, lower-cased, for substring filters."""
    parts = [case.title, case.title_zh, case.summary, case.summary_zh, case.place, case.country, case.industry, case.outcome]
    parts += [text for s in case.substances for text in (s.name, s.name_zh)]
    parts += [*case.causes, *case.lessons, *case.response_actions]
    return "\n".join(p for p in parts if p).lower()


def _case_columns(case: Case) -> dict[str, Any]:
    """Column values of a case."""
    return {
        "title": case.title[:300],
        "kind": case.kind.value,
        "primary_hazard_class": case.primary_hazard_class.value,
        "severity": case.severity.value,
        "synthetic": case.synthetic,
        "search_text": _search_text(case),
        "body": case.model_dump_json(),
    }


def _write_hazards(session: Session, case: Case, *, replace: bool = True) -> None:
    """Write (or replace) the hazard-class rows of a case."""
    if replace:
        session.execute(delete(CaseHazardRow).where(col(CaseHazardRow.case_id) == case.id))
    for hazard in sorted({s.hazard_class.value for s in case.substances}):
        session.add(CaseHazardRow(case_id=case.id, hazard_class=hazard))


def insert_case(*, session: Session, case: Case, event_type: str = "case.created", extra: dict[str, Any] | None = None) -> CaseRow:
    """Store a new case with its event and move the library revision."""
    row = CaseRow(case_id=case.id, **_case_columns(case))
    session.add(row)
    session.flush()
    _write_hazards(session, case, replace=False)
    bump_revision(session=session)
    _emit_case(session, case, event_type, extra)
    return row


def add_shipped(*, session: Session, cases: Sequence[Case], scenarios: Sequence[Scenario]) -> None:
    """Store shipped entries in bulk, with one library.loaded event and one revision move."""
    for case in cases:
        session.add(CaseRow(case_id=case.id, **_case_columns(case)))
        _write_hazards(session, case, replace=False)
    for scenario in scenarios:
        session.add(_scenario_row(scenario))
    if cases:
        bump_revision(session=session)
    if cases or scenarios:
        add_event(session, stream=EVENT_STREAM, event_type="library.loaded", subject="cases", payload={"cases": len(cases), "scenarios": len(scenarios)})


def case_ids(*, session: Session) -> set[str]:
    """Ids of every stored case."""
    return set(session.exec(select(CaseRow.case_id)).all())


def replace_case(*, session: Session, case: Case, changed: Sequence[str], actor: str) -> CaseRow:
    """Store new values of an existing case, with its event, and move the library revision."""
    row = get_case(session=session, case_id=case.id)
    session.execute(update(CaseRow).where(col(CaseRow.case_id) == case.id).values(**_case_columns(case), updated_at=utcnow()))
    session.expire(row)
    _write_hazards(session, case)
    bump_revision(session=session)
    _emit_case(session, case, "case.updated", {"changed": sorted(changed), "actor": actor})
    return get_case(session=session, case_id=case.id)


def delete_case(*, session: Session, case_id: str) -> CaseRow:
    """Remove a case, with its event, and move the library revision; return the removed row."""
    row = get_case(session=session, case_id=case_id)
    case = case_of(row)
    session.execute(delete(CaseHazardRow).where(col(CaseHazardRow.case_id) == case_id))
    session.delete(row)
    bump_revision(session=session)
    _emit_case(session, case, "case.deleted")
    return row


def list_cases(
    *, session: Session, kind: str, hazard_class: str, severity: str, query: str, after_id: str | None, limit: int
) -> list[CaseRow]:
    """Cases by id, resuming after `after_id`; one row more than `limit` tells if another page exists."""
    statement = select(CaseRow)
    if kind:
        statement = statement.where(CaseRow.kind == kind)
    if severity:
        statement = statement.where(CaseRow.severity == severity)
    if hazard_class:
        with_class = select(CaseHazardRow.case_id).where(CaseHazardRow.hazard_class == hazard_class)
        statement = statement.where(col(CaseRow.case_id).in_(with_class))
    if query:
        statement = statement.where(col(CaseRow.search_text).contains(query.lower(), autoescape=True))
    if after_id is not None:
        statement = statement.where(col(CaseRow.case_id) > after_id)
    return list(session.exec(statement.order_by(col(CaseRow.case_id)).limit(limit + 1)).all())


def all_cases(*, session: Session) -> list[tuple[Case, datetime]]:
    """Every case with the time it was added."""
    rows = session.exec(select(CaseRow).order_by(col(CaseRow.case_id))).all()
    return [(case_of(r), r.created_at) for r in rows]


def library_revision(*, session: Session) -> int:
    """The current revision of the case library."""
    value = session.exec(select(LibraryRevisionRow.revision).where(LibraryRevisionRow.id == REVISION_KEY)).first()
    return int(value or 0)


def ensure_revision(*, session: Session) -> None:
    """Create the revision counter if this database has none yet."""
    if session.get(LibraryRevisionRow, REVISION_KEY) is None:
        session.add(LibraryRevisionRow(id=REVISION_KEY, revision=0))
        session.flush()


def bump_revision(*, session: Session) -> None:
    """Move the library revision in the caller's transaction."""
    result = session.execute(
        update(LibraryRevisionRow).where(col(LibraryRevisionRow.id) == REVISION_KEY).values(revision=LibraryRevisionRow.revision + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(LibraryRevisionRow(id=REVISION_KEY, revision=1))
        session.flush()


def _emit_case(session: Session, case: Case, event_type: str, extra: dict[str, Any] | None = None) -> None:
    """Write a case event to the outbox."""
    payload = {"kind": case.kind.value, "severity": case.severity.value, "primary_hazard_class": case.primary_hazard_class.value}
    add_event(session, stream=EVENT_STREAM, event_type=event_type, subject=case.name, payload={**payload, **(extra or {})})


# --- scenarios ------------------------------------------------------------------------------


def scenario_of(row: ScenarioRow) -> Scenario:
    """The domain scenario of a row."""
    return Scenario.model_validate_json(row.body)


def get_scenario(*, session: Session, scenario_id: str) -> ScenarioRow:
    """One scenario, or NOT_FOUND."""
    row = session.exec(select(ScenarioRow).where(ScenarioRow.scenario_id == scenario_id)).first()
    if row is None:
        raise not_found("scenario", f"scenarios/{scenario_id}")
    return row


def scenario_exists(*, session: Session, scenario_id: str) -> bool:
    """Tell whether a scenario id is taken."""
    return session.exec(select(ScenarioRow.seq).where(ScenarioRow.scenario_id == scenario_id)).first() is not None


def _scenario_row(scenario: Scenario) -> ScenarioRow:
    """The row of a new scenario."""
    return ScenarioRow(scenario_id=scenario.id, title=scenario.title[:300], mode=scenario.mode.value, body=scenario.model_dump_json())


def insert_scenario(*, session: Session, scenario: Scenario) -> ScenarioRow:
    """Store a new scenario with its event."""
    row = _scenario_row(scenario)
    session.add(row)
    session.flush()
    _emit_scenario(session, scenario, "scenario.created")
    return row


def scenario_ids(*, session: Session) -> set[str]:
    """Ids of every stored scenario."""
    return set(session.exec(select(ScenarioRow.scenario_id)).all())


def delete_scenario(*, session: Session, scenario_id: str) -> ScenarioRow:
    """Remove a scenario, with its event; return the removed row."""
    row = get_scenario(session=session, scenario_id=scenario_id)
    session.delete(row)
    _emit_scenario(session, scenario_of(row), "scenario.deleted")
    return row


def list_scenarios(*, session: Session, after_id: str | None, limit: int) -> list[ScenarioRow]:
    """Scenarios by id, resuming after `after_id`; one row more than `limit` tells if another page exists."""
    statement = select(ScenarioRow)
    if after_id is not None:
        statement = statement.where(col(ScenarioRow.scenario_id) > after_id)
    return list(session.exec(statement.order_by(col(ScenarioRow.scenario_id)).limit(limit + 1)).all())


def _emit_scenario(session: Session, scenario: Scenario, event_type: str) -> None:
    """Write a scenario event to the outbox."""
    payload = {"title": scenario.title, "mode": scenario.mode.value, "parks": scenario.parks}
    add_event(session, stream=EVENT_STREAM, event_type=event_type, subject=scenario.name, payload=payload)


# --- after-action reports -------------------------------------------------------------------


def insert_report(
    *, session: Session, report_id: str, scenario_id: str, exercise_id: str, live: bool, score: float, document: dict[str, Any]
) -> ReportRow:
    """Store a new after-action report with its event."""
    row = ReportRow(report_id=report_id, scenario_id=scenario_id, exercise_id=exercise_id, live=live, score=score, body=json.dumps(document, sort_keys=True))
    session.add(row)
    session.flush()
    payload = {"scenario": f"scenarios/{scenario_id}" if scenario_id else "", "live": live, "score": score}
    add_event(
        session, stream=EVENT_STREAM, event_type="after_action_report.created", subject=f"afterActionReports/{report_id}",
        exercise_id=exercise_id, payload=payload,
    )
    return row


def report_document(row: ReportRow) -> dict[str, Any]:
    """The stored report fields."""
    return dict(json.loads(row.body))


def get_report(*, session: Session, report_id: str) -> ReportRow:
    """One report, or NOT_FOUND."""
    row = session.exec(select(ReportRow).where(ReportRow.report_id == report_id)).first()
    if row is None:
        raise not_found("after_action_report", f"afterActionReports/{report_id}")
    return row


def mark_report_case(*, session: Session, report_id: str, case_id: str) -> None:
    """Record the case made from a report."""
    session.execute(update(ReportRow).where(col(ReportRow.report_id) == report_id).values(case_id=case_id))


def list_reports(*, session: Session, scenario_id: str, after_seq: int | None, limit: int) -> list[ReportRow]:
    """Newest first, resuming below `after_seq`; one row more than `limit` tells if another page exists."""
    statement = select(ReportRow)
    if scenario_id:
        statement = statement.where(ReportRow.scenario_id == scenario_id)
    if after_seq is not None:
        statement = statement.where(col(ReportRow.seq) < after_seq)
    return list(session.exec(statement.order_by(col(ReportRow.seq).desc()).limit(limit + 1)).all())


# --- the shipped library --------------------------------------------------------------------


def shipped_entries(*, session: Session) -> set[tuple[str, str]]:
    """(kind, id) of every shipped entry loaded before."""
    return {(r.kind, r.entry_id) for r in session.exec(select(ShippedEntryRow)).all()}


def record_shipped(*, session: Session, kind: str, entry_id: str) -> None:
    """Remember that a shipped entry was loaded."""
    session.add(ShippedEntryRow(kind=kind, entry_id=entry_id))
