"""Two processes x 100 concurrent reservations over the same 10 units and one stock: nothing is double-booked."""

from __future__ import annotations

import multiprocessing
import re

from sqlalchemy import func, select
from sqlmodel import Session

from services.resources import registry, stock, store_registry, store_stock
from services.resources.domain import Stock, UnitState
from services.resources.store import ResourceStore
from services.resources.tables import RES_UNITS

from . import contention
from .conftest import ACTOR, make_depot, make_park, make_unit

ON_HAND = 50


def _seed(store: ResourceStore) -> None:
    store.write(registry.create_park, park=make_park("ligang"), actor=ACTOR)
    store.write(registry.create_depot, depot=make_depot("ligang"), actor=ACTOR)
    for unit_id in contention.UNITS:
        store.write(registry.create_unit, unit=make_unit(unit_id), actor=ACTOR)
    store.write(stock.create_stock, stock=Stock("ligang", "fs1", "FOAM_AFFF", on_hand=ON_HAND), actor=ACTOR)


def test_no_double_booking_across_processes(store: ResourceStore, database_url: str) -> None:
    _seed(store)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    workers = [ctx.Process(target=contention.contend, args=(database_url, w, barrier, results)) for w in (1, 2)]
    for process in workers:
        process.start()
    outcomes = [o for _ in workers for o in results.get(timeout=240)]
    for process in workers:
        process.join(timeout=30)
        assert process.exitcode == 0

    successes = [o for o in outcomes if o["ok"]]
    refusals = [o for o in outcomes if not o["ok"]]
    codes = {code: sum(1 for o in refusals if o["code"] == code) for code in {o["code"] for o in refusals}}
    backend = store.engine.dialect.name
    print(f"\n[{backend}] attempts={len(outcomes)} reserved={len(successes)} refused={len(refusals)} {codes}")

    assert len(outcomes) == 2 * contention.ATTEMPTS
    assert successes and refusals
    assert len(successes) <= len(contention.UNITS)
    held = [u for o in successes for u in o["units"]]
    assert len(held) == len(set(held)), "a unit was granted to two reservations"
    stock_wins = sum(1 for o in successes if o["amount"])
    assert stock_wins * contention.STOCK_AMOUNT <= ON_HAND

    for refusal in refusals:
        assert refusal["code"] in ("ABORTED", "FAILED_PRECONDITION"), refusal
        assert refusal["violations"], refusal
        for field, description in refusal["violations"]:
            kind, index = re.fullmatch(r"(units|stocks)\[(\d+)\]", field).groups()  # type: ignore[union-attr]
            named = f"units/{refusal['units'][int(index)]}" if kind == "units" else "stocks/FOAM_AFFF"
            assert named in description, (field, description)

    foam = store.read(store_stock.get_stock, park_id="ligang", depot_id="fs1", type_code="FOAM_AFFF")
    assert foam.reserved == stock_wins * contention.STOCK_AMOUNT and foam.on_hand == ON_HAND
    units = {u.unit_id: u for u in store.read(store_registry.list_units, park_id="ligang")[0]}
    assert {u for u, x in units.items() if x.state is UnitState.RESERVED} == set(held)
    by_reservation = {o["reservation_id"]: o["units"] for o in successes}
    assert all(units[u].reservation_id == rid for rid, us in by_reservation.items() for u in us)
    with Session(store.engine) as session:
        holds = session.connection().execute(select(RES_UNITS.c.unit_id, func.count()).where(RES_UNITS.c.holding.is_(True)).group_by(RES_UNITS.c.unit_id))
        assert all(count == 1 for _, count in holds)
