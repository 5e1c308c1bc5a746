"""Metrics through the OpenTelemetry SDK: one meter provider per service, a Prometheus endpoint, OTLP by OTEL_* variables.

A provider per service (not one per process) keeps each service's endpoint to its own figures when tests run
several services in one process; in a deployment every process holds exactly one.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import resource
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar
from wsgiref.simple_server import WSGIServer

import grpc
from opentelemetry import metrics
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.metrics import CallbackOptions, Histogram, Meter, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from prometheus_client import CollectorRegistry, start_http_server

log = logging.getLogger(__name__)

# Seconds; the 2 s bucket edge is there because the report-to-commit standard is 2 s.
DURATION_BUCKETS_S = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 30.0, 60.0)
RATIO_BUCKETS = (0.0, 0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)

Attributes = Mapping[str, str | int | float | bool]
Reading = tuple[float, Attributes]
Reader = Callable[[], Iterable[Reading]]
Kind = Literal["gauge", "counter", "updown"]
S = TypeVar("S")


def metric_exporters() -> list[str]:
    """The metric exporters named by OTEL_METRICS_EXPORTER (default: the Prometheus endpoint only)."""
    names = [n.strip().lower() for n in os.environ.get("OTEL_METRICS_EXPORTER", "prometheus").split(",") if n.strip()]
    unknown = sorted(set(names) - {"none", "prometheus", "otlp", "console"})
    if unknown:
        raise ValueError(f"OTEL_METRICS_EXPORTER: unknown exporter {unknown[0]!r} (use none, prometheus, otlp or console)")
    return [n for n in names if n != "none"]


def _readers(exporters: Sequence[str], registry: CollectorRegistry) -> list[MetricReader]:
    """Metric readers for the named exporters."""
    readers: list[MetricReader] = []
    if "prometheus" in exporters:
        readers.append(PrometheusMetricReader(registry=registry))
    if "otlp" in exporters:
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    if "console" in exporters:
        readers.append(PeriodicExportingMetricReader(ConsoleMetricExporter()))
    return readers


def split_method(full_method: str) -> tuple[str, str]:
    """'/pkg.Service/Method' as (service, method)."""
    service, _, method = full_method.lstrip("/").partition("/")
    return service, method


@dataclass
class _Observed:
    """One observable instrument and the readers that currently feed it."""

    readers: list[Reader] = field(default_factory=list)


class ServiceMetrics:
    """A service's meter provider, its Prometheus registry and endpoint, and the instruments every service has."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.exporters = metric_exporters()
        self.registry = CollectorRegistry(auto_describe=True)
        name = os.environ.get("OTEL_SERVICE_NAME") or service
        self.provider = MeterProvider(resource=Resource.create({"service.name": name}), metric_readers=_readers(self.exporters, self.registry))
        self.meter: Meter = self.provider.get_meter("emergency." + service)
        self._lock = threading.Lock()
        self._observed: dict[str, _Observed] = {}
        self._endpoints: list[WSGIServer] = []
        self.server_duration = self.histogram("rpc.server.call.duration", "s", "Duration of gRPC calls served, by method and status code")
        self.client_duration = self.histogram("rpc.client.call.duration", "s", "Duration of gRPC calls made to other services, by method and status code")
        self.db_duration = self.histogram("db.client.operation.duration", "s", "Duration of Redis round trips, by command")
        self._observe_process()

    def histogram(self, name: str, unit: str, description: str, buckets: Sequence[float] = DURATION_BUCKETS_S) -> Histogram:
        """A histogram with the given bucket edges."""
        return self.meter.create_histogram(name, unit=unit, description=description, explicit_bucket_boundaries_advisory=list(buckets))

    def record_call(self, histogram: Histogram, full_method: str, code: grpc.StatusCode, seconds: float) -> None:
        """Record one gRPC call with the RPC semantic-convention attributes."""
        service, method = split_method(full_method)
        histogram.record(seconds, {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method, "rpc.response.status_code": code.name})

    def record_server_call(self, full_method: str, code: grpc.StatusCode, seconds: float) -> None:
        """Record one call this service answered."""
        self.record_call(self.server_duration, full_method, code, seconds)

    def observe(self, name: str, *, unit: str, description: str, read: Reader, kind: Kind = "gauge") -> Callable[[], None]:
        """Report what `read` returns at every collection until the returned function is called."""
        with self._lock:
            observed = self._observed.get(name)
            if observed is None:
                observed = self._observed[name] = _Observed()
                create = {
                    "gauge": self.meter.create_observable_gauge,
                    "counter": self.meter.create_observable_counter,
                    "updown": self.meter.create_observable_up_down_counter,
                }[kind]
                create(name, callbacks=[self._callback(name, observed)], unit=unit, description=description)
            observed.readers.append(read)

        def stop() -> None:
            with self._lock, contextlib.suppress(ValueError):
                observed.readers.remove(read)

        return stop

    def _callback(self, name: str, observed: _Observed) -> Callable[[CallbackOptions], Iterator[Observation]]:
        """The instrument callback: every current reader's values; a failing reader is logged and skipped."""

        def callback(_options: CallbackOptions) -> Iterator[Observation]:
            with self._lock:
                readers = list(observed.readers)
            for read in readers:
                try:
                    readings = list(read())
                except Exception as exc:
                    log.warning("metric %s not read: %s", name, exc)
                    continue
                for value, attributes in readings:
                    yield Observation(value, dict(attributes))

        return callback

    def _observe_process(self) -> None:
        """Process CPU time and resident memory (semantic-convention names)."""

        def cpu() -> Iterable[Reading]:
            times = os.times()
            return [(times.user, {"cpu.mode": "user"}), (times.system, {"cpu.mode": "system"})]

        def memory() -> Iterable[Reading]:
            return [(_resident_bytes(), {})]

        self.observe("process.cpu.time", unit="s", description="CPU time of the service process", read=cpu, kind="counter")
        self.observe("process.memory.usage", unit="By", description="Resident memory of the service process", read=memory, kind="updown")

    def serve(self, host: str, port: int) -> int:
        """Serve the Prometheus endpoint (/metrics) on host:port (0 picks a free port); return the port, or 0 if disabled."""
        if "prometheus" not in self.exporters:
            return 0
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        with self._lock:
            self._endpoints.append(server)
        return int(server.server_port)

    def close_endpoint(self, port: int) -> None:
        """Stop the endpoint listening on the port."""
        with self._lock:
            servers = [s for s in self._endpoints if s.server_port == port]
            self._endpoints = [s for s in self._endpoints if s.server_port != port]
        for server in servers:
            server.shutdown()
            server.server_close()


