"""Rule-based minimum demands per hazard class and accident kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.casebase.retrieval import IncidentQuery
from services.casebase.vocabulary import AccidentKind, HazardClass, ResourceType, Severity
from services.common.catalogue import ParkKind

K = AccidentKind
H = HazardClass
RT = ResourceType

POLAR_SOLVENTS = frozenset({"1230", "1170", "1090", "2398", "1173", "1219", "1120", "1193", "1648"})
"""UN numbers of water-miscible flammable liquids that break ordinary AFFF (alcohols, ketones, esters...)."""


@dataclass(frozen=True)
class RuleLine:
    """A minimum for one resource type; per_weight multiplies by the severity weight (I=8 .. IV=1)."""

    resource_type: ResourceType
    quantity: float
    within_min: float
    capabilities: tuple[str, ...] = ()
    per_weight: bool = False

    def amount(self, severity: Severity) -> float:
        """Quantity for an incident of this severity."""
        return self.quantity * (severity.weight if self.per_weight else 1)


@dataclass(frozen=True)
class DemandRule:
    """A named rule: when it applies and what it always needs."""

    id: str
    description: str
    applies: Callable[[IncidentQuery], bool]
    lines: tuple[RuleLine, ...]


def _classes(q: IncidentQuery) -> set[HazardClass]:
    out = {s.hazard_class for s in q.substances}
    if q.hazard_class is not None:
        out.add(q.hazard_class)
    return out


def _un(q: IncidentQuery) -> set[str]:
    return {s.un_number for s in q.substances if s.un_number}


def _has(*classes: HazardClass) -> Callable[[IncidentQuery], bool]:
    return lambda q: bool(_classes(q) & set(classes))


def _kind(*kinds: AccidentKind) -> Callable[[IncidentQuery], bool]:
    return lambda q: q.kind in kinds


def _all(*tests: Callable[[IncidentQuery], bool]) -> Callable[[IncidentQuery], bool]:
    return lambda q: all(t(q) for t in tests)


def _any(*tests: Callable[[IncidentQuery], bool]) -> Callable[[IncidentQuery], bool]:
    return lambda q: any(t(q) for t in tests)


_FIRE_LIKE = _kind(K.FIRE, K.EXPLOSION)
_EXPLOSIVE = _has(*(h for h in HazardClass if h.main_class == "1"))

# fmt: off
RULES: tuple[DemandRule, ...] = (
    DemandRule(
        "R-TOXIC-GAS", "a toxic gas release needs gas-tight entry, gas detection, a water curtain and decontamination",
        _any(_has(H.C2_3), _kind(K.TOXIC_GAS_LEAK)),
        (
            RuleLine(RT.HAZMAT_TEAM, 1, 15, ("gas-tight-a",)),
            RuleLine(RT.GAS_TIGHT_SUIT_A, 4, 15),
            RuleLine(RT.GAS_DETECTION_TEAM, 1, 15, ("gas-detection",)),
            RuleLine(RT.HIGH_VOLUME_WATER, 1, 20, ("water-curtain",)),
            RuleLine(RT.DECON_UNIT, 1, 30, ("decontamination",)),
            RuleLine(RT.SCBA_CYLINDER, 12, 30),
            RuleLine(RT.TOXICOLOGY_MEDICAL_TEAM, 1, 30, ("toxicology",)),
        ),
    ),
    DemandRule(
        "R-CHLORINE", "chlorine leaks are plugged with chlorine kits and absorbed in caustic solution",
        lambda q: "1017" in _un(q),
        (
            RuleLine(RT.LEAK_PLUGGING_TEAM, 1, 25, ("chlorine-plugging",)),
            RuleLine(RT.PLUGGING_KIT, 1, 25),
            RuleLine(RT.NEUTRALISER_CAUSTIC, 1000, 40),
        ),
    ),
    DemandRule(
        "R-AMMONIA", "ammonia is knocked down by water curtains and the leak plugged",
        lambda q: "1005" in _un(q),
        (
            RuleLine(RT.HIGH_VOLUME_WATER, 2, 20, ("water-curtain",)),
            RuleLine(RT.LEAK_PLUGGING_TEAM, 1, 25, ("leak-plugging",)),
        ),
    ),
    DemandRule(
        "R-FLAMMABLE-GAS", "a flammable gas release needs detection, dispersion or cooling water and plugging",
        _any(_has(H.C2_1), _kind(K.FLAMMABLE_GAS_LEAK)),
        (
            RuleLine(RT.GAS_DETECTION_TEAM, 1, 15, ("gas-detection",)),
            RuleLine(RT.HIGH_VOLUME_WATER, 1, 20, ("water-curtain",)),
            RuleLine(RT.LEAK_PLUGGING_TEAM, 1, 25, ("leak-plugging",)),
        ),
    ),
    DemandRule(
        "R-GAS-FIRE", "a burning gas is fought with dry powder once the supply is isolated",
        _all(_has(H.C2_1), _FIRE_LIKE),
        (RuleLine(RT.DRY_POWDER_TENDER, 1, 20, ("dry-powder",)), RuleLine(RT.DRY_POWDER, 500, 30)),
    ),
    DemandRule(
        "R-FLAMMABLE-LIQUID-FIRE", "a flammable liquid fire needs foam and cooling of exposed tanks",
        _all(_has(H.C3), _any(_FIRE_LIKE, _kind(K.TRANSPORT_ACCIDENT)), lambda q: not (_un(q) & POLAR_SOLVENTS)),
        (
            RuleLine(RT.FOAM_TENDER, 1, 20, ("foam",), per_weight=True),
            RuleLine(RT.FOAM_AFFF, 2000, 30, per_weight=True),
            RuleLine(RT.HIGH_VOLUME_WATER, 1, 20, ("high-volume-water",)),
        ),
    ),
    DemandRule(
        "R-POLAR-SOLVENT-FIRE", "water-miscible solvents need alcohol-resistant foam",
        _all(_has(H.C3), _FIRE_LIKE, lambda q: bool(_un(q) & POLAR_SOLVENTS)),
        (
            RuleLine(RT.FOAM_TENDER, 1, 20, ("foam-ar-afff",), per_weight=True),
            RuleLine(RT.FOAM_AR_AFFF, 2000, 30, per_weight=True),
        ),
    ),
    DemandRule(
        "R-FLAMMABLE-LIQUID-SPILL", "an unignited flammable liquid spill is blanketed with foam, absorbed and bunded",
        _all(_has(H.C3), _kind(K.CHEMICAL_SPILL, K.TRANSPORT_ACCIDENT, K.WATER_POLLUTION)),
        (
            RuleLine(RT.FOAM_AFFF, 1000, 30),
            RuleLine(RT.ABSORBENT, 500, 45),
            RuleLine(RT.GAS_DETECTION_TEAM, 1, 15, ("gas-detection",)),
            RuleLine(RT.SANDBAG, 50, 60),
        ),
    ),
    DemandRule(
        "R-CORROSIVE", "a corrosive spill needs neutraliser, absorbent, splash suits and decontamination",
        _has(H.C8),
        (
            RuleLine(RT.NEUTRALISER_LIME, 1000, 45),
            RuleLine(RT.ABSORBENT, 500, 45),
            RuleLine(RT.SPLASH_SUIT_B, 6, 20),
            RuleLine(RT.DECON_UNIT, 1, 30, ("decontamination",)),
        ),
    ),
    DemandRule(
        "R-HYDROFLUORIC", "hydrofluoric acid burns through skin: gas-tight entry and calcium gluconate care",
        lambda q: bool(_un(q) & {"1052", "1790"}),
        (
            RuleLine(RT.HAZMAT_TEAM, 1, 15, ("gas-tight-a",)),
            RuleLine(RT.GAS_TIGHT_SUIT_A, 2, 15),
            RuleLine(RT.TOXICOLOGY_MEDICAL_TEAM, 1, 30, ("toxicology",)),
        ),
    ),
    DemandRule(
        "R-TOXIC-SUBSTANCE", "a toxic liquid or solid needs splash protection, absorbent, carbon and toxicology",
        _has(H.C6_1),
        (
            RuleLine(RT.SPLASH_SUIT_B, 6, 20),
            RuleLine(RT.ABSORBENT, 500, 45),
            RuleLine(RT.ACTIVATED_CARBON, 500, 90),
            RuleLine(RT.DECON_UNIT, 1, 30, ("decontamination",)),
            RuleLine(RT.TOXICOLOGY_MEDICAL_TEAM, 1, 30, ("toxicology",)),
        ),
    ),
    DemandRule(
        "R-WATER-POLLUTION", "pollution of a waterway needs monitoring, booms and bunding",
        _kind(K.WATER_POLLUTION),
        (
            RuleLine(RT.ENV_MONITORING_TEAM, 1, 45, ("env-monitoring",)),
            RuleLine(RT.ABSORBENT_BOOM, 20, 60),
            RuleLine(RT.SANDBAG, 100, 60),
        ),
    ),
    DemandRule(
        "R-OIL-ON-WATER", "flammable liquid on water needs an oil-spill vessel and booms",
        _all(_has(H.C3), _any(_kind(K.WATER_POLLUTION), lambda q: q.park_kind == ParkKind.PORT_AND_JETTIES)),
        (RuleLine(RT.OIL_SPILL_VESSEL, 1, 60, ("oil-spill",)), RuleLine(RT.ABSORBENT_BOOM, 20, 60)),
    ),
    DemandRule(
        "R-TOXIC-IN-WATER", "toxic substances in water are adsorbed on activated carbon at intakes",
        _all(_has(H.C6_1), _kind(K.WATER_POLLUTION)),
        (RuleLine(RT.ACTIVATED_CARBON, 1000, 90),),
    ),
    DemandRule(
        "R-OXIDISER-EXPLOSIVE", "oxidisers and explosives are flooded from unmanned monitors and watched by drone",
        _any(_has(H.C5_1, H.C5_2), _EXPLOSIVE),
        (
            RuleLine(RT.HIGH_VOLUME_WATER, 2, 20, ("high-volume-water",)),
            RuleLine(RT.DRONE_RECON_TEAM, 1, 20, ("drone",)),
        ),
    ),
    DemandRule(
        "R-WATER-REACTIVE", "water-reactive materials are covered with dry powder or sand, never water",
        _has(H.C4_3),
        (
            RuleLine(RT.DRY_POWDER_TENDER, 1, 20, ("dry-powder",)),
            RuleLine(RT.DRY_POWDER, 500, 30),
            RuleLine(RT.SANDBAG, 50, 60),
        ),
    ),
    DemandRule(
        "R-EXPLOSION", "after an explosion people are trapped and the site must be surveyed from the air",
        _kind(K.EXPLOSION),
        (
            RuleLine(RT.HEAVY_RESCUE_TEAM, 1, 20, ("heavy-rescue",), per_weight=True),
            RuleLine(RT.DRONE_RECON_TEAM, 1, 20, ("drone",)),
        ),
    ),
    DemandRule(
        "R-FIRE", "every fire needs pumpers in proportion to its severity",
        _FIRE_LIKE,
        (RuleLine(RT.PUMPER_ENGINE, 2, 10, ("water",), per_weight=True),),
    ),
    DemandRule(
        "R-JETTY-FIRE", "a fire at a jetty is fought from the water too",
        _all(_FIRE_LIKE, lambda q: q.park_kind == ParkKind.PORT_AND_JETTIES),
        (RuleLine(RT.FIREBOAT, 1, 30, ("marine",)),),
    ),
    DemandRule(
        "R-RUNAWAY", "a runaway reaction needs vessel cooling and gas monitoring",
        _kind(K.RUNAWAY_REACTION),
        (
            RuleLine(RT.HIGH_VOLUME_WATER, 1, 20, ("high-volume-water",)),
            RuleLine(RT.GAS_DETECTION_TEAM, 1, 15, ("gas-detection",)),
            RuleLine(RT.DRONE_RECON_TEAM, 1, 20, ("drone",)),
        ),
    ),
    DemandRule(
        "R-CONFINED-SPACE", "confined-space rescue needs air supply, heavy rescue and gas detection",
        _kind(K.CONFINED_SPACE),
        (
            RuleLine(RT.AIR_SUPPLY_VEHICLE, 1, 30, ("air-supply",)),
            RuleLine(RT.HEAVY_RESCUE_TEAM, 1, 20, ("heavy-rescue",)),
            RuleLine(RT.GAS_DETECTION_TEAM, 1, 15, ("gas-detection",)),
        ),
    ),
    DemandRule(
        "R-COLLAPSE", "a structural collapse needs heavy rescue and lifting",
        _kind(K.STRUCTURAL_COLLAPSE),
        (
            RuleLine(RT.HEAVY_RESCUE_TEAM, 2, 20, ("heavy-rescue",)),
            RuleLine(RT.HEAVY_LIFT_CRANE, 1, 90, ("lifting",)),
        ),
    ),
    DemandRule(
        "R-TRANSPORT", "a transport accident needs extrication and lifting of the wreck",
        _kind(K.TRANSPORT_ACCIDENT),
        (
            RuleLine(RT.HEAVY_RESCUE_TEAM, 1, 20, ("heavy-rescue",)),
            RuleLine(RT.HEAVY_LIFT_CRANE, 1, 90, ("lifting",)),
        ),
    ),
    DemandRule(
        "R-CASUALTIES", "ambulances in proportion to severity",
        lambda q: True,
        (RuleLine(RT.AMBULANCE, 1, 15, ("medical",), per_weight=True),),
    ),
    DemandRule(
        "R-COMMAND", "incidents of level III or above get a command vehicle",
        lambda q: q.severity is not None and q.severity.rank >= Severity.III.rank,
        (RuleLine(RT.COMMAND_VEHICLE, 1, 20, ("command",)),),
    ),
)
# fmt: on


def applicable_rules(q: IncidentQuery) -> list[DemandRule]:
    """The rules that apply to an incident."""
    return [r for r in RULES if r.applies(q)]


def rule_citation(rule_id: str) -> str:
    """How a recommendation cites a rule, e.g. "rule:toxic-gas" for R-TOXIC-GAS."""
    return "rule:" + rule_id.removeprefix("R-").lower()
