"""The store of the resources service: runs its table functions in transactions, retrying transient conflicts."""

from __future__ import annotations

import logging
import random
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from services.common.db import is_sqlite, make_engine, session_scope
from services.common.migrations import migrate
from services.resources import reservations
from services.resources.domain import Reservation
from services.resources.tables import TABLES

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)

TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})  # serialization failure, deadlock, lock not available
MAX_ATTEMPTS = 5


def is_transient(exc: DBAPIError) -> bool:
    """Tell whether a database error is worth retrying the whole transaction for."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)


_GATES: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_GATES_LOCK = threading.Lock()


def _sqlite_gate(engine: Engine) -> threading.Lock:
    """One lock per SQLite engine, shared by every store (servicer, sweeper) built on it."""
    with _GATES_LOCK:
        return _GATES.setdefault(engine, threading.Lock())


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


class ResourceStore:
    """Transactions over one engine: write() for changes, read() for consistent multi-statement reads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        sqlite = is_sqlite(engine.url.render_as_string(hide_password=False))
        # SQLite has one writer at a time and every transaction here begins IMMEDIATE; queueing threads on a lock
        # is far cheaper than letting them poll SQLite's busy handler, which sleeps up to 100 ms between tries.
        self._gate: AbstractContextManager[Any] = _sqlite_gate(engine) if sqlite else nullcontext()
        # SQLite readers already run in one serialised transaction; PostgreSQL needs REPEATABLE READ for one snapshot.
        self._read_engine = engine if sqlite else engine.execution_options(isolation_level="REPEATABLE READ")

    @classmethod
    def open(cls, url: str, *, pool_size: int = 10) -> ResourceStore:
        """Create the engine and the tables."""
        store = cls(make_engine(url, pool_size=pool_size))
        store.create_schema()
        return store

    def create_schema(self) -> None:
        """Bring the service's tables (and the shared outbox and idempotency tables) to the latest revision."""
        migrate(self.engine, "resources", TABLES)

    def transaction(self, attempt: Callable[[], T]) -> T:
        """Run a function that opens its own transaction: one at a time on SQLite, retried on transient errors."""

        def gated() -> T:
            with self._gate:
                return attempt()

        return retrying(gated)

    def write(self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run fn(session, ...) in one transaction, retrying deadlocks and serialization failures from the start."""

        def attempt() -> T:
            with session_scope(self.engine) as session:
                return fn(session, *args, **kwargs)

        return self.transaction(attempt)

    def read(self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run fn(session, ...) in a read transaction that sees one snapshot."""

        def attempt() -> T:
            with Session(self._read_engine, expire_on_commit=False) as session:
                try:
                    return fn(session, *args, **kwargs)
                finally:
                    session.rollback()

        return self.transaction(attempt)

    def sweep_expired(self, *, now: datetime | None = None, batch: int = 100) -> list[Reservation]:
        """Expire every overdue reservation, one transaction each; return those expired."""
        expired: list[Reservation] = []
        while True:
            due = self.read(reservations.due_reservations, now=now, limit=batch)
            for reservation_id in due:
                done = self.write(reservations.expire, reservation_id=reservation_id, now=now)
                if done is not None:
                    expired.append(done)
            if len(due) < batch:
                return expired

    def dispose(self) -> None:
        """Close the pool."""
        self.engine.dispose()
