"""Seeded demo data set: the riverside parks of Jiangyin on the south bank of the Yangtze.

Everything here is illustrative: park centres are approximate, depots and fleets are invented but sized and
placed plausibly (depots on land near their park, south of the river), and the same seed always yields the same
data. `build_demo()` returns the data; `load_demo()` writes it through the store (parks, then one bulk import
per park). See DEMO_DATA.md for the layout and the rules used.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from services.common.catalogue import load_catalogue
from services.resources import bulk, registry
from services.resources.domain import (
    Depot,
    DepotKind,
    DutyContact,
    GeoPoint,
    ImportSummary,
    Inventory,
    MutualAid,
    Park,
    ParkKind,
    ReservePolicy,
    Stock,
    Unit,
)
from services.resources.store import ResourceStore

DEMO_SEED = 20240618

# A coarse polyline a little north of every park centre, standing in for the Yangtze's south bank near Jiangyin.
# It is only used to check that generated depots sit on land; it is not survey data.
SOUTH_BANK: tuple[tuple[float, float], ...] = (
    (120.00, 31.975),
    (120.09, 31.968),
    (120.175, 31.948),
    (120.225, 31.952),
    (120.27, 31.955),
    (120.33, 31.945),
    (120.40, 31.945),
)


@dataclass(frozen=True, slots=True)
class ParkPlan:
    """A park of the data set and where it is."""

    park_id: str
    name: str
    name_zh: str
    kind: ParkKind
    lat: float
    lon: float
    contact: str
    phone: str


@dataclass(frozen=True, slots=True)
class DepotPlan:
    """A depot, its template and its position."""

    park_id: str
    depot_id: str
    call: str
    name: str
    kind: DepotKind
    template: str
    lat: float
    lon: float
    shared: bool = False


PARKS: tuple[ParkPlan, ...] = (
    ParkPlan("ligang", "Ligang chemical park (Lingang zone)", "利港化工园区（临港经济开发区）", ParkKind.CHEMICAL_PARK,
             31.955, 120.090, "Lingang duty officer", "0510-0000-0101"),
    ParkPlan("shengang", "Shengang chemical park", "申港化工园区", ParkKind.CHEMICAL_PARK,
             31.925, 120.175, "Shengang duty officer", "0510-0000-0202"),
    ParkPlan("xiagang", "Xiagang chemical park", "夏港化工园区", ParkKind.CHEMICAL_PARK,
             31.935, 120.225, "Xiagang duty officer", "0510-0000-0303"),
    ParkPlan("bridge-port", "Bridge port and jetties", "大桥港区及码头", ParkKind.PORT_AND_JETTIES,
             31.940, 120.270, "Port duty officer", "0510-0000-0404"),
    ParkPlan("hitech-east", "High-tech zone east", "高新区东区", ParkKind.HIGH_TECH,
             31.900, 120.330, "High-tech zone duty officer", "0510-0000-0505"),
    ParkPlan("chengxi", "Chengxi steel and power", "城西钢铁电力片区", ParkKind.STEEL,
             31.905, 120.212, "Chengxi duty officer", "0510-0000-0606"),
)  # fmt: skip

DEPOTS: tuple[DepotPlan, ...] = (
    DepotPlan(
        "ligang",
        "lg-fire-1",
        "LGF1",
        "Ligang special-service fire station",
        DepotKind.FIRE_STATION,
        "special",
        31.948,
        120.084,
    ),
    DepotPlan(
        "ligang",
        "lg-brigade",
        "LGB",
        "Ligang petrochemical fire brigade",
        DepotKind.FIRE_STATION,
        "brigade",
        31.956,
        120.101,
    ),
    DepotPlan(
        "ligang",
        "riverside-base",
        "RHB",
        "Riverside hazardous-chemicals rescue base",
        DepotKind.RESCUE_BASE,
        "base",
        31.951,
        120.118,
        shared=True,
    ),
    DepotPlan("ligang", "lg-berth", "LGM", "Ligang jetty fire berth", DepotKind.FIRE_STATION, "berth", 31.959, 120.093),
    DepotPlan(
        "ligang",
        "lg-store",
        "LGS",
        "Ligang emergency supply warehouse",
        DepotKind.SUPPLY_WAREHOUSE,
        "store",
        31.944,
        120.097,
    ),
    DepotPlan("shengang", "sg-fire-1", "SGF1", "Shengang fire station", DepotKind.FIRE_STATION, "standard", 31.918, 120.168),
    DepotPlan(
        "shengang",
        "sg-brigade",
        "SGB",
        "Shengang chemical fire brigade",
        DepotKind.FIRE_STATION,
        "brigade",
        31.928,
        120.183,
    ),
    DepotPlan("shengang", "sg-store", "SGS", "Shengang supply warehouse", DepotKind.SUPPLY_WAREHOUSE, "store", 31.915, 120.180),
    DepotPlan(
        "xiagang",
        "xg-fire-1",
        "XGF1",
        "Xiagang special-service fire station",
        DepotKind.FIRE_STATION,
        "special",
        31.929,
        120.219,
    ),
    DepotPlan(
        "xiagang",
        "xg-brigade",
        "XGB",
        "Xiagang tank-farm fire brigade",
        DepotKind.FIRE_STATION,
        "brigade",
        31.938,
        120.232,
    ),
    DepotPlan("xiagang", "xg-store", "XGS", "Xiagang supply warehouse", DepotKind.SUPPLY_WAREHOUSE, "store", 31.926, 120.229),
    DepotPlan("bridge-port", "bp-fire", "BPF", "Port fire station", DepotKind.FIRE_STATION, "standard", 31.934, 120.262),
    DepotPlan("bridge-port", "bp-berth", "BPM", "Bridge jetty marine berth", DepotKind.FIRE_STATION, "berth", 31.943, 120.276),
    DepotPlan(
        "bridge-port",
        "bp-spill",
        "BPS",
        "Oil-spill response store",
        DepotKind.SUPPLY_WAREHOUSE,
        "spill",
        31.936,
        120.281,
    ),
    DepotPlan(
        "hitech-east",
        "he-fire",
        "HEF",
        "High-tech east special-service fire station",
        DepotKind.FIRE_STATION,
        "special",
        31.896,
        120.322,
    ),
    DepotPlan(
        "hitech-east",
        "he-medical",
        "HEM",
        "Emergency medical and toxicology centre",
        DepotKind.RESCUE_BASE,
        "medical",
        31.902,
        120.338,
    ),
    DepotPlan(
        "hitech-east",
        "he-store",
        "HES",
        "High-tech east supply warehouse",
        DepotKind.SUPPLY_WAREHOUSE,
        "store",
        31.893,
        120.334,
    ),
    DepotPlan("chengxi", "cx-brigade", "CXB", "Steelworks fire brigade", DepotKind.FIRE_STATION, "brigade", 31.902, 120.206),
    DepotPlan("chengxi", "cx-store", "CXS", "Chengxi supply warehouse", DepotKind.SUPPLY_WAREHOUSE, "store", 31.899, 120.219),
)

# Units per depot template (before the seeded +0/+1 variation).
UNIT_TEMPLATES: dict[str, dict[str, int]] = {
    "special": {
        "PUMPER_ENGINE": 8, "FOAM_TENDER": 5, "HIGH_VOLUME_WATER": 2, "AERIAL_PLATFORM": 2, "DRY_POWDER_TENDER": 1,
        "HAZMAT_TEAM": 2, "GAS_DETECTION_TEAM": 2, "LEAK_PLUGGING_TEAM": 2, "DECON_UNIT": 1, "HEAVY_RESCUE_TEAM": 2,
        "COMMAND_VEHICLE": 1, "AIR_SUPPLY_VEHICLE": 1, "DRONE_RECON_TEAM": 1, "AMBULANCE": 2,
    },
    "standard": {
        "PUMPER_ENGINE": 6, "FOAM_TENDER": 3, "AERIAL_PLATFORM": 1, "HIGH_VOLUME_WATER": 1, "GAS_DETECTION_TEAM": 1,
        "HAZMAT_TEAM": 1, "DECON_UNIT": 1, "HEAVY_RESCUE_TEAM": 1, "COMMAND_VEHICLE": 1, "AMBULANCE": 2,
    },
    "brigade": {
        "PUMPER_ENGINE": 4, "FOAM_TENDER": 6, "DRY_POWDER_TENDER": 2, "HIGH_VOLUME_WATER": 3, "GAS_DETECTION_TEAM": 2,
        "HAZMAT_TEAM": 1, "LEAK_PLUGGING_TEAM": 2, "DRONE_RECON_TEAM": 1, "AIR_SUPPLY_VEHICLE": 1,
    },
    "base": {
        "FOAM_TENDER": 8, "HIGH_VOLUME_WATER": 5, "DRY_POWDER_TENDER": 2, "HAZMAT_TEAM": 5, "GAS_DETECTION_TEAM": 4,
        "LEAK_PLUGGING_TEAM": 4, "DECON_UNIT": 3, "HEAVY_RESCUE_TEAM": 2, "COMMAND_VEHICLE": 2, "AIR_SUPPLY_VEHICLE": 2,
        "DRONE_RECON_TEAM": 2, "ENV_MONITORING_TEAM": 2, "HEAVY_LIFT_CRANE": 2, "TOXICOLOGY_MEDICAL_TEAM": 1,
    },
    "berth": {"FIREBOAT": 2, "OIL_SPILL_VESSEL": 2},
    "spill": {"OIL_SPILL_VESSEL": 1, "ENV_MONITORING_TEAM": 2},
    "medical": {"AMBULANCE": 8, "TOXICOLOGY_MEDICAL_TEAM": 3, "DECON_UNIT": 1},
    "store": {"ENV_MONITORING_TEAM": 1, "HEAVY_LIFT_CRANE": 1},
}  # fmt: skip

# Stock per depot template: type -> (low, high) opening amount in the type's unit of measure.
STOCK_TEMPLATES: dict[str, dict[str, tuple[int, int]]] = {
    "special": {
        "FOAM_AFFF": (4000, 8000),
        "FOAM_AR_AFFF": (2000, 4000),
        "DRY_POWDER": (1000, 2000),
        "SCBA_CYLINDER": (40, 80),
        "GAS_TIGHT_SUIT_A": (6, 12),
        "SPLASH_SUIT_B": (20, 40),
        "PLUGGING_KIT": (4, 8),
    },
    "standard": {
        "FOAM_AFFF": (2000, 4000),
        "DRY_POWDER": (500, 1000),
        "SCBA_CYLINDER": (30, 60),
        "SPLASH_SUIT_B": (10, 20),
    },
    "brigade": {
        "FOAM_AR_AFFF": (8000, 15000),
        "FOAM_AFFF": (6000, 12000),
        "DRY_POWDER": (2000, 4000),
        "ABSORBENT": (500, 1500),
        "SCBA_CYLINDER": (30, 60),
        "PLUGGING_KIT": (2, 6),
    },
    "base": {
        "FOAM_AR_AFFF": (20000, 30000),
        "FOAM_AFFF": (15000, 25000),
        "DRY_POWDER": (5000, 8000),
        "ABSORBENT": (3000, 6000),
        "ABSORBENT_BOOM": (200, 400),
        "NEUTRALISER_LIME": (10000, 20000),
        "NEUTRALISER_CAUSTIC": (5000, 10000),
        "GAS_TIGHT_SUIT_A": (30, 50),
        "SPLASH_SUIT_B": (80, 150),
        "SCBA_CYLINDER": (150, 250),
        "ACTIVATED_CARBON": (3000, 6000),
        "SANDBAG": (2000, 4000),
        "PLUGGING_KIT": (20, 40),
    },
    "berth": {"ABSORBENT_BOOM": (200, 400), "FOAM_AFFF": (3000, 6000)},
    "spill": {"ABSORBENT_BOOM": (300, 600), "ABSORBENT": (3000, 6000), "ACTIVATED_CARBON": (1000, 3000)},
    "medical": {"SPLASH_SUIT_B": (30, 60), "SCBA_CYLINDER": (20, 40), "NEUTRALISER_CAUSTIC": (200, 400)},
    "store": {
        "ABSORBENT": (2000, 5000),
        "ABSORBENT_BOOM": (100, 300),
        "NEUTRALISER_LIME": (5000, 15000),
        "NEUTRALISER_CAUSTIC": (3000, 8000),
        "ACTIVATED_CARBON": (2000, 6000),
        "SANDBAG": (1000, 3000),
        "SPLASH_SUIT_B": (50, 100),
        "SCBA_CYLINDER": (50, 100),
    },
}

ABBREVIATIONS = {
    "PUMPER_ENGINE": "PE", "FOAM_TENDER": "FT", "HIGH_VOLUME_WATER": "HV", "AERIAL_PLATFORM": "AP",
    "DRY_POWDER_TENDER": "DP", "HAZMAT_TEAM": "HZ", "GAS_DETECTION_TEAM": "GD", "LEAK_PLUGGING_TEAM": "LP",
    "DECON_UNIT": "DC", "HEAVY_RESCUE_TEAM": "HR", "AMBULANCE": "AM", "TOXICOLOGY_MEDICAL_TEAM": "TX",
    "FIREBOAT": "FB", "OIL_SPILL_VESSEL": "OS", "COMMAND_VEHICLE": "CV", "AIR_SUPPLY_VEHICLE": "AS",
    "DRONE_RECON_TEAM": "DR", "ENV_MONITORING_TEAM": "EM", "HEAVY_LIFT_CRANE": "HL",
}  # fmt: skip

# Types whose home cover each park keeps (a quarter of its fleet of the type, at least one).
RESERVED_UNIT_TYPES = ("PUMPER_ENGINE", "FOAM_TENDER", "HAZMAT_TEAM", "GAS_DETECTION_TEAM", "AMBULANCE")
RESERVED_STOCK_TYPES = ("FOAM_AR_AFFF", "FOAM_AFFF", "SCBA_CYLINDER")

# Neighbouring parks that lend to each other (both directions), with what may be lent (empty: everything).
NEIGHBOURS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ligang", "shengang", ()),
    ("shengang", "xiagang", ()),
    ("shengang", "chengxi", ()),
    ("xiagang", "chengxi", ()),
    ("xiagang", "bridge-port", ()),
    ("bridge-port", "hitech-east", ()),
    ("hitech-east", "xiagang", ("AMBULANCE", "TOXICOLOGY_MEDICAL_TEAM", "DECON_UNIT", "COMMAND_VEHICLE")),
)


@dataclass(frozen=True, slots=True)
class DemoDataset:
    """The whole data set: parks, and one inventory per park ready for the bulk import."""

    seed: int
    parks: tuple[Park, ...]
    inventories: tuple[Inventory, ...]

    def units(self) -> list[Unit]:
        """Every unit of every park."""
        return [u for inv in self.inventories for u in inv.units]

    def depots(self) -> list[Depot]:
        """Every depot of every park."""
        return [d for inv in self.inventories for d in inv.depots]

    def stocks(self) -> list[Stock]:
        """Every stock of every depot."""
        return [s for inv in self.inventories for s in inv.stocks]

    def inventory(self, park_id: str) -> Inventory:
        """The inventory of one park."""
        return next(inv for inv in self.inventories if inv.park_id == park_id)


def south_bank_latitude(longitude: float) -> float:
    """Latitude of the coarse south-bank line at a longitude (linear between its points, flat beyond)."""
    points = SOUTH_BANK
    if longitude <= points[0][0]:
        return points[0][1]
    for (lon_a, lat_a), (lon_b, lat_b) in pairwise(points):
        if lon_a <= longitude <= lon_b:
            return lat_a + (lat_b - lat_a) * (longitude - lon_a) / (lon_b - lon_a)
    return points[-1][1]


def is_south_of_river(point: GeoPoint) -> bool:
    """Tell whether a point lies south of the coarse south-bank line (on land for this data set)."""
    return point.latitude < south_bank_latitude(point.longitude)


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance between two points."""
    r = 6371.0
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def _boundary(plan: ParkPlan) -> tuple[GeoPoint, ...]:
    """A rough rectangle around the park centre, reaching north towards the bank."""
    south, north = plan.lat - 0.014, plan.lat + 0.005
    west, east = plan.lon - 0.016, plan.lon + 0.016
    return (GeoPoint(south, west), GeoPoint(south, east), GeoPoint(north, east), GeoPoint(north, west))


