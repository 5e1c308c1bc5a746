"""Demo detectors: rings of gas detectors around the parks' tank farms, jetties and furnaces, plus flame and heat detectors."""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.resources.detectors import Detector, DetectorKind
from services.resources.domain import GeoPoint

METRES_PER_DEGREE_LAT = 111_320.0


@dataclass(frozen=True, slots=True)
class Ring:
    """Detectors evenly spaced on a circle around one hazard."""

    park_id: str
    prefix: str
    area: str
    lat: float
    lon: float
    radius_m: float
    count: int
    kind: DetectorKind
    substance: tuple[str, str, str]  # name, UN number, hazard class
    unit: str
    pre_alarm: float
    alarm: float


CHLORINE = ("chlorine", "1017", "2.3")
AMMONIA = ("ammonia", "1005", "2.3")
LPG = ("liquefied petroleum gas", "1075", "2.1")
HYDROGEN_SULPHIDE = ("hydrogen sulphide", "1053", "2.3")
BENZENE = ("benzene", "1114", "3")
VINYL_CHLORIDE = ("vinyl chloride", "1086", "2.1")
CARBON_MONOXIDE = ("carbon monoxide", "1016", "2.3")
NONE = ("", "", "")

# Alarm settings follow common practice for fixed detectors: toxic gases near their occupational limits
# (chlorine 0.5 / 1 ppm, ammonia 25 / 35 ppm, H2S 10 / 15 ppm, CO 25 / 50 ppm), flammables at 20 / 40 %LEL.
RINGS: tuple[Ring, ...] = (
    Ring("ligang", "lg-cl2", "chlorine tank farm A", 31.9585, 120.0935, 180, 12, DetectorKind.TOXIC_GAS, CHLORINE, "ppm", 0.5, 1.0),
    Ring("ligang", "lg-nh3", "ammonia storage B", 31.9525, 120.0985, 150, 10, DetectorKind.TOXIC_GAS, AMMONIA, "ppm", 25, 35),
    Ring("ligang", "lg-lpg", "LPG spheres", 31.9505, 120.0870, 120, 8, DetectorKind.FLAMMABLE_GAS, LPG, "%LEL", 20, 40),
    Ring("ligang", "lg-flame", "LPG spheres", 31.9505, 120.0870, 60, 4, DetectorKind.FLAME, LPG, "state", 1, 1),
    Ring("shengang", "sg-nh3", "ammonia synthesis", 31.9280, 120.1790, 160, 10, DetectorKind.TOXIC_GAS, AMMONIA, "ppm", 25, 35),
    Ring("shengang", "sg-h2s", "sour-water stripper", 31.9230, 120.1720, 90, 6, DetectorKind.TOXIC_GAS, HYDROGEN_SULPHIDE, "ppm", 10, 15),
    Ring("shengang", "sg-bz", "aromatics tank farm", 31.9220, 120.1800, 140, 8, DetectorKind.FLAMMABLE_GAS, BENZENE, "%LEL", 20, 40),
    Ring("xiagang", "xg-cl2", "chlor-alkali cell house", 31.9370, 120.2280, 150, 10, DetectorKind.TOXIC_GAS, CHLORINE, "ppm", 0.5, 1.0),
    Ring("xiagang", "xg-vcm", "VCM spheres", 31.9330, 120.2220, 120, 8, DetectorKind.FLAMMABLE_GAS, VINYL_CHLORIDE, "%LEL", 20, 40),
    Ring("xiagang", "xg-temp", "VCM spheres", 31.9330, 120.2220, 40, 3, DetectorKind.TEMPERATURE, NONE, "degC", 45, 60),
    Ring("bridge-port", "bp-lpg", "LPG jetty 3", 31.9430, 120.2680, 110, 8, DetectorKind.FLAMMABLE_GAS, LPG, "%LEL", 20, 40),
    Ring("bridge-port", "bp-nh3", "ammonia jetty 5", 31.9440, 120.2750, 90, 6, DetectorKind.TOXIC_GAS, AMMONIA, "ppm", 25, 35),
    Ring("bridge-port", "bp-flame", "LPG jetty 3", 31.9430, 120.2680, 50, 4, DetectorKind.FLAME, LPG, "state", 1, 1),
    Ring("hitech-east", "he-nh3", "refrigeration plant", 31.9010, 120.3320, 60, 4, DetectorKind.TOXIC_GAS, AMMONIA, "ppm", 25, 35),
    Ring("hitech-east", "he-smoke", "electronics warehouse", 31.8985, 120.3280, 40, 4, DetectorKind.SMOKE, NONE, "state", 1, 1),
    Ring("chengxi", "cx-co", "blast-furnace gas holder", 31.9070, 120.2100, 170, 10, DetectorKind.TOXIC_GAS, CARBON_MONOXIDE, "ppm", 25, 50),
    Ring("chengxi", "cx-temp", "converter shop", 31.9040, 120.2150, 50, 3, DetectorKind.TEMPERATURE, NONE, "degC", 80, 120),
)


def offset(lat: float, lon: float, north_m: float, east_m: float) -> GeoPoint:
    """A point some metres north and east of another (flat-earth, fine over a park)."""
    dlat = north_m / METRES_PER_DEGREE_LAT
    dlon = east_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    return GeoPoint(round(lat + dlat, 6), round(lon + dlon, 6))


def ring_detectors(ring: Ring) -> list[Detector]:
    """The detectors of one ring, numbered clockwise from north."""
    found = []
    for index in range(ring.count):
        bearing = 2 * math.pi * index / ring.count
        position = offset(ring.lat, ring.lon, ring.radius_m * math.cos(bearing), ring.radius_m * math.sin(bearing))
        name, un_number, hazard_class = ring.substance
        found.append(
            Detector(
                park_id=ring.park_id,
                detector_id=f"{ring.prefix}-{index + 1:02d}",
                display_name=f"{ring.area} {ring.kind.value.lower().replace('_', ' ')} {index + 1}",
                kind=ring.kind,
                position=position,
                pre_alarm_threshold=ring.pre_alarm,
                alarm_threshold=ring.alarm,
                unit=ring.unit,
                substance_name=name,
                un_number=un_number,
                hazard_class=hazard_class,
                area=ring.area,
            )
        )
    return found


def demo_detectors(park_id: str = "") -> list[Detector]:
    """Every demo detector, or those of one park."""
    return [d for ring in RINGS if not park_id or ring.park_id == park_id for d in ring_detectors(ring)]
