"""Seeded generator of riverside-park worlds with clustered incidents (benchmarks and tests)."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass

from services.dispatch.catalogue import ResourceKind, kind_of
from services.dispatch.model import (
    Demand,
    DispatchRequest,
    GeoPoint,
    Incident,
    MutualAid,
    Options,
    Policies,
    Reserve,
    Stock,
    Unit,
)

RIVER_START = GeoPoint(31.95, 120.05)
PARK_SPACING_DEG = 0.075  # about 7 km along the river

# Share of each unit type in a park's fleet, its vehicle class and capability variants.
FLEET: dict[str, tuple[float, str, tuple[str, ...], tuple[str, ...]]] = {
    "PUMPER_ENGINE": (0.20, "MEDIUM", ("water",), ("water-curtain",)),
    "FOAM_TENDER": (0.10, "HEAVY", ("foam", "water"), ("foam-ar-afff",)),
    "HIGH_VOLUME_WATER": (0.05, "HEAVY", ("high-volume-water", "water-curtain"), ()),
    "AERIAL_PLATFORM": (0.03, "HEAVY", ("aerial",), ()),
    "DRY_POWDER_TENDER": (0.03, "HEAVY", ("dry-powder",), ()),
    "HAZMAT_TEAM": (0.08, "LIGHT", ("gas-tight-a",), ()),
    "GAS_DETECTION_TEAM": (0.06, "LIGHT", ("gas-detection",), ()),
    "LEAK_PLUGGING_TEAM": (0.05, "LIGHT", ("leak-plugging",), ("chlorine-plugging",)),
    "DECON_UNIT": (0.04, "MEDIUM", ("decontamination",), ()),
    "HEAVY_RESCUE_TEAM": (0.04, "MEDIUM", ("heavy-rescue",), ()),
    "AMBULANCE": (0.10, "LIGHT", ("medical",), ("toxicology",)),
    "TOXICOLOGY_MEDICAL_TEAM": (0.03, "LIGHT", ("medical", "toxicology"), ()),
    "FIREBOAT": (0.02, "BOAT", ("marine", "water"), ()),
    "OIL_SPILL_VESSEL": (0.02, "BOAT", ("marine", "oil-spill"), ()),
    "COMMAND_VEHICLE": (0.04, "LIGHT", ("command",), ()),
    "AIR_SUPPLY_VEHICLE": (0.03, "MEDIUM", ("air-supply",), ()),
    "DRONE_RECON_TEAM": (0.03, "LIGHT", ("drone",), ()),
    "ENV_MONITORING_TEAM": (0.03, "LIGHT", ("env-monitoring",), ()),
    "HEAVY_LIFT_CRANE": (0.02, "HEAVY", ("lifting",), ()),
}

# Consumable stock per depot (range of amounts).
DEPOT_STOCK: dict[str, tuple[int, int]] = {
    "FOAM_AR_AFFF": (2000, 8000),
    "FOAM_AFFF": (2000, 10000),
    "DRY_POWDER": (500, 3000),
    "ABSORBENT": (500, 2000),
    "ABSORBENT_BOOM": (20, 100),
    "NEUTRALISER_LIME": (500, 3000),
    "GAS_TIGHT_SUIT_A": (4, 20),
    "SCBA_CYLINDER": (20, 80),
}

# Demand templates per incident kind: (type, relative size, capability that some lines require).
TEMPLATES: dict[str, tuple[tuple[str, float, str | None], ...]] = {
    "FIRE": (
        ("PUMPER_ENGINE", 4, "water-curtain"),
        ("FOAM_TENDER", 2, "foam-ar-afff"),
        ("HIGH_VOLUME_WATER", 1, None),
        ("COMMAND_VEHICLE", 1, None),
        ("AMBULANCE", 1, None),
        ("FOAM_AR_AFFF", 1, None),
    ),
    "TOXIC_GAS_LEAK": (
        ("HAZMAT_TEAM", 2, None),
        ("GAS_DETECTION_TEAM", 1, None),
        ("LEAK_PLUGGING_TEAM", 1, "chlorine-plugging"),
        ("DECON_UNIT", 1, None),
        ("AMBULANCE", 2, "toxicology"),
        ("GAS_TIGHT_SUIT_A", 1, None),
        ("SCBA_CYLINDER", 1, None),
    ),
    "CHEMICAL_SPILL": (
        ("HAZMAT_TEAM", 1, None),
        ("DECON_UNIT", 1, None),
        ("ENV_MONITORING_TEAM", 1, None),
        ("PUMPER_ENGINE", 2, None),
        ("ABSORBENT", 1, None),
        ("NEUTRALISER_LIME", 1, None),
    ),
    "EXPLOSION": (
        ("PUMPER_ENGINE", 3, None),
        ("HEAVY_RESCUE_TEAM", 2, None),
        ("AMBULANCE", 2, None),
        ("DRONE_RECON_TEAM", 1, None),
        ("AIR_SUPPLY_VEHICLE", 1, None),
        ("FOAM_AFFF", 1, None),
    ),
    "WATER_POLLUTION": (
        ("OIL_SPILL_VESSEL", 1, None),
        ("FIREBOAT", 1, None),
        ("ENV_MONITORING_TEAM", 1, None),
        ("ABSORBENT_BOOM", 1, None),
    ),
}
KIND_WEIGHTS = {"FIRE": 0.35, "TOXIC_GAS_LEAK": 0.25, "CHEMICAL_SPILL": 0.2, "EXPLOSION": 0.12, "WATER_POLLUTION": 0.08}
SEVERITY_MIX = ((8.0, 0.1), (4.0, 0.25), (2.0, 0.35), (1.0, 0.3))


@dataclass(frozen=True)
class InstanceSpec:
    """Size and character of a generated instance."""

    name: str
    incidents: int
    units: int
    seed: int
    load: float = 0.8
    reserve_fraction: float = 0.0
    response_standard_min: float | None = None
    parks: int = 6
    depots_per_park: int = 3
    clusters: int = 3
    time_limit_s: float = 5.0


def _near(rng: random.Random, center: GeoPoint, km: float) -> GeoPoint:
    r = km * math.sqrt(rng.random()) / 111.0
    a = rng.random() * 2 * math.pi
    return GeoPoint(center.lat + r * math.sin(a), center.lon + r * math.cos(a) / math.cos(math.radians(center.lat)))


Depots = dict[str, list[tuple[str, GeoPoint]]]


def _world(spec: InstanceSpec, rng: random.Random) -> tuple[list[str], list[GeoPoint], Depots]:
    parks = [f"P{n + 1}" for n in range(spec.parks)]
    centers = [
        GeoPoint(
            RIVER_START.lat + (0.02 if n % 2 else -0.02) + rng.uniform(-0.005, 0.005),
            RIVER_START.lon + n * PARK_SPACING_DEG,
        )
        for n in range(spec.parks)
    ]
    depots = {p: [(f"{p}-D{k + 1}", _near(rng, c, 2.5)) for k in range(spec.depots_per_park)] for p, c in zip(parks, centers, strict=True)}
    return parks, centers, depots


def _units(spec: InstanceSpec, rng: random.Random, parks: list[str], depots: Depots) -> list[Unit]:
    types = list(FLEET)
    shares = [FLEET[t][0] for t in types]
    size = [rng.uniform(0.6, 1.4) for _ in parks]
    units = []
    for n in range(spec.units):
        rtype = rng.choices(types, shares)[0]
        park = rng.choices(parks, size)[0]
        depot_id, position = rng.choice(depots[park])
        _, vclass, caps, variants = FLEET[rtype]
        extra = tuple(v for v in variants if rng.random() < 0.4)
        units.append(
            Unit(
                id=f"U{n + 1:05d}",
                resource_type=rtype,
                position=position,
                capabilities=caps + extra,
                home_park=park,
                home_depot=depot_id,
                vehicle_class=vclass,
            )
        )
    return units


def _stocks(rng: random.Random, depots: Depots) -> list[Stock]:
    stocks = []
    for park, items in depots.items():
        for depot_id, position in items:
            for rtype, (lo, hi) in DEPOT_STOCK.items():
                if rng.random() < 0.7:
                    stocks.append(Stock(depot_id, rtype, float(rng.randint(lo, hi)), position, park))
    return stocks


def _policies(spec: InstanceSpec, rng: random.Random, parks: list[str], units: list[Unit], stocks: list[Stock]) -> Policies:
    reserves = []
    if spec.reserve_fraction > 0:
        home: dict[tuple[str, str], float] = defaultdict(float)
        for u in units:
            home[(u.home_park or "", u.resource_type)] += 1
        for s in stocks:
            home[(s.park_id or "", s.resource_type)] += s.amount
        for (park, rtype), count in sorted(home.items()):
            minimum = math.floor(count * spec.reserve_fraction)
            if minimum > 0:
                reserves.append(Reserve(park, rtype, float(minimum)))
    agreements = []
    for a, lender in enumerate(parks):
        for b, borrower in enumerate(parks):
            if a != b and abs(a - b) <= 2:
                types: tuple[str, ...] = () if abs(a - b) == 1 else (*sorted(rng.sample(sorted(FLEET), 8)), "FOAM_AR_AFFF", "FOAM_AFFF")
                agreements.append(MutualAid(lender, borrower, types, 45.0 if abs(a - b) == 1 else 35.0))
    return Policies(reserves=tuple(reserves), agreements=tuple(agreements))


def sendable(units: list[Unit], stocks: list[Stock], policies: Policies) -> dict[str, float]:
    """What the parks can send per type without touching their reserves."""
    home: dict[tuple[str | None, str], float] = defaultdict(float)
    for u in units:
        if u.committed_to is None:
            home[(u.home_park, u.resource_type)] += 1
    for s in stocks:
        home[(s.park_id, s.resource_type)] += s.amount
    minimum = {(r.park_id, r.resource_type): r.minimum for r in policies.reserves}
    out: dict[str, float] = defaultdict(float)
    for (park, rtype), count in home.items():
        out[rtype] += max(0.0, count - minimum.get((park or "", rtype), 0.0))
    return out


def load_of(request: DispatchRequest) -> float:
    """Unit demand divided by what the parks can send, over the unit types demanded."""
    can = sendable(list(request.units), list(request.stocks), request.policies)
    need: dict[str, float] = defaultdict(float)
    for inc in request.incidents:
        for d in inc.demands:
            if kind_of(d.resource_type) is ResourceKind.UNIT:
                need[d.resource_type] += d.quantity
    total_can = sum(can.get(t, 0.0) for t in need)
    return sum(need.values()) / total_can if total_can else float("inf")


def _split(total: float, weights: list[float], whole: bool) -> list[float]:
    """Split a total by weights; whole numbers use largest remainders and at least 1 each."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    if not whole:
        return [max(1.0, round(x)) for x in raw]
    base = [math.floor(x) for x in raw]
    left = round(total) - sum(base)
    for k in sorted(range(len(raw)), key=lambda k: raw[k] - base[k], reverse=True)[: max(0, left)]:
        base[k] += 1
    return [float(max(1, b)) for b in base]


