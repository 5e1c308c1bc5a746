"""One client call and its server handling form one trace."""

from __future__ import annotations

from emergency.incident.v1 import incident_service_pb2_grpc
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.common.auth import Role
from services.common.client import open_channel
from tests.conftest import token
from tests.incident.conftest import IncidentHarness
from tests.incident.factories import create_request


async def test_client_and_server_spans_share_one_trace(incident: IncidentHarness, span_exporter: InMemorySpanExporter) -> None:
    channel = open_channel(incident.address)
    stub = incident_service_pb2_grpc.IncidentServiceStub(channel)
    await stub.CreateIncident(create_request(), metadata=(("authorization", f"Bearer {token(Role.OPERATOR)}"),))
    await channel.close(None)
    spans = [s for s in span_exporter.get_finished_spans() if s.name.endswith("IncidentService/CreateIncident")]
    client = [s for s in spans if s.kind is SpanKind.CLIENT]
    server = [s for s in spans if s.kind is SpanKind.SERVER]
    assert len(client) == 1 and len(server) == 1
    assert server[0].context.trace_id == client[0].context.trace_id
    assert server[0].parent is not None and server[0].parent.span_id == client[0].context.span_id
    assert server[0].attributes and server[0].attributes.get("rpc.service") == "emergency.incident.v1.IncidentService"
