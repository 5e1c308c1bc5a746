"""Reservations, movements, expiry and exercise namespaces against a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc

from services.resources import exercises, movements, registry, reservations, stock, store_registry, store_reservations, store_snapshot, store_stock
from services.resources.domain import GeoPoint, ItemState, LedgerKind, Reservation, ReservationState, Stock, StockRequest, Unit, UnitRequest, UnitState
from services.resources.store import ResourceStore

from .conftest import ACTOR, Fleet, seed_fleet
from .helpers import events, last_event_id, refused

T0 = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
SCENE = GeoPoint(31.957, 120.095)


def unit(store: ResourceStore, unit_id: str, namespace: str = "") -> Unit:
    """Read a unit as seen from a namespace."""
    return store.read(store_registry.get_unit, park_id="ligang", unit_id=unit_id, namespace=namespace)


def foam(store: ResourceStore, namespace: str = "") -> Stock:
    """Read the foam stock as seen from a namespace."""
    return store.read(store_stock.get_stock, park_id="ligang", depot_id="fs1", type_code="FOAM_AFFF", namespace=namespace)


def reserve(
    store: ResourceStore, fleet: Fleet, unit_ids: list[str], amount: int = 0, *, namespace: str = "", ttl: int = 300, now: datetime = T0
) -> Reservation:
    """Reserve units at their current versions plus an amount of foam."""
    units = [UnitRequest("ligang", u, unit(store, u, namespace).version) for u in unit_ids]
    stocks = [StockRequest("ligang", fleet.depot_id, fleet.stock_type, amount)] if amount else []
    return store.write(reservations.reserve, incident="incidents/i-1", units=units, stocks=stocks, actor=ACTOR, namespace=namespace, ttl_seconds=ttl, now=now)


def test_reserve_confirm_and_move_through_the_cycle(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=3, on_hand=100)
    held = reserve(store, fleet, ["u0", "u1"], 30)
    assert held.state is ReservationState.ACTIVE and held.expires_at == T0 + timedelta(seconds=300)
    assert unit(store, "u0").state is UnitState.RESERVED and unit(store, "u0").reservation_id == held.reservation_id
    assert (foam(store).on_hand, foam(store).reserved) == (100, 30)
    confirmed = store.write(reservations.confirm, reservation_id=held.reservation_id, actor=ACTOR, now=T0 + timedelta(seconds=5))
    assert confirmed.state is ReservationState.CONFIRMED
    assert {u.state for u in confirmed.units} == {ItemState.CONFIRMED}
    assert (foam(store).on_hand, foam(store).reserved) == (70, 0)
    ledger, _ = store.read(store_stock.list_ledger, park_id="ligang")
    assert (ledger[-1].kind, ledger[-1].delta, ledger[-1].reservation_id) == (LedgerKind.ISSUE, -30, held.reservation_id)
    for target in (UnitState.ON_SCENE, UnitState.RETURNING):
        store.write(movements.move_unit, park_id="ligang", unit_id="u0", target=target, position=SCENE, actor=ACTOR)
    back = store.write(movements.move_unit, park_id="ligang", unit_id="u0", target=UnitState.AVAILABLE, actor=ACTOR)
    assert (back.state, back.position, back.reservation_id) == (UnitState.AVAILABLE, GeoPoint(31.95, 120.09), "")
    assert store.read(store_reservations.get_reservation, reservation_id=held.reservation_id).state is ReservationState.CONFIRMED
    store.write(movements.move_unit, park_id="ligang", unit_id="u1", target=UnitState.RETURNING, actor=ACTOR)
    store.write(movements.move_unit, park_id="ligang", unit_id="u1", target=UnitState.OUT_OF_SERVICE, actor=ACTOR)
    done = store.read(store_reservations.get_reservation, reservation_id=held.reservation_id)
    assert done.state is ReservationState.COMPLETED and {u.state for u in done.units} == {ItemState.COMPLETED}
    again = reserve(store, fleet, ["u0"])
    assert again.state is ReservationState.ACTIVE, "a unit back at AVAILABLE can be reserved again"


def test_conflicts_reserve_nothing_and_name_every_item(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=3, on_hand=50)
    first = reserve(store, fleet, ["u0"], 40)
    stale = UnitRequest("ligang", "u1", 7)
    request = {
        "incident": "incidents/i-2",
        "units": [UnitRequest("ligang", "u2", 1), UnitRequest("ligang", "u0", 1), stale, UnitRequest("ligang", "ghost", 1)],
        "stocks": [StockRequest("ligang", "fs1", "FOAM_AFFF", 20), StockRequest("ligang", "fs1", "FOAM_AR_AFFF", 1)],
        "actor": ACTOR,
    }
    before = last_event_id(store)
    error = refused(grpc.StatusCode.ABORTED, store.write, reservations.reserve, **request)
    assert error.reason == "RESERVATION_CONFLICT"
    assert [v.field for v in error.violations] == ["units[1]", "units[2]", "units[3]", "stocks[0]", "stocks[1]"]
    reasons = [v.description.split(":")[0] for v in error.violations]
    assert reasons == ["UNIT_NOT_AVAILABLE", "UNIT_VERSION_MISMATCH", "UNIT_NOT_FOUND", "INSUFFICIENT_STOCK", "STOCK_NOT_FOUND"]
    assert first.reservation_id in error.violations[0].description
    assert error.metadata["conflicts"] == "5" and error.metadata["units_2"].startswith("UNIT_VERSION_MISMATCH")
    assert unit(store, "u2").state is UnitState.AVAILABLE and unit(store, "u2").version == 1, "the free unit was not kept"
    assert foam(store).reserved == 40
    assert events(store, before) == []


def test_stock_version_zero_accepts_if_enough_is_available(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=0, on_hand=100)
    v1 = foam(store).version
    reserve(store, fleet, [], 10)
    store.write(reservations.reserve, incident="i", stocks=[StockRequest("ligang", "fs1", "FOAM_AFFF", 10, expected_version=0)], actor=ACTOR)
    error = refused(
        grpc.StatusCode.ABORTED,
        store.write,
        reservations.reserve,
        incident="i",
        stocks=[StockRequest("ligang", "fs1", "FOAM_AFFF", 10, expected_version=v1)],
        actor=ACTOR,
    )
    assert error.violations[0].description.startswith("STOCK_VERSION_MISMATCH")
    assert foam(store).reserved == 20


def test_release_whole_and_part(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=3, on_hand=100)
    held = reserve(store, fleet, ["u0", "u1", "u2"], 60)
    part = store.write(reservations.release, reservation_id=held.reservation_id, units=[("ligang", "u1")], actor=ACTOR)
    assert part.state is ReservationState.ACTIVE
    assert [u.state for u in part.units] == [ItemState.HELD, ItemState.RELEASED, ItemState.HELD]
    assert unit(store, "u1").state is UnitState.AVAILABLE and unit(store, "u1").version == 3
    error = refused(
        grpc.StatusCode.INVALID_ARGUMENT, store.write, reservations.release, reservation_id=held.reservation_id, units=[("ligang", "u1")], actor=ACTOR
    )
    assert [v.field for v in error.violations] == ["units[0]"]
    whole = store.write(reservations.release, reservation_id=held.reservation_id, actor=ACTOR)
    assert whole.state is ReservationState.RELEASED and foam(store).reserved == 0
    assert {unit(store, u).state for u in fleet.unit_ids} == {UnitState.AVAILABLE}
    error = refused(grpc.StatusCode.FAILED_PRECONDITION, store.write, reservations.confirm, reservation_id=held.reservation_id, actor=ACTOR)
    assert error.reason == "RESERVATION_RELEASED"


def test_expiry_by_the_sweeper(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=2, on_hand=100)
    short = reserve(store, fleet, ["u0"], 10, ttl=60)
    long = reserve(store, fleet, ["u1"], 10, ttl=600)
    late = T0 + timedelta(seconds=61)
    error = refused(grpc.StatusCode.FAILED_PRECONDITION, store.write, reservations.confirm, reservation_id=short.reservation_id, actor=ACTOR, now=late)
    assert error.reason == "RESERVATION_EXPIRED"
    assert store.sweep_expired(now=T0 + timedelta(seconds=59)) == []
    before = last_event_id(store)
    expired = store.sweep_expired(now=late)
    assert [r.reservation_id for r in expired] == [short.reservation_id]
    assert expired[0].state is ReservationState.EXPIRED and expired[0].units[0].state is ItemState.EXPIRED
    assert unit(store, "u0").state is UnitState.AVAILABLE and foam(store).reserved == 10
    assert [e.event_type for e in events(store, before)] == ["unit.state_changed", "reservation.expired"]
    assert store.sweep_expired(now=late) == [], "an expired reservation is swept once"
    assert store.read(store_reservations.get_reservation, reservation_id=long.reservation_id).state is ReservationState.ACTIVE


def test_illegal_movements_name_the_current_state(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=1)
    error = refused(
        grpc.StatusCode.FAILED_PRECONDITION, store.write, movements.move_unit, park_id="ligang", unit_id="u0", target=UnitState.ON_SCENE, actor=ACTOR
    )
    assert error.reason == "ILLEGAL_TRANSITION" and error.metadata["current_state"] == "AVAILABLE" and "AVAILABLE" in error.message
    reserve(store, fleet, ["u0"])
    for target in (UnitState.AVAILABLE, UnitState.OUT_OF_SERVICE, UnitState.EN_ROUTE):
        error = refused(grpc.StatusCode.FAILED_PRECONDITION, store.write, movements.move_unit, park_id="ligang", unit_id="u0", target=target, actor=ACTOR)
        assert error.metadata["current_state"] == "RESERVED"
    refused(grpc.StatusCode.FAILED_PRECONDITION, store.write, registry.retire_unit, park_id="ligang", unit_id="u0", actor=ACTOR)
    error = refused(
        grpc.StatusCode.ABORTED, store.write, movements.move_unit, park_id="ligang", unit_id="u0", target=UnitState.AVAILABLE, actor=ACTOR, expected_version=1
    )
    assert error.reason == "VERSION_MISMATCH"


def test_exercise_never_changes_live_and_ending_discards(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=3, on_hand=100)
    live_before = store.read(store_snapshot.availability)
    store.write(exercises.start_exercise, exercise_id="drill-1", name="Tank fire drill", actor=ACTOR)
    start = last_event_id(store)
    drill = reserve(store, fleet, ["u0", "u1"], 70, namespace="drill-1")
    store.write(reservations.confirm, reservation_id=drill.reservation_id, namespace="drill-1", actor=ACTOR, now=T0)
    store.write(movements.move_unit, namespace="drill-1", park_id="ligang", unit_id="u0", target=UnitState.ON_SCENE, position=SCENE, actor=ACTOR)
    store.write(
        stock.record_movement,
        namespace="drill-1",
        park_id="ligang",
        depot_id="fs1",
        type_code="FOAM_AFFF",
        kind=LedgerKind.LOSS,
        delta=-5,
        reason="",
        actor=ACTOR,
    )
    live_after = store.read(store_snapshot.availability)
    assert live_after == live_before, "live availability, stock and version are untouched"
    drill_view = store.read(store_snapshot.availability, namespace="drill-1")
    assert [u.unit_id for u in drill_view.units] == ["u2"]
    assert drill_view.stocks[0].on_hand == 25 and drill_view.version > live_before.version
    assert {e.exercise_id for e in events(store, start)} == {"drill-1"}
    refused(grpc.StatusCode.NOT_FOUND, store.read, store_reservations.get_reservation, reservation_id=drill.reservation_id)
    live = reserve(store, fleet, ["u0", "u1"], 100)
    assert live.state is ReservationState.ACTIVE, "nothing the drill holds blocks a live incident"
    error = refused(
        grpc.StatusCode.FAILED_PRECONDITION,
        store.write,
        movements.move_unit,
        namespace="drill-1",
        park_id="ligang",
        unit_id="u1",
        target=UnitState.AVAILABLE,
        actor=ACTOR,
        position=SCENE,
    )
    assert error.metadata["current_state"] == "EN_ROUTE", "the drill's own copy is en route"
    store.write(exercises.end_exercise, exercise_id="drill-1", actor=ACTOR)
    ended = store.read(store_reservations.get_reservation, reservation_id=drill.reservation_id, namespace="drill-1")
    assert ended.state is ReservationState.DISCARDED
    refused(grpc.StatusCode.FAILED_PRECONDITION, store.read, store_snapshot.availability, namespace="drill-1")
    refused(grpc.StatusCode.FAILED_PRECONDITION, reserve, store, fleet, ["u2"], namespace="drill-1")
    refused(grpc.StatusCode.NOT_FOUND, store.read, store_snapshot.availability, namespace="no-such-drill")
    assert unit(store, "u0").state is UnitState.RESERVED and foam(store).reserved == 100


def test_drill_cannot_move_a_live_committed_unit(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=1)
    held = reserve(store, fleet, ["u0"])
    store.write(reservations.confirm, reservation_id=held.reservation_id, actor=ACTOR, now=T0)
    store.write(exercises.start_exercise, exercise_id="drill-2", name="", actor=ACTOR)
    error = refused(
        grpc.StatusCode.FAILED_PRECONDITION,
        store.write,
        movements.move_unit,
        namespace="drill-2",
        park_id="ligang",
        unit_id="u0",
        target=UnitState.ON_SCENE,
        actor=ACTOR,
    )
    assert error.reason == "UNIT_COMMITTED_ELSEWHERE"


def test_snapshot_pages_and_filters(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=5, on_hand=80)
    reserve(store, fleet, ["u1"], 30)
    first = store.read(store_snapshot.availability, size=2)
    assert [u.unit_id for u in first.units] == ["u0", "u2"] and first.total_units == 4
    assert first.stocks[0].available == 50 and first.depots and first.parks
    second = store.read(store_snapshot.availability, size=2, token=first.next_page_token)
    assert [u.unit_id for u in second.units] == ["u3", "u4"] and second.next_page_token == "" and second.stocks == ()
    refused(grpc.StatusCode.INVALID_ARGUMENT, store.read, store_snapshot.availability, size=2, token=first.next_page_token, types=["FOAM_TENDER"])
    committed = store.read(store_snapshot.availability, states=[UnitState.RESERVED])
    assert [(u.unit_id, u.incident) for u in committed.units] == [("u1", "incidents/i-1")]
    assert store.read(store_snapshot.availability, types=["FOAM_TENDER"]).units == ()
    assert store.read(store_snapshot.availability, park_ids=["elsewhere"]).stocks == ()
