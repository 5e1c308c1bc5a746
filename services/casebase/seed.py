"""Loading the shipped case and scenario files into the database, each file once per database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from services.casebase import store
from services.casebase.library import CASES_DIR, SCENARIOS_DIR, check_scenarios, load_cases
from services.casebase.models import Case
from services.casebase.scenario_validation import ValidationContext
from services.common.db import session_scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadSummary:
    """What one start loaded: new cases, new scenarios, and scenario files that do not fit this deployment."""

    cases: int
    scenarios: int
    skipped: tuple[str, ...] = ()


@cache
def _shipped_cases(folder: Path) -> tuple[Case, ...]:
    """The shipped cases, parsed once per process."""
    return tuple(load_cases(folder))


def load_shipped_library(
    engine: Engine, context: ValidationContext, *, cases_dir: Path = CASES_DIR, scenarios_dir: Path = SCENARIOS_DIR
) -> LoadSummary:
    """Add shipped entries not loaded before, in one transaction; an entry whose id is taken is only recorded."""
    cases = _shipped_cases(cases_dir)
    checked = check_scenarios(scenarios_dir, context)
    skipped = tuple(f"{name}: " + "; ".join(f"{p.path}: {p.message}" for p in problems) for name, s, problems in checked if s is None)
    for line in skipped:
        log.warning("shipped scenario does not fit this deployment; not loaded: %s", line)
    try:
        with session_scope(engine) as session:
            store.ensure_revision(session=session)
            done = store.shipped_entries(session=session)
            new_cases = new_scenarios = 0
            for case in cases:
                if ("case", case.id) in done:
                    continue
                if not store.case_exists(session=session, case_id=case.id):
                    store.insert_case(session=session, case=case, event_type=None)
                    new_cases += 1
                store.record_shipped(session=session, kind="case", entry_id=case.id)
            for _, scenario, _ in checked:
                if scenario is None or ("scenario", scenario.id) in done:
                    continue
                if not store.scenario_exists(session=session, scenario_id=scenario.id):
                    store.insert_scenario(session=session, scenario=scenario, event_type=None)
                    new_scenarios += 1
                store.record_shipped(session=session, kind="scenario", entry_id=scenario.id)
            if new_cases or new_scenarios:
                store.emit_library_loaded(session=session, cases=new_cases, scenarios=new_scenarios)
    except IntegrityError:
        # Another replica starting at the same moment loaded the same entries first.
        log.info("shipped library loaded concurrently by another process")
        return LoadSummary(0, 0, skipped)
    return LoadSummary(new_cases, new_scenarios, skipped)
