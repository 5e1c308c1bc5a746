"""Per-principal token bucket in Redis, shared by every gateway replica."""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from gateway import monitoring
from services.common.auth import Principal
from services.common.errors import resource_exhausted

log = logging.getLogger(__name__)

# KEYS[1] bucket; ARGV rate per second, burst. Uses the server clock so replicas agree.
TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) / 1000 * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return allowed
"""


class RateLimiter:
    """Allows `burst` calls at once per principal, refilled at `rate_per_s`; off when the rate is 0."""

    def __init__(self, redis_client: aioredis.Redis, *, rate_per_s: float, burst: int, prefix: str = "ratelimit:gateway") -> None:
        self._redis = redis_client
        self._rate = rate_per_s
        self._burst = burst
        self._prefix = prefix
        self._script = redis_client.register_script(TOKEN_BUCKET)

    @property
    def enabled(self) -> bool:
        """True when a rate is configured."""
        return self._rate > 0

    async def check(self, principal: Principal) -> None:
        """Take one token for the principal or raise RESOURCE_EXHAUSTED naming the limit; Redis trouble lets calls through."""
        if not self.enabled or not principal.authenticated:
            return
        key = f"{self._prefix}:{principal.role.value}:{principal.subject}"
        try:
            allowed = await self._script(keys=[key], args=[self._rate, self._burst])
        except (aioredis.RedisError, OSError) as exc:
            log.warning("rate limit not checked, Redis unavailable: %s", exc)
            return
        if not int(allowed):
            monitoring.rate_limited(principal.role.value)
            raise resource_exhausted(
                "RATE_LIMITED",
                f"{principal.subject!r} exceeded the gateway rate limit of {self._rate:g} calls/s (burst {self._burst}); slow down and retry",
                {"limit": "GATEWAY_RATE_LIMIT_PER_S", "rate_per_s": f"{self._rate:g}", "burst": str(self._burst), "principal": principal.subject},
            )
