"""A bulk import applies a whole inventory or nothing."""

from __future__ import annotations

from dataclasses import replace

import grpc

from fixtures.resources.demo import build_demo
from services.resources import bulk, registry, store_registry, store_snapshot, store_stock
from services.resources.domain import UnitState
from services.resources.store import ResourceStore

from .conftest import ACTOR
from .helpers import events, last_event_id, refused


def _create_parks(store: ResourceStore) -> None:
    for park in build_demo().parks:
        store.write(registry.create_park, park=park, actor=ACTOR)


def test_bad_rows_in_the_middle_apply_nothing_and_are_all_reported(store: ResourceStore) -> None:
    _create_parks(store)
    inventory = build_demo().inventory("ligang")
    units = list(inventory.units)
    middle = len(units) // 2
    units[middle] = replace(units[middle], type="PLUGGING_KIT")
    units[middle + 3] = replace(units[middle + 3], home_depot="no-such-depot")
    units[middle + 5] = replace(units[middle + 5], state=UnitState.ON_SCENE)
    stocks = list(inventory.stocks)
    stocks[2] = replace(stocks[2], on_hand=-5)
    broken = replace(inventory, units=tuple(units), stocks=tuple(stocks))
    before = last_event_id(store)
    error = refused(grpc.StatusCode.INVALID_ARGUMENT, store.write, bulk.import_inventory, inventory=broken, actor=ACTOR)
    assert [v.field for v in error.violations] == [
        f"units[{middle}].type",
        f"units[{middle + 3}].home_depot",
        f"units[{middle + 5}].state",
        "stocks[2].on_hand",
    ]
    assert store.read(store_snapshot.availability).total_units == 0
    assert store.read(store_registry.list_depots)[0] == []
    assert store.read(store_stock.list_stocks)[0] == []
    assert store.read(store_stock.list_ledger, park_id="ligang")[0] == []
    assert events(store, before) == []


def test_a_good_inventory_lands_in_one_go_and_cannot_be_imported_twice(store: ResourceStore) -> None:
    _create_parks(store)
    inventory = build_demo().inventory("xiagang")
    summary = store.write(bulk.import_inventory, inventory=inventory, actor=ACTOR)
    assert (summary.units, summary.depots, summary.stocks) == (len(inventory.units), len(inventory.depots), len(inventory.stocks))
    assert store.read(store_snapshot.availability, park_ids=["xiagang"]).total_units == len(inventory.units)
    ledger, _ = store.read(store_stock.list_ledger, park_id="xiagang", size=1000)
    assert len(ledger) == len([s for s in inventory.stocks if s.on_hand])
    error = refused(grpc.StatusCode.INVALID_ARGUMENT, store.write, bulk.import_inventory, inventory=inventory, actor=ACTOR)
    assert len(error.violations) == len(inventory.depots) + len(inventory.units) + len(inventory.stocks) + len(inventory.reserve_policies) + len(
        inventory.mutual_aid
    )
    assert error.violations[0].field == "depots[0].depot_id"


def test_import_into_an_unknown_park(store: ResourceStore) -> None:
    inventory = build_demo().inventory("chengxi")
    refused(grpc.StatusCode.NOT_FOUND, store.write, bulk.import_inventory, inventory=inventory, actor=ACTOR)
