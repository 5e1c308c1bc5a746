"""Fixtures for the incident service: a real in-process server on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest_asyncio
from emergency.incident.v1 import incident_service_pb2_grpc

from services.common.server import RunningServer
from services.incident.server import build_server
from tests.conftest import service_settings


@dataclass
class IncidentHarness:
    """A running incident server, a stub to it and its database URL."""

    running: RunningServer
    address: str
    stub: incident_service_pb2_grpc.IncidentServiceStub
    channel: grpc.aio.Channel
    database_url: str


@pytest_asyncio.fixture()
async def incident(tmp_path: Path, database_url: str, clean_redis: str) -> AsyncIterator[IncidentHarness]:
    """An incident server on SQLite or PostgreSQL with a private Redis."""
    settings = service_settings(tmp_path, database_url, clean_redis)
    running, port = await build_server(settings, port=0)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield IncidentHarness(running, f"127.0.0.1:{port}", incident_service_pb2_grpc.IncidentServiceStub(channel), channel, database_url)
    finally:
        await channel.close(None)
        await running.stop(1.0)
