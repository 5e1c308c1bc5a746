"""Fixtures for case-base tests: the shipped library, its index, a valid scenario upload and a running server."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
import yaml
from emergency.casebase.v1 import casebase_service_pb2_grpc

from services.casebase.config import CasebaseOptions
from services.casebase.library import SCENARIOS_DIR, CaseLibrary
from services.casebase.retrieval import CaseIndex
from services.casebase.server import build_server
from services.common.server import RunningServer
from services.common.settings import Settings
from services.incident.server import build_server as build_incident_server
from tests.conftest import service_settings

_BASE_SCENARIO = yaml.safe_load((SCENARIOS_DIR / "chlorine-ammonia-twin-release.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def library() -> CaseLibrary:
    """The shipped accident-case library."""
    return CaseLibrary.shipped()


@pytest.fixture(scope="session")
def index(library: CaseLibrary) -> CaseIndex:
    """Retrieval index over the shipped library with default weights."""
    return CaseIndex(library.cases())


@pytest.fixture()
def upload() -> dict[str, Any]:
    """A fresh copy of a valid scenario upload that tests may break."""
    return copy.deepcopy(_BASE_SCENARIO)


@dataclass
class CasebaseHarness:
    """A running case-base server, a stub to it and its database URL."""

    running: RunningServer
    stub: casebase_service_pb2_grpc.CaseBaseServiceStub
    channel: grpc.aio.Channel
    database_url: str
    settings: Settings


async def start_casebase(settings: Settings, database_url: str, options: CasebaseOptions | None = None) -> CasebaseHarness:
    """Start a case-base server on a free port and connect a stub to it."""
    running, port = await build_server(settings, port=0, options=options)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    return CasebaseHarness(running, casebase_service_pb2_grpc.CaseBaseServiceStub(channel), channel, database_url, settings)


async def stop_casebase(harness: CasebaseHarness) -> None:
    """Close the channel and stop the server."""
    await harness.channel.close(None)
    await harness.running.stop(1.0)


@pytest_asyncio.fixture()
async def casebase(tmp_path: Path, database_url: str, clean_redis: str) -> AsyncIterator[CasebaseHarness]:
    """A case-base server on SQLite or PostgreSQL with a private Redis, holding the shipped library, and the incident service it checks live reports with."""
    incident_dir = tmp_path / "incident"
    incident_dir.mkdir()
    incidents, incident_port = await build_incident_server(service_settings(incident_dir, "", clean_redis), port=0)
    try:
        harness = await start_casebase(service_settings(tmp_path, database_url, clean_redis, incident_addr=f"127.0.0.1:{incident_port}"), database_url)
        try:
            yield harness
        finally:
            await stop_casebase(harness)
    finally:
        await incidents.stop(1.0)
