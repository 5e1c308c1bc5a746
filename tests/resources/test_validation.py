"""Pure input rules: update masks, creation checks, reservation shapes, whole-inventory validation."""

from __future__ import annotations

from dataclasses import replace

from services.common.catalogue import load_catalogue
from services.common.errors import FieldViolation
from services.resources.bulk import inventory_violations, normalise
from services.resources.domain import GeoPoint, Inventory, MutualAid, Stock, StockRequest, UnitRequest, UnitState
from services.resources.store_inventory import Existing
from services.resources.validation import expand_mask, mask_violations, reservation_violations, unit_violations

from .conftest import make_depot, make_unit

NO_EXISTING = Existing(depots={}, units=set(), stocks=set(), policies=set(), aid_borrowers=set(), parks={"ligang", "shengang"})


def fields(violations: list[FieldViolation]) -> list[str]:
    """The field paths of a list of violations."""
    return [v.field for v in violations]


def test_output_only_fields_are_refused_by_name() -> None:
    assert fields(mask_violations("unit", ["call_sign", "state"])) == ["unit.state"]
    assert fields(mask_violations("unit", ["version", "park", "reservation_id"])) == ["unit.version", "unit.park", "unit.reservation_id"]
    assert fields(mask_violations("stock", ["reserved", "on_hand", "minimum_level"])) == ["stock.reserved", "stock.on_hand"]
    assert fields(mask_violations("depot", ["park_id"])) == ["depot.park_id"]
    assert "output only" in mask_violations("unit", ["state"])[0].description


def test_masks_refuse_immutable_unknown_and_empty_paths() -> None:
    assert fields(mask_violations("unit", ["unit_id", "position"])) == ["unit.unit_id", "unit.position"]
    assert mask_violations("unit", ["type", "call_sign"]) == []
    assert fields(mask_violations("unit", ["colour"])) == ["update_mask"]
    assert fields(mask_violations("park", [])) == ["update_mask"]
    assert mask_violations("park", ["display_name", "duty_contact.phone", "location"]) == []
    assert expand_mask("stock", ["*"]) == ["minimum_level"]


def test_unit_creation_rules() -> None:
    catalogue = load_catalogue()
    assert unit_violations(make_unit("u1"), catalogue) == []
    bad = make_unit(
        "Bad Id",
        type_code="FOAM_AFFF",
        call_sign="",
        crew_size=-1,
        capabilities=("water", "laser"),
        position=GeoPoint(95.0, 120.0),
        state=UnitState.ON_SCENE,
        version=3,
    )
    assert fields(unit_violations(bad, catalogue)) == [
        "unit.unit_id",
        "unit.type",
        "unit.call_sign",
        "unit.crew_size",
        "unit.capabilities[1]",
        "unit.position.latitude",
        "unit.state",
        "unit.version",
    ]


def test_reservation_shape() -> None:
    ok = reservation_violations("incidents/1", [UnitRequest("ligang", "u1", 1)], [StockRequest("ligang", "fs1", "FOAM_AFFF", 5)], 60)
    assert ok == []
    bad = reservation_violations("", [UnitRequest("ligang", "u1", 0), UnitRequest("ligang", "u1", 2)], [StockRequest("ligang", "fs1", "FOAM_AFFF", 0)], 0)
    assert fields(bad) == ["incident", "ttl_seconds", "units[0].expected_version", "units[1]", "stocks[0].amount"]
    assert fields(reservation_violations("incidents/1", [], [], 60)) == ["units"]


def test_inventory_reports_every_bad_row_with_its_position() -> None:
    catalogue = load_catalogue()
    units = [make_unit(f"u{i}") for i in range(30)]
    units[5] = replace(units[5], home_depot="nowhere")
    units[17] = replace(units[17], type="TELEPORTER")
    units[20] = replace(units[20], unit_id="u3")
    inventory = Inventory(
        park_id="ligang",
        depots=(make_depot(),),
        units=tuple(units),
        stocks=(Stock("ligang", "fs1", "PUMPER_ENGINE", on_hand=5), Stock("shengang", "fs1", "FOAM_AFFF")),
        mutual_aid=(MutualAid("", "atlantis", (), 30),),
    )
    violations = inventory_violations(normalise(inventory), NO_EXISTING, catalogue)
    assert fields(violations) == [
        "units[5].home_depot",
        "units[17].type",
        "units[20].unit_id",
        "stocks[0].type",
        "stocks[1].park_id",
        "mutual_aid[0].borrower_park",
    ]


def test_inventory_checks_against_what_the_park_has() -> None:
    existing = replace(NO_EXISTING, depots={"fs1": False, "old": True}, units={"u1"}, stocks={("fs1", "FOAM_AFFF")})
    inventory = Inventory(park_id="ligang", units=(make_unit("u1"), make_unit("u2", depot_id="old")), stocks=(Stock("ligang", "fs1", "FOAM_AFFF", on_hand=1),))
    assert fields(inventory_violations(inventory, existing, load_catalogue())) == ["units[0].unit_id", "units[1].home_depot", "stocks[0].type"]