def _park(plan: ParkPlan) -> Park:
    """The Park of a plan."""
    return Park(
        park_id=plan.park_id,
        display_name=plan.name,
        display_name_zh=plan.name_zh,
        kind=plan.kind,
        location=GeoPoint(plan.lat, plan.lon),
        boundary=_boundary(plan),
        duty_contact=DutyContact(plan.contact, plan.phone),
    )


def _capabilities(type_code: str, template: str, rng: random.Random) -> tuple[str, ...]:
    """The type's catalogue tags, with a few seeded variants (e.g. pumpers carrying foam)."""
    tags = list(load_catalogue().types[type_code].capabilities)
    if type_code == "PUMPER_ENGINE" and rng.random() < 0.3:
        tags.append("foam")
    if type_code == "HAZMAT_TEAM" and template in ("base", "special"):
        tags += ["chlorine-plugging", "decontamination"]
    if type_code == "HIGH_VOLUME_WATER" and template == "base":
        tags.append("foam")
    return tuple(dict.fromkeys(tags))


def _units(plan: DepotPlan, rng: random.Random, fleet_scale: int) -> list[Unit]:
    """The seeded fleet of one depot."""
    catalogue = load_catalogue()
    units = []
    for type_code, base_count in UNIT_TEMPLATES[plan.template].items():
        count = (base_count + rng.randint(0, 1)) * fleet_scale
        crew = catalogue.types[type_code].typical_crew
        for n in range(1, count + 1):
            abbr = ABBREVIATIONS[type_code]
            units.append(
                Unit(
                    park_id=plan.park_id,
                    unit_id=f"{plan.depot_id}-{abbr.lower()}-{n:02d}",
                    type=type_code,
                    call_sign=f"{plan.call}-{abbr}{n:02d}",
                    home_depot=plan.depot_id,
                    crew_size=max(2, crew + rng.randint(-1, 1)),
                    capabilities=_capabilities(type_code, plan.template, rng),
                    position=GeoPoint(
                        round(plan.lat + rng.uniform(-0.0004, 0.0), 6),
                        round(plan.lon + rng.uniform(-0.0004, 0.0004), 6),
                    ),
                )
            )
    return units


