"""The gateway's own tables on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from gateway import store, store_readmodel, tables
from services.common.db import create_schema, make_engine, session_scope
from services.common.outbox import OutboxEvent


def test_saga_steps_commits_and_events_round_trip(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, tables.TABLES)
    with session_scope(engine) as session:
        session.add(tables.ProposalRow(proposal_id="prop-1", exercise_id="", incidents='["incidents/inc-a"]', optimized=b"\x01", request=b"\x02"))
        saga = tables.SagaRow(request_id="r-1", method="CommitPlan", fingerprint="f" * 64, proposal_id="prop-1", first_proposal_id="prop-1")
        session.add(saga)
        session.flush()
        store.add_step(session=session, saga=saga, step="RESERVE", status="begin", detail={"incident": "incidents/inc-a"})
        store.add_step(session=session, saga=saga, step="RESERVE", status="done", detail={"reservation": "reservations/x"})
        session.add(tables.SagaRow(request_id="r-2", method="CommitPlan", fingerprint="g" * 64, state="DONE"))
        session.add(tables.CommitRow(request_id="r-1", exercise_id="", incident="incidents/inc-a", proposal_id="prop-1", plan="{}"))
        store.emit(session, "plan.committed", "proposals/prop-1", payload={"incidents": ["incidents/inc-a"]})
    with session_scope(engine) as session:
        steps = store.steps_of(session=session, request_id="r-1")
        assert [(s.step, s.status) for s in steps] == [("RESERVE", "begin"), ("RESERVE", "done")]
        assert store.get_proposal(session=session, proposal_id="prop-1").optimized == b"\x01"
        assert [c.incident for c in store.commits_for(session=session, exercise_id="", incidents=["incidents/inc-a"])] == ["incidents/inc-a"]
        assert store.commits_for(session=session, exercise_id="drill-x") == []
        (event,) = session.exec(select(OutboxEvent)).all()
        assert event.stream == "emergency.gateway.events" and event.event_type == "plan.committed"
    engine.dispose()


def test_a_proposal_has_one_commit_on_both_databases(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, tables.TABLES)
    with session_scope(engine) as session:
        session.add(tables.ProposalRow(proposal_id="prop-2", incidents='["incidents/inc-b"]'))
        session.add(tables.ProposalExtrasRow(proposal_id="prop-2", extras=b"\x52\x00"))
        session.add(
            tables.SagaRow(request_id="first", method="CommitPlan", fingerprint="f" * 64, proposal_id="prop-2", first_proposal_id="prop-2", state="DONE")
        )
        session.add(
            tables.SagaRow(request_id="gone", method="CommitPlan", fingerprint="f" * 64, proposal_id="prop-3", first_proposal_id="prop-3", state="COMPENSATED")
        )
    with session_scope(engine) as session:
        assert store.claim_proposal(session=session, proposal_id="prop-2", request_id="first") is None
        assert store.claim_proposal(session=session, proposal_id="prop-3", request_id="gone") is None
    with session_scope(engine) as session:
        owner = store.claim_proposal(session=session, proposal_id="prop-2", request_id="second")
        assert owner is not None and owner.request_id == "first"
        assert store.claim_proposal(session=session, proposal_id="prop-2", request_id="first") is None  # the owner's own retry
        assert store.claim_proposal(session=session, proposal_id="prop-3", request_id="retry") is None  # a compensated commit sent nothing
        assert store.proposal_extras(session=session, proposal_id="prop-2") == b"\x52\x00"
        assert store.proposal_extras(session=session, proposal_id="prop-none") == b""
    with session_scope(engine) as session:
        claim = session.get(tables.ProposalClaimRow, "prop-3")
        assert claim is not None and claim.request_id == "retry"
    engine.dispose()


def test_a_read_model_checkpoint_round_trips_on_both_databases(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine, tables.TABLES)
    assert store_readmodel.load(engine, "replica-a") is None
    items = [store_readmodel.Item("unit", "parks/a/units/u1", 3, b"\x01"), store_readmodel.Item("stock", "parks/a/depots/d/stocks/X", 1, b"\x02")]
    store_readmodel.save(engine, "replica-a", items, {"s1": "5-0", "s2": "0-0"}, replace=True)
    store_readmodel.save(engine, "replica-b", items[:1], {"s1": "9-0"}, replace=True)
    changed = [store_readmodel.Item("unit", "parks/a/units/u1", 4, b"\x03"), store_readmodel.Item("stock", "parks/a/depots/d/stocks/X", 0, None)]
    store_readmodel.save(engine, "replica-a", changed, {"s1": "7-1", "s2": "0-0"})
    saved = store_readmodel.load(engine, "replica-a")
    assert saved is not None and saved.positions == {"s1": "7-1", "s2": "0-0"}
    assert saved.items == [("unit", "parks/a/units/u1", b"\x03")]
    other = store_readmodel.load(engine, "replica-b")
    assert other is not None and other.positions == {"s1": "9-0"} and other.items == [("unit", "parks/a/units/u1", b"\x01")]
    engine.dispose()
