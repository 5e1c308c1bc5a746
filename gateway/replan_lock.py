"""One joint re-plan batch at a time per namespace across every gateway replica, through a PostgreSQL advisory lock.

A batch plans on one snapshot and reserves before the next batch plans; with several replicas, their batches take
turns through the shared database. The lock is held on a connection of its own, so a replica that dies releases it
with its connection. On SQLite the suite runs one gateway process, whose in-process queue is turn enough.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Connection, Engine, text

from services.common.db import run_in_thread

POLL_S = 0.05


def _try_lock(connection: Connection, key: str) -> bool:
    """Take the namespace's lock if it is free."""
    taken = bool(connection.execute(text("SELECT pg_try_advisory_lock(hashtextextended(:key, 0))"), {"key": key}).scalar())
    connection.commit()
    return taken


def _unlock(connection: Connection, key: str) -> None:
    """Give the lock back; a connection that cannot is dropped, which gives it back too."""
    try:
        connection.execute(text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))"), {"key": key})
        connection.commit()
    except Exception:
        connection.invalidate()
        raise


@asynccontextmanager
async def namespace_turn(engine: Engine, exercise_id: str) -> AsyncIterator[None]:
    """Wait until no other replica re-plans in this namespace, and hold the turn for the block."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = f"gateway-replan:{exercise_id}"
    connection = await run_in_thread(engine.connect)
    try:
        while not await run_in_thread(_try_lock, connection, key):
            await asyncio.sleep(POLL_S)
        try:
            yield
        finally:
            await run_in_thread(_unlock, connection, key)
    finally:
        await run_in_thread(connection.close)
