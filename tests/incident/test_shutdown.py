"""SIGTERM with 20 slow calls in flight: every one of them completes, and new calls are refused."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import psycopg
from emergency.incident.v1 import incident_service_pb2_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.db import create_schema, make_engine
from services.common.local import free_port
from services.incident.tables import TABLES
from tests.incident.factories import create_request
from tests.incident.helpers import OPERATOR

ROOT = Path(__file__).resolve().parents[2]


def _waiting_backends(url: str) -> int:
    """Server connections blocked on a lock in this database."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").fetchone()
    return int(row[0]) if row else 0


async def _wait_until(predicate: Callable[[], bool], what: str, limit_s: float = 60.0) -> None:
    """Poll a condition (not a speed assumption: the limit only stops a broken run)."""
    deadline = time.monotonic() + limit_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_sigterm_lets_calls_in_flight_finish(tmp_path: Path, postgres_url: str, clean_redis: str) -> None:
    engine = make_engine(postgres_url)
    create_schema(engine, TABLES)
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "INCIDENT_PORT": str(port),
        "DATABASE_URL": postgres_url,
        "REDIS_URL": clean_redis,
        "SHUTDOWN_GRACE_S": "60",
        "DATA_DIR": str(tmp_path),
        "LOG_FORMAT": "text",
    }
    proc = subprocess.Popen([sys.executable, "-m", "services.incident.server"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    address = f"127.0.0.1:{port}"
    try:
        async with grpc.aio.insecure_channel(address) as channel:
            health = health_pb2_grpc.HealthStub(channel)

            async def serving() -> bool:
                try:
                    reply = await health.Check(health_pb2.HealthCheckRequest(service="emergency.incident.v1.IncidentService"), timeout=1)
                    up: bool = reply.status == health_pb2.HealthCheckResponse.SERVING
                    return up
                except grpc.aio.AioRpcError:
                    return False

            for _ in range(600):
                if await serving():
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("incident service did not become SERVING")

            stub = incident_service_pb2_grpc.IncidentServiceStub(channel)
            blocker = psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
            blocker.execute("LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE")
            calls = [asyncio.ensure_future(stub.CreateIncident(create_request(), metadata=OPERATOR, timeout=120)) for _ in range(20)]
            await _wait_until(lambda: _waiting_backends(postgres_url) >= 20, "20 calls blocked in the database")

            proc.send_signal(signal.SIGTERM)
            for _ in range(600):
                try:
                    async with grpc.aio.insecure_channel(address) as probe:
                        reply = await health_pb2_grpc.HealthStub(probe).Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.NOT_SERVING:
                        break
                except grpc.aio.AioRpcError:
                    break
                await asyncio.sleep(0.05)
            assert proc.poll() is None, "the process must wait for its calls in flight"
            async with grpc.aio.insecure_channel(address) as fresh:
                error = None
                try:
                    await incident_service_pb2_grpc.IncidentServiceStub(fresh).CreateIncident(create_request(), metadata=OPERATOR, timeout=5)
                except grpc.aio.AioRpcError as exc:
                    error = exc
            assert error is not None and error.code() == grpc.StatusCode.UNAVAILABLE, error

            blocker.commit()
            blocker.close()
            results = await asyncio.gather(*calls, return_exceptions=True)
            failures = [r for r in results if isinstance(r, BaseException)]
            assert not failures, failures
            assert len({r.incident.name for r in results}) == 20  # type: ignore[union-attr]
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
