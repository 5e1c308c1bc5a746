"""Loading the shipped case and scenario files into the database, each file once per database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from services.casebase import store
from services.casebase.library import CASES_DIR, SCENARIOS_DIR, check_scenarios, load_cases
from services.casebase.models import Case
from services.casebase.validation_scenario import ValidationContext
from services.common.transactions import Transactions

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


def load_shipped_library(tx: Transactions, context: ValidationContext, *, cases_dir: Path = CASES_DIR, scenarios_dir: Path = SCENARIOS_DIR) -> LoadSummary:
    """Add shipped entries not loaded before, in one transaction; an entry whose id is taken is only recorded."""
    checked = check_scenarios(scenarios_dir, context)
    skipped = tuple(f"{name}: " + "; ".join(f"{p.path}: {p.message}" for p in problems) for name, s, problems in checked if s is None)
    for line in skipped:
        log.warning("shipped scenario does not fit this deployment; not loaded: %s", line)
    scenarios = [s for _, s, _ in checked if s is not None]
    try:
        added_cases, added_scenarios = tx.write(store.add_new_shipped, _shipped_cases(cases_dir), scenarios)
    except IntegrityError:
        # Another replica starting at the same moment loaded the same entries first.
        log.info("shipped library loaded concurrently by another process")
        return LoadSummary(0, 0, skipped)
    return LoadSummary(added_cases, added_scenarios, skipped)
