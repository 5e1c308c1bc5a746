"""Transactional outbox: events written with the change, relayed to Redis Streams at least once."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import Engine, func
from sqlmodel import Field, Session, SQLModel, col, select

from services.common.clock import as_utc
from services.common.clock import utcnow as utcnow  # re-exported: services still import it from here
from services.common.db import read_only, run_in_thread, session_scope

log = logging.getLogger(__name__)


class OutboxEvent(SQLModel, table=True):
    """One domain event waiting to be (or already) relayed to its stream."""

    __tablename__ = "outbox_events"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(index=True, unique=True, max_length=64)
    stream: str = Field(max_length=200)
    event_type: str = Field(max_length=100)
    subject: str = Field(max_length=300)
    version: int = 0
    exercise_id: str = Field(default="", max_length=100)
    payload: str = "{}"
    created_at: datetime = Field(default_factory=utcnow)
    relayed_at: datetime | None = Field(default=None, index=True)


def add_event(
    session: Session, *, stream: str, event_type: str, subject: str, version: int = 0, exercise_id: str = "", payload: dict[str, Any] | None = None
) -> OutboxEvent:
    """Write an event row in the caller's transaction."""
    row = OutboxEvent(
        event_id=str(uuid.uuid4()),
        stream=stream,
        event_type=event_type,
        subject=subject,
        version=version,
        exercise_id=exercise_id,
        payload=json.dumps(payload or {}, sort_keys=True, default=str),
    )
    session.add(row)
    return row


def stream_fields(row: OutboxEvent) -> dict[str, str]:
    """Flatten an outbox row into Redis stream entry fields."""
    return {
        "event_id": row.event_id,
        "type": row.event_type,
        "subject": row.subject,
        "version": str(row.version),
        "exercise_id": row.exercise_id,
        "occurred_at": row.created_at.isoformat(),
        "payload": row.payload,
    }


MAX_BACKOFF_S = 5.0

# Appends an entry only the first time its event id is seen for the stream; the marker and the entry are
# written atomically, so a replay after a crash and a reused row id of a recreated database are both safe.
APPEND_ONCE = """
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
end
return false
"""


def sent_key(stream: str, event_id: str) -> str:
    """The Redis key marking an event as appended to its stream (same hash slot as the stream)."""
    return f"outbox:sent:{{{stream}}}:{event_id}"


def relay_lag(engine: Engine) -> tuple[int, float]:
    """How many outbox rows wait to be relayed, and the age in seconds of the oldest (0.0 when none)."""
    with Session(read_only(engine)) as session:
        count, oldest = session.exec(select(func.count(), func.min(OutboxEvent.created_at)).where(col(OutboxEvent.relayed_at).is_(None))).one()
    if not count or oldest is None:
        return 0, 0.0
    return int(count), max(0.0, (utcnow() - as_utc(oldest)).total_seconds())


class OutboxRelay:
    """Moves unrelayed outbox rows to Redis Streams, in row order, until stopped."""

    def __init__(
        self,
        engine: Engine,
        redis_client: aioredis.Redis,
        *,
        batch_size: int = 200,
        poll_interval_s: float = 0.2,
        stream_maxlen: int = 100_000,
        sent_ttl_s: int = 30 * 24 * 3600,
    ) -> None:
        self._engine = engine
        self._reader = read_only(engine)
        self._redis = redis_client
        self._append = redis_client.register_script(APPEND_ONCE)
        self._sent_ttl_s = sent_ttl_s
        self.last_error: str = ""
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._stream_maxlen = stream_maxlen
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    @property
    def engine(self) -> Engine:
        """The database whose outbox this relay drains."""
        return self._engine

    def _pending(self) -> list[OutboxEvent]:
        """Read the next batch of rows not yet relayed."""
        with Session(self._reader) as session:
            query = select(OutboxEvent).where(col(OutboxEvent.relayed_at).is_(None)).order_by(col(OutboxEvent.id)).limit(self._batch_size)
            return list(session.exec(query).all())

    def _mark_relayed(self, ids: list[int]) -> None:
        """Record that these rows reached their stream."""
        with session_scope(self._engine) as session:
            for row in session.exec(select(OutboxEvent).where(col(OutboxEvent.id).in_(ids))):
                row.relayed_at = utcnow()
                session.add(row)

    async def _publish(self, row: OutboxEvent) -> None:
        """Append one row unless its event id already reached the stream (a replay after a crash, or another database's row)."""
        fields = stream_fields(row)
        flat = [item for pair in fields.items() for item in pair]
        await self._append(keys=[row.stream, sent_key(row.stream, row.event_id)], args=[self._sent_ttl_s, self._stream_maxlen, *flat])

    async def relay_once(self) -> int:
        """Relay one batch; return how many rows were relayed."""
        rows = await run_in_thread(self._pending)
        done: list[int] = []
        try:
            for row in rows:
                await self._publish(row)
                assert row.id is not None
                done.append(row.id)
        finally:
            if done:
                await run_in_thread(self._mark_relayed, done)
        return len(done)

    async def relay_once_safely(self) -> None:
        """Relay what is left, if Redis and the database can be reached (used at shutdown)."""
        try:
            while await self.relay_once():
                pass
        except Exception as exc:
            log.warning("outbox rows left for the next start: %s", exc)

    def notify(self) -> None:
        """Wake the relay loop early (after a local commit)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        """True while the background loop is alive."""
        return self._task is not None and not self._task.done()

    async def run(self) -> None:
        """Relay until stopped; any failure is logged and retried with a growing back-off, never fatal."""
        backoff = self._poll_interval_s
        while not self._stopping:
            try:
                moved = await self.relay_once()
                backoff = self._poll_interval_s
                self.last_error = ""
                if moved:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                log.warning("outbox relay failed, retrying in %.1f s: %s", backoff, self.last_error)
            self._wake.clear()
            try:
                async with asyncio.timeout(backoff):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def start(self) -> None:
        """Run the relay as a background task that is restarted if it ever ends before stop()."""
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="outbox-relay")
            self._task.add_done_callback(self._restart_if_ended)

    def _restart_if_ended(self, task: asyncio.Task[None]) -> None:
        """Log an unexpected end of the loop and start it again."""
        if self._stopping or task is not self._task or task.cancelled():
            return  # stopped, replaced, or cancelled by the event loop shutting down
        error = task.exception()
        log.error("outbox relay loop ended unexpectedly (%r); restarting it", error)
        self._task = None
        try:
            self.start()
        except RuntimeError:
            log.error("outbox relay could not be restarted: the event loop is closed")

    async def stop(self) -> None:
        """Stop the background task; a batch in progress is finished or left for the next start."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        except Exception:
            log.exception("outbox relay ended with an error")


class EventDeduplicator:
    """Remembers seen event ids in Redis so an at-least-once stream is handled once per consumer."""

    def __init__(self, redis_client: aioredis.Redis, consumer: str, ttl_s: int = 7 * 24 * 3600) -> None:
        self._redis = redis_client
        self._prefix = f"dedupe:{consumer}:"
        self._ttl_s = ttl_s

    async def first_time(self, event_id: str) -> bool:
        """Return True exactly once per event id."""
        return bool(await self._redis.set(self._prefix + event_id, "1", nx=True, ex=self._ttl_s))
