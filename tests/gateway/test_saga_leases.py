"""Saga leases on SQLite and PostgreSQL: one replica runs a commit, and exactly one takes over a dead replica's."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from gateway import store, store_sagas, tables
from gateway.saga_records import DONE, SagaBusy
from gateway.store_sagas import Lease
from services.common.clock import utcnow
from services.common.db import create_schema, make_engine, session_scope

A, B = Lease("gateway-a", 30), Lease("gateway-b", 30)


def _engine(database_url: str, proposals: int) -> Engine:
    engine = make_engine(database_url)
    create_schema(engine, tables.TABLES)
    with session_scope(engine) as session:
        for n in range(proposals):
            session.add(tables.ProposalRow(proposal_id=f"prop-{n}", exercise_id="", incidents="[]", optimized=b"", request=b""))
    return engine


def _begin(engine: Engine, lease: Lease, n: int) -> tables.SagaRow:
    start = store_sagas.SagaStart(request_id=f"r-{n}", method="CommitPlan", fingerprint="f" * 64, proposal_id=f"prop-{n}", max_replans=1, subject="op")
    return store_sagas.begin(engine, lease, start)


def _lapse(engine: Engine, request_id: str) -> None:
    """The replica holding the saga stopped renewing: its lease ended a while ago."""
    with session_scope(engine) as session:
        row = store.get_saga(session=session, request_id=request_id)
        assert row is not None
        row.lease_until = utcnow() - timedelta(seconds=60)
        session.add(row)


def _recoveries(engine: Engine, request_id: str) -> list[dict[str, object]]:
    with Session(engine) as session:
        return [json.loads(s.detail) for s in store.steps_of(session=session, request_id=request_id) if s.step == "RECOVERING"]


def test_a_live_lease_holds_off_other_replicas_until_it_lapses(database_url: str) -> None:
    engine = _engine(database_url, 1)
    saga = _begin(engine, A, 0)
    assert (saga.lease_owner, saga.state) == ("gateway-a", "RUNNING")
    with pytest.raises(SagaBusy, match="gateway-a"):
        _begin(engine, B, 0)  # a retry of the same request on the other replica waits for the first
    assert store_sagas.claim_orphans(engine, B, own_too=False) == []
    assert store_sagas.claim_orphans(engine, A, own_too=False) == []  # running here, not an orphan
    assert store_sagas.renew(engine, "r-0", A) and not store_sagas.renew(engine, "r-0", B)

    _lapse(engine, "r-0")
    (taken,) = store_sagas.claim_orphans(engine, B, own_too=False)
    assert taken.request_id == "r-0" and taken.lease_owner == "gateway-b"
    assert _recoveries(engine, "r-0") == [{"replica": "gateway-b", "from": "gateway-a"}]
    assert not store_sagas.renew(engine, "r-0", A)  # the old holder learns it lost the saga
    with pytest.raises(SagaBusy, match="gateway-b"):
        _begin(engine, A, 0)
    engine.dispose()


def test_a_restarted_replica_takes_its_own_sagas_at_once_and_finished_ones_are_never_claimed(database_url: str) -> None:
    engine = _engine(database_url, 2)
    _begin(engine, A, 0)
    _begin(engine, A, 1)
    with session_scope(engine) as session:
        done = store.get_saga(session=session, request_id="r-1")
        assert done is not None
        done.state = DONE
        session.add(done)
    assert store_sagas.claim_orphans(engine, B, own_too=True) == []  # B's "own" are not A's
    assert [s.request_id for s in store_sagas.claim_orphans(engine, A, own_too=True)] == ["r-0"]
    _lapse(engine, "r-1")
    assert store_sagas.claim_orphans(engine, B, own_too=False) == []
    engine.dispose()


def test_replicas_sweeping_together_split_the_orphans_without_overlap(postgres_url: str) -> None:
    """On PostgreSQL (SQLite has one writer at a time, so its claims cannot overlap)."""
    engine = _engine(postgres_url, 40)
    for n in range(40):
        _begin(engine, Lease("gateway-dead", 30), n)
        _lapse(engine, f"r-{n}")
    replicas = [Lease(f"gateway-{k}", 30) for k in range(4)]
    claimed: dict[str, list[str]] = {lease.owner: [] for lease in replicas}
    start = threading.Barrier(len(replicas))

    def sweep(lease: Lease) -> None:
        start.wait()
        while taken := store_sagas.claim_orphans(engine, lease, own_too=False, limit=3):
            claimed[lease.owner].extend(s.request_id for s in taken)

    threads = [threading.Thread(target=sweep, args=(lease,)) for lease in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [r for ids in claimed.values() for r in ids]
    assert sorted(every) == sorted(f"r-{n}" for n in range(40))  # each saga once, none twice
    with Session(engine) as session:
        owners = {row.request_id: row.lease_owner for row in session.exec(select(tables.SagaRow)).all()}
    assert all(owners[r] == owner for owner, ids in claimed.items() for r in ids)
    assert all(len(_recoveries(engine, f"r-{n}")) == 1 for n in range(40))
    engine.dispose()
