"""Registration of parks, depots, units and stock, with masks, versions, ledger and events."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import grpc

from services.resources import policies, registry, stock, store_policies, store_registry, store_stock
from services.resources.domain import EVENT_STREAM, DepotKind, GeoPoint, LedgerKind, MutualAid, ReservePolicy, Stock, UnitState
from services.resources.store import ResourceStore

from .conftest import ACTOR, make_depot, make_park, make_unit, seed_fleet
from .helpers import events, last_event_id, payload, refused


def test_create_and_read_back(store: ResourceStore) -> None:
    fleet = seed_fleet(store, units=2)
    unit = store.read(store_registry.get_unit, park_id="ligang", unit_id="u0")
    assert unit.state is UnitState.AVAILABLE and unit.version == 1
    assert unit.position == GeoPoint(31.95, 120.09), "defaults to the home depot"
    assert unit.capabilities == ("water",), "defaults to the type's capabilities"
    page, token = store.read(store_registry.list_units, park_id=fleet.park_id, size=1)
    assert [u.unit_id for u in page] == ["u0"] and token
    page, token = store.read(store_registry.list_units, park_id=fleet.park_id, size=1, token=token)
    assert [u.unit_id for u in page] == ["u1"] and token == ""
    refused(grpc.StatusCode.INVALID_ARGUMENT, store.read, store_registry.list_units, park_id="other", token="garbage")
    refused(grpc.StatusCode.ALREADY_EXISTS, store.write, registry.create_unit, unit=make_unit("u0"), actor=ACTOR)
    refused(grpc.StatusCode.NOT_FOUND, store.read, store_registry.get_unit, park_id="ligang", unit_id="nope")


def test_unit_needs_an_active_depot_of_its_park(store: ResourceStore) -> None:
    seed_fleet(store, units=0)
    error = refused(grpc.StatusCode.INVALID_ARGUMENT, store.write, registry.create_unit, unit=make_unit("x", depot_id="nope"), actor=ACTOR)
    assert [v.field for v in error.violations] == ["unit.home_depot"]
    error = refused(grpc.StatusCode.INVALID_ARGUMENT, store.write, registry.create_unit, unit=make_unit("x", state=UnitState.ON_SCENE), actor=ACTOR)
    assert [v.field for v in error.violations] == ["unit.state"]


def test_update_with_mask_bumps_version_and_refuses_output_only(store: ResourceStore) -> None:
    seed_fleet(store, units=1)
    changes = make_unit("u0", call_sign="LG-NEW", crew_size=9, state=UnitState.ON_SCENE, version=99)
    updated = store.write(registry.update_unit, park_id="ligang", unit_id="u0", changes=changes, paths=["call_sign"], actor=ACTOR)
    assert (updated.call_sign, updated.crew_size, updated.state, updated.version) == ("LG-NEW", 5, UnitState.AVAILABLE, 2)
    before = last_event_id(store)
    for path in ("state", "version", "park", "reservation_id"):
        error = refused(
            grpc.StatusCode.INVALID_ARGUMENT,
            store.write,
            registry.update_unit,
            park_id="ligang",
            unit_id="u0",
            changes=changes,
            paths=["crew_size", path],
            actor=ACTOR,
        )
        assert [v.field for v in error.violations] == [f"unit.{path}"]
    assert store.read(store_registry.get_unit, park_id="ligang", unit_id="u0").version == 2, "nothing changed"
    assert events(store, before) == []
    refused(
        grpc.StatusCode.ABORTED,
        store.write,
        registry.update_unit,
        park_id="ligang",
        unit_id="u0",
        changes=changes,
        paths=["crew_size"],
        actor=ACTOR,
        expected_version=1,
    )


def test_park_and_depot_updates(store: ResourceStore) -> None:
    seed_fleet(store, units=0)
    changes = replace(make_park("ligang", display_name="Lingang"), location=GeoPoint(31.96, 120.1))
    park = store.write(registry.update_park, park_id="ligang", changes=changes, paths=["display_name", "duty_contact.phone"], actor=ACTOR)
    assert (park.display_name, park.location, park.version) == ("Lingang", GeoPoint(31.955, 120.09), 2)
    depot = store.write(
        registry.update_depot,
        park_id="ligang",
        depot_id="fs1",
        changes=make_depot(kind=DepotKind.RESCUE_BASE, shared=True),
        paths=["kind", "shared"],
        actor=ACTOR,
    )
    assert (depot.kind, depot.shared, depot.version) == (DepotKind.RESCUE_BASE, True, 2)
    error = refused(
        grpc.StatusCode.INVALID_ARGUMENT,
        store.write,
        registry.update_depot,
        park_id="ligang",
        depot_id="fs1",
        changes=make_depot(),
        paths=["park_id"],
        actor=ACTOR,
    )
    assert [v.field for v in error.violations] == ["depot.park_id"]


def test_retirement_rules(store: ResourceStore) -> None:
    seed_fleet(store, units=1, on_hand=0)
    refused(grpc.StatusCode.FAILED_PRECONDITION, store.write, registry.retire_depot, park_id="ligang", depot_id="fs1", actor=ACTOR)
    retired = store.write(registry.retire_unit, park_id="ligang", unit_id="u0", actor=ACTOR)
    assert retired.retired and retired.version == 2
    refused(grpc.StatusCode.FAILED_PRECONDITION, store.write, registry.retire_unit, park_id="ligang", unit_id="u0", actor=ACTOR)
    depot = store.write(registry.retire_depot, park_id="ligang", depot_id="fs1", actor=ACTOR)
    assert depot.retired
    error = refused(grpc.StatusCode.INVALID_ARGUMENT, store.write, registry.create_unit, unit=make_unit("u9"), actor=ACTOR)
    assert "retired" in error.violations[0].description


def test_stock_ledger_and_low_stock_event(store: ResourceStore) -> None:
    seed_fleet(store, units=0, on_hand=100, minimum=40)
    before = last_event_id(store)
    key: dict[str, Any] = {"park_id": "ligang", "depot_id": "fs1", "type_code": "FOAM_AFFF"}
    after, entry = store.write(stock.record_movement, **key, kind=LedgerKind.LOSS, delta=-50, reason="small fire", actor=ACTOR)
    assert (after.on_hand, entry.delta, entry.on_hand_after) == (50, -50, 50)
    after, _ = store.write(stock.record_movement, **key, kind=LedgerKind.ISSUE, delta=-20, reason="", actor=ACTOR)
    assert after.on_hand == 30
    refused(grpc.StatusCode.FAILED_PRECONDITION, store.write, stock.record_movement, **key, kind=LedgerKind.LOSS, delta=-31, reason="", actor=ACTOR)
    after, _ = store.write(stock.record_movement, **key, kind=LedgerKind.RECEIPT, delta=70, reason="delivery", actor=ACTOR)
    after, entry = store.write(stock.record_movement, **key, kind=LedgerKind.CORRECTION, delta=-5, reason="stocktake", actor=ACTOR)
    assert (after.on_hand, entry.delta, after.version) == (95, -5, 5)
    ledger, _ = store.read(store_stock.list_ledger, park_id="ligang")
    assert [(e.kind, e.delta) for e in ledger] == [
        (LedgerKind.RECEIPT, 100),
        (LedgerKind.LOSS, -50),
        (LedgerKind.ISSUE, -20),
        (LedgerKind.RECEIPT, 70),
        (LedgerKind.CORRECTION, -5),
    ]
    assert [e.sequence for e in ledger] == [1, 2, 3, 4, 5]
    error = refused(grpc.StatusCode.INVALID_ARGUMENT, store.write, stock.record_movement, **key, kind=LedgerKind.LOSS, delta=5, reason="", actor=ACTOR)
    assert [v.field for v in error.violations] == ["delta"]
    low = [e for e in events(store, before) if e.event_type == "stock.low"]
    assert len(low) == 1, "only the crossing below the minimum is reported"
    assert payload(low[0])["available"] == 30 and low[0].stream == EVENT_STREAM and low[0].exercise_id == ""
    error = refused(
        grpc.StatusCode.INVALID_ARGUMENT,
        store.write,
        stock.update_stock,
        **key,
        changes=Stock("ligang", "fs1", "FOAM_AFFF", on_hand=1),
        paths=["on_hand"],
        actor=ACTOR,
    )
    assert [v.field for v in error.violations] == ["stock.on_hand"]


def test_a_live_receipt_opens_a_new_stock(store: ResourceStore) -> None:
    seed_fleet(store, units=0)
    key: dict[str, Any] = {"park_id": "ligang", "depot_id": "fs1", "type_code": "SANDBAG"}
    refused(grpc.StatusCode.NOT_FOUND, store.write, stock.record_movement, **key, kind=LedgerKind.LOSS, delta=-1, reason="", actor=ACTOR)
    opened, entry = store.write(stock.record_movement, **key, kind=LedgerKind.RECEIPT, delta=300, reason="delivery note 17", actor=ACTOR)
    assert (opened.on_hand, opened.minimum_level, entry.sequence, entry.kind) == (300, 0, 1, LedgerKind.RECEIPT)
    error = refused(
        grpc.StatusCode.INVALID_ARGUMENT,
        store.write,
        stock.record_movement,
        **{**key, "type_code": "AMBULANCE"},
        kind=LedgerKind.RECEIPT,
        delta=1,
        reason="",
        actor=ACTOR,
    )
    assert [v.field for v in error.violations] == ["stock.type"]


def test_policies_and_mutual_aid(store: ResourceStore) -> None:
    seed_fleet(store, units=0)
    store.write(registry.create_park, park=make_park("shengang"), actor=ACTOR)
    policy = store.write(policies.set_reserve_policy, policy=ReservePolicy("ligang", "PUMPER_ENGINE", 2), actor=ACTOR)
    policy = store.write(policies.set_reserve_policy, policy=ReservePolicy("ligang", "PUMPER_ENGINE", 3), actor=ACTOR)
    assert (policy.min_available, policy.version) == (3, 2)
    aid = store.write(policies.set_mutual_aid, agreement=MutualAid("ligang", "shengang", ("FOAM_TENDER",), 30), actor=ACTOR)
    assert aid.version == 1
    assert store.read(store_policies.list_mutual_aid, park_id="shengang") == [aid]
    error = refused(grpc.StatusCode.INVALID_ARGUMENT, store.write, policies.set_mutual_aid, agreement=MutualAid("ligang", "mars", (), 30), actor=ACTOR)
    assert [v.field for v in error.violations] == ["mutual_aid.borrower_park"]
    store.write(policies.delete_reserve_policy, park_id="ligang", type_code="PUMPER_ENGINE", actor=ACTOR)
    assert store.read(store_policies.list_reserve_policies, park_id="ligang") == []
