"""A console that closes its event stream early leaves no error in the gateway's log."""

from __future__ import annotations

import asyncio
import gc
import logging

import grpc
import pytest
from emergency.gateway.v1 import gateway_service_pb2 as gpb
from emergency.gateway.v1 import gateway_service_pb2_grpc as gpb_grpc

from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, OPERATOR, demand, eventually, report


async def test_closing_a_watch_early_logs_no_error(suite: Suite, caplog: pytest.LogCaptureFixture) -> None:
    await report(suite.gateway, CHLORINE, accept=False, demands=[demand("AMBULANCE", 1)])
    caplog.set_level(logging.INFO)
    for _ in range(3):
        channel = grpc.aio.insecure_channel(suite.addresses["gateway"])
        call = gpb_grpc.CommandCenterServiceStub(channel).WatchEvents(gpb.WatchEventsRequest(from_start=True), metadata=OPERATOR)
        async for _event in call:
            break
        await channel.close(None)  # the console goes away mid-stream

    async def finished() -> bool:
        return sum(1 for r in caplog.records if getattr(r, "rpc_method", "").endswith("/WatchEvents")) >= 3

    await eventually(finished, "the gateway to end the three streams")
    gc.collect()
    await asyncio.sleep(0.2)  # let finalizers of anything left behind run
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [f"{r.name}: {r.getMessage()}" for r in errors]
