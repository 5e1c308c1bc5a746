"""Fixtures for the console: the whole suite in process, and the console server over its gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.console.harness import ConsoleServer
from tests.gateway.conftest import Suite, start_suite


@pytest_asyncio.fixture(scope="module")
async def suite(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> AsyncIterator[Suite]:
    """The whole suite for one test module."""
    running = await start_suite(tmp_path_factory.mktemp("suite"), redis_url)
    yield running
    await running.stop()


@pytest_asyncio.fixture(scope="module")
async def console(suite: Suite) -> AsyncIterator[ConsoleServer]:
    """The console server over the suite's gateway, with short heartbeats."""
    server = ConsoleServer(gateway=suite.addresses["gateway"], heartbeat_s=0.5)
    await server.start()
    yield server
    await server.stop()
