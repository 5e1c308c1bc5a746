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
    checked = check_scenarios(scenarios_dir, context)
    skipped = tuple(f"{name}: " + "; ".join(f"{p.path}: {p.message}" for p in problems) for name, s, problems in checked if s is None)
    for line in skipped:
        log.warning("shipped scenario does not fit this deployment; not loaded: %s", line)
    scenarios = [s for _, s, _ in checked if s is not None]
    try:
        with session_scope(engine) as session:
            store.ensure_revision(session=session)
            done = store.shipped_entries(session=session)
            new_cases = [c for c in _shipped_cases(cases_dir) if ("case", c.id) not in done]
            new_scenarios = [s for s in scenarios if ("scenario", s.id) not in done]
            taken_cases, taken_scenarios = store.case_ids(session=session), store.scenario_ids(session=session)
            cases_to_add = [c for c in new_cases if c.id not in taken_cases]
            scenarios_to_add = [s for s in new_scenarios if s.id not in taken_scenarios]
            store.add_shipped(session=session, cases=cases_to_add, scenarios=scenarios_to_add)
            for case in new_cases:
                store.record_shipped(session=session, kind="case", entry_id=case.id)
            for scenario in new_scenarios:
                store.record_shipped(session=session, kind="scenario", entry_id=scenario.id)
    except IntegrityError:
        # Another replica starting at the same moment loaded the same entries first.
        log.info("shipped library loaded concurrently by another process")
        return LoadSummary(0, 0, skipped)
    return LoadSummary(len(cases_to_add), len(scenarios_to_add), skipped)
