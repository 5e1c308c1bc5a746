"""The case base's metrics, read from its store: the library's size and the latest after-action score per scenario."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Engine

from services.casebase import store
from services.common.metrics import Reading, service_metrics, stop_all
from services.common.transactions import Transactions

SERVICE = "casebase"


def library_size(engine: Engine) -> list[Reading]:
    """Accident cases in the library."""
    return [(float(Transactions(engine).read(store.case_count)), {})]


def latest_scores(engine: Engine) -> list[Reading]:
    """The rubric score (0 to 1) of the latest after-action report of each scenario, drills and live responses apart."""
    latest: dict[tuple[str, bool], float] = {}
    for scenario, live, score in Transactions(engine).read(store.report_scores):
        latest[(scenario or "none", live)] = score
    return [(score, {"scenario": scenario, "namespace": "live" if live else "drill"}) for (scenario, live), score in sorted(latest.items())]


def observe(engine: Engine) -> Callable[[], None]:
    """Report the case-base gauges from this engine until the returned function is called."""
    metrics = service_metrics(SERVICE)

    def cases() -> Iterable[Reading]:
        return library_size(engine)

    def scores() -> Iterable[Reading]:
        return latest_scores(engine)

    return stop_all(
        [
            metrics.observe("emergency.cases", unit="{case}", description="Accident cases in the library", read=cases),
            metrics.observe("emergency.after_action.score", unit="{score}", description="Score of the latest after-action report per scenario", read=scores),
        ]
    )
