"""The store of the resources service: its transactions (services/common/transactions.py), its schema and the expiry sweep; the queries are in store_<aggregate>.py."""

from __future__ import annotations

from datetime import datetime

from services.common.db import make_engine
from services.common.migrations import migrate
from services.common.transactions import Transactions
from services.resources import reservations, store_reservations
from services.resources.domain import Reservation
from services.resources.tables import TABLES


class ResourceStore(Transactions):
    """Transactions over one engine: write() for changes, read() for consistent multi-statement reads, mutate() and query() off the event loop."""

    @classmethod
    def open(cls, url: str, *, pool_size: int = 10) -> ResourceStore:
        """Create the engine and the tables."""
        store = cls(make_engine(url, pool_size=pool_size))
        store.create_schema()
        return store

    def create_schema(self) -> None:
        """Bring the service's tables (and the shared outbox and idempotency tables) to the latest revision."""
        migrate(self.engine, "resources", TABLES)

    def sweep_expired(self, *, now: datetime | None = None, batch: int = 100) -> list[Reservation]:
        """Expire every overdue reservation, one transaction each; return those expired."""
        expired: list[Reservation] = []
        while True:
            due = self.read(store_reservations.due_reservations, now=now, limit=batch)
            for reservation_id in due:
                done = self.write(reservations.expire, reservation_id=reservation_id, now=now)
                if done is not None:
                    expired.append(done)
            if len(due) < batch:
                return expired

    def dispose(self) -> None:
        """Close the pool."""
        self.engine.dispose()
