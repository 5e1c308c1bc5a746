"""The resource-type catalogue matches the shared vocabulary exactly."""

from __future__ import annotations

import yaml

from services.common.catalogue import CATALOGUE_PATH, ResourceKind, load_catalogue

# The lists as the catalogue file states them, read without the loader under test.
DOCUMENT = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
UNIT_CODES = [entry["code"] for entry in DOCUMENT["types"] if entry["kind"] == "UNIT"]
CONSUMABLES = {entry["code"]: entry["unit_of_measure"] for entry in DOCUMENT["types"] if entry["kind"] == "CONSUMABLE"}
TAGS = set(DOCUMENT["capability_tags"])


def test_codes_are_exactly_the_shared_vocabulary() -> None:
    catalogue = load_catalogue()
    assert catalogue.unit_codes() == UNIT_CODES
    assert catalogue.consumable_codes() == list(CONSUMABLES)
    assert set(catalogue.types) == set(UNIT_CODES) | set(CONSUMABLES)


def test_consumables_carry_their_unit_of_measure() -> None:
    catalogue = load_catalogue()
    for code, uom in CONSUMABLES.items():
        entry = catalogue.types[code]
        assert entry.kind is ResourceKind.CONSUMABLE
        assert entry.unit_of_measure == uom, code
        assert entry.vehicle_class == ""


def test_units_have_a_known_vehicle_class_and_capabilities() -> None:
    catalogue = load_catalogue()
    for code in UNIT_CODES:
        entry = catalogue.types[code]
        assert entry.kind is ResourceKind.UNIT
        assert entry.vehicle_class in catalogue.vehicle_classes, code
        assert entry.capabilities, code
        assert entry.typical_crew > 0
        assert entry.unit_of_measure == ""
    assert catalogue.types["FIREBOAT"].vehicle_class == "vessel"
    assert "gas-tight-a" in catalogue.types["HAZMAT_TEAM"].capabilities


def test_tags_names_and_sources() -> None:
    catalogue = load_catalogue()
    assert catalogue.capability_tags == TAGS
    for entry in catalogue.types.values():
        assert set(entry.capabilities) <= TAGS, entry.code
        assert entry.name_en and entry.name_zh and len(entry.source) > 40, entry.code
    assert all(v.speed_kmh > 0 for v in catalogue.vehicle_classes.values())
