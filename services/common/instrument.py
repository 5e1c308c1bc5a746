"""Spans and metrics for what a service waits on: SQLAlchemy statements and pool, Redis round trips, the outbox backlog."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import redis.asyncio as aioredis
from opentelemetry import trace
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.instrumentation.sqlalchemy.version import __version__ as SQLALCHEMY_INSTRUMENTATION_VERSION
from opentelemetry.trace import Span
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from services.common.clock import epoch_s
from services.common.db import read_only
from services.common.metrics import Reading, ServiceMetrics
from services.common.outbox import OutboxEvent


class ChildSpansOnly(trace.Tracer):
    """Starts spans only inside a trace: the relay's and sweeper's idle polls would otherwise each be a one-span trace."""

    def __init__(self, inner: trace.Tracer) -> None:
        self._inner = inner

    @staticmethod
    def _inside_trace() -> bool:
        return trace.get_current_span().get_span_context().is_valid

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> Span:
        """A real child span inside a trace, else a non-recording one."""
        return self._inner.start_span(name, *args, **kwargs) if self._inside_trace() else trace.INVALID_SPAN

    @contextmanager
    def start_as_current_span(self, name: str, *args: Any, **kwargs: Any) -> Iterator[Span]:  # type: ignore[override]
        """As start_span, made current for the block."""
        if not self._inside_trace():
            yield trace.INVALID_SPAN
            return
        with self._inner.start_as_current_span(name, *args, **kwargs) as span:
            yield span


def instrument_engine(engine: Engine, metrics: ServiceMetrics) -> None:
    """Spans for every statement run inside a trace, and the pool's connections in use (db.client.connections.usage)."""
    # The instrumentor's instrument(engine=...) is a process-wide singleton that would take only the first
    # service's engine; the engine tracer it builds is attached per engine here instead.
    tracer = ChildSpansOnly(trace.get_tracer("opentelemetry.instrumentation.sqlalchemy", SQLALCHEMY_INSTRUMENTATION_VERSION))
    usage = metrics.meter.create_up_down_counter(
        "db.client.connections.usage", unit="{connection}", description="Connections of the database pool, by state (idle, used)"
    )
    EngineTracer(tracer, engine, usage)


def instrument_redis(client: aioredis.Redis, metrics: ServiceMetrics) -> None:
    """A span for every Redis command and its round-trip time (db.client.operation.duration)."""

    def on_response(span: Span, _instance: Any, _response: Any) -> None:
        started = getattr(span, "start_time", None)
        name = getattr(span, "name", "") or "redis"
        if started:
            metrics.db_duration.record((time.time_ns() - started) / 1e9, {"db.system.name": "redis", "db.operation.name": name.split(" ")[0]})

    RedisInstrumentor.instrument_client(client, response_hook=on_response)


def outbox_backlog(engine: Engine) -> tuple[int, float]:
    """Rows not yet relayed and the age in seconds of the oldest of them (0 when none wait)."""
    with Session(read_only(engine)) as session:
        count, oldest = session.exec(  # type: ignore[call-overload]
            select(func.count(), func.min(OutboxEvent.created_at)).where(col(OutboxEvent.relayed_at).is_(None))
        ).one()
    return int(count), (max(0.0, time.time() - epoch_s(oldest)) if oldest is not None else 0.0)


def observe_outbox(engine: Engine, metrics: ServiceMetrics) -> list[Callable[[], None]]:
    """Outbox rows waiting and the relay lag (age of the oldest waiting row); returns the functions that stop them."""

    def waiting() -> Iterable[Reading]:
        return [(float(outbox_backlog(engine)[0]), {})]

    def lag() -> Iterable[Reading]:
        return [(outbox_backlog(engine)[1], {})]

    return [
        metrics.observe("emergency.outbox.waiting", unit="{event}", description="Outbox rows not yet relayed to Redis", read=waiting),
        metrics.observe("emergency.outbox.lag", unit="s", description="Age of the oldest outbox row not yet relayed (relay lag)", read=lag),
    ]
