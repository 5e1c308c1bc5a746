"""Persistence of the case base: every session and query of cases, scenarios, after-action reports and the shipped library."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, update
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.casebase.models import Case, Scenario
from services.casebase.tables import CaseHazardRow, CaseRow, LibraryRevisionRow, ReportRow, ScenarioRow, ShippedEntryRow
from services.common.clock import utcnow
from services.common.errors import not_found
from services.common.outbox import add_event

EVENT_STREAM = "emergency.casebase.events"
REVISION_KEY = 1
R = TypeVar("R", bound=SQLModel)


def _one(session: Session, statement: SelectOfScalar[R], what: str, name: str) -> R:
    """The one row a statement selects, or NOT_FOUND naming the resource."""
    row = session.exec(statement).first()
    if row is None:
        raise not_found(what, name)
    return row


# --- cases ----------------------------------------------------------------------------------


def case_of(row: CaseRow) -> Case:
    """The domain case of a row."""
    return Case.model_validate_json(row.body)


def get_case(session: Session, *, case_id: str, for_update: bool = False) -> CaseRow:
    """One case (locked for the transaction when asked), or NOT_FOUND."""
    statement = select(CaseRow).where(CaseRow.case_id == case_id)
    return _one(session, statement.with_for_update() if for_update else statement, "case", f"cases/{case_id}")


def case_exists(session: Session, *, case_id: str) -> bool:
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


def insert_case(session: Session, *, case: Case, event_type: str = "case.created", extra: dict[str, Any] | None = None) -> CaseRow:
    """Store a new case with its event and move the library revision."""
    row = CaseRow(case_id=case.id, **_case_columns(case))
    session.add(row)
    session.flush()
    _write_hazards(session, case, replace=False)
    bump_revision(session=session)
    _emit_case(session, case, event_type, extra)
    return row


def add_shipped(session: Session, *, cases: Sequence[Case], scenarios: Sequence[Scenario]) -> None:
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


def case_ids(session: Session) -> set[str]:
    """Ids of every stored case."""
    return set(session.exec(select(CaseRow.case_id)).all())


def replace_case(session: Session, *, case: Case, changed: Sequence[str], actor: str) -> CaseRow:
    """Store new values of an existing case, with its event, and move the library revision."""
    row = get_case(session=session, case_id=case.id)
    session.execute(update(CaseRow).where(col(CaseRow.case_id) == case.id).values(**_case_columns(case), updated_at=utcnow()))
    session.expire(row)
    _write_hazards(session, case)
    bump_revision(session=session)
    _emit_case(session, case, "case.updated", {"changed": sorted(changed), "actor": actor})
    return get_case(session=session, case_id=case.id)


def delete_case(session: Session, *, case_id: str) -> CaseRow:
    """Remove a case, with its event, and move the library revision; return the removed row."""
    row = get_case(session=session, case_id=case_id)
    case = case_of(row)
    session.execute(delete(CaseHazardRow).where(col(CaseHazardRow.case_id) == case_id))
    session.delete(row)
    bump_revision(session=session)
    _emit_case(session, case, "case.deleted")
    return row


def list_cases(session: Session, *, kind: str, hazard_class: str, severity: str, query: str, after_id: str | None, limit: int) -> list[CaseRow]:
    """At most `limit` cases by id, resuming after `after_id`."""
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
    return list(session.exec(statement.order_by(col(CaseRow.case_id)).limit(limit)).all())


def all_cases(session: Session) -> list[tuple[Case, datetime]]:
    """Every case with the time it was added."""
    rows = session.exec(select(CaseRow).order_by(col(CaseRow.case_id))).all()
    return [(case_of(r), r.created_at) for r in rows]


def library_state(session: Session) -> tuple[int, list[tuple[Case, datetime]]]:
    """The library's revision and every case of it, read together."""
    return library_revision(session=session), all_cases(session=session)


def case_count(session: Session) -> int:
    """How many cases the library holds."""
    return int(session.exec(select(func.count()).select_from(CaseRow)).one())


def library_revision(session: Session) -> int:
    """The current revision of the case library."""
    value = session.exec(select(LibraryRevisionRow.revision).where(LibraryRevisionRow.id == REVISION_KEY)).first()
    return int(value or 0)


def ensure_revision(session: Session) -> None:
    """Create the revision counter if this database has none yet."""
    if session.get(LibraryRevisionRow, REVISION_KEY) is None:
        session.add(LibraryRevisionRow(id=REVISION_KEY, revision=0))
        session.flush()


def bump_revision(session: Session) -> None:
    """Move the library revision in the caller's transaction."""
    result = session.execute(update(LibraryRevisionRow).where(col(LibraryRevisionRow.id) == REVISION_KEY).values(revision=LibraryRevisionRow.revision + 1))
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


def get_scenario(session: Session, *, scenario_id: str) -> ScenarioRow:
    """One scenario, or NOT_FOUND."""
    return _one(session, select(ScenarioRow).where(ScenarioRow.scenario_id == scenario_id), "scenario", f"scenarios/{scenario_id}")


def scenario_exists(session: Session, *, scenario_id: str) -> bool:
    """Tell whether a scenario id is taken."""
    return session.exec(select(ScenarioRow.seq).where(ScenarioRow.scenario_id == scenario_id)).first() is not None


def _scenario_row(scenario: Scenario) -> ScenarioRow:
    """The row of a new scenario."""
    return ScenarioRow(scenario_id=scenario.id, title=scenario.title[:300], mode=scenario.mode.value, body=scenario.model_dump_json())


