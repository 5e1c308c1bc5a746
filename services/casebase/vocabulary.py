"""Shared codes of the suite: severities, kinds, hazard classes, park kinds and resource types."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.common.severity import SEVERITY_WEIGHTS


class Severity(StrEnum):
    """National response level; I is the most serious."""

    I = "I"  # noqa: E741 - the official level name
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def weight(self) -> int:
        """Dispatch weight of the level (I=8, II=4, III=2, IV=1)."""
        return _SEVERITY_WEIGHT[self]

    @property
    def rank(self) -> int:
        """Ordinal where larger is more serious (IV=1 .. I=4)."""
        return _SEVERITY_RANK[self]


_SEVERITY_WEIGHT = {level: int(SEVERITY_WEIGHTS[level.value]) for level in Severity}
_SEVERITY_RANK = {Severity.I: 4, Severity.II: 3, Severity.III: 2, Severity.IV: 1}


class AccidentKind(StrEnum):
    """Kind of incident or accident."""

    FIRE = "FIRE"
    EXPLOSION = "EXPLOSION"
    TOXIC_GAS_LEAK = "TOXIC_GAS_LEAK"
    FLAMMABLE_GAS_LEAK = "FLAMMABLE_GAS_LEAK"
    CHEMICAL_SPILL = "CHEMICAL_SPILL"
    WATER_POLLUTION = "WATER_POLLUTION"
    RUNAWAY_REACTION = "RUNAWAY_REACTION"
    CONFINED_SPACE = "CONFINED_SPACE"
    STRUCTURAL_COLLAPSE = "STRUCTURAL_COLLAPSE"
    TRANSPORT_ACCIDENT = "TRANSPORT_ACCIDENT"
    OTHER = "OTHER"


class HazardClass(StrEnum):
    """UN dangerous-goods class or division."""

    C1_1 = "1.1"
    C1_2 = "1.2"
    C1_3 = "1.3"
    C1_4 = "1.4"
    C1_5 = "1.5"
    C1_6 = "1.6"
    C2_1 = "2.1"
    C2_2 = "2.2"
    C2_3 = "2.3"
    C3 = "3"
    C4_1 = "4.1"
    C4_2 = "4.2"
    C4_3 = "4.3"
    C5_1 = "5.1"
    C5_2 = "5.2"
    C6_1 = "6.1"
    C7 = "7"
    C8 = "8"
    C9 = "9"

    @property
    def main_class(self) -> str:
        """The class number without the division ("2.3" -> "2")."""
        return self.value.split(".")[0]


class ParkKind(StrEnum):
    """Kind of industrial park."""

    CHEMICAL_PARK = "CHEMICAL_PARK"
    PORT_AND_JETTIES = "PORT_AND_JETTIES"
    STEEL = "STEEL"
    POWER = "POWER"
    SHIPYARD = "SHIPYARD"
    LOGISTICS = "LOGISTICS"
    HIGH_TECH = "HIGH_TECH"


class ResourceKind(StrEnum):
    """UNIT goes whole and is counted; CONSUMABLE is an amount drawn from stock."""

    UNIT = "UNIT"
    CONSUMABLE = "CONSUMABLE"


class ResourceType(StrEnum):
    """Resource-type catalogue code."""

    PUMPER_ENGINE = "PUMPER_ENGINE"
    FOAM_TENDER = "FOAM_TENDER"
    HIGH_VOLUME_WATER = "HIGH_VOLUME_WATER"
    AERIAL_PLATFORM = "AERIAL_PLATFORM"
    DRY_POWDER_TENDER = "DRY_POWDER_TENDER"
    HAZMAT_TEAM = "HAZMAT_TEAM"
    GAS_DETECTION_TEAM = "GAS_DETECTION_TEAM"
    LEAK_PLUGGING_TEAM = "LEAK_PLUGGING_TEAM"
    DECON_UNIT = "DECON_UNIT"
    HEAVY_RESCUE_TEAM = "HEAVY_RESCUE_TEAM"
    AMBULANCE = "AMBULANCE"
    TOXICOLOGY_MEDICAL_TEAM = "TOXICOLOGY_MEDICAL_TEAM"
    FIREBOAT = "FIREBOAT"
    OIL_SPILL_VESSEL = "OIL_SPILL_VESSEL"
    COMMAND_VEHICLE = "COMMAND_VEHICLE"
    AIR_SUPPLY_VEHICLE = "AIR_SUPPLY_VEHICLE"
    DRONE_RECON_TEAM = "DRONE_RECON_TEAM"
    ENV_MONITORING_TEAM = "ENV_MONITORING_TEAM"
    HEAVY_LIFT_CRANE = "HEAVY_LIFT_CRANE"
    FOAM_AR_AFFF = "FOAM_AR_AFFF"
    FOAM_AFFF = "FOAM_AFFF"
    DRY_POWDER = "DRY_POWDER"
    ABSORBENT = "ABSORBENT"
    ABSORBENT_BOOM = "ABSORBENT_BOOM"
    NEUTRALISER_LIME = "NEUTRALISER_LIME"
    NEUTRALISER_CAUSTIC = "NEUTRALISER_CAUSTIC"
    GAS_TIGHT_SUIT_A = "GAS_TIGHT_SUIT_A"
    SPLASH_SUIT_B = "SPLASH_SUIT_B"
    SCBA_CYLINDER = "SCBA_CYLINDER"
    ACTIVATED_CARBON = "ACTIVATED_CARBON"
    SANDBAG = "SANDBAG"
    PLUGGING_KIT = "PLUGGING_KIT"

    @property
    def spec(self) -> ResourceTypeSpec:
        """Catalogue entry of this type."""
        return RESOURCE_TYPES[self]


CAPABILITY_TAGS: frozenset[str] = frozenset(
    {
        "water", "foam", "foam-ar-afff", "high-volume-water", "water-curtain", "aerial",
        "dry-powder", "gas-tight-a", "gas-detection", "chlorine-plugging", "leak-plugging",
        "decontamination", "medical", "toxicology", "heavy-rescue", "marine", "oil-spill",
        "command", "air-supply", "drone", "env-monitoring", "lifting",
    }
)


@dataclass(frozen=True)
class ResourceTypeSpec:
    """Catalogue entry: kind, unit of measure, typical capabilities and default urgency."""

    kind: ResourceKind
    uom: str
    capabilities: tuple[str, ...]
    default_within_min: float
    rounding_step: float = 1.0


def _unit(caps: tuple[str, ...], within: float) -> ResourceTypeSpec:
    return ResourceTypeSpec(ResourceKind.UNIT, "unit", caps, within)


def _stock(uom: str, within: float, step: float) -> ResourceTypeSpec:
    return ResourceTypeSpec(ResourceKind.CONSUMABLE, uom, (), within, step)


RT = ResourceType
RESOURCE_TYPES: dict[ResourceType, ResourceTypeSpec] = {
    RT.PUMPER_ENGINE: _unit(("water",), 10),
    RT.FOAM_TENDER: _unit(("foam", "water"), 20),
    RT.HIGH_VOLUME_WATER: _unit(("high-volume-water", "water-curtain", "water"), 20),
    RT.AERIAL_PLATFORM: _unit(("aerial", "water"), 25),
    RT.DRY_POWDER_TENDER: _unit(("dry-powder",), 20),
    RT.HAZMAT_TEAM: _unit(("gas-tight-a",), 15),
    RT.GAS_DETECTION_TEAM: _unit(("gas-detection",), 15),
    RT.LEAK_PLUGGING_TEAM: _unit(("leak-plugging",), 25),
    RT.DECON_UNIT: _unit(("decontamination",), 30),
    RT.HEAVY_RESCUE_TEAM: _unit(("heavy-rescue",), 20),
    RT.AMBULANCE: _unit(("medical",), 15),
    RT.TOXICOLOGY_MEDICAL_TEAM: _unit(("medical", "toxicology"), 30),
    RT.FIREBOAT: _unit(("marine", "water", "foam"), 30),
    RT.OIL_SPILL_VESSEL: _unit(("marine", "oil-spill"), 60),
    RT.COMMAND_VEHICLE: _unit(("command",), 20),
    RT.AIR_SUPPLY_VEHICLE: _unit(("air-supply",), 30),
    RT.DRONE_RECON_TEAM: _unit(("drone",), 20),
    RT.ENV_MONITORING_TEAM: _unit(("env-monitoring",), 45),
    RT.HEAVY_LIFT_CRANE: _unit(("lifting",), 90),
    RT.FOAM_AR_AFFF: _stock("L", 30, 100),
    RT.FOAM_AFFF: _stock("L", 30, 100),
    RT.DRY_POWDER: _stock("kg", 30, 50),
    RT.ABSORBENT: _stock("kg", 45, 50),
    RT.ABSORBENT_BOOM: _stock("pieces", 60, 1),
    RT.NEUTRALISER_LIME: _stock("kg", 45, 50),
    RT.NEUTRALISER_CAUSTIC: _stock("L", 40, 100),
    RT.GAS_TIGHT_SUIT_A: _stock("sets", 15, 1),
    RT.SPLASH_SUIT_B: _stock("sets", 20, 1),
    RT.SCBA_CYLINDER: _stock("pieces", 30, 1),
    RT.ACTIVATED_CARBON: _stock("kg", 90, 50),
    RT.SANDBAG: _stock("pieces", 60, 10),
    RT.PLUGGING_KIT: _stock("sets", 25, 1),
}
