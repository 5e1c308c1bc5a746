"""Fuzzing every public method of every service: generated and garbage requests never get UNKNOWN or INTERNAL.

Requests for each method are built from its descriptor (hypothesis), under a rotation of roles, and sent to the
running suite, followed by garbage bytes. Checks: no UNKNOWN, no INTERNAL, every process still healthy, and no
INVALID_ARGUMENT that wrote anything (idempotency records and the gateway's own rows are counted around each such
call). The counts go to bench/results/fuzz.json.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import grpc
from emergency.casebase.v1 import casebase_service_pb2
from emergency.dispatch.v1 import dispatch_service_pb2
from emergency.gateway.v1 import gateway_service_pb2
from emergency.incident.v1 import incident_service_pb2
from emergency.resources.v1 import resources_service_pb2
from google.protobuf.descriptor import MethodDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.auth import Role
from services.common.relayhealth import OUTBOX_COMPONENT
from tests.conftest import auth
from tests.gateway.conftest import Suite
from tests.gateway.fuzz_messages import examples

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "fuzz.json"
MODULES = {
    "gateway": gateway_service_pb2,
    "incident": incident_service_pb2,
    "resources": resources_service_pb2,
    "casebase": casebase_service_pb2,
    "dispatch": dispatch_service_pb2,
}
MIN_CALLS = 2000
GARBAGE_PER_METHOD = 4
CALL_TIMEOUT_S = 5.0
ROLES = [
    auth(Role.OPERATOR, subject="fuzz-operator"),
    auth(Role.OPERATOR, subject="fuzz-operator"),
    auth(Role.DRILL_DIRECTOR, subject="fuzz-director"),
    auth(Role.PARK_OFFICER, park_id="xiagang", subject="fuzz-officer"),
    auth(Role.VIEWER, subject="fuzz-viewer"),
]
WRITE_TABLES = ("idempotency_records", "gateway_proposals", "gateway_sagas", "gateway_commits", "gateway_drills")


def methods() -> list[tuple[str, MethodDescriptor]]:
    """(service, method) for every method of every service."""
    found = []
    for service, module in MODULES.items():
        for descriptor in module.DESCRIPTOR.services_by_name.values():
            found += [(service, method) for method in descriptor.methods]
    return found


class WrittenRows:
    """Counts rows that only a successful change writes, over every service's database (read-only connections kept open)."""

    def __init__(self, root: Path) -> None:
        self._queries: list[tuple[sqlite3.Connection, str]] = []
        for path in sorted(root.glob("*.db")):
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, isolation_level=None)
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            counted = [f"(SELECT count(*) FROM {table})" for table in WRITE_TABLES if table in tables]
            if counted:
                self._queries.append((db, "SELECT " + " + ".join(counted)))

    def count(self) -> int:
        """The current total."""
        return sum(db.execute(query).fetchone()[0] for db, query in self._queries)

    def close(self) -> None:
        """Close the connections."""
        for db, _ in self._queries:
            db.close()


async def call(channel: grpc.aio.Channel, method: MethodDescriptor, payload: bytes, metadata: Any) -> grpc.StatusCode:
    """Send raw request bytes; return the status code (a stream counts as OK once it yields or ends)."""
    path = f"/{method.containing_service.full_name}/{method.name}"
    try:
        if method.server_streaming:
            stream = channel.unary_stream(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)(payload, metadata=metadata, timeout=1.0)
            async for _ in stream:
                stream.cancel()
                break
        else:
            await channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)(
                payload, metadata=metadata, timeout=CALL_TIMEOUT_S
            )
    except grpc.aio.AioRpcError as error:
        return error.code()
    except Exception:  # a cancelled stream after its first item
        return grpc.StatusCode.OK
    return grpc.StatusCode.OK


def garbage(rng: random.Random) -> bytes:
    """Bytes that are rarely a valid message: random, truncated varints, bad wire types, absurd lengths."""
    choices = [
        bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))),
        b"\xff" * rng.randrange(1, 12),
        b"\x0a\xff\xff\xff\xff\x0f",
        b"\x0f\x01",
        bytes([rng.randrange(8, 200), 0x80]),
    ]
    return rng.choice(choices)


async def test_fuzzed_requests_never_get_unknown_or_internal(suite: Suite) -> None:
    rng = random.Random(20261203)
    targets = methods()
    per_method = max(MIN_CALLS // len(targets) + 1, 8)
    channels = {name: grpc.aio.insecure_channel(address) for name, address in suite.addresses.items()}
    by_code: Counter[str] = Counter()
    slow: Counter[str] = Counter()
    failures: list[str] = []
    rows = WrittenRows(suite.root)
    written = rows.count()
    try:
        for service, method in targets:
            messages = [m.SerializeToString() for m in examples(method.input_type, per_method)]
            payloads = [*messages, *(garbage(rng) for _ in range(GARBAGE_PER_METHOD))]
            for index, payload in enumerate(payloads):
                metadata = ROLES[index % len(ROLES)]
                code = await call(channels[service], method, payload, metadata)
                by_code[code.name] += 1
                if code is grpc.StatusCode.DEADLINE_EXCEEDED:
                    slow[method.name] += 1
                before, written = written, rows.count()
                if code in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL):
                    failures.append(f"{service} {method.name} -> {code.name}: {payload[:200]!r}")
                elif code is grpc.StatusCode.INVALID_ARGUMENT and written != before:
                    failures.append(f"{service} {method.name}: INVALID_ARGUMENT but rows were written: {payload[:200]!r}")
        for name, channel in channels.items():
            health = health_pb2_grpc.HealthStub(channel)
            whole = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
            assert whole.status == health_pb2.HealthCheckResponse.SERVING, name
            if name != "dispatch":
                outbox = await health.Check(health_pb2.HealthCheckRequest(service=OUTBOX_COMPONENT), timeout=10)
                assert outbox.status == health_pb2.HealthCheckResponse.SERVING, name
    finally:
        rows.close()
        for channel in channels.values():
            await channel.close(None)
    calls = sum(by_code.values())
    summary = {
        "calls": calls,
        "unknown": by_code["UNKNOWN"],
        "internal": by_code["INTERNAL"],
        "by_code": dict(sorted(by_code.items())),
        "deadline_exceeded_by_method": dict(sorted(slow.items())),
    }
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    assert calls >= MIN_CALLS
    assert not failures, "\n".join(failures[:30])
