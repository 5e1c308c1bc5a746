"""The resource-type catalogue matches the shared vocabulary exactly."""

from __future__ import annotations

from services.common.catalogue import ResourceKind, load_catalogue

UNIT_CODES = [
    "PUMPER_ENGINE",
    "FOAM_TENDER",
    "HIGH_VOLUME_WATER",
    "AERIAL_PLATFORM",
    "DRY_POWDER_TENDER",
    "HAZMAT_TEAM",
    "GAS_DETECTION_TEAM",
    "LEAK_PLUGGING_TEAM",
    "DECON_UNIT",
    "HEAVY_RESCUE_TEAM",
    "AMBULANCE",
    "TOXICOLOGY_MEDICAL_TEAM",
    "FIREBOAT",
    "OIL_SPILL_VESSEL",
    "COMMAND_VEHICLE",
    "AIR_SUPPLY_VEHICLE",
    "DRONE_RECON_TEAM",
    "ENV_MONITORING_TEAM",
    "HEAVY_LIFT_CRANE",
]
CONSUMABLES = {
    "FOAM_AR_AFFF": "L",
    "FOAM_AFFF": "L",
    "DRY_POWDER": "kg",
    "ABSORBENT": "kg",
    "ABSORBENT_BOOM": "pieces",
    "NEUTRALISER_LIME": "kg",
    "NEUTRALISER_CAUSTIC": "L",
    "GAS_TIGHT_SUIT_A": "sets",
    "SPLASH_SUIT_B": "sets",
    "SCBA_CYLINDER": "pieces",
    "ACTIVATED_CARBON": "kg",
    "SANDBAG": "pieces",
    "PLUGGING_KIT": "sets",
}
TAGS = {
    "water",
    "foam",
    "foam-ar-afff",
    "high-volume-water",
    "water-curtain",
    "aerial",
    "dry-powder",
    "gas-tight-a",
    "gas-detection",
    "chlorine-plugging",
    "leak-plugging",
    "decontamination",
    "medical",
    "toxicology",
    "heavy-rescue",
    "marine",
    "oil-spill",
    "command",
    "air-supply",
    "drone",
    "env-monitoring",
    "lifting",
}


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
