"""OpenTelemetry tracing and JSON logging, set up once per process from the standard OTEL_* variables."""

from __future__ import annotations

import logging
import os
import sys

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from pythonjsonlogger.json import JsonFormatter


def setup_tracing(service_name: str) -> TracerProvider:
    """Install a tracer provider unless one is installed; exporter from OTEL_TRACES_EXPORTER (none, console, otlp)."""
    existing = trace.get_tracer_provider()
    if isinstance(existing, TracerProvider):
        return existing
    name = os.environ.get("OTEL_SERVICE_NAME") or service_name
    exporters = [e.strip().lower() for e in os.environ.get("OTEL_TRACES_EXPORTER", "none").split(",") if e.strip().lower() not in ("", "none")]
    # With nowhere to send spans, recording them is pure cost: they still carry trace ids (for the logs and the
    # services called) but keep no attributes or timings. OTEL_TRACES_SAMPLER, when set, decides instead.
    sampler = ALWAYS_OFF if not exporters and not os.environ.get("OTEL_TRACES_SAMPLER") else None
    provider = TracerProvider(resource=Resource.create({"service.name": name}), sampler=sampler)
    for exporter_name in exporters:
        if exporter_name == "console":
            provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
        elif exporter_name == "otlp":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        else:
            raise ValueError(f"OTEL_TRACES_EXPORTER: unknown exporter {exporter_name!r} (use none, console or otlp)")
    trace.set_tracer_provider(provider)
    return provider


class TraceContextFilter(logging.Filter):
    """Adds the service name and the current trace and span ids to every record."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self._service_name = service_name

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach ids; never drops a record."""
        context = trace.get_current_span().get_span_context()
        record.service = self._service_name
        record.trace_id = format(context.trace_id, "032x") if context.is_valid else ""
        record.span_id = format(context.span_id, "016x") if context.is_valid else ""
        return True


def setup_logging(service_name: str, level: str = "INFO", fmt: str = "json") -> None:
    """Log to stderr as JSON (or text) lines carrying trace ids."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(trace_id)s %(span_id)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(service)s %(name)s [%(trace_id)s] %(message)s"))
    handler.addFilter(TraceContextFilter(service_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
