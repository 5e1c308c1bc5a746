"""Shared vocabulary the optimiser checks requests against."""

from __future__ import annotations

from services.common.catalogue import ResourceKind, load_catalogue

_CATALOGUE = load_catalogue()
UNIT_TYPES: frozenset[str] = frozenset(_CATALOGUE.unit_codes())
CONSUMABLE_UNITS_OF_MEASURE: dict[str, str] = {code: _CATALOGUE.types[code].unit_of_measure for code in _CATALOGUE.consumable_codes()}
CONSUMABLE_TYPES: frozenset[str] = frozenset(CONSUMABLE_UNITS_OF_MEASURE)
CAPABILITIES: frozenset[str] = _CATALOGUE.capability_tags

# Road speeds per vehicle class used by the built-in travel model (km/h). The lower-case classes
# are the ones the resource registry types its units with.
DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "LIGHT": 60.0,
    "MEDIUM": 50.0,
    "HEAVY": 40.0,
    "SUPPLY_TRUCK": 45.0,
    "BOAT": 25.0,
    **{code: vehicle.speed_kmh for code, vehicle in _CATALOGUE.vehicle_classes.items()},
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
