"""The per-principal token bucket in a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from gateway.ratelimit import RateLimiter
from services.common.auth import Principal, Role
from services.common.errors import ServiceError

ALICE = Principal("alice", Role.OPERATOR)
BOB = Principal("bob", Role.OPERATOR)


@pytest_asyncio.fixture()
async def client(clean_redis: str) -> AsyncIterator[aioredis.Redis]:
    redis_client = aioredis.Redis.from_url(clean_redis)
    yield redis_client
    await redis_client.aclose()


async def test_burst_then_refused_with_the_limit_named(client: aioredis.Redis) -> None:
    # A refill of one call per ~3 hours: the test cannot pass or fail on timing.
    limiter = RateLimiter(client, rate_per_s=0.0001, burst=3)
    for _ in range(3):
        await limiter.check(ALICE)
    with pytest.raises(ServiceError) as info:
        await limiter.check(ALICE)
    assert info.value.code is grpc.StatusCode.RESOURCE_EXHAUSTED and info.value.reason == "RATE_LIMITED"
    assert info.value.metadata["limit"] == "GATEWAY_RATE_LIMIT_PER_S" and info.value.metadata["burst"] == "3"
    await limiter.check(BOB)  # another principal has its own bucket


async def test_replicas_share_the_bucket(client: aioredis.Redis) -> None:
    first, second = RateLimiter(client, rate_per_s=0.0001, burst=2), RateLimiter(client, rate_per_s=0.0001, burst=2)
    await first.check(ALICE)
    await second.check(ALICE)
    with pytest.raises(ServiceError):
        await first.check(ALICE)


async def test_rate_zero_turns_the_limit_off(client: aioredis.Redis) -> None:
    limiter = RateLimiter(client, rate_per_s=0, burst=1)
    for _ in range(5):
        await limiter.check(ALICE)
    assert not limiter.enabled
