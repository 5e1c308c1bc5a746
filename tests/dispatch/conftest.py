"""Shared helpers for dispatch tests, and a real dispatch server for the service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
import yaml
from emergency.dispatch.v1 import dispatch_service_pb2_grpc

from fixtures.dispatch.codec import request_from_dict
from services.common.server import RunningServer
from services.common.settings import load_settings
from services.dispatch.model import DispatchRequest
from services.dispatch.server import build_server

SCENARIOS = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"


def load_scenario(path: Path) -> tuple[DispatchRequest, dict[str, Any]]:
    """Read a scenario file: the request and its expectations."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return request_from_dict(data), data.get("expect", {})


def with_options(request: DispatchRequest, **changes: Any) -> DispatchRequest:
    """Copy a request with some options changed."""
    return replace(request, options=replace(request.options, **changes))


@pytest.fixture
def scenario_dir() -> Path:
    """Folder of the scenario fixtures."""
    return SCENARIOS


@dataclass
class DispatchHarness:
    """A running dispatch server and a stub to it."""

    running: RunningServer
    stub: dispatch_service_pb2_grpc.DispatchServiceStub
    channel: grpc.aio.Channel


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def dispatch() -> AsyncIterator[DispatchHarness]:
    """A dispatch server on a free port (stateless, so one per test module)."""
    running, port = await build_server(load_settings(log_format="text", shutdown_grace_s=5.0), port=0)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield DispatchHarness(running, dispatch_service_pb2_grpc.DispatchServiceStub(channel), channel)
    finally:
        await channel.close(None)
        await running.stop(1.0)
