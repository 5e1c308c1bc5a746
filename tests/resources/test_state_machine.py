"""Model-based test: random register / reserve / confirm / release / expire / move / stock / exercise steps.

After every step the database must agree with a small in-memory model of the same rules, no unit may be held
twice, stock may never go below zero or disagree with its holds, and no step inside an exercise may change live
availability.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import grpc
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import delete, func, select
from sqlmodel import Session

from services.common.errors import ServiceError
from services.common.outbox import OutboxEvent
from services.resources import exercises, movements, registry, reservations, stock, store_registry, store_snapshot, store_stock
from services.resources.domain import (
    COMMITTED_STATES,
    LIVE,
    MOVES,
    GeoPoint,
    LedgerKind,
    ReservationState,
    Snapshot,
    Stock,
    StockRequest,
    UnitRequest,
    UnitState,
)
from services.resources.store import ResourceStore
from services.resources.tables import RES_STOCKS, RES_UNITS, STOCKS, TABLES, UNITS

from .conftest import ACTOR, make_depot, make_park, make_unit

T0 = datetime(2030, 1, 1, tzinfo=UTC)
PARK, DEPOT = "ligang", "fs1"
STOCK_TYPES = ("FOAM_AFFF", "DRY_POWDER")
OPENING = {"FOAM_AFFF": 60, "DRY_POWDER": 40}
MAX_UNITS = 5
MAX_EXERCISES = 2
SCENE = GeoPoint(31.96, 120.1)
OUTBOX = OutboxEvent.__table__  # type: ignore[attr-defined]
OUTCOMES: Counter[str] = Counter()
T = TypeVar("T")


def note(outcome: str) -> None:
    """Count a step's outcome (and tell hypothesis about it)."""
    OUTCOMES[outcome] += 1
    event(outcome)


@dataclass(frozen=True)
class MUnit:
    """Model of a unit in one namespace."""

    state: UnitState
    version: int
    reservation: str = ""


@dataclass(frozen=True)
class MStock:
    """Model of a stock in one namespace."""

    on_hand: int
    reserved: int
    version: int


@dataclass
class MReservation:
    """Model of a reservation."""

    namespace: str
    state: ReservationState
    expires: datetime
    held_units: set[str]
    held_stock: dict[str, int] = field(default_factory=dict)


class Model:
    """Live rows plus one copy-on-write overlay per active exercise."""

    def __init__(self) -> None:
        self.units: dict[str, dict[str, MUnit]] = {LIVE: {}}
        self.stocks: dict[str, dict[str, MStock]] = {LIVE: {t: MStock(n, 0, 1) for t, n in OPENING.items()}}
        self.reservations: dict[str, MReservation] = {}

    def namespaces(self) -> list[str]:
        """Live and every active exercise."""
        return sorted(self.units)

    def unit_view(self, ns: str) -> dict[str, MUnit]:
        """Units as seen from a namespace."""
        return {**self.units[LIVE], **self.units[ns]}

    def stock_view(self, ns: str) -> dict[str, MStock]:
        """Stocks as seen from a namespace."""
        return {**self.stocks[LIVE], **self.stocks[ns]}

    def stock_for_write(self, ns: str, stype: str) -> MStock:
        """The row a write in the namespace changes: its own copy, made from live availability on first write."""
        if ns == LIVE or stype in self.stocks[ns]:
            return self.stock_view(ns)[stype]
        live = self.stocks[LIVE][stype]
        return MStock(live.on_hand - live.reserved, 0, live.version)

    def free(self, rid: str, units: set[str], stocks: dict[str, int]) -> None:
        """Give held items back (release or expiry)."""
        r = self.reservations[rid]
        for uid in units:
            u = self.unit_view(r.namespace)[uid]
            self.units[r.namespace][uid] = MUnit(UnitState.AVAILABLE, u.version + 1)
            r.held_units.discard(uid)
        for stype, amount in stocks.items():
            s = self.stock_for_write(r.namespace, stype)
            self.stocks[r.namespace][stype] = MStock(s.on_hand, s.reserved - amount, s.version + 1)
            r.held_stock.pop(stype)


