"""Helpers for the read model's tests: the gateway's read model, waiting for it to catch up, and what differs from a rebuild."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from emergency.gateway.v1 import gateway_service_pb2 as gpb

from gateway.readmodel import ReadModel
from gateway.readmodel_events import STREAMS
from gateway.readmodel_state import Picture, parts
from services.common.server import RunningServer
from tests.gateway.conftest import Suite
from tests.gateway.helpers import eventually


def read_model_of(running: RunningServer) -> ReadModel:
    """The read model of an in-process gateway (its stop is among the server's cleanups)."""
    model: ReadModel = next(c.__self__ for c in running.cleanups if isinstance(getattr(c, "__self__", None), ReadModel))  # type: ignore[attr-defined]
    return model


def gateway_model(suite: Suite) -> ReadModel:
    """The read model of the suite's gateway."""
    return read_model_of(suite.servers["gateway"])


async def last_id(client: aioredis.Redis, stream: str) -> str:
    """The id of a stream's last entry ("0-0" when it has none)."""
    last: Any = await client.xrevrange(stream, count=1)
    return str(last[0][0].decode()) if last else "0-0"


async def entries_between(redis_url: str, since: dict[str, str], until: dict[str, str]) -> int:
    """How many entries of the read model's streams lie after one set of positions, up to another."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        count = 0
        for stream in STREAMS:
            if until[stream] != since[stream]:
                found: Any = await client.xrange(stream, min=f"({since[stream]}", max=until[stream])
                count += len(found)
        return count
    finally:
        await client.aclose()


async def stream_tails(redis_url: str) -> dict[str, str]:
    """The last entry id of each stream the read model reads."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        return {stream: await last_id(client, stream) for stream in STREAMS}
    finally:
        await client.aclose()


def difference(mine: Picture, fresh: Picture) -> str:
    """What differs between the projection and a fresh rebuild, for an assertion's message ("" when nothing)."""
    lines = []
    for label, a, b in (
        ("units", mine.units, fresh.units),
        ("stocks", mine.stocks, fresh.stocks),
        ("incidents", mine.incidents, fresh.incidents),
        ("depots", mine.depots, fresh.depots),
    ):
        missing, extra = sorted(set(b) - set(a)), sorted(set(a) - set(b))
        changed = sorted(k for k in set(a) & set(b) if a[k] != b[k])
        if missing or extra or changed:
            lines.append(f"{label}: missing {missing[:5]}, extra {extra[:5]}, changed {[(k, str(a[k])[:300], str(b[k])[:300]) for k in changed[:2]]}")
    if not mine.same_as(fresh) and not lines:
        lines.append("rules differ")
    return "; ".join(lines)


async def caught_up(suite: Suite, model: ReadModel) -> bool:
    """True when the model has applied every entry in the streams and nothing of its own is being read back."""
    tails = await stream_tails(suite.redis_url)
    positions = model.positions
    applied = all(tuple(map(int, positions.get(s, "0-0").split("-"))) >= tuple(map(int, tails[s].split("-"))) for s in STREAMS)
    return applied and model.picture is not None and model.stale_for() is not None and not any(not t.done() for t in model._pending)


async def converged(suite: Suite, model: ReadModel, limit_s: float = 30.0) -> Picture:
    """Wait until the projection has caught up and equals a fresh rebuild; fail naming the difference."""
    last = [""]

    async def equal() -> Picture | None:
        if not await caught_up(suite, model):
            last[0] = "not caught up"
            return None
        fresh = await model.fresh_copy()
        assert model.picture is not None
        last[0] = difference(model.picture, fresh)
        return model.picture if not last[0] else None

    try:
        return await eventually(equal, "the read model to equal a fresh rebuild", limit_s=limit_s, every_s=0.2)
    except AssertionError as error:
        raise AssertionError(f"{error}: {last[0]}") from error


def units_by_name(units: list[object]) -> list[object]:
    """Units in name order (PostgreSQL may order names otherwise than Python)."""
    return sorted(units, key=lambda u: parts(u.name))  # type: ignore[attr-defined]


def screen(response: gpb.GetSituationResponse) -> gpb.GetSituationResponse:
    """A situation without its time, its lists in name order (PostgreSQL may order names otherwise)."""
    screen = gpb.GetSituationResponse()
    screen.CopyFrom(response)
    screen.ClearField("time")
    incidents = sorted(screen.incidents, key=lambda s: s.incident.name)
    units, low = units_by_name(list(screen.units)), sorted(screen.low_stocks, key=lambda s: s.name)
    del screen.incidents[:], screen.units[:], screen.low_stocks[:]
    screen.incidents.extend(incidents)
    screen.units.extend(units)  # type: ignore[arg-type]
    screen.low_stocks.extend(low)
    return screen
