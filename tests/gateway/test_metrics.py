"""Operating the suite: every service's Prometheus endpoint, what report -> propose -> commit moves, and the spans inside a commit."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families

from gateway.ratelimit import RateLimiter
from services.common.auth import Principal, Role
from services.common.client import open_channel
from services.common.errors import ServiceError
from tests.conftest import SPAN_EXPORTER
from tests.gateway.conftest import Suite, gateway_config, start_suite
from tests.gateway.helpers import CHLORINE, OPERATOR, report, rid
from tests.platform.monitoring_files import alert_rules, dashboard_expressions, names_in

ROOT = Path(__file__).resolve().parents[2]

# The metric names the README's "Operating it" section documents, per service, as Prometheus exposes them.
COMMON = {"rpc_server_call_duration_seconds", "process_cpu_time_seconds", "process_memory_usage_bytes", "target_info"}
STORAGE = {"emergency_outbox_waiting", "emergency_outbox_lag_seconds", "db_client_connections_usage", "db_client_operation_duration_seconds"}
DOCUMENTED = {
    "gateway": COMMON | STORAGE | {"rpc_client_call_duration_seconds", "emergency_sagas", "emergency_saga_steps", "emergency_events_consumers"},
    "incident": COMMON | STORAGE | {"emergency_incidents_open", "emergency_incident_report_to_commit_duration_seconds"},
    "resources": COMMON
    | STORAGE
    | {"emergency_units", "emergency_reservations", "emergency_reserve_shortfall", "emergency_parks_below_reserve", "emergency_depots_low_stock"},
    "casebase": COMMON | STORAGE | {"emergency_cases"},
    "dispatch": COMMON | {"emergency_dispatch_solve_duration_seconds", "emergency_dispatch_gap", "emergency_dispatch_improvement"},
}
# Documented too, but only present once they have happened (a refused call, a delivered live event, a scored drill).
ON_FIRST_USE = {"emergency_ratelimit_refusals", "emergency_events_lag_seconds", "emergency_after_action_score"}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@dataclass
class Scrape:
    """One scrape of one endpoint: metric family names and every sample."""

    families: set[str]
    samples: Samples

    def total(self, name: str, **labels: str) -> float:
        """The sum of the samples of a name whose labels include the given ones."""
        wanted = set(labels.items())
        return sum(value for (sample, label_set), value in self.samples.items() if sample == name and wanted <= label_set)


def _get(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        return str(response.read().decode())


async def scrape(suite: Suite, service: str) -> Scrape:
    """Scrape a running service's Prometheus endpoint."""
    text = await asyncio.to_thread(_get, suite.servers[service].metrics_port)
    families: set[str] = set()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        families.add(family.name)
        for sample in family.samples:
            key = (sample.name, frozenset((k, v) for k, v in sample.labels.items() if not k.startswith("otel_scope")))
            samples[key] = samples.get(key, 0.0) + sample.value
    return Scrape(families, samples)


async def scrape_all(suite: Suite) -> dict[str, Scrape]:
    """Scrape every service."""
    return {name: await scrape(suite, name) for name in DOCUMENTED}


@dataclass
class Commit:
    """Scrapes before and after one report -> propose -> commit, and the spans of the commit's trace."""

    before: dict[str, Scrape]
    after: dict[str, Scrape]
    assigned: int
    spans: list[ReadableSpan]

    def moved(self, service: str, name: str, **labels: str) -> float:
        """How much a metric moved on a service."""
        return self.after[service].total(name, **labels) - self.before[service].total(name, **labels)


@pytest_asyncio.fixture(scope="module")
async def measured(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> AsyncIterator[tuple[Suite, Commit]]:
    """The suite with its rate limit on (as deployed), and one traced commit measured on every endpoint."""
    suite = await start_suite(tmp_path_factory.mktemp("metrics"), redis_url, config=gateway_config(rate_limit_per_s=1000.0, rate_limit_burst=1000))
    try:
        before = await scrape_all(suite)
        channel = open_channel(suite.addresses["gateway"])
        stub = gateway_service_pb2_grpc.CommandCenterServiceStub(channel)
        try:
            reported = await report(stub, CHLORINE)
            with trace.get_tracer("tests.metrics").start_as_current_span("operator plans and commits") as root:
                proposal = (await stub.ProposePlan(gpb.ProposePlanRequest(incidents=[reported.incident.name]), metadata=OPERATOR)).proposal
                await stub.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal=proposal.name), metadata=OPERATOR)
        finally:
            await channel.close(None)
        trace_id = root.get_span_context().trace_id
        spans = [s for s in SPAN_EXPORTER.get_finished_spans() if s.context is not None and s.context.trace_id == trace_id]
        after = await scrape_all(suite)
        yield suite, Commit(before, after, len(proposal.optimized.plan.assignments), spans)
    finally:
        await suite.stop()


