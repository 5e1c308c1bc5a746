"""Client-side round-robin: an address list or a dns:/// name spreads the gateway's dispatch calls over every replica."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import grpc
import pytest
import pytest_asyncio
from emergency.dispatch.v1 import dispatch_service_pb2 as pb
from grpc_channelz.v1 import channelz, channelz_pb2, channelz_pb2_grpc
from pydantic import ValidationError

from gateway.backends import Backends, open_backends
from services.common.auth import Principal, Role, reset_current_principal, set_current_principal
from services.common.client import retry_service_config
from services.common.server import RunningServer
from services.common.settings import Settings, load_settings
from services.common.targets import Target, grpc_target
from services.dispatch.server import build_server
from tests.conftest import token
from tests.dispatch.protos import small_request


@pytest.mark.parametrize(
    ("address", "target"),
    [
        ("dispatch:50054", Target("dispatch:50054", False)),
        ("127.0.0.1:7001,127.0.0.1:7002", Target("ipv4:127.0.0.1:7001,127.0.0.1:7002", True)),
        (" 10.0.0.7:50054 , 10.0.0.8:50054 ", Target("ipv4:10.0.0.7:50054,10.0.0.8:50054", True)),
        ("[::1]:7001,[fd00::8]:7002", Target("ipv6:[::1]:7001,[fd00::8]:7002", True)),
        ("dns:///dispatch:50054", Target("dns:///dispatch:50054", True)),
        ("ipv4:127.0.0.1:7001,127.0.0.1:7002", Target("ipv4:127.0.0.1:7001,127.0.0.1:7002", True)),
        ("unix:/run/dispatch.sock", Target("unix:/run/dispatch.sock", False)),
    ],
)
def test_targets(address: str, target: Target) -> None:
    assert grpc_target(address) == target


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("dispatch-a:50054,dispatch-b:50054", "dns:///NAME:PORT"),
        ("127.0.0.1,127.0.0.1:7002", "IP:PORT"),
        ("127.0.0.1:0,127.0.0.1:7002", "port from 1 to 65535"),
        ("127.0.0.1:7001,,127.0.0.1:7002", "IP:PORT"),
        ("127.0.0.1:7001,[::1]:7002", "mixes IPv4 and IPv6"),
        ("  ", "empty address"),
    ],
)
def test_bad_lists_are_refused_with_the_reason(address: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        grpc_target(address)


def test_settings_refuse_a_bad_address_list_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPATCH_ADDR", "dispatch-a:50054,dispatch-b:50054")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert caught.value.errors()[0]["loc"] == ("dispatch_addr",)
    monkeypatch.setenv("DISPATCH_ADDR", "dns:///dispatch:50054")
    assert Settings().address_of("dispatch") == "dns:///dispatch:50054"


def test_round_robin_is_asked_for_only_when_several_servers_are_named() -> None:
    assert json.loads(retry_service_config(round_robin=True))["loadBalancingConfig"] == [{"round_robin": {}}]
    assert "loadBalancingConfig" not in json.loads(retry_service_config())


@pytest_asyncio.fixture()
async def channelz_stub() -> AsyncIterator[channelz_pb2_grpc.ChannelzStub]:
    """A channelz service on a free port: gRPC core's own per-connection call counts for this process."""
    server = grpc.aio.server()
    channelz.add_channelz_servicer(server)  # type: ignore[arg-type]  # the stub names the sync server; the aio server registers the same way
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channelz_pb2_grpc.ChannelzStub(channel)
    await server.stop(None)


async def calls_by_server(stub: channelz_pb2_grpc.ChannelzStub) -> Counter[int]:
    """Calls each gRPC server of this process has completed, by channelz server id."""
    served: Counter[int] = Counter()
    start = 0
    while True:
        reply = await stub.GetServers(channelz_pb2.GetServersRequest(start_server_id=start))
        for server in reply.server:
            served[server.ref.server_id] = server.data.calls_succeeded
            start = server.ref.server_id + 1
        if reply.end or not reply.server:
            return served


@dataclass
class Replica:
    """A dispatch server, its port and its channelz id."""

    running: RunningServer
    port: int
    channelz_id: int


@pytest_asyncio.fixture()
async def replicas(channelz_stub: channelz_pb2_grpc.ChannelzStub) -> AsyncIterator[list[Replica]]:
    """Two dispatch servers on free ports, each known by the one channelz id its start added."""
    started: list[Replica] = []
    try:
        for _ in range(2):
            existing = set(await calls_by_server(channelz_stub))
            running, port = await build_server(load_settings(log_format="text", shutdown_grace_s=5.0), port=0)
            (added,) = set(await calls_by_server(channelz_stub)) - existing
            started.append(Replica(running, port, added))
        yield started
    finally:
        for replica in started:
            await replica.running.stop(1.0)


@asynccontextmanager
async def gateway_backends(dispatch_addr: str) -> AsyncIterator[Backends]:
    """The gateway's backend channels with DISPATCH_ADDR set, called as an operator."""
    backends = open_backends(load_settings(dispatch_addr=dispatch_addr))
    principal = set_current_principal(Principal("operator-rr", Role.OPERATOR, token=token(Role.OPERATOR)))
    try:
        yield backends
    finally:
        reset_current_principal(principal)
        await backends.close()


async def served_by_each(stub: channelz_pb2_grpc.ChannelzStub, backends: Backends, calls: int) -> Counter[int]:
    """Make evaluation calls through the gateway's dispatch channel; the calls each server completed meanwhile."""
    before = await calls_by_server(stub)
    for _ in range(calls):
        scored = await backends.dispatch.EvaluatePlan(pb.EvaluatePlanRequest(request=small_request()))
        assert scored.objective.weighted_unmet > 0  # an empty plan leaves every demand unmet
    return await calls_by_server(stub) - before


async def test_the_gateway_spreads_dispatch_calls_over_both_replicas_and_survives_losing_one(
    channelz_stub: channelz_pb2_grpc.ChannelzStub, replicas: list[Replica]
) -> None:
    first, second = replicas
    async with gateway_backends(f"127.0.0.1:{first.port},127.0.0.1:{second.port}") as backends:
        served = await served_by_each(channelz_stub, backends, 20)
        assert served[first.channelz_id] + served[second.channelz_id] == 20, served
        # Round-robin over two ready servers alternates; the first calls may go out while only one is connected.
        assert served[first.channelz_id] >= 5 and served[second.channelz_id] >= 5, served

        # One replica stops (as in a rolling update): every call still succeeds, on the other one.
        await first.running.stop(1.0)
        served = await served_by_each(channelz_stub, backends, 10)
        assert served[second.channelz_id] == 10 and served[first.channelz_id] == 0, served


async def test_a_dns_name_reaches_the_servers_it_resolves_to(channelz_stub: channelz_pb2_grpc.ChannelzStub, replicas: list[Replica]) -> None:
    first, second = replicas
    # One address here (no resolver of our own to answer with two); a headless Service's name answers with every ready pod.
    async with gateway_backends(f"dns:///127.0.0.1:{first.port}") as backends:
        served = await served_by_each(channelz_stub, backends, 3)
        assert served[first.channelz_id] == 3 and served[second.channelz_id] == 0, served
