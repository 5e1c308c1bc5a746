"""Parks and depots of the demo data set (riverside parks of Jiangyin on the Yangtze)."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.catalogue import ParkKind


@dataclass(frozen=True)
class Park:
    """A park known to the scenario library."""

    id: str
    name: str
    lat: float
    lon: float
    kind: ParkKind


DEMO_PARKS: dict[str, Park] = {
    p.id: p
    for p in (
        Park("ligang", "Ligang chemical park", 31.955, 120.090, ParkKind.CHEMICAL_PARK),
        Park("shengang", "Shengang chemical park", 31.925, 120.175, ParkKind.CHEMICAL_PARK),
        Park("xiagang", "Xiagang chemical park", 31.935, 120.225, ParkKind.CHEMICAL_PARK),
        Park("bridge-port", "Riverside port and jetties by the Yangtze bridge", 31.94, 120.27, ParkKind.PORT_AND_JETTIES),
        Park("hitech-east", "High-tech zone east of the centre", 31.90, 120.33, ParkKind.HIGH_TECH),
        Park("chengxi", "Chengxi steel and power area west of the centre", 31.905, 120.212, ParkKind.STEEL),
    )
}

SHARED_DEPOT_ID = "riverside-base"
"""The riverside hazardous-chemicals rescue base shared by all parks (the resources service's depot id)."""

SHARED_DEPOT_PARK = "ligang"
"""The park whose grounds hold the shared rescue base."""