def test_each_endpoint_serves_its_documented_metrics(measured: tuple[Suite, Commit]) -> None:
    _suite, commit = measured
    for service, names in DOCUMENTED.items():
        missing = names - commit.after[service].families
        assert not missing, f"{service} does not serve {sorted(missing)}"
    assert "emergency_incidents_open" not in commit.after["dispatch"].families, "a service serves another's figures"


def test_dashboards_and_alerts_ask_only_for_served_metrics(measured: tuple[Suite, Commit]) -> None:
    _suite, commit = measured
    served = {name for scrape in commit.after.values() for name, _labels in scrape.samples}
    served |= {m + suffix for m in ON_FIRST_USE for suffix in ("", "_total", "_bucket", "_count", "_sum")}
    labels = {key for scrape in commit.after.values() for _name, label_set in scrape.samples for key, _value in label_set}
    asked = [*dashboard_expressions().items(), *((rule["alert"], rule["expr"]) for rule in alert_rules())]
    for where, expr in asked:
        names = {n for n in names_in(expr) if n.startswith(("emergency_", "rpc_", "db_client_", "process_")) and n not in labels}
        assert names <= served, f"{where} asks for {sorted(names - served)}, which no service serves"
    assert len(asked) > 20


def test_the_readme_documents_every_metric_and_port() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Operating it", 1)[1].split("\n## ", 1)[0]
    for name in set().union(*DOCUMENTED.values(), ON_FIRST_USE) - {"target_info"}:
        assert name in section, f"README 'Operating it' does not mention {name}"
    for port in ("9460", "9461", "9462", "9463", "9464"):
        assert port in section
    assert "`METRICS_PORT`" in readme.split("## Configuration", 1)[1]


def test_report_propose_commit_moves_the_right_figures(measured: tuple[Suite, Commit]) -> None:
    _suite, commit = measured
    ok = {"rpc_response_status_code": "OK"}
    server = "rpc_server_call_duration_seconds_count"
    for method in ("ReportIncident", "ProposePlan", "CommitPlan"):
        assert commit.moved("gateway", server, rpc_method=method, **ok) == 1, method
    assert commit.moved("gateway", "rpc_client_call_duration_seconds_count", rpc_method="OptimizePlan", **ok) >= 1
    assert commit.moved("gateway", "rpc_client_call_duration_seconds_count", rpc_method="ReserveResources", **ok) >= 1
    assert commit.moved("gateway", "emergency_sagas", state="DONE") == 1
    assert commit.moved("incident", server, rpc_method="CreateIncident", **ok) == 1
    assert commit.moved("incident", server, rpc_method="MarkResponding", **ok) == 1
    assert commit.moved("incident", "emergency_incident_report_to_commit_duration_seconds_count", severity="II", namespace="live") == 1
    assert commit.after["incident"].total("emergency_incident_report_to_commit_duration_seconds_sum") > 0
    assert commit.moved("incident", "emergency_incidents_open", state="RESPONDING", severity="II", namespace="live") == 1
    assert commit.moved("resources", "emergency_reservations", state="CONFIRMED", namespace="live") == 1
    assert commit.moved("resources", "emergency_units", state="EN_ROUTE") == commit.assigned > 0
    assert commit.moved("resources", "emergency_units", state="AVAILABLE") == -commit.assigned
    assert commit.moved("casebase", server, rpc_method="RecommendDemands", **ok) == 1
    assert commit.moved("dispatch", "emergency_dispatch_solve_duration_seconds_count", strategy="OPTIMAL") >= 1
    assert commit.moved("dispatch", "emergency_dispatch_gap_count") == commit.moved("dispatch", "emergency_dispatch_solve_duration_seconds_count")
    for service in ("gateway", "incident", "resources"):
        assert commit.moved(service, "db_client_operation_duration_seconds_count", db_system_name="redis") >= 1, service
    # Every change was relayed by the time it was scraped or is waiting for the next pass: the lag stays bounded.
    assert commit.after["incident"].total("emergency_outbox_lag_seconds") < 30


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    """The span's parents up to the root of the trace."""
    chain = []
    parent = span.parent
    while parent is not None and parent.span_id in by_id:
        chain.append(by_id[parent.span_id])
        parent = chain[-1].parent
    return chain


