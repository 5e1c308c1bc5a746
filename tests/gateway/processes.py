"""Gateway processes for tests that kill them: started against in-process backends, health-checked, stopped at the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.gateway.conftest import Suite

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def gateway_process(suite: Suite, data_dir: Path, port: int, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m gateway.server` against the in-process backends, stopped (SIGTERM) at the end if still alive."""
    environment = {
        **os.environ,
        "HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'gateway.db'}",
        "REDIS_URL": suite.redis_url,
        "LOG_FORMAT": "text",
        "OTEL_TRACES_EXPORTER": "none",
        "GATEWAY_RATE_LIMIT_PER_S": "0",
        "GATEWAY_PLAN_TIME_LIMIT_S": "1",
        "GATEWAY_RESERVATION_TTL_S": "300",
        **{f"{name.upper()}_ADDR": suite.addresses[name] for name in ("incident", "resources", "casebase", "dispatch")},
        **env,
    }
    log = (data_dir / f"gateway-{port}-{len(list(data_dir.glob('gateway-*.log')))}.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "gateway.server"], cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


async def serving(address: str) -> bool:
    """Whether the gateway answers its health check."""
    async with grpc.aio.insecure_channel(address) as channel:
        try:
            reply = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service="emergency.gateway.v1.CommandCenterService"), timeout=1
            )
        except grpc.aio.AioRpcError:
            return False
    serving: bool = reply.status == health_pb2.HealthCheckResponse.SERVING
    return serving


async def exited(process: subprocess.Popen[bytes]) -> int | None:
    """The exit code once the process has ended (None while it runs; a clean exit would show as -1000)."""
    code = process.poll()
    return None if code is None else code or -1000
