"""The gateway's metrics: commit sagas and their steps (from its store), rate-limit refusals, live-event consumers and their lag,
and the situation read model (its lag, the events it applied, its rebuilds, and which path reads took)."""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emergency.gateway.v1 import gateway_service_pb2 as gpb
from opentelemetry.metrics import Counter, Histogram, UpDownCounter
from sqlalchemy import Engine

from gateway import store_sagas
from services.common.metrics import DURATION_BUCKETS_S, Figure, Reading, observe_figures, service_metrics

SERVICE = "gateway"
# The read model's lag is meant to stay well under a second: finer edges there.
READMODEL_LAG_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 2.0, 5.0, 10.0, 30.0)


def sagas_by_state(engine: Engine) -> list[Reading]:
    """Commit sagas (one per commit request) by state."""
    return [(float(n), {"state": state}) for state, n in store_sagas.count_by_state(engine)]


def saga_steps(engine: Engine) -> list[Reading]:
    """Saga steps taken, by step and outcome: REPLAN/done counts re-plans, COMPENSATED/done compensations."""
    return [(float(n), {"step": step, "status": status}) for step, status, n in store_sagas.count_steps(engine)]


SAGA_FIGURES = (
    Figure("emergency.sagas", "{saga}", "Commit sagas by state", sagas_by_state),
    Figure("emergency.saga.steps", "{step}", "Saga steps taken, by step and outcome", saga_steps, kind="counter"),
)


def observe(engine: Engine) -> Callable[[], None]:
    """Report the saga figures from this engine until the returned function is called."""
    _instruments().consumers.add(0)  # so the series exists (at 0) before the first console connects
    return observe_figures(SERVICE, engine, SAGA_FIGURES)


@dataclass(frozen=True)
class _Instruments:
    refusals: Counter
    consumers: UpDownCounter
    event_lag: Histogram
    readmodel_lag: Histogram
    readmodel_events: Counter
    readmodel_rebuilds: Counter
    readmodel_reads: Counter


@functools.cache
def _instruments() -> _Instruments:
    metrics = service_metrics(SERVICE)
    return _Instruments(
        refusals=metrics.meter.create_counter("emergency.ratelimit.refusals", unit="{call}", description="Calls refused by the gateway rate limit, by role"),
        consumers=metrics.meter.create_up_down_counter("emergency.events.consumers", unit="{stream}", description="Live-event streams open (WatchEvents)"),
        event_lag=metrics.histogram("emergency.events.lag", "s", "Time from a change to its delivery on a live-event stream", DURATION_BUCKETS_S),
        readmodel_lag=metrics.histogram(
            "emergency.readmodel.lag", "s", "Time from a change to its application to the situation read model", READMODEL_LAG_BUCKETS_S
        ),
        readmodel_events=metrics.meter.create_counter("emergency.readmodel.events", unit="{event}", description="Events applied to the read model, by stream"),
        readmodel_rebuilds=metrics.meter.create_counter("emergency.readmodel.rebuilds", unit="{rebuild}", description="Read model rebuilds, by cause"),
        readmodel_reads=metrics.meter.create_counter(
            "emergency.readmodel.reads", unit="{read}", description="Situation and availability reads, by path (readmodel or live)"
        ),
    )


def rate_limited(role: str) -> None:
    """Count one call refused by the rate limit."""
    _instruments().refusals.add(1, {"role": role})


async def measured_stream(events: AsyncIterator[gpb.Event]) -> AsyncIterator[gpb.Event]:
    """Pass a live-event stream through, counting it as a consumer and recording each event's lag."""
    figures = _instruments()
    figures.consumers.add(1)
    try:
        async for event in events:
            if event.HasField("time"):
                figures.event_lag.record(max(0.0, time.time() - event.time.ToNanoseconds() / 1e9))
            yield event
    finally:
        figures.consumers.add(-1)


def readmodel_applied(stream: str, lag_s: float) -> None:
    """Count one event applied to the read model with its lag."""
    figures = _instruments()
    figures.readmodel_events.add(1, {"stream": stream})
    figures.readmodel_lag.record(lag_s)


def readmodel_rebuilt(reason: str) -> None:
    """Count one rebuild, by the first word of its cause (kept few)."""
    _instruments().readmodel_rebuilds.add(1, {"cause": (reason.split() or ["unknown"])[0][:40]})


def readmodel_read(fresh: bool) -> None:
    """Count one read by the path it took."""
    _instruments().readmodel_reads.add(1, {"path": "readmodel" if fresh else "live"})


Figures = Callable[[], Mapping[str, Any]]


def readmodel_lag_recent(figures: Figures) -> list[Reading]:
    """The read model's lag over its last events, by quantile."""
    now = figures()
    return [(float(now[f"lag_{q}_s"]), {"quantile": label}) for q, label in (("p50", "0.5"), ("p95", "0.95"), ("max", "1"))]


def readmodel_ready(figures: Figures) -> list[Reading]:
    """1 while reads may use the read model."""
    return [(1.0 if figures()["ready"] else 0.0, {})]


READMODEL_FIGURES = (
    Figure("emergency.readmodel.lag.recent", "s", "Read model lag over its last events, by quantile", readmodel_lag_recent),
    Figure("emergency.readmodel.ready", "{state}", "1 while reads may use the read model", readmodel_ready),
)


def observe_readmodel(figures: Figures) -> Callable[[], None]:
    """Report the read model's recent lag quantiles and readiness until the returned function is called."""
    return observe_figures(SERVICE, figures, READMODEL_FIGURES)