def _stocks(plan: DepotPlan, rng: random.Random) -> list[Stock]:
    """The seeded stock of one depot; the minimum is about a third of the opening amount."""
    stocks = []
    for type_code, (low, high) in STOCK_TEMPLATES[plan.template].items():
        step = 100 if low >= 1000 else 10 if low >= 100 else 1
        on_hand = rng.randint(low // step, high // step) * step
        stocks.append(
            Stock(
                park_id=plan.park_id,
                depot_id=plan.depot_id,
                type=type_code,
                on_hand=on_hand,
                minimum_level=on_hand // 3 // step * step,
            )
        )
    return stocks


def _policies(park_id: str, units: list[Unit], stocks: list[Stock]) -> list[ReservePolicy]:
    """A quarter of the park's units of key types, and a quarter of its key consumables, stay at home."""
    unit_counts = Counter(u.type for u in units)
    stock_totals: Counter[str] = Counter()
    for s in stocks:
        stock_totals[s.type] += s.on_hand
    policies = [ReservePolicy(park_id, t, max(1, unit_counts[t] // 4)) for t in RESERVED_UNIT_TYPES if unit_counts[t] >= 2]
    policies += [ReservePolicy(park_id, t, stock_totals[t] // 4 // 100 * 100) for t in RESERVED_STOCK_TYPES if stock_totals[t] >= 400]
    return policies


def _mutual_aid(park_id: str, centres: dict[str, GeoPoint]) -> list[MutualAid]:
    """Agreements this park lends under; the time limit grows with the distance between the parks."""
    agreements = []
    for a, b, types in NEIGHBOURS:
        for lender, borrower, lent in ((a, b, types), (b, a, ())):
            if lender != park_id:
                continue
            minutes = 15 + 5 * math.ceil(distance_km(centres[lender], centres[borrower]) / 2)
            agreements.append(MutualAid(lender, borrower, lent, minutes))
    return agreements


def build_demo(seed: int = DEMO_SEED, *, fleet_scale: int = 1) -> DemoDataset:
    """Generate the data set; the same seed (and scale) always gives the same data."""
    rng = random.Random(seed)
    parks = tuple(_park(p) for p in PARKS)
    centres = {p.park_id: p.location for p in parks}
    inventories = []
    for park in parks:
        plans = [d for d in DEPOTS if d.park_id == park.park_id]
        depots = [Depot(d.park_id, d.depot_id, d.name, d.kind, GeoPoint(d.lat, d.lon), shared=d.shared) for d in plans]
        units = [u for d in plans for u in _units(d, rng, fleet_scale)]
        stocks = [s for d in plans for s in _stocks(d, rng)]
        inventories.append(
            Inventory(
                park_id=park.park_id,
                depots=tuple(depots),
                units=tuple(units),
                stocks=tuple(stocks),
                reserve_policies=tuple(_policies(park.park_id, units, stocks)),
                mutual_aid=tuple(_mutual_aid(park.park_id, centres)),
            )
        )
    return DemoDataset(seed=seed, parks=parks, inventories=tuple(inventories))


def load_demo(store: ResourceStore, dataset: DemoDataset | None = None, *, actor: str = "demo-seed") -> list[ImportSummary]:
    """Create every park, then import each park's inventory in its own all-or-nothing transaction."""
    dataset = dataset or build_demo()
    for park in dataset.parks:
        store.write(registry.create_park, park=park, actor=actor)
    return [store.write(bulk.import_inventory, inventory=inv, actor=actor) for inv in dataset.inventories]