def _resident_bytes() -> float:
    """Current resident set size from /proc, else the peak from getrusage."""
    try:
        with open("/proc/self/statm") as statm:
            return float(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, IndexError):
        return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def stop_all(stops: Sequence[Callable[[], None]]) -> Callable[[], None]:
    """One function that stops every observation given."""

    def stop() -> None:
        for each in stops:
            each()

    return stop


@dataclass(frozen=True)
class Figure(Generic[S]):
    """An observed figure: its instrument, and how to read it from a source (a service's database engine, say)."""

    name: str
    unit: str
    description: str
    read: Callable[[S], Iterable[Reading]]
    kind: Kind = "gauge"


def observe_figures(service: str, source: S, figures: Sequence[Figure[S]]) -> Callable[[], None]:
    """Report every figure, read from `source`, until the returned function is called."""
    metrics = service_metrics(service)
    return stop_all([metrics.observe(f.name, unit=f.unit, description=f.description, read=functools.partial(f.read, source), kind=f.kind) for f in figures])


_SERVICES: dict[str, ServiceMetrics] = {}
_SERVICES_LOCK = threading.Lock()


def service_metrics(service: str) -> ServiceMetrics:
    """The metrics of a service in this process, created on first use; the first one also becomes the global provider."""
    with _SERVICES_LOCK:
        found = _SERVICES.get(service)
        if found is None:
            found = _SERVICES[service] = ServiceMetrics(service)
            if len(_SERVICES) == 1:
                metrics.set_meter_provider(found.provider)
        return found
