"""Shared vocabulary the optimiser checks requests against."""

from __future__ import annotations

from enum import StrEnum


class ResourceKind(StrEnum):
    """Whether a resource type goes whole (UNIT) or is drawn from stock (CONSUMABLE)."""

    UNIT = "UNIT"
    CONSUMABLE = "CONSUMABLE"


SEVERITY_WEIGHTS: dict[str, float] = {"I": 8.0, "II": 4.0, "III": 2.0, "IV": 1.0}

UNIT_TYPES: frozenset[str] = frozenset(
    {
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
    }
)

CONSUMABLE_UNITS_OF_MEASURE: dict[str, str] = {
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

CONSUMABLE_TYPES: frozenset[str] = frozenset(CONSUMABLE_UNITS_OF_MEASURE)

CAPABILITIES: frozenset[str] = frozenset(
    {
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
)

# Road speeds per vehicle class used by the built-in travel model (km/h). The lower-case classes
# are the ones the resource registry types its units with.
DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "LIGHT": 60.0,
    "MEDIUM": 50.0,
    "HEAVY": 40.0,
    "SUPPLY_TRUCK": 45.0,
    "BOAT": 25.0,
    "heavy_engine": 45.0,
    "light_vehicle": 60.0,
    "ambulance": 55.0,
    "vessel": 20.0,
    "team_on_foot_with_vehicle": 50.0,
    "heavy_plant": 30.0,
}

# Vehicle class of a unit that names none.
DEFAULT_VEHICLE_CLASS = "MEDIUM"


def kind_of(resource_type: str) -> ResourceKind | None:
    """Return the kind of a catalogue code, or None when the code is unknown."""
    if resource_type in UNIT_TYPES:
        return ResourceKind.UNIT
    if resource_type in CONSUMABLE_TYPES:
        return ResourceKind.CONSUMABLE
    return None
