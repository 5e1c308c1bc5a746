"""The resource-type catalogue every service shares, loaded once from data/resource_types.yaml, and the park kinds."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CATALOGUE_PATH = Path(__file__).parent / "data" / "resource_types.yaml"


class ParkKind(StrEnum):
    """What a park mainly is."""

    CHEMICAL_PARK = "CHEMICAL_PARK"
    PORT_AND_JETTIES = "PORT_AND_JETTIES"
    STEEL = "STEEL"
    POWER = "POWER"
    SHIPYARD = "SHIPYARD"
    LOGISTICS = "LOGISTICS"
    HIGH_TECH = "HIGH_TECH"


class ResourceKind(StrEnum):
    """A unit is dispatched whole and counted; a consumable is an amount drawn from stock."""

    UNIT = "UNIT"
    CONSUMABLE = "CONSUMABLE"


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One entry of the catalogue."""

    code: str
    kind: ResourceKind
    name_en: str
    name_zh: str
    capabilities: tuple[str, ...]
    unit_of_measure: str
    vehicle_class: str
    typical_crew: int
    source: str
    needed_within_min: float = 0.0  # how soon a recommended line is needed when no similar case says
    rounding_step: float = 1.0  # recommended amounts are rounded up to a multiple of it

    @property
    def uom(self) -> str:
        """What an amount of the type is counted in: its unit of measure, or "unit" for a type without one."""
        return self.unit_of_measure or "unit"


@dataclass(frozen=True, slots=True)
class VehicleClass:
    """A travel-speed class for units."""

    code: str
    speed_kmh: float
    note: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All resource types, vehicle classes and capability tags."""

    types: dict[str, ResourceType]
    vehicle_classes: dict[str, VehicleClass]
    capability_tags: frozenset[str]

    def get(self, code: str) -> ResourceType | None:
        """Return the type with this code, or None."""
        return self.types.get(code)

    def is_unit(self, code: str) -> bool:
        """Tell whether the code names a UNIT type."""
        entry = self.types.get(code)
        return entry is not None and entry.kind is ResourceKind.UNIT

    def is_consumable(self, code: str) -> bool:
        """Tell whether the code names a CONSUMABLE type."""
        entry = self.types.get(code)
        return entry is not None and entry.kind is ResourceKind.CONSUMABLE

    def unit_codes(self) -> list[str]:
        """Codes of every UNIT type, in catalogue order."""
        return [t.code for t in self.types.values() if t.kind is ResourceKind.UNIT]

    def consumable_codes(self) -> list[str]:
        """Codes of every CONSUMABLE type, in catalogue order."""
        return [t.code for t in self.types.values() if t.kind is ResourceKind.CONSUMABLE]


def _parse_type(raw: dict[str, Any]) -> ResourceType:
    """Build one ResourceType from its YAML mapping."""
    kind = ResourceKind(raw["kind"])
    recommend = raw.get("recommend") or {}
    return ResourceType(
        code=str(raw["code"]),
        kind=kind,
        name_en=str(raw["name"]["en"]),
        name_zh=str(raw["name"]["zh"]),
        capabilities=tuple(raw.get("capabilities") or ()),
        unit_of_measure=str(raw.get("unit_of_measure", "")),
        vehicle_class=str(raw.get("vehicle_class", "")),
        typical_crew=int(raw.get("typical_crew", 0)),
        source=" ".join(str(raw.get("source", "")).split()),
        needed_within_min=float(recommend.get("needed_within_min", 0)),
        rounding_step=float(recommend.get("rounding_step", 1)),
    )


def parse_catalogue(document: dict[str, Any]) -> Catalogue:
    """Build a catalogue from the parsed YAML document."""
    classes = {code: VehicleClass(code=code, speed_kmh=float(v["speed_kmh"]), note=str(v.get("note", ""))) for code, v in document["vehicle_classes"].items()}
    types = {t.code: t for t in (_parse_type(raw) for raw in document["types"])}
    return Catalogue(types=types, vehicle_classes=classes, capability_tags=frozenset(document["capability_tags"]))


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Load and cache the catalogue file."""
    with path.open(encoding="utf-8") as handle:
        return parse_catalogue(yaml.safe_load(handle))


def unknown_type_message(code: str) -> str | None:
    """Why a code is not a resource type of the catalogue (naming the nearest codes), or None if it is one."""
    known = load_catalogue().types
    if code in known:
        return None
    near = difflib.get_close_matches(code, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    return f"{code[:64]} is not a resource type of the catalogue{hint}"
