"""The changes of the case base: each checks its rules and writes through the store, inside the caller's transaction.

A change takes what the request means in domain terms; building it from a message (and its field violations) is
the servicer's, through the mapping and validation modules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import Session

from services.casebase import store
from services.casebase.models import Case, Scenario
from services.casebase.tables import CaseRow, ReportRow, ScenarioRow
from services.common.errors import already_exists, failed_precondition


def create_case(session: Session, case: Case, extra: dict[str, Any]) -> CaseRow:
    """Add a case under a free id."""
    if store.case_exists(session=session, case_id=case.id):
        raise already_exists("case", case.name)
    return store.insert_case(session=session, case=case, extra=extra)


def update_case(session: Session, case_id: str, paths: Sequence[str], actor: str, revise: Callable[[Case], Case]) -> tuple[Case, CaseRow]:
    """Replace a case (locked while it is revised) with its revision."""
    current = store.case_of(store.get_case(session=session, case_id=case_id, for_update=True))
    case = revise(current)
    return case, store.replace_case(session=session, case=case, changed=paths, actor=actor)


def delete_case(session: Session, case_id: str) -> CaseRow:
    """Remove a case; the removed row."""
    return store.delete_case(session=session, case_id=case_id)


def create_scenario(session: Session, scenario: Scenario) -> ScenarioRow:
    """Add a scenario under a free id."""
    if store.scenario_exists(session=session, scenario_id=scenario.id):
        raise already_exists("scenario", scenario.name)
    return store.insert_scenario(session=session, scenario=scenario)


def delete_scenario(session: Session, scenario_id: str) -> ScenarioRow:
    """Remove a scenario; the removed row."""
    return store.delete_scenario(session=session, scenario_id=scenario_id)


def create_report(
    session: Session,
    report_id: str,
    scenario_id: str,
    check: Callable[[Scenario], None],
    *,
    exercise_id: str,
    live: bool,
    score: float,
    document: dict[str, Any],
) -> ReportRow:
    """Store an after-action report; a drill's report must fit its stored scenario (`check` raises when it does not)."""
    if scenario_id:
        check(store.scenario_of(store.get_scenario(session=session, scenario_id=scenario_id)))
    return store.insert_report(
        session=session, report_id=report_id, scenario_id=scenario_id, exercise_id=exercise_id, live=live, score=score, document=document
    )


def case_from_report(session: Session, report: str, report_id: str, actor: str, make_case: Callable[[ReportRow], Case]) -> tuple[Case, CaseRow]:
    """Make a new case from a live incident's report (`make_case` raises ValueError when the report lacks what a case needs)."""
    row = store.get_report(session=session, report_id=report_id)
    if not row.live:
        raise failed_precondition("REPORT_NOT_LIVE", f"{report} is a drill report; only live incidents become cases", {"report": report})
    try:
        case = make_case(row)
    except ValueError as exc:
        raise failed_precondition("REPORT_INCOMPLETE", f"{report} cannot become a case: {exc}", {"report": report}) from exc
    created = create_case(session, case, {"from_report": report, "actor": actor})
    store.mark_report_case(session=session, report_id=row.report_id, case_id=case.id)
    return case, created