def insert_scenario(session: Session, *, scenario: Scenario) -> ScenarioRow:
    """Store a new scenario with its event."""
    row = _scenario_row(scenario)
    session.add(row)
    session.flush()
    _emit_scenario(session, scenario, "scenario.created")
    return row


def scenario_ids(session: Session) -> set[str]:
    """Ids of every stored scenario."""
    return set(session.exec(select(ScenarioRow.scenario_id)).all())


def delete_scenario(session: Session, *, scenario_id: str) -> ScenarioRow:
    """Remove a scenario, with its event; return the removed row."""
    row = get_scenario(session=session, scenario_id=scenario_id)
    session.delete(row)
    _emit_scenario(session, scenario_of(row), "scenario.deleted")
    return row


def list_scenarios(session: Session, *, after_id: str | None, limit: int) -> list[ScenarioRow]:
    """At most `limit` scenarios by id, resuming after `after_id`."""
    statement = select(ScenarioRow)
    if after_id is not None:
        statement = statement.where(col(ScenarioRow.scenario_id) > after_id)
    return list(session.exec(statement.order_by(col(ScenarioRow.scenario_id)).limit(limit)).all())


def _emit_scenario(session: Session, scenario: Scenario, event_type: str) -> None:
    """Write a scenario event to the outbox."""
    payload = {"title": scenario.title, "mode": scenario.mode.value, "parks": scenario.parks}
    add_event(session, stream=EVENT_STREAM, event_type=event_type, subject=scenario.name, payload=payload)


# --- after-action reports -------------------------------------------------------------------


def insert_report(session: Session, *, report_id: str, scenario_id: str, exercise_id: str, live: bool, score: float, document: dict[str, Any]) -> ReportRow:
    """Store a new after-action report with its event."""
    row = ReportRow(report_id=report_id, scenario_id=scenario_id, exercise_id=exercise_id, live=live, score=score, body=json.dumps(document, sort_keys=True))
    session.add(row)
    session.flush()
    payload = {"scenario": f"scenarios/{scenario_id}" if scenario_id else "", "live": live, "score": score}
    add_event(
        session,
        stream=EVENT_STREAM,
        event_type="after_action_report.created",
        subject=f"afterActionReports/{report_id}",
        exercise_id=exercise_id,
        payload=payload,
    )
    return row


def report_document(row: ReportRow) -> dict[str, Any]:
    """The stored report fields."""
    return dict(json.loads(row.body))


def get_report(session: Session, *, report_id: str) -> ReportRow:
    """One report, or NOT_FOUND."""
    return _one(session, select(ReportRow).where(ReportRow.report_id == report_id), "after_action_report", f"afterActionReports/{report_id}")


def mark_report_case(session: Session, *, report_id: str, case_id: str) -> None:
    """Record the case made from a report."""
    session.execute(update(ReportRow).where(col(ReportRow.report_id) == report_id).values(case_id=case_id))


def report_scores(session: Session) -> list[tuple[str, bool, float]]:
    """(scenario id, live, score) of every report, oldest first."""
    rows = session.exec(select(ReportRow.scenario_id, ReportRow.live, ReportRow.score).order_by(col(ReportRow.seq))).all()
    return [(scenario, bool(live), float(score)) for scenario, live, score in rows]


def list_reports(session: Session, *, scenario_id: str, after_seq: int | None, limit: int) -> list[ReportRow]:
    """At most `limit` reports, newest first, resuming below `after_seq`."""
    statement = select(ReportRow)
    if scenario_id:
        statement = statement.where(ReportRow.scenario_id == scenario_id)
    if after_seq is not None:
        statement = statement.where(col(ReportRow.seq) < after_seq)
    return list(session.exec(statement.order_by(col(ReportRow.seq).desc()).limit(limit)).all())


# --- the shipped library --------------------------------------------------------------------


def shipped_entries(session: Session) -> set[tuple[str, str]]:
    """(kind, id) of every shipped entry loaded before."""
    return {(r.kind, r.entry_id) for r in session.exec(select(ShippedEntryRow)).all()}


def record_shipped(session: Session, *, kind: str, entry_id: str) -> None:
    """Remember that a shipped entry was loaded."""
    session.add(ShippedEntryRow(kind=kind, entry_id=entry_id))


def add_new_shipped(session: Session, cases: Sequence[Case], scenarios: Sequence[Scenario]) -> tuple[int, int]:
    """Add the shipped entries not loaded before and how many of each were added; an entry whose id is taken is only
    recorded as loaded (IntegrityError when another process loads the same entries at the same moment)."""
    ensure_revision(session=session)
    done = shipped_entries(session=session)
    new_cases = [c for c in cases if ("case", c.id) not in done]
    new_scenarios = [s for s in scenarios if ("scenario", s.id) not in done]
    taken_cases, taken_scenarios = case_ids(session=session), scenario_ids(session=session)
    cases_to_add = [c for c in new_cases if c.id not in taken_cases]
    scenarios_to_add = [s for s in new_scenarios if s.id not in taken_scenarios]
    add_shipped(session=session, cases=cases_to_add, scenarios=scenarios_to_add)
    for case in new_cases:
        record_shipped(session=session, kind="case", entry_id=case.id)
    for scenario in new_scenarios:
        record_shipped(session=session, kind="scenario", entry_id=scenario.id)
    return len(cases_to_add), len(scenarios_to_add)