def test_a_commit_trace_holds_database_and_redis_spans_under_grpc_spans(measured: tuple[Suite, Commit]) -> None:
    _suite, commit = measured
    by_id = {s.context.span_id: s for s in commit.spans if s.context is not None}

    def under_rpc(span: ReadableSpan) -> str:
        servers = [a for a in _ancestors(span, by_id) if a.kind is SpanKind.SERVER and (a.attributes or {}).get("rpc.system") == "grpc"]
        return str((servers[0].attributes or {}).get("rpc.service")) if servers else ""

    database = [s for s in commit.spans if (s.attributes or {}).get("db.system") == "sqlite"]
    redis_spans = [s for s in commit.spans if (s.attributes or {}).get("db.system") == "redis"]
    assert database and redis_spans
    assert all(under_rpc(s) for s in database + redis_spans)
    services = {under_rpc(s).split(".")[1] for s in database}
    assert {"gateway", "incident", "resources"} <= services, services
    assert any(re.match(r"^(UPDATE|INSERT)", str((s.attributes or {}).get("db.statement", ""))) for s in database)
    assert "emergency.gateway.v1.CommandCenterService" in {under_rpc(s) for s in redis_spans}  # the rate limit's token bucket
    solves = [s for s in commit.spans if s.name == "dispatch.solve"]
    assert solves and all(under_rpc(s) == "emergency.dispatch.v1.DispatchService" for s in solves)
    assert all({c.name for c in commit.spans if c.parent and c.parent.span_id == s.context.span_id} >= {"dispatch.build", "dispatch.search"} for s in solves)


async def test_errors_are_counted_by_status_code_on_both_sides(measured: tuple[Suite, Commit]) -> None:
    suite, _commit = measured
    before = await scrape(suite, "gateway")
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await suite.gateway.CommitPlan(gpb.CommitPlanRequest(request_id=rid(), proposal="not-a-proposal"), metadata=OPERATOR)
    assert bad.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await suite.gateway.ProposePlan(gpb.ProposePlanRequest(incidents=["incidents/inc-nowhere-000"]), metadata=OPERATOR)
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND
    after = await scrape(suite, "gateway")
    server = "rpc_server_call_duration_seconds_count"
    assert (
        after.total(server, rpc_method="CommitPlan", rpc_response_status_code="INVALID_ARGUMENT")
        - before.total(server, rpc_method="CommitPlan", rpc_response_status_code="INVALID_ARGUMENT")
        == 1
    )
    client = {"rpc_service": "emergency.incident.v1.IncidentService", "rpc_response_status_code": "NOT_FOUND"}
    assert after.total("rpc_client_call_duration_seconds_count", **client) > before.total("rpc_client_call_duration_seconds_count", **client)


async def test_rate_limit_refusals_are_counted(measured: tuple[Suite, Commit]) -> None:
    suite, _commit = measured
    client = aioredis.Redis.from_url(suite.redis_url)
    limiter = RateLimiter(client, rate_per_s=0.001, burst=1, prefix=f"ratelimit:test-{rid()}")
    caller = Principal("hasty-operator", Role.OPERATOR)
    try:
        before = await scrape(suite, "gateway")
        await limiter.check(caller)
        with pytest.raises(ServiceError) as refused:
            await limiter.check(caller)
        assert refused.value.reason == "RATE_LIMITED"
        after = await scrape(suite, "gateway")
    finally:
        await client.aclose()
    assert after.total("emergency_ratelimit_refusals_total", role="operator") - before.total("emergency_ratelimit_refusals_total", role="operator") == 1


async def test_live_event_streams_and_their_lag(measured: tuple[Suite, Commit]) -> None:
    suite, _commit = measured
    before = await scrape(suite, "gateway")
    # From the start: the incident reported by the measured commit is already on its stream.
    stream = suite.gateway.WatchEvents(gpb.WatchEventsRequest(types=["incident.created"], from_start=True), metadata=OPERATOR)
    try:
        first = await asyncio.wait_for(stream.read(), timeout=60)
        assert first.event.type == "incident.created"
        during = await scrape(suite, "gateway")
    finally:
        stream.cancel()
    assert during.total("emergency_events_consumers") - before.total("emergency_events_consumers") == 1
    assert during.total("emergency_events_lag_seconds_count") > before.total("emergency_events_lag_seconds_count")
