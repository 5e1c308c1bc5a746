"""The case base's metrics, read from its store: the library's size and the latest after-action score per scenario."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from services.casebase import store
from services.common.metrics import Figure, Reading, observe_figures
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


FIGURES = (
    Figure("emergency.cases", "{case}", "Accident cases in the library", library_size),
    Figure("emergency.after_action.score", "{score}", "Score of the latest after-action report per scenario", latest_scores),
)


def observe(engine: Engine) -> Callable[[], None]:
    """Report the case-base gauges from this engine until the returned function is called."""
    return observe_figures(SERVICE, engine, FIGURES)
