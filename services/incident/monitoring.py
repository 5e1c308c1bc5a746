"""The incident service's metrics: open incidents by level and state, and the time from report to committed plan."""

from __future__ import annotations

import functools
from collections.abc import Callable

from opentelemetry.metrics import Histogram
from sqlalchemy import Engine

from services.common.clock import as_utc, utcnow
from services.common.metrics import DURATION_BUCKETS_S, Figure, Reading, observe_figures, service_metrics
from services.common.transactions import Transactions
from services.incident import store
from services.incident.tables import IncidentRow

SERVICE = "incident"


def namespace_kind(exercise_id: str) -> str:
    """'live' or 'drill': exercise ids are unbounded, so they never become a label."""
    return "drill" if exercise_id else "live"


def open_incidents(engine: Engine) -> list[Reading]:
    """Open incidents counted by severity level, state and namespace kind."""
    return [
        (float(n), {"severity": level, "state": state, "namespace": "drill" if drill else "live"})
        for level, state, drill, n in Transactions(engine).read(store.open_counts)
    ]


FIGURES = (Figure("emergency.incidents.open", "{incident}", "Open incidents by severity level and state", open_incidents),)


def observe(engine: Engine) -> Callable[[], None]:
    """Report open incidents from this engine until the returned function is called."""
    return observe_figures(SERVICE, engine, FIGURES)


@functools.cache
def _report_to_commit() -> Histogram:
    return service_metrics(SERVICE).histogram(
        "emergency.incident.report_to_commit.duration", "s", "Time from an incident's report to its committed plan (state RESPONDING)", DURATION_BUCKETS_S
    )


def record_committed(row: IncidentRow) -> None:
    """Record the report-to-commit time of an incident that has just moved to RESPONDING."""
    seconds = max(0.0, (utcnow() - as_utc(row.created_at)).total_seconds())
    _report_to_commit().record(seconds, {"severity": row.severity, "namespace": namespace_kind(row.exercise_id)})