def _incidents(spec: InstanceSpec, rng: random.Random, parks: list[str], centers: list[GeoPoint], can: dict[str, float]) -> list[Incident]:
    hubs = rng.sample(range(len(parks)), min(spec.clusters, len(parks)))
    shells = []
    for n in range(spec.incidents):
        hub = hubs[n % len(hubs)]
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        weight = rng.choices([w for w, _ in SEVERITY_MIX], [p for _, p in SEVERITY_MIX])[0]
        in_park = rng.random() < 0.8
        shells.append(
            (
                f"INC{n + 1:03d}",
                _near(rng, centers[hub], 3.0),
                weight,
                parks[hub] if in_park else None,
                kind,
                rng.uniform(-1800, 0),
            )
        )
    lines: dict[str, list[tuple[int, float, str | None]]] = defaultdict(list)
    for n, shell in enumerate(shells):
        for rtype, size, cap in TEMPLATES[shell[4]]:
            lines[rtype].append((n, size * rng.uniform(0.5, 1.5), cap if cap and rng.random() < 0.3 else None))
    demands: dict[int, list[Demand]] = defaultdict(list)
    for rtype, items in sorted(lines.items()):
        whole = kind_of(rtype) is ResourceKind.UNIT
        total = spec.load * can.get(rtype, 0.0)
        amounts = _split(max(total, 1.0), [w for _, w, _ in items], whole)
        for (n, _, cap), qty in zip(items, amounts, strict=True):
            within = spec.response_standard_min if spec.response_standard_min and rng.random() < 0.5 else None
            demands[n].append(Demand(rtype, qty, (cap,) if cap else (), within))
    return [
        Incident(id=iid, location=loc, severity_weight=w, demands=tuple(demands[n]), park_id=park, reported_at_s=t)
        for n, (iid, loc, w, park, _, t) in enumerate(shells)
    ]


def generate(spec: InstanceSpec) -> DispatchRequest:
    """Build one seeded instance."""
    rng = random.Random(spec.seed)
    parks, centers, depots = _world(spec, rng)
    units = _units(spec, rng, parks, depots)
    stocks = _stocks(rng, depots)
    policies = _policies(spec, rng, parks, units, stocks)
    incidents = _incidents(spec, rng, parks, centers, sendable(units, stocks, policies))
    return DispatchRequest(
        incidents=tuple(incidents),
        units=tuple(units),
        stocks=tuple(stocks),
        parks=tuple(parks),
        policies=policies,
        options=Options(time_limit_s=spec.time_limit_s, num_workers=2, random_seed=spec.seed),
    )