class ReservationMachine(RuleBasedStateMachine):
    """Drives the store and the model side by side."""

    def __init__(self, store: ResourceStore) -> None:
        super().__init__()
        self.store = store
        self.now = T0
        self.model = Model()
        self.exercise_count = 0
        with Session(store.engine) as session, session.begin():
            for table in reversed(TABLES):
                session.connection().execute(delete(table.__table__))  # type: ignore[attr-defined]
        store.write(registry.create_park, park=make_park(PARK), actor=ACTOR)
        store.write(registry.create_depot, depot=make_depot(PARK, DEPOT), actor=ACTOR)
        for stype, amount in OPENING.items():
            store.write(stock.create_stock, stock=Stock(PARK, DEPOT, stype, on_hand=amount), actor=ACTOR)
        self.register()
        self.register()
        self.seen_event = self._last_event()

    # ------------------------------------------------------------ helpers

    def _last_event(self) -> int:
        with Session(self.store.engine) as session:
            return int(session.connection().execute(select(func.coalesce(func.max(OUTBOX.c.id), 0))).scalar_one())

    def _events_tagged(self, ns: str) -> None:
        """Every event since the previous check carries this step's namespace."""
        with Session(self.store.engine) as session:
            tags = session.connection().execute(select(OUTBOX.c.exercise_id).where(OUTBOX.c.id > self.seen_event)).scalars().all()
        assert set(tags) <= {ns}, (ns, set(tags))
        self.seen_event = self._last_event()

    def _live(self) -> Snapshot:
        return self.store.read(store_snapshot.availability, states=list(UnitState))

    def _call(self, ns: str, fn: Callable[..., T], **kwargs: Any) -> tuple[T | None, ServiceError | None]:
        """Run one store call; inside an exercise, prove live availability did not move."""
        before = self._live() if ns else None
        try:
            return self.store.write(fn, **kwargs), None
        except ServiceError as exc:
            return None, exc
        finally:
            if before is not None:
                assert self._live() == before, f"{fn.__name__} in {ns} changed live availability"

    def _namespace(self, data: st.DataObject) -> str:
        exercises_now = [ns for ns in self.model.namespaces() if ns]
        return data.draw(st.sampled_from([LIVE, *exercises_now, *exercises_now]), label="namespace")

    def _reservation(self, data: st.DataObject) -> str:
        """Any reservation, with ACTIVE ones twice as likely; in creation order, since ids are random."""
        active = [rid for rid, r in self.model.reservations.items() if r.state is ReservationState.ACTIVE]
        return data.draw(st.sampled_from([*self.model.reservations, *active]), label="reservation")

    # ------------------------------------------------------------ rules

    @precondition(lambda self: len(self.model.units[LIVE]) < MAX_UNITS)
    @rule()
    def register(self) -> None:
        uid = f"u{len(self.model.units[LIVE])}"
        self.store.write(registry.create_unit, unit=make_unit(uid, PARK, DEPOT), actor=ACTOR)
        self.model.units[LIVE][uid] = MUnit(UnitState.AVAILABLE, 1)
        self.seen_event = self._last_event()

    @rule(data=st.data())
    def reserve(self, data: st.DataObject) -> None:
        ns = self._namespace(data)
        view, stocks = self.model.unit_view(ns), self.model.stock_view(ns)
        uids = data.draw(st.lists(st.sampled_from(sorted(view)), unique=True, max_size=3), label="units")
        stype = data.draw(st.sampled_from(STOCK_TYPES), label="stock")
        amount = data.draw(st.sampled_from([0, 5, 20, 45]), label="amount") or (0 if uids else 5)
        stale = data.draw(st.booleans(), label="stale") and bool(uids)
        ttl = data.draw(st.sampled_from([30, 120, 600]), label="ttl")
        requests = [UnitRequest(PARK, u, view[u].version + (1 if stale and i == 0 else 0)) for i, u in enumerate(uids)]
        expected = [
            f"units[{i}]"
            for i, (u, req) in enumerate(zip(uids, requests, strict=True))
            if view[u].state is not UnitState.AVAILABLE or req.expected_version != view[u].version
        ]
        s = self.model.stock_for_write(ns, stype) if amount else stocks[stype]
        if amount and s.on_hand - s.reserved < amount:
            expected.append("stocks[0]")
        held, error = self._call(
            ns,
            reservations.reserve,
            namespace=ns,
            incident="incidents/sm",
            units=requests,
            stocks=[StockRequest(PARK, DEPOT, stype, amount)] if amount else [],
            actor=ACTOR,
            ttl_seconds=ttl,
            now=self.now,
        )
        note(f"reserve in {'exercise' if ns else 'live'}: {'conflict' if expected else 'held'}")
        if expected:
            assert error is not None and error.code is grpc.StatusCode.ABORTED, error
            assert [v.field for v in error.violations] == expected
            return
        assert error is None, error
        assert held is not None
        for u in uids:
            self.model.units[ns][u] = MUnit(UnitState.RESERVED, view[u].version + 1, held.reservation_id)
        if amount:
            self.model.stocks[ns][stype] = MStock(s.on_hand, s.reserved + amount, s.version + 1)
        self.model.reservations[held.reservation_id] = MReservation(
            ns, ReservationState.ACTIVE, self.now + timedelta(seconds=ttl), set(uids), {stype: amount} if amount else {}
        )
        self._events_tagged(ns)

    @precondition(lambda self: self.model.reservations)
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        rid = self._reservation(data)
        r = self.model.reservations[rid]
        ok = r.namespace in self.model.units and r.state is ReservationState.ACTIVE and self.now < r.expires
        note(f"confirm: {'ok' if ok else 'refused'}")
        _, error = self._call(r.namespace, reservations.confirm, reservation_id=rid, namespace=r.namespace, actor=ACTOR, now=self.now)
        if not ok:
            assert error is not None and error.code is grpc.StatusCode.FAILED_PRECONDITION, error
            return
        assert error is None, error
        for uid in r.held_units:
            u = self.model.unit_view(r.namespace)[uid]
            self.model.units[r.namespace][uid] = MUnit(UnitState.EN_ROUTE, u.version + 1, rid)
        for stype, amount in r.held_stock.items():
            s = self.model.stock_for_write(r.namespace, stype)
            self.model.stocks[r.namespace][stype] = MStock(s.on_hand - amount, s.reserved - amount, s.version + 1)
        r.held_stock = {}
        r.state = ReservationState.CONFIRMED
        self._events_tagged(r.namespace)

    @precondition(lambda self: self.model.reservations)
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        rid = self._reservation(data)
        r = self.model.reservations[rid]
        ok = r.namespace in self.model.units and r.state is ReservationState.ACTIVE
        part: list[str] = []
        if ok and r.held_units and data.draw(st.booleans(), label="partial"):
            part = data.draw(st.lists(st.sampled_from(sorted(r.held_units)), unique=True, min_size=1), label="part")
        note(f"release: {'refused' if not ok else 'part' if part else 'whole'}")
        _, error = self._call(
            r.namespace, reservations.release, reservation_id=rid, namespace=r.namespace, units=[(PARK, u) for u in part], actor=ACTOR, now=self.now
        )
        if not ok:
            assert error is not None and error.code is grpc.StatusCode.FAILED_PRECONDITION, error
            return
        assert error is None, error
        self.model.free(rid, set(part) if part else set(r.held_units), {} if part else dict(r.held_stock))
        if not r.held_units and not r.held_stock:
            r.state = ReservationState.RELEASED
        self._events_tagged(r.namespace)

    @rule(seconds=st.sampled_from([10, 60, 200]))
    def advance_clock(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    @rule()
    def expire(self) -> None:
        due = {
            rid
            for rid, r in self.model.reservations.items()
            if r.state is ReservationState.ACTIVE and r.expires <= self.now and r.namespace in self.model.units
        }
        before = self._live() if all(self.model.reservations[rid].namespace for rid in due) else None
        note(f"expire: {'some' if due else 'none'} due")
        expired = self.store.sweep_expired(now=self.now)
        assert {x.reservation_id for x in expired} == due
        for rid in due:
            r = self.model.reservations[rid]
            self.model.free(rid, set(r.held_units), dict(r.held_stock))
            r.state = ReservationState.EXPIRED
        if before is not None:
            assert self._live() == before, "expiring drill reservations changed live availability"
        self.seen_event = self._last_event()

    @rule(data=st.data(), goal=st.sampled_from(list(UnitState)))
    def move(self, data: st.DataObject, goal: UnitState) -> None:
        target = goal  # ("target" is reserved by hypothesis rules)
        ns = self._namespace(data)
        view = self.model.unit_view(ns)
        uid = data.draw(st.sampled_from(sorted(view)), label="unit")
        u = view[uid]
        legal = target in MOVES[u.state]
        if legal and u.reservation and self.model.reservations[u.reservation].namespace != ns:
            legal = False
        note(f"move: {'legal' if legal else 'illegal'}")
        _, error = self._call(ns, movements.move_unit, namespace=ns, park_id=PARK, unit_id=uid, target=target, position=SCENE, actor=ACTOR, now=self.now)
        if not legal:
            assert error is not None and error.code is grpc.StatusCode.FAILED_PRECONDITION, error
            return
        assert error is None, error
        ends = u.state in COMMITTED_STATES and target in (UnitState.AVAILABLE, UnitState.OUT_OF_SERVICE)
        self.model.units[ns][uid] = MUnit(target, u.version + 1, "" if ends else u.reservation)
        if ends and u.reservation:
            r = self.model.reservations[u.reservation]
            r.held_units.discard(uid)
            if r.state is ReservationState.CONFIRMED and not r.held_units:
                r.state = ReservationState.COMPLETED
        self._events_tagged(ns)

    @rule(data=st.data(), kind=st.sampled_from(list(LedgerKind)), delta=st.sampled_from([-70, -30, -5, 0, 5, 30]))
    def stock_movement(self, data: st.DataObject, kind: LedgerKind, delta: int) -> None:
        ns = self._namespace(data)
        stype = data.draw(st.sampled_from(STOCK_TYPES), label="stock")
        s = self.model.stock_for_write(ns, stype)
        signs = {LedgerKind.RECEIPT: delta > 0, LedgerKind.ISSUE: delta < 0, LedgerKind.LOSS: delta < 0, LedgerKind.CORRECTION: delta != 0}
        ok = signs[kind] and s.on_hand + delta >= s.reserved
        _, error = self._call(
            ns,
            stock.record_movement,
            namespace=ns,
            park_id=PARK,
            depot_id=DEPOT,
            type_code=stype,
            kind=kind,
            delta=delta,
            reason="model step",
            actor=ACTOR,
            now=self.now,
        )
        note(f"stock {kind.value.lower()}: {'booked' if ok else 'refused'}")
        if not ok:
            assert error is not None and error.code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION)
            return
        assert error is None, error
        self.model.stocks[ns][stype] = MStock(s.on_hand + delta, s.reserved, s.version + 1)
        self._events_tagged(ns)

    @precondition(lambda self: len(self.model.units) <= MAX_EXERCISES)
    @rule()
    def start_exercise(self) -> None:
        self.exercise_count += 1
        ns = f"ex{self.exercise_count}"
        _, error = self._call(ns, exercises.start_exercise, exercise_id=ns, name="model drill", actor=ACTOR, now=self.now)
        assert error is None, error
        self.model.units[ns], self.model.stocks[ns] = {}, {}
        self._events_tagged(ns)

    @precondition(lambda self: len(self.model.units) > 1)
    @rule(data=st.data())
    def end_exercise(self, data: st.DataObject) -> None:
        ns = data.draw(st.sampled_from([n for n in self.model.namespaces() if n]), label="exercise")
        _, error = self._call(ns, exercises.end_exercise, exercise_id=ns, actor=ACTOR, now=self.now)
        assert error is None, error
        del self.model.units[ns], self.model.stocks[ns]
        for r in self.model.reservations.values():
            if r.namespace == ns and r.state in (ReservationState.ACTIVE, ReservationState.CONFIRMED):
                r.state, r.held_units, r.held_stock = ReservationState.DISCARDED, set(), {}
        self._events_tagged(ns)

    # ------------------------------------------------------------ invariants

    @invariant()
    def database_agrees_with_the_model(self) -> None:
        for ns in self.model.namespaces():
            units, _ = self.store.read(store_registry.list_units, namespace=ns, states=list(UnitState))
            assert {u.unit_id: MUnit(u.state, u.version, u.reservation_id) for u in units} == self.model.unit_view(ns), ns
            stocks, _ = self.store.read(store_stock.list_stocks, namespace=ns)
            assert {s.type: MStock(s.on_hand, s.reserved, s.version) for s in stocks} == self.model.stock_view(ns), ns

    @invariant()
    def holds_are_single_and_consistent(self) -> None:
        with Session(self.store.engine) as session:
            conn = session.connection()
            holds = conn.execute(select(RES_UNITS.c.namespace, RES_UNITS.c.unit_id, RES_UNITS.c.reservation_id).where(RES_UNITS.c.holding.is_(True))).all()
            keys = [(ns, uid) for ns, uid, _ in holds]
            assert len(keys) == len(set(keys)), "a unit is held twice in one namespace"
            committed = conn.execute(
                select(UNITS.c.namespace, UNITS.c.unit_id, UNITS.c.reservation_id).where(UNITS.c.state.in_([s.value for s in COMMITTED_STATES]))
            ).all()
            assert {tuple(h) for h in holds} == {tuple(c) for c in committed}
            for row in conn.execute(select(STOCKS)).mappings():
                assert 0 <= row["reserved"] <= row["on_hand"], dict(row)
                held = conn.execute(
                    select(func.coalesce(func.sum(RES_STOCKS.c.amount), 0)).where(
                        RES_STOCKS.c.namespace == row["namespace"], RES_STOCKS.c.type == row["type"], RES_STOCKS.c.state == "HELD"
                    )
                ).scalar_one()
                assert held == row["reserved"], dict(row)


def test_random_operations_keep_every_invariant(store: ResourceStore) -> None:
    OUTCOMES.clear()
    run_state_machine_as_test(
        lambda: ReservationMachine(store),  # type: ignore[arg-type]  # a factory is accepted at run time
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            # Shrinking replays hundreds of database-backed runs; a failure is reported unshrunk instead.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(f"\n[{store.engine.dialect.name}] step outcomes: {dict(sorted(OUTCOMES.items()))}")
    for outcome in ("reserve in live: held", "reserve in live: conflict", "move: legal", "move: illegal"):
        assert OUTCOMES[outcome], f"the run never produced {outcome!r}"
