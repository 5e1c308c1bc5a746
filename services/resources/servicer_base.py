"""What every ResourceService method shares: the caller's authority, and changes and reads run off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from services.common.auth import Principal, current_principal
from services.common.errors import ServiceError
from services.common.idempotency import M
from services.resources import mapping_requests as mq
from services.resources.access import Action, authorize
from services.resources.domain import LIVE
from services.resources.namespaces import require_namespace
from services.resources.store import ResourceStore

T = TypeVar("T")


def caller(action: Action, *, park: str | None = None, exercise_id: str = LIVE) -> Principal:
    """The caller, if they may do this."""
    principal = current_principal()
    authorize(principal, action, park=park, exercise_id=exercise_id)
    return principal


class ServicerBase:
    """The store a servicer works on, and how its methods run a change or a read."""

    def __init__(self, engine: Engine, on_commit: Callable[[], None] = lambda: None) -> None:
        self._store = ResourceStore(engine, on_commit)

    async def _mutate(self, method: str, request: Any, response_type: type[M], work: Callable[[Session], M]) -> M:
        """Run one idempotent change in a transaction off the event loop, then wake the outbox relay."""
        try:
            return await self._store.mutate(method=method, request=request, request_id=request.request_id, response_type=response_type, work=work)
        except ServiceError as error:
            raise mq.with_proto_fields(error, mq.request_paths(method, request)) from None

    async def _read(self, work: Callable[[Session], T]) -> T:
        """Run a read in one snapshot off the event loop."""
        try:
            return await self._store.query(work)
        except ServiceError as error:
            raise mq.with_proto_fields(error) from None

    async def _read_in(self, namespace: str, work: Callable[[Session], T]) -> T:
        """Run a read as seen from a namespace, refusing an unknown or ended exercise."""

        def scoped(session: Session) -> T:
            require_namespace(session, namespace)
            return work(session)

        return await self._read(scoped)
