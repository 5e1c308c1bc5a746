"""The read model's view of the event streams: one consumer group per replica, positioned where the replica's checkpoint says."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

START = "0-0"


def _text(value: Any) -> str:
    """A Redis reply value as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def entry_id(value: str) -> tuple[int, int]:
    """A stream entry id as a comparable pair ("1700000000000-3" -> (1700000000000, 3))."""
    millis, _, sequence = value.partition("-")
    return int(millis), int(sequence or 0)


@dataclass(frozen=True)
class Entry:
    """One stream entry as read."""

    stream: str
    entry_id: str
    fields: Mapping[Any, Any]


class StreamGroup:
    """Reads the streams through this replica's consumer group (NOACK: the replica's database keeps its position)."""

    def __init__(self, redis: aioredis.Redis, streams: Sequence[str], *, replica: str, batch: int, block_ms: int) -> None:
        self._redis = redis
        self.streams = tuple(streams)
        self.group = f"gateway-readmodel:{replica}"
        self._consumer = replica
        self._batch = batch
        self._block_ms = block_ms

    async def tails(self) -> dict[str, str]:
        """The id of the last entry ever added to each stream ("0-0" for a stream not created yet)."""
        tails = {}
        for stream in self.streams:
            try:
                info = await self._redis.xinfo_stream(stream)
            except ResponseError:  # no such key
                tails[stream] = START
            else:
                tails[stream] = _text(info.get("last-generated-id", START))
        return tails

    async def place(self, positions: Mapping[str, str]) -> None:
        """Create the group on every stream, or move it, so that it delivers what follows each position."""
        for stream in self.streams:
            position = positions.get(stream, START)
            try:
                await self._redis.xgroup_create(stream, self.group, id=position, mkstream=True)
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise
                await self._redis.xgroup_setid(stream, self.group, id=position)

    async def gap(self, positions: Mapping[str, str]) -> str:
        """Why entries after a position can no longer be read (trimmed, deleted, or the stream started over), or "" when none.

        Trimming leaves no trace in the stream (Redis 7.0 records only XDEL in max-deleted-entry-id), so a stream whose
        entries after the position begin later than the position counts as trimmed past it. That can only be wrong when
        the stream was trimmed exactly up to the position, a rebuild too many, never a change missed.
        """
        for stream in self.streams:
            read_up_to = positions.get(stream, START)
            position = entry_id(read_up_to)
            try:
                info = await self._redis.xinfo_stream(stream)
            except ResponseError:  # no such key: the stream is gone
                if position != entry_id(START):
                    return f"{stream} is gone (read up to {read_up_to})"
                continue
            last = _text(info.get("last-generated-id", START))
            deleted = _text(info.get("max-deleted-entry-id") or START)
            first = info.get("first-entry")
            if entry_id(last) < position:
                return f"{stream} started over (last entry {last}, read up to {read_up_to})"
            if entry_id(deleted) > position:
                return f"{stream} lost entries after {read_up_to} (deleted up to {deleted})"
            if entry_id(last) > position and (first is None or entry_id(_text(first[0])) > position):
                return f"{stream} was trimmed past {read_up_to}"
        return ""

    async def read(self) -> tuple[list[Entry], bool]:
        """The next entries of every stream (waiting up to the block time), and whether any stream had more than a batch."""
        streams = dict.fromkeys(self.streams, ">")
        reply: Any = await self._redis.xreadgroup(self.group, self._consumer, streams, count=self._batch, block=self._block_ms, noack=True)  # type: ignore[arg-type]
        entries: list[Entry] = []
        full = False
        for stream_key, items in reply or []:
            stream = _text(stream_key)
            full = full or len(items) >= self._batch
            entries += [Entry(stream, _text(item_id), fields) for item_id, fields in items]
        return entries, full

    async def leave(self) -> None:
        """Remove this replica's group from every stream (its database keeps the positions)."""
        for stream in self.streams:
            with contextlib.suppress(ResponseError):
                await self._redis.xgroup_destroy(stream, self.group)


def missing_group(error: Exception) -> bool:
    """True for the error Redis gives when the group (or the stream) is gone, e.g. after Redis lost its data."""
    return isinstance(error, ResponseError) and "NOGROUP" in str(error)
