"""Time in one form: timezone-aware UTC datetimes, and their conversion to and from proto timestamps.

Databases hand back naive datetimes (SQLite keeps no zone); every stored time is UTC, so a naive
value is read as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from google.protobuf.timestamp_pb2 import Timestamp


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """A stored datetime made aware: naive values are UTC (None stays None)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def epoch_s(value: datetime) -> float:
    """Seconds since the Unix epoch (a naive value is UTC)."""
    return as_utc(value).timestamp()


@overload
def to_timestamp(value: datetime) -> Timestamp: ...
@overload
def to_timestamp(value: None) -> None: ...
def to_timestamp(value: datetime | None) -> Timestamp | None:
    """A proto timestamp (a naive value is UTC; None stays None)."""
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(as_utc(value))
    return stamp


def from_timestamp(stamp: Timestamp) -> datetime:
    """A proto timestamp as an aware UTC datetime."""
    return stamp.ToDatetime(tzinfo=UTC)


def optional_time(message: Any, field: str) -> datetime | None:
    """A message's timestamp field as an aware UTC datetime, or None when it is not set."""
    return from_timestamp(getattr(message, field)) if message.HasField(field) else None
