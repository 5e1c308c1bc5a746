"""Worker process for the concurrency test: many simultaneous reservations over the same units and stock."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from services.common.db import make_engine
from services.common.errors import ServiceError
from services.resources import reservations
from services.resources.domain import StockRequest, UnitRequest
from services.resources.store import ResourceStore

UNITS = tuple(f"u{i}" for i in range(10))
STOCK_AMOUNT = 7
ATTEMPTS = 100
THREADS = 10


def plan(worker: int) -> list[tuple[list[str], int]]:
    """The seeded requests of one worker: 1-3 units each, every other one with stock too."""
    rng = random.Random(worker)
    return [(rng.sample(UNITS, rng.randint(1, 3)), STOCK_AMOUNT if i % 2 == 0 else 0) for i in range(ATTEMPTS)]


def attempt(store: ResourceStore, worker: int, index: int, unit_ids: list[str], amount: int) -> dict[str, Any]:
    """Try one reservation planned on version 1 of every unit; describe the outcome."""
    units = [UnitRequest("ligang", u, 1) for u in unit_ids]
    stocks = [StockRequest("ligang", "fs1", "FOAM_AFFF", amount)] if amount else []
    outcome: dict[str, Any] = {"units": unit_ids, "amount": amount}
    try:
        held = store.write(reservations.reserve, incident=f"incidents/w{worker}-{index}", units=units, stocks=stocks, actor=f"worker-{worker}")
    except ServiceError as exc:
        outcome.update(ok=False, code=exc.code.name, reason=exc.reason, violations=[(v.field, v.description) for v in exc.violations])
    except Exception as exc:  # anything else is a failure of the test subject; report it
        outcome.update(ok=False, code="UNEXPECTED", reason=repr(exc), violations=[])
    else:
        outcome.update(ok=True, reservation_id=held.reservation_id)
    return outcome


def contend(url: str, worker: int, barrier: Any, results: Any) -> None:
    """Process body: own engine, wait for the other process, then fire every request from a thread pool."""
    store = ResourceStore(make_engine(url, pool_size=THREADS))
    requests = plan(worker)
    barrier.wait(timeout=60)
    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(lambda p: attempt(store, worker, p[0], *p[1]), enumerate(requests)))
    store.dispose()
    results.put(outcomes)
