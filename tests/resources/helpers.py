"""Assertions shared by the resources store tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from sqlalchemy import select
from sqlmodel import Session

from services.common.errors import ServiceError
from services.common.outbox import OutboxEvent
from services.resources.store import ResourceStore


def refused(code: grpc.StatusCode, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ServiceError:
    """Call fn, expect a ServiceError with this code, and return it."""
    with pytest.raises(ServiceError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code is code, caught.value
    return caught.value


def events(store: ResourceStore, after_id: int = 0) -> list[OutboxEvent]:
    """Outbox rows written after the given id, in order."""
    with Session(store.engine) as session:
        rows = session.connection().execute(select(OutboxEvent.__table__).where(OutboxEvent.__table__.c.id > after_id))  # type: ignore[attr-defined]
        return [OutboxEvent(**row._mapping) for row in rows]


def last_event_id(store: ResourceStore) -> int:
    """The id of the newest outbox row (0 if none)."""
    found = events(store)
    return max((e.id or 0 for e in found), default=0)


def payload(event: OutboxEvent) -> dict[str, Any]:
    """An event's decoded payload."""
    return dict(json.loads(event.payload))
