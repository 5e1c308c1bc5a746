"""Transactions over one engine: changes and snapshot reads, one writer at a time on SQLite, retried on transient conflicts.

`mutate` and `query` are the servicer's side (off the event loop; a change is idempotent by request id
and wakes the outbox relay); `write` and `read` are the same transactions for code already in a thread.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Concatenate, ParamSpec, TypeVar

from google.protobuf.message import Message
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from services.common.db import is_sqlite, read_only, run_in_thread, session_scope
from services.common.errors import raise_if
from services.common.idempotency import request_id_violations, run_idempotent

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound=Message)
log = logging.getLogger(__name__)

TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})  # serialization failure, deadlock, lock not available
MAX_ATTEMPTS = 5

_GATES: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_GATES_LOCK = threading.Lock()


def is_transient(exc: DBAPIError) -> bool:
    """Whether a database error is worth running the whole transaction again for."""
    if getattr(exc.orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)


def retrying(attempt: Callable[[], T]) -> T:
    """Run a whole transaction again after a deadlock or serialization failure (it was rolled back)."""
    for number in range(1, MAX_ATTEMPTS + 1):
        try:
            return attempt()
        except DBAPIError as exc:
            if number == MAX_ATTEMPTS or not is_transient(exc):
                raise
            log.info("retrying a transaction after a transient database error: %s", exc.orig)
            time.sleep(random.uniform(0.005, 0.02) * number)
    raise AssertionError("unreachable")


def _sqlite_gate(engine: Engine) -> threading.Lock:
    """One lock per SQLite engine, shared by everything built on it."""
    with _GATES_LOCK:
        return _GATES.setdefault(engine, threading.Lock())


class Transactions:
    """The transactions of one service's engine."""

    def __init__(self, engine: Engine, on_commit: Callable[[], None] = lambda: None) -> None:
        self.engine = engine
        self.on_commit = on_commit
        sqlite = is_sqlite(engine.url.render_as_string(hide_password=False))
        # SQLite has one writer at a time and writes begin IMMEDIATE: queueing threads on a lock is far
        # cheaper than letting them poll SQLite's busy handler, which sleeps up to 100 ms between tries.
        self._gate: AbstractContextManager[Any] = _sqlite_gate(engine) if sqlite else nullcontext()
        # SQLite readers see one snapshot in WAL mode; PostgreSQL needs REPEATABLE READ for one.
        self._read_engine = read_only(engine) if sqlite else engine.execution_options(isolation_level="REPEATABLE READ")

    def run(self, attempt: Callable[[], T]) -> T:
        """Run a function that opens its own write transaction: one at a time on SQLite, retried on transient errors."""

        def gated() -> T:
            with self._gate:
                return attempt()

        return retrying(gated)

    def write(self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """fn(session, ...) in one transaction, committed on success, run again from the start after a transient error."""

        def attempt() -> T:
            with session_scope(self.engine) as session:
                return fn(session, *args, **kwargs)

        return self.run(attempt)

    def read(self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """fn(session, ...) in a read transaction that sees one snapshot."""

        def attempt() -> T:
            with Session(self._read_engine, expire_on_commit=False) as session:
                try:
                    return fn(session, *args, **kwargs)
                finally:
                    session.rollback()

        return retrying(attempt)

    async def mutate(self, *, method: str, request: Message, request_id: str, response_type: type[M], work: Callable[[Session], M]) -> M:
        """One idempotent change off the event loop (a retried request id gets the first answer), then wake the relay."""
        raise_if(request_id_violations(request_id))

        def attempt() -> M:
            return run_idempotent(self.engine, method=method, request=request, request_id=request_id, response_type=response_type, work=work)

        result = await run_in_thread(self.run, attempt)
        self.on_commit()
        return result

    async def query(self, work: Callable[[Session], T]) -> T:
        """A read in one snapshot, off the event loop."""
        return await run_in_thread(self.read, work)
